"""Words → lines → key/value pairs.

Lines are rebuilt from geometry (sparse-text OCR scatters one label line over many blocks).
A key word (MODEL, S/N, SÉRIE, E-Nr, …; fuzzy for the long ones so that ``SERlAL`` counts) is
paired with the value to its right on the same line, or else with the word just under it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Mapping, Sequence

import regex

from .elements import Line, Word

# Key words by field. Long keys are matched with one edit allowed; short ones exactly.
FUZZY_KEYS = {
    "model": ("MODEL", "MODELE", "MODELO", "MODELNO", "MODELNUMBER"),
    "serial": ("SERIAL", "SERIE", "SERIALNO", "SERIALNUMBER", "SERVICETAG"),
}
FD_KEYS = ("FD", "FO", "F0")  # BSH's FD, part of its serial, and as OCR reads its D (too short for an edit)
EXACT_KEYS = {
    "model": ("MOD", "MODNO", "M/N", "MN", "MODEL#", "ENR", "E-NR", "E-NO", "ENO", "MTM", "MACHINETYPE",
              "MODELCODE", "TYPE/MODEL"),
    "serial": ("SER", "SERNO", "S/N", "SN", "SERIAL#", "NODESERIE", "SNO", "S/NO",
               "SL", "SLNO",  # SL. No.: serial number in Indian English (asset stickers)
               *FD_KEYS),
}
# M/N and S/N with the slash read as an I; only with their colon ('MIN 15 A' is a rating's minimum)
SLASH_READ_I = {"MIN:": "model", "SIN:": "serial"}
# key words whose value is neither model nor serial (part numbers, UPC, FCC ID, ...)
DISTRACTOR_KEYS = frozenset({"P/N", "PN", "PART", "PARTNO", "PART#", "UPC", "EAN", "FCC", "FCCID", "IC", "MFGNO",
                             "PNC", "PRODNO", "REF", "ITEM", "SKU", "TEL", "PHONE", "CALL", "ASSET", "LOT",
                             "DP/N", "DPN", "REGTYPE", "PIN",  # PIN: 'P/N' as OCR often reads it
                             "Z-NR", "ZNR"})  # BSH's production counter: its serial is the FD
# words that may sit between a key and its value
FILLERS = frozenset({"NO", "N", "NUMBER", "NUM", "#", ":", "/", "-", "DE", "NR", "N°", "NO:", "CODE", "TAG",
                     "MODELE", "MODELO", "SERIE", "MODEL", "SERIAL", "NUMERO", "OF", "|", "NO/", "/NO"})
_PUNCT_EDGES = ":.#,;|'\"()[]{}*_~`"


def fold(text: str) -> str:
    """Upper-case and strip accents: MODÈLE → MODELE."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def key_form(text: str) -> str:
    """A key as it is compared: folded, its edge punctuation, dots and spaces dropped
    ('Fabr.-Nr.' → 'FABR-NR', 'SVC Tag' → 'SVCTAG')."""
    return fold(text).strip(_PUNCT_EDGES).replace(".", "").replace(" ", "")


_fuzzy_cache: dict[tuple[str, int], regex.Pattern[str]] = {}


def _fuzzy(word: str, edits: int = 1) -> regex.Pattern[str]:
    pat = _fuzzy_cache.get((word, edits))
    if pat is None:
        pat = _fuzzy_cache[(word, edits)] = regex.compile(f"(?:{regex.escape(word)}){{e<={edits}}}")
    return pat


# A caption's first word read with two errors ('mopet' for MODEL) still names the field when
# a number word follows it ('wo.' for NO.): the pair is far likelier a blurred key than any
# other word. The first letter and the length must be right, and the number word needs its dot
# or colon.
LOOSE_KEYS = {"model": ("MODEL",), "serial": ("SERIAL",)}
_NUMBER_WORD = regex.compile(r"(?:NO){e<=1}[.:]+")


def _number_word(token: str) -> bool:
    """NO. with at most one error and its dot or colon ('wo.', 'N0:')."""
    return _NUMBER_WORD.fullmatch(fold(token).strip()) is not None


def loose_key_field(token: str, following: str) -> str | None:
    """The field that a caption read with up to two errors names, when the word after it is a
    number word ('mopet wo.' → 'model'); None otherwise."""
    if not _number_word(following):
        return None
    form = key_form(token)
    for field, keys in LOOSE_KEYS.items():
        for key in keys:
            if len(form) == len(key) and form[:1] == key[0] and _fuzzy(key, 2).fullmatch(form):
                return field
    return None


def key_field(token: str, extra: Mapping[str, str] | None = None) -> str | None:
    """Which field a token names, if it is a key word ('MODEL:' → 'model'). ``extra`` maps
    more key forms (see :func:`key_form`) to fields: a brand's own keys, which come first (HP
    prints its model after 'P/N', elsewhere a part number's key)."""
    form = key_form(token)
    if not form:
        return None
    if extra and form in extra:
        return extra[form]
    slashed = SLASH_READ_I.get(fold(token).strip())
    if slashed:
        return slashed
    for field, keys in EXACT_KEYS.items():
        if form in keys:
            return field
    if len(form) >= 5:
        for field, keys in FUZZY_KEYS.items():
            for key in keys:
                if abs(len(form) - len(key)) <= 1 and _fuzzy(key).fullmatch(form):
                    return field
    if "/" in form:
        # a bilingual key in one token: 'MODEL/MODÈLE', 'SERIAL/SÉRIE' (both halves must agree)
        halves = [h for h in form.split("/") if h]
        if len(halves) == 1:
            return key_field(halves[0], extra)  # '/MODÈLE': the other half of a bilingual key read apart
        fields = {key_field(h) for h in halves}
        if len(halves) >= 2 and len(fields) == 1 and None not in fields:
            return fields.pop()
    return None


# keys that an engine may glue to their value with no space ('MODELWFW4720RW0', as RapidOCR
# reads); only long or slashed keys, so that a value that merely starts like a key is left alone
_GLUED_PREFIX = regex.compile(
    r"(?P<key>MODEL(?:NO|NUMBER|#)?|M/N|MOD(?:EL)?NO|SERIAL(?:NO|NUMBER|#)?|S/N|SER(?:IAL)?NO|SERIE)"
    r"[:#.]*(?P<value>(?=[A-Z0-9/\-]*\d)[A-Z0-9][A-Z0-9/\-]{3,})")


def split_glued(token: str) -> tuple[str | None, str]:
    """'MODEL:WFW4720RW0' → ('model', 'WFW4720RW0'); 'S/N:123' → ('serial', '123');
    'SERIALCD3700848' → ('serial', 'CD3700848')."""
    for sep in (":", "#", "."):
        if sep in token:
            head, _, tail = token.partition(sep)
            tail = tail.strip(_PUNCT_EDGES)
            if tail and len(head) >= 2:
                field = key_field(head)
                if field:
                    return field, tail
    m = _GLUED_PREFIX.fullmatch(fold(token).strip(_PUNCT_EDGES))
    if m:
        field = key_field(m.group("key"))
        if field:
            return field, m.group("value")
    return None, token


def group_lines(words: Sequence[Word]) -> list[Line]:
    """Group words into lines by vertical overlap, split where a horizontal gap is wide."""
    words = [w for w in words if w.text.strip()]
    rows: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (w.box[1] + w.box[3] / 2, w.box[0])):
        top, bottom = w.box[1], w.box[1] + w.box[3]
        best, best_overlap = None, 0.0
        for row in rows:
            # vertical overlap with the row's word nearest in x, as a share of the smaller height
            ref = min(row, key=lambda r: abs(r.box[0] - w.box[0]))
            overlap = min(bottom, ref.box[1] + ref.box[3]) - max(top, ref.box[1])
            share = overlap / max(min(ref.box[3], w.box[3]), 1)
            if share >= 0.5 and share > best_overlap:
                best, best_overlap = row, share
        if best is None:
            rows.append([w])
        else:
            best.append(w)
    lines: list[Line] = []
    rows.sort(key=lambda r: sum(x.box[1] + x.box[3] / 2 for x in r) / len(r))
    for row in rows:
        row.sort(key=lambda w: w.box[0])
        seg = [row[0]]
        for w in row[1:]:
            prev = seg[-1]
            gap = w.box[0] - (prev.box[0] + prev.box[2])
            h = max(prev.box[3], w.box[3], 1)
            if gap > 3.0 * h:
                lines.append(Line(tuple(seg)))
                seg = [w]
            else:
                seg.append(w)
        lines.append(Line(tuple(seg)))
    return lines


@dataclass(frozen=True)
class KeyValue:
    field: str  # "model" | "serial"
    key: Word
    value: str  # the value as read (may join two words)
    words: tuple[Word, ...]
    position: str  # "glued", "right" or "below"


# Words of a label's running text that OCR glues to the value before them when the space is
# narrow ('Model A2141 Rated 20V' read as 'A2141RATED'): cut off after a value's last digit.
_TAIL_WORDS = (r"(?:RATED|RATING|INPUT|OUTPUT|MADE|VOLTS?|VOLTAGE|AMPS|WATTS|POWER|TYPE|CLASS|LISTED|DESIGNED|"
               r"ASSEMBLED|MODEL|SERIAL|PRODUCT|CAUTION|WARNING|DATE|MFG|MFD|EMC|FCC)[:.]?")
_GLUED_TAIL = regex.compile(r"(?P<value>.*\d[A-Z0-9/\-]*?)" + _TAIL_WORDS)
_TAIL_WORD = regex.compile(_TAIL_WORDS)


def trim_glued_tail(text: str) -> str:
    """'A2141RATED' → 'A2141'; values that merely end in letters are left alone."""
    m = _GLUED_TAIL.fullmatch(fold(text))
    if m is None or len(m.group("value")) < 3:
        return text
    return m.group("value")


def value_options(words: Sequence[Word]) -> list[tuple[str, tuple[Word, ...]]]:
    """The first word after a key, and the first two joined when they sit close together
    (values such as 'GXSF30V 00' or 'HMV9305 /01' are printed or read in two pieces); a hyphen
    or slash read as a word of its own joins the words on both sides ('MI340S6 - 9AX'). A word
    that lies within the first word's width (a speck of its glyphs read as a '-' of its own) is
    none of the words after it."""
    out = []
    first = words[0]
    trimmed = trim_glued_tail(first.text)
    if trimmed != first.text:
        return [(trimmed, (first,))]
    out.append((first.text, (first,)))
    end = first.box[0] + first.box[2]
    words = [first, *(w for w in words[1:] if w.box[0] + w.box[2] > end)]

    def joins(a: Word, b: Word) -> bool:
        gap = b.box[0] - (a.box[0] + a.box[2])
        return (gap < 1.2 * max(a.box[3], 1) and key_field(b.text) is None
                and not _TAIL_WORD.fullmatch(fold(b.text)))

    if len(words) > 1 and joins(first, words[1]):
        second = words[1]
        out.append((first.text + second.text, (first, second)))
        if second.text in ("-", "/") and len(words) > 2 and joins(second, words[2]):
            out.append((first.text + second.text + words[2].text, (first, second, words[2])))
    return out


def _is_filler(token: str) -> bool:
    form = fold(token).strip(_PUNCT_EDGES.replace("#", "").replace(":", "").replace("/", ""))
    bare = form.strip(":.#")
    if (form in FILLERS or bare in FILLERS or form.replace(".", "") in FILLERS
            or not form.strip(_PUNCT_EDGES + "/-=")):
        return True
    # 'No./No.' of 'Model No./No. de modèle': fillers on both sides of a slash
    halves = [h for h in bare.split("/") if h]
    return len(halves) >= 2 and all(h.strip(":.#") in FILLERS or h.replace(".", "") in FILLERS for h in halves)


# a filler glued to the value after its punctuation: 'No:M265R6DS-1NCWW', 'NO.:CD3700848', '#CD3700848'
_GLUED_FILLER = regex.compile(r"(?:NO|NR|N°|NUMBER|NUM)[.:#]+|#")


def _unglued(words: Sequence[Word]) -> list[Word]:
    """The words after a key, the first without a filler glued to its front
    ('No:M265R6DS-1NCWW' -> 'M265R6DS-1NCWW') when one is and something follows it."""
    out = list(words)
    if out:
        first = out[0]
        m = _GLUED_FILLER.match(first.text.upper())
        if m is not None and m.end() < len(first.text) and first.text[m.end()].isalnum():
            out[0] = first.part(first.text[m.end():])
    return out


def find_pairs(lines: Sequence[Line], extra: Mapping[str, str] | None = None) -> list[KeyValue]:
    """Key words with the values that belong to them (``extra``: more keys, as for
    :func:`key_field`)."""
    pairs: list[KeyValue] = []
    for li, line in enumerate(lines):
        words = line.words
        i = 0
        while i < len(words):
            word = words[i]
            glued_field, tail = split_glued(word.text)
            if glued_field:
                rest = [word.part(tail)] + list(words[i + 1:])
                for text, ws in value_options(rest):
                    pairs.append(KeyValue(glued_field, word, text, ws, "glued"))
                i += 1
                continue
            field = key_field(word.text, extra)
            j = i + 1
            if field is None and i + 1 < len(words):
                # two-word keys: SERVICE TAG, MODEL NO written apart, SERIAL NUMBER
                field = (key_field(key_form(word.text) + key_form(words[i + 1].text), extra)
                         or loose_key_field(word.text, words[i + 1].text))
                j = i + 2
            if field is None:
                i += 1
                continue
            while j < len(words) and (_is_filler(words[j].text) or key_field(words[j].text, extra) == field
                                      or (j == i + 1 and _number_word(words[j].text))):
                j += 1  # fillers; a number word read with one error ('N0.', 'wo.') just after the key
            # a word that ends within the key's width, its middle off the key's, is no word after
            # it: a line above or below that a key's too tall box drew into its row ('LISTED 3FC7'
            # over 'MODEL/MODÈLE:'); one level with it is (a key's box drawn over its value too)
            edge = max(w.box[0] + w.box[2] for w in words[i:j])
            middle = word.box[1] + word.box[3] / 2
            after = _unglued([w for w in words[j:] if w.box[0] + w.box[2] > edge
                              or abs(w.box[1] + w.box[3] / 2 - middle) <= w.box[3] / 2])
            if after and key_field(after[0].text, extra) is None:
                for text, ws in value_options(after):
                    pairs.append(KeyValue(field, word, text, ws, "right"))
            else:
                below = _word_below(lines, li, words[max(i, j - 1)], _phrase_start(words, i), extra)
                if below is not None:
                    bline, bidx = below
                    for text, ws in value_options(_unglued(bline.words[bidx:])):
                        pairs.append(KeyValue(field, word, text, ws, "below"))
            i = max(j, i + 1)
    return pairs


def _specks(token: str) -> bool:
    """A 'word' of fewer than two letters and digits ('“a', '~'): specks read as text, no value."""
    return sum(ch.isalnum() for ch in token) < 2


def _phrase_start(words: Sequence[Word], i: int) -> Word:
    """The first word of the key's caption: up to two words of letters just before the key word
    on its line ('Regulatory Model', 'Appliance Serial'), whose value is printed under the whole
    caption, flush with its start; else the key word itself."""
    h = max(words[i].box[3], 1)
    k = i
    while k > 0 and i - k < 2:
        prev = words[k - 1]
        gap = words[k].box[0] - (prev.box[0] + prev.box[2])
        if not (prev.text.rstrip(".").isalpha() and len(prev.text) >= 2 and gap < 0.8 * h):
            break
        k -= 1
    return words[k]


def _word_below(lines: Sequence[Line], li: int, last_key_word: Word, key: Word,
                extra: Mapping[str, str] | None = None) -> tuple[Line, int] | None:
    kx0 = key.box[0]
    kx1 = last_key_word.box[0] + last_key_word.box[2]
    kbottom = key.box[1] + key.box[3]
    h = max(key.box[3], 1)
    best = None
    best_d = None
    for line in lines[li + 1:]:
        top = line.box[1]
        if top < kbottom - 0.3 * h:
            continue
        if top > kbottom + 3.0 * h:
            break
        for idx, w in enumerate(line.words):
            wx0, wx1 = w.box[0], w.box[0] + w.box[2]
            if wx1 < kx0 - 1.5 * h or wx0 > kx1 + 3.0 * h:
                continue
            if key_field(w.text, extra) is not None or _is_filler(w.text) or _specks(w.text):
                continue
            d = (w.box[1] - kbottom) + 0.3 * abs(wx0 - kx0)
            if best_d is None or d < best_d:
                best, best_d = (line, idx), d
    return best


def after_distractor_key(line: Line, index: int) -> bool:
    """True when the word at ``index`` follows a distractor key ('P/N W10336553')."""
    for back in (1, 2):
        j = index - back
        if j < 0:
            break
        form = key_form(line.words[j].text)
        if form in DISTRACTOR_KEYS:
            return True
        if j > 0 and key_form(line.words[j - 1].text) + form in DISTRACTOR_KEYS:
            return True  # two-word keys: 'Reg Type', 'Part No'
        if not _is_filler(line.words[j].text):
            break
    return False

