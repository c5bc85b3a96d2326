"""Lines, key/value pairs and barcodes → brand, model and serial, each with a confidence.

The rules of thumb, in order of weight: a value next to its key word is strong evidence; a
value that fits the brand's pattern (after repairing confusable characters by the pattern's
character classes) is strong; a barcode that agrees with the text confirms it. Distractors
(part numbers, UPCs, dates, phone numbers, ratings) are refused. Below the threshold a field
stays empty and the record says why.
"""
from __future__ import annotations

import functools
import itertools
import statistics
import urllib.parse
from dataclasses import dataclass, field as dc_field, replace
from typing import Callable, Iterable, NamedTuple, Sequence

import numpy as np
import regex

from .elements import Barcode, Box, Candidate, Field, Line, Word
from .layout import FD_KEYS, KeyValue, after_distractor_key, fold, key_field, value_options
from .patterns import Brand, PatternSet, Rule

FIELDS = ("model", "serial")
_OTHER = {"model": "serial", "serial": "model"}

# Characters OCR confuses, each with what it may really be. A T whose bar blur has shortened
# or bent is read 1 or 7 ('1Z567427', '7D177172H' for TZ567427 and TD177172H on blurred photos).
CONFUSABLE: dict[str, str] = {
    "O": "0D", "0": "OD", "D": "0O", "Q": "0O",
    "I": "1L", "1": "ILT", "L": "1I", "|": "1I",
    "S": "5", "5": "S", "$": "S5", "B": "8", "8": "B", "A": "4", "4": "A",
    "Z": "2", "2": "Z", "G": "60", "6": "G", "T": "71", "7": "T",
}
# Pairs that many label fonts draw alike (O and 0 are often the very same glyph). A reading
# that already fits a brand shape is changed only through these; the looser pairs (S/5, B/8,
# Z/2, G/6, A/4, T/7, T/1, D/0 and Q/0, whose straight side, bar or tail Tesseract rarely
# invents; and G/0, a 0 whose right side blur or a cut took) repair only a reading that fits
# no shape at all.
LOOKALIKE: dict[str, str] = {"O": "0", "0": "O", "I": "1L", "1": "IL", "L": "1I", "|": "1I"}
MAX_REPAIRS = 3
AMBIGUOUS_REPAIR = 0.6  # pattern score kept when more than one repair fits the rule
COMPETED = 0.55  # the most a value keeps when a rival is about as strong
AGREEMENT_BONUS = 0.06  # per further independent reading of the same value (two at most)
DISAGREEMENT_PENALTY = 0.05  # per reading of the same key that read another value (two at most)
# A keyed value read by one reading alone, while LONE_OTHERS or more other readings of its key read
# nothing like it (no value within NEAR_EDITS characters), is a misreading more often than not:
# the key's value is legible to one reading only. It keeps at most LONE_CAP.
LONE_OTHERS = 2
NEAR_EDITS = 2
LONE_CAP = 0.5
CUT_SHORT = 0.2  # taken off a value that a longer reading of it, as often read, extends
EXTENDED_SEEN = 2  # independent readings of the longer value that make a shorter one cut short
SHARED_RUN = 6  # characters in a row that a model and a serial never share unless one string gave both
# A glyph read as both its look-alikes ('S5') by DOUBLED_SEEN or more readings alike is more
# likely two glyphs: the value without one of them loses DOUBLED_SEEN_PENALTY more
DOUBLED_SEEN = 3
DOUBLED_SEEN_PENALTY = 0.15
_EDGE_JUNK = " .,:;#*'\"`|_~()[]{}<>!?"

# Strings that are never a model or serial, whatever the brand.
_GLOBAL_DISTRACTORS: list[tuple[str, regex.Pattern[str]]] = [
    ("date", regex.compile(r"(?:\d{1,2}[/.-]){1,2}\d{2,4}|\d{4}[/.-]\d{1,2}(?:[/.-]\d{1,2})?")),
    ("phone number", regex.compile(r"1?-?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4}")),
    ("rating", regex.compile(r"\d+(?:[.,]\d+)?(?:V|VAC|VDC|HZ|A|AMPS?|W|KW|VA|KVA|MA|MM|CM|IN|LBS?|KG|OZ|PSI|BTU|BTUH|GAL|L|CU\.?FT|°[CF]|MIN|H)")),
    ("UPC/EAN", regex.compile(r"\d{12,13}")),
    ("number", regex.compile(r"\d{1,4}")),
    ("word", regex.compile(r"[A-Z]+")),
]


def normalise(value: str) -> str:
    """Upper-case, no white space, no junk at the ends. A dangling '/' or '-' is kept: it may
    be a misread character, and a value that then fits no shape is better left empty. A lower-case
    letter unlike its capital ('e', 'a', 'n', ...) in front of a value read in capitals is a mark
    beside it read as a letter ('eM0209F30661'): it is left out."""
    value = _MARK_AS_LETTER.sub("", value.strip())
    return "".join(fold(value).split()).strip(_EDGE_JUNK)


# lower-case letters whose capital looks different (c, o, s, u, v, w, x, z, k, p and l do not)
_MARK_AS_LETTER = regex.compile(r"^[abdefghijmnqrty](?=[A-Z0-9][A-Z0-9/.-]{4,}$)")


def gs1_check_digit_holds(digits: str) -> bool:
    """The last digit is the GS1 check digit of the others (UPC-A, EAN-13, EAN-8, GTIN-14):
    weights 3, 1, 3, ... from the right of the payload."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    payload = digits[:-1][::-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(payload))
    return (10 - total % 10) % 10 == int(digits[-1])


def global_distractor(value: str) -> str | None:
    for name, pat in _GLOBAL_DISTRACTORS:
        if pat.fullmatch(value):
            if name == "UPC/EAN" and not gs1_check_digit_holds(value):
                continue  # twelve digits without a valid check digit are no product code
            return name
    return None


_REPAIRED: dict[tuple[str, Rule, bool], tuple[tuple[str, ...], int]] = {}
_REPAIRED_MOST = 50_000  # entries kept; a page's readings ask again for the same values


def repairs(value: str, rule: Rule, table: dict[str, str] = CONFUSABLE) -> tuple[list[str], int]:
    """Every variant with the fewest confusable characters swapped (at most MAX_REPAIRS,
    through ``table``) that the rule fits, and that number; ([value], 0) when it fits as read,
    ([], 0) when nothing fits. More than one variant means the rule cannot settle the reading
    ('P1060' as a Dell model ending in a letter: P106O or P106D)."""
    if not rule.takes_length_of(value):
        return [], 0  # a swap keeps the length: no variant can fit
    if table is not CONFUSABLE and table is not LOOKALIKE:
        return _repairs(value, rule, table)
    # every reading of a page is scored again as the brand becomes known: half the calls on the
    # real photos asked again for a value and rule already tried
    key = (value, rule, table is LOOKALIKE)
    known = _REPAIRED.get(key)
    if known is None:
        found, n = _repairs(value, rule, table)
        if len(_REPAIRED) >= _REPAIRED_MOST:
            _REPAIRED.clear()
        known = _REPAIRED[key] = (tuple(found), n)
    return list(known[0]), known[1]


def _repairs(value: str, rule: Rule, table: dict[str, str]) -> tuple[list[str], int]:
    if rule.fullmatch(value):
        return [value], 0
    spots = [i for i, ch in enumerate(value) if ch in table]
    if not spots or len(value) > 24:
        return [], 0
    tried = 0
    for n in range(1, min(MAX_REPAIRS, len(spots)) + 1):
        found: list[str] = []
        for combo in itertools.combinations(spots, n):
            for subs in itertools.product(*(table[value[i]] for i in combo)):
                chars = list(value)
                for i, c in zip(combo, subs):
                    chars[i] = c
                candidate = "".join(chars)
                tried += 1
                if rule.fullmatch(candidate) and candidate not in found:
                    found.append(candidate)
                if tried > 4000:
                    return found, (n if found else 0)
        if found:
            return found, n
    return [], 0


# letter/digit look-alikes Tesseract has been seen to emit both of for one glyph
_DOUBLED = frozenset({"S5", "5S", "B8", "8B", "Z2", "2Z", "G6", "6G", "O0", "0O", "I1", "1I"})


def doubled_glyph_variants(value: str) -> list[str]:
    """The value with one glyph of each adjacent confusable pair ('S5', 'O0', 'B8', ...) left out."""
    out = []
    for i in range(len(value) - 1):
        if value[i:i + 2] in _DOUBLED:
            for alt in (value[:i] + value[i + 1:], value[:i + 1] + value[i + 2:]):
                if alt not in out and alt != value:
                    out.append(alt)
    return out


# a run of letter O's with a digit on one side of it
_O_BESIDE_DIGIT = regex.compile(r"O+(?=\d)|(?<=\d)O+")


def zero_beside_digit(value: str) -> str:
    """Every letter O that touches a digit (or such an O) read as the digit 0. Identifiers put a
    zero there far more often than the letter, and label fonts often draw the two alike."""
    return _O_BESIDE_DIGIT.sub(lambda m: "0" * len(m.group()), value)


def _changed(a: str, b: str) -> int:
    """Characters that differ between two strings of one length."""
    return sum(x != y for x, y in zip(a, b))


def prefer_zero(found: list[str], rule: Rule) -> list[str]:
    """The variants that fit a rule, with every O that touches a digit read as 0 where the rule
    takes the 0 too; else those without such an O first."""
    zeroed = [z for z in (zero_beside_digit(v) for v in found) if rule.fullmatch(z)]
    if zeroed:
        return list(dict.fromkeys(zeroed))
    return sorted(found, key=lambda v: v != zero_beside_digit(v))


def settle(found: list[str], rule: Rule, read: str) -> tuple[str, tuple[str, ...]]:
    """The variant of ``read`` to report among those that fit ``rule`` (see :func:`prefer_zero`):
    of those, one that changes fewest of its characters, an O beside a digit counted as 0
    ('HBLOZ6/09': HBL0Z6/09, one change, before HB10Z6/09, the L read as 1 and the O as 0);
    and the others that change as few: nothing tells those apart. A serial's letter O or I that
    the rule takes as a 0 or 1 as well, or a model's O, makes that digit a rival too (see
    :func:`shunned_letter_rivals`)."""
    near = zero_beside_digit(read)
    ordered = sorted(prefer_zero(found, rule), key=lambda v: _changed(v, near))
    least = _changed(ordered[0], near)
    rivals = tuple(v for v in ordered[1:] if _changed(v, near) == least)
    rivals += shunned_letter_rivals(ordered[0], rule, rivals)
    return ordered[0], rivals


# letters that a field's alphabets leave out where a digit may stand, and the digits that label
# fonts draw like them: a serial's O and I; a model's O (an I is common there: Amana's 'ASI',
# Bradford White's 'MI', Frigidaire's 'FGID', each where a brand's shape takes a 1 as well)
SHUNNED = {"serial": {"O": "0", "I": "1"}, "model": {"O": "0"}}


def _letter_for_digit(other: str, value: str, field: str) -> bool:
    """``other`` has a letter that the field shuns where ``value`` has the digit drawn like it."""
    shunned = SHUNNED.get(field, {})
    return len(other) == len(value) and any(shunned.get(a) == b for a, b in zip(other, value))


def _digit_made_letter(read: str, value: str) -> bool:
    """A repair turned a digit that was ``read`` into a letter of ``value`` ('A313610003' made
    '4313G10003': the 6 became a G)."""
    return len(read) == len(value) and any(a.isdigit() and b.isalpha() for a, b in zip(read, value))


def shunned_letter_rivals(value: str, rule: Rule, known: Sequence[str] = ()) -> tuple[str, ...]:
    """The ``value`` with one of its letters that the field shuns (a serial's O or I, a model's
    O) read as the digit drawn like it, for each such letter where the rule takes the digit too
    (for a model, a brand's own shape: a generic one takes any O as well). Label fonts draw the
    two alike, and the alphabets avoid the letters where a digit may stand, so such a letter
    that the shape does not settle is a guess however often it is read so.
    Serials: Apple's alphabet leaves out I and O; the date letters of GE, Samsung, Maytag and
    Bradford White skip both. On the generated working sets every serial reported with one was
    wrong: six Samsung serials, five with an O for a 0 or an I for a 1.
    Models: no real photo's model holds an O, and the generated ones hold it only in Rheem's
    fixed 'PRO' (where no 0 fits). Of the models reported with an O where the brand's shape
    takes a 0 on the 27 generated working sets, all three were wrong ('KMHS7842VOR4',
    'WA42A178E/AAO', 'KDTE3625HO'). (The generator draws neither letter there, so
    those sets cannot show what the rule costs: a real value holding the letter is left empty,
    as a guess, unless its barcode reads it.)"""
    if rule.field == "model" and not _own_shape(rule.id):
        return ()
    shunned = SHUNNED.get(rule.field, {})
    out: list[str] = []
    for i, ch in enumerate(value):
        digit = shunned.get(ch)
        if digit is not None:
            alt = value[:i] + digit + value[i + 1:]
            if alt not in known and alt not in out and rule.fullmatch(alt):
                out.append(alt)
    return tuple(out)


def repair(value: str, rule: Rule, table: dict[str, str] = CONFUSABLE) -> tuple[str, int] | None:
    """The value itself if the rule fits it, else the variant with the fewest confusable
    characters swapped that fits, as :func:`settle` picks it; None when nothing fits."""
    found, n = repairs(value, rule, table)
    return (settle(found, rule, value)[0], n) if found else None


@dataclass(frozen=True)
class BrandGuess:
    name: str  # display name as printed (family member if that is what the label says)
    brand: Brand  # the rules it uses
    confidence: float
    evidence: str


def _identifier_pattern(text: str) -> regex.Pattern[str]:
    folded = fold(text)
    core = r"\s*".join(regex.escape(part) for part in folded.split())
    if len(folded.replace(" ", "")) >= 6:
        core = f"(?:{core}){{e<=1}}"
    return regex.compile(rf"(?<![A-Z0-9]){core}(?![A-Z0-9])")


_ident_cache: dict[int, list[tuple[regex.Pattern[str], str, int, str]]] = {}


def _identifiers(patterns: PatternSet) -> list[tuple[regex.Pattern[str], str, int, str]]:
    """(pattern, display name, length, letters-only form) for every name, alias and family member."""
    key = id(patterns)
    cached = _ident_cache.get(key)
    if cached is None:
        cached = []
        seen = set()
        for text, display in patterns.identifiers():
            folded = fold(text).strip()
            if not folded or (folded, display) in seen or len(folded.replace(" ", "")) < 2:
                continue
            seen.add((folded, display))
            cached.append((_identifier_pattern(text), display, len(folded), _LOGO_JUNK.sub("", folded)))
        _ident_cache[key] = cached
    return cached


# Brand names that are also ordinary words or places ("Made in the United States", "New York"):
# they count only when they stand alone on a line, as a logo does.
WEAK_IDENTIFIERS = frozenset({"STATE", "ESTATE", "PROFILE", "RELIANCE", "CONCORD", "CANDY", "PRIMUS", "ADMIRAL",
                              "WOLF", "CAFE", "GIBSON", "YORK", "RICHMOND", "HEIL", "AMERICAN", "PAYNE", "CARRIER",
                              "INGLIS", "SEARS", "TAPPAN", "COMPAQ", "BRAVIA", "CROSLEY"})
_LOGO_JUNK = regex.compile(r"[^A-Z0-9&]+")


def detect_brand(texts: Sequence[str], patterns: PatternSet) -> BrandGuess | None:
    """The brand whose name or alias is printed on the label. A family member's own name
    beats its parent's (a Maytag label also names Whirlpool Corporation)."""
    return rank_brands(brand_scores(texts, patterns), patterns)


def brand_scores(texts: Sequence[str], patterns: PatternSet) -> dict[str, float]:
    """How surely each brand's name or alias is printed in these lines (one reading's: the
    scores of several readings combine by their maximum, see :func:`rank_brands`)."""
    folded = [fold(t) for t in texts]
    joined = "\n".join(folded)
    if not joined.strip():
        return {}
    alone = {_LOGO_JUNK.sub("", t) for t in folded}
    scores: dict[str, float] = {}
    for pat, display, length, ident in _identifiers(patterns):
        if length <= 2:
            continue  # 'GE', 'LG', 'HP' alone are too often OCR noise: their longer aliases count
        if ident in WEAK_IDENTIFIERS or length <= 3:
            if not any(pat.fullmatch(a) for a in alone if a):
                continue
        m = pat.search(joined, timeout=0.5) if length >= 6 else pat.search(joined)
        if m is None:
            continue
        exact = not getattr(m, "fuzzy_counts", (0, 0, 0)) or sum(m.fuzzy_counts) == 0
        score = (0.75 + 0.025 * min(length, 10)) * (1.0 if exact else 0.8)
        if any(pat.fullmatch(a) for a in alone if a):
            score += 0.1  # a logo stands on its own line; a maker's address does not
        scores[display] = max(scores.get(display, 0.0), score)
    return scores


def rank_brands(scores: dict[str, float], patterns: PatternSet) -> BrandGuess | None:
    """The brand the scores of :func:`brand_scores` name; None when none."""
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best_name, best_score = ranked[0]
    best_brand = patterns.get(best_name)
    if best_brand is None:
        return None
    # a family member's own name beats the parent's ("MAYTAG ... Whirlpool Corporation")
    parent = best_brand
    family = {_LOGO_JUNK.sub("", fold(f)) for f in best_brand.family}
    for name, score in ranked[1:]:
        if _LOGO_JUNK.sub("", fold(name)) in family and score >= best_score - 0.05:
            best_name, best_score = name, max(score, best_score)
            best_brand = patterns.get(name) or best_brand
            break
    brand = best_brand

    def fam(b: Brand | None) -> set[str]:
        return {_LOGO_JUNK.sub("", fold(f)) for f in b.family} if b is not None else set()

    def related(name: str) -> bool:
        other = patterns.get(name)
        key = _LOGO_JUNK.sub("", fold(name))
        return (other is brand or other is parent or key in fam(brand) or key in fam(parent)
                or _LOGO_JUNK.sub("", fold(brand.name)) in fam(other))

    others = [sc for n, sc in ranked if n != best_name and not related(n)]
    conf = min(1.0, best_score) if not others else max(0.3, min(1.0, best_score) - 0.5 * max(others))
    return BrandGuess(patterns.display_name(best_name) or best_name, brand, round(conf, 3), f"text:{best_name}")


LOGO_WORD_CONFIDENCE = 0.9  # a two-letter name ('LG', 'GE') read at least this surely ...
LOGO_HEIGHT = 1.1  # ... alone on its line, this many times taller than the reading's words, is a logo
LOGO_CONFIDENCE = 0.7


def brand_logo(readings: Sequence[Sequence[Line]], patterns: PatternSet) -> BrandGuess | None:
    """When no brand name was read: a two-letter name ('LG', 'GE', 'HP') printed as a logo, a word
    on a line of its own, read surely and taller than the rest of its reading's words. Read in a
    line of text or small, two letters are too often noise (texture reads 'GE' at 0.2-0.5; a
    logo at 0.95). None when none, or logos of two brands, are read."""
    short = {ident: display for _, display, length, ident in _identifiers(patterns) if length <= 2}
    found = set()
    for lines in readings:
        heights = [w.box[3] for ln in lines for w in ln.words if len(_LOGO_JUNK.sub("", fold(w.text))) >= 3]
        if not heights:
            continue
        tall = LOGO_HEIGHT * statistics.median(heights)
        for ln in lines:
            if len(ln.words) != 1:
                continue
            w = ln.words[0]
            name = short.get(_LOGO_JUNK.sub("", fold(w.text)))
            if name and w.confidence >= LOGO_WORD_CONFIDENCE and w.box[3] >= tall:
                found.add(name)
    if len(found) != 1:
        return None
    name = found.pop()
    brand = patterns.get(name)
    if brand is None:
        return None
    return BrandGuess(patterns.display_name(name) or name, brand, LOGO_CONFIDENCE, f"logo:{name}")


BRAND_MARK_CONFIDENCE = 0.7
MARKS_AGREE = 0.08  # a value two different registered identifiers give alike
BRAND_LINK_CONFIDENCE = 0.8


def _link(bc: Barcode) -> urllib.parse.SplitResult | None:
    """The web link a code carries, split into its parts; None when its payload is no link."""
    text = bc.text.strip()
    return urllib.parse.urlsplit(text) if regex.match(r"(?i)https?://", text) else None


def brand_from_links(barcodes: Iterable[Barcode], patterns: PatternSet) -> BrandGuess | None:
    """The brand whose name is the domain of a link a code on the label carries
    ('https://www.hotpoint.com/reg?...'). None when no link names one brand."""
    names = set()
    for bc in barcodes:
        link = _link(bc)
        if link is None:
            continue
        host = (link.hostname or "").split(".")
        if len(host) >= 2:
            names.add(host[-2])  # 'www.hotpoint.com' -> 'hotpoint'
    guesses = {g.name: g for g in (detect_brand([n], patterns) for n in names) if g is not None}
    if len(guesses) != 1:
        return None
    g = next(iter(guesses.values()))
    return BrandGuess(g.name, g.brand, BRAND_LINK_CONFIDENCE, f"link:{g.evidence.partition(':')[2]}")


def brand_marks(texts: Sequence[str], patterns: PatternSet) -> BrandGuess | None:
    """When no brand name was read: the brand named by an identifier registered to it alone
    (Apple's FCC grantee code in 'BCGA2337', its ISED number in '579C-A2337'), read as a whole
    word with at most one character wrong. None when none, or marks of two brands, are read."""
    words = {normalise(w) for t in texts for w in t.split()}
    words = {w for w in words if len(w) >= 6}
    if not words:
        return None
    found: dict[str, str] = {}
    for brand in patterns.brands:
        for rule in brand.distractors:
            if not rule.names_brand:
                continue
            pat = _fuzzy_mark(rule.regex)
            if any(pat.fullmatch(w, timeout=0.5) for w in words):
                found.setdefault(brand.name, rule.id)
    if len(found) != 1:
        return None
    name, rule_id = next(iter(found.items()))
    brand = patterns.get(name)
    return BrandGuess(name, brand, BRAND_MARK_CONFIDENCE, f"mark:{rule_id}") if brand else None


@functools.lru_cache(maxsize=None)
def _fuzzy_mark(rx: str) -> regex.Pattern[str]:
    """A brand mark's rule with one character substituted at most."""
    return regex.compile(f"(?:{rx}){{s<=1}}")


def infer_brand(values: dict[str, list[str]], patterns: PatternSet) -> BrandGuess | None:
    """When no brand name was read: the one brand whose specific model *and* serial shapes both
    fit values found next to their key words (Apple's A2141 with C02G414GMD6N). None when no
    brand, or brands of different families, fit both."""
    fits = []
    for brand in patterns.brands:
        ok = True
        for field in FIELDS:
            rules = [r for r in brand.rules(field) if r.strength >= 0.85]
            if not rules or not any(fixed is not None and fixed[1] <= 1
                                    for v in values.get(field, ()) for r in rules for fixed in [repair(v, r)]):
                ok = False
                break
        if ok:
            fits.append(brand)
    if not fits:
        return None
    heads = {b.name for b in fits} - {f for b in fits for f in b.family}
    if len(heads) != 1:
        return None
    head = next(b for b in fits if b.name in heads)
    if any(b is not head and b.name not in head.family and head.name not in b.family for b in fits):
        return None
    return BrandGuess(head.name, head, 0.5, "patterns")


@dataclass
class Cand:
    field: str
    value: str
    confidence: float
    source: str
    box: Box | None = None
    rule: str | None = None
    notes: list[str] = dc_field(default_factory=list)
    reading: int = 0  # which OCR reading (view or focused crop) it came from
    # other repairs of the same string, as near to it as this one, that fit the rule as well
    # ('140206592' as a Whirlpool serial: I40206592 or L40206592): then the value is a guess
    rivals: tuple[str, ...] = ()
    doubled: bool = False  # the string as read less one glyph of a look-alike pair ('RS596': R596)
    cut: bool = False  # already lowered as a value that a longer reading of its key extends
    check: bool = False  # read by a second engine only to check the first: it can dissent, not vote
    second: bool = False  # the second engine's value for a key: counted where Tesseract's stay unsure
    coded: bool = False  # confirmed by a number printed beside it (see code_checked): no guess, no dissent
    # values that fit its rule as well, one character off, that the engine nearly read instead
    # (its runner-up for that character: see near_readings): then the reading is unsure; None
    # when the engine was not asked for its runners-up
    doubts: tuple[str, ...] | None = None
    # where the words it was read from meet, as lengths of the value before each later word
    # ('JA79 294086': (4,)); empty for a value read as one word (see :func:`seams`)
    seams: tuple[int, ...] = ()
    # the string as read beside its key, when a repair made the value otherwise ('' when it did not)
    read_as: str = ""


def seams(words: Sequence[Word], prefix: str = "") -> tuple[int, ...]:
    """Where the words of a value read in pieces meet: the length of the value read before
    each word after the first."""
    out, n = [], len(prefix)
    for w in words[:-1]:
        n += len(normalise(w.text))
        out.append(n)
    return tuple(out)


class Fit(NamedTuple):
    value: str
    score: float  # the rule's strength, less for each repair and for a repair the rule cannot settle
    rule: Rule | None
    repairs: int
    rivals: tuple[str, ...] = ()  # other repairs as near to the string as read (see :func:`settle`)


def _rule_fit(value: str, field: str, brand: Brand | None, patterns: PatternSet) -> Fit:
    """The best-fitting rule of the field, and the value repaired to fit it."""
    pools: list[tuple[Sequence[Rule], float]] = []
    if brand is not None:
        pools.append((brand.rules(field), 1.0))
    pools.append((patterns.generic.rules(field), 1.0))
    best = Fit(value, 0.0, None, 0)
    fits_as_read = brand is not None and any(r.fullmatch(value) for r in brand.rules(field))
    table = LOOKALIKE if fits_as_read else CONFUSABLE
    for rules, weight in pools:
        for rule in rules:
            found, n = repairs(value, rule, table)
            if not found:
                continue
            chosen, rivals = settle(found, rule, value)
            # a repair the rule cannot settle (two variants fit) is a guess: weigh it down
            score = rule.strength * weight * (0.92 ** n) * (AMBIGUOUS_REPAIR if len(found) > 1 else 1.0)
            if score > best.score:
                best = Fit(chosen, score, rule, n, rivals)
    return best


def _distractor(value: str, brand: Brand | None) -> str | None:
    if brand is not None:
        rule = brand.distractor(value)
        if rule is not None:
            return rule.id
    return global_distractor(value)


def _other_field_fits(value: str, field: str, brand: Brand | None) -> bool:
    if brand is None:
        return False
    return brand.match(_OTHER[field], value) is not None and brand.match(field, value) is None


def near_readings(text: str, words: Sequence[Word]) -> list[str]:
    """``text`` (read from ``words``: one of them, a piece of one, or several joined) with one
    character swapped for one that the engine nearly read there instead (Word.alternatives)."""
    out = []
    for w in words:
        if not w.alternatives:
            continue
        shift = _placed(text, w)
        if shift is None:
            continue
        for i, ch in w.alternatives:
            k = shift + i
            if 0 <= k < len(text):
                out.append(text[:k] + ch + text[k + 1:])
    return out


def _placed(text: str, word: Word) -> int | None:
    """Where ``word`` stands in ``text`` (negative: the text is a piece of the word, starting
    that far into it); None when neither holds the other."""
    at = text.find(word.text)
    return at if at >= 0 else -word.text.find(text) if text and text in word.text else None


def _doubts(text: str, words: Sequence[Word], value: str, rule: Rule | None, patterns: PatternSet,
            prefix: str = "") -> tuple[str, ...] | None:
    """The near readings of ``text`` (normalised, after ``prefix``) that a brand's own rule takes
    as other values than ``value``: the engine could as well have read one of them (the generic
    shapes take nearly any string, so they settle nothing). None when no word was asked, or
    none that was asked holds the text (it was read otherwise: its doubts are not known)."""
    if all(w.alternatives is None or _placed(text, w) is None for w in words):
        return None
    if rule is None or rule.brand == patterns.generic.name:
        return ()
    out: dict[str, None] = {}
    for near in near_readings(text, words):
        raw = prefix + normalise(near)
        found, _ = repairs(raw, rule, LOOKALIKE)
        if found:
            other, _ = settle(found, rule, raw)
            if other != value:
                out[other] = None
    return tuple(out)


def _both_doubt(a: tuple[str, ...] | None, b: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The doubts of a value read twice: only those of readings that doubted (a reading that read
    it surely settles it; one whose engine was not asked says nothing)."""
    if a is None or b is None:
        return b if a is None else a
    return tuple(dict.fromkeys(a + b)) if a and b else ()


# a stroke or bracket glued to a value's end ('MRT689SD]', 'MHW6726P5)'): normalise drops it as
# junk at the edge, yet a glyph drawn against a rule, a frame or a neighbour, or blurred, is read
# so as often (a 1 whose foot a rule crossed; a B whose bowls ran together). Read as a 1, the
# value is another the brand's shape may take: then neither reading is sure
_STROKE_TAIL = regex.compile(r"[A-Za-z0-9][\]\[|!)}]$")


def stroke_as_one(text: str) -> str | None:
    """``text`` normalised with the stroke glued to its end read as the digit one ('MRT689SD]' →
    'MRT689SD1'; the rule's repairs take it on to I or L); None when no stroke ends it."""
    text = text.rstrip()
    return normalise(text[:-1]) + "1" if _STROKE_TAIL.search(text) else None


def _stroke_rival(text: str, value: str, field: str, brand: Brand | None, patterns: PatternSet,
                  rivals: tuple[str, ...], notes: list[str], prefix: str = "") -> tuple[str, ...]:
    """``rivals`` and the value that the stroke ending ``text`` makes, read as a one, when a
    brand's own shape takes it too (noted in ``notes``): the value read without the stroke is
    then no surer than with it."""
    alt = stroke_as_one(text)
    if alt is None or brand is None:
        return rivals
    other, _, rule, _, _ = _rule_fit(prefix + alt, field, brand, patterns)
    if rule is None or rule.brand == patterns.generic.name or other == value:
        return rivals
    notes.append(f"the stroke after it may be a 1: {other}")
    return (*rivals, other)


def keyed_candidates(pairs: Iterable[KeyValue], brand: Brand | None, patterns: PatternSet,
                     to_page: Callable[[Box], Box]) -> list[Cand]:
    out = []
    for kv in pairs:
        raw = normalise(kv.value)
        # BSH prints 'FD 8703 001911': FD is part of the serial
        prefix = "FD" if _key_text(kv.key.text) in FD_KEYS and raw[:1].isdigit() else ""
        raw = prefix + raw
        if len(raw) < 3:
            continue
        reason = _distractor(raw, brand)
        if reason == "UPC/EAN" and kv.position != "below" and brand is not None \
                and _shape_fit(raw, kv.field, brand) is not None:
            # a number of twelve or thirteen digits has a check digit that holds one time in ten:
            # beside its key, in the brand's own shape of the field, it is that field's value
            reason = None
        ocr_conf = sum(w.confidence for w in kv.words) / len(kv.words)
        box = to_page(_union(w.box for w in kv.words))
        if reason:
            out.append(Cand(kv.field, raw, 0.0, "key", box, None, [f"refused: {reason}"]))
            continue
        value, pscore, rule, repairs, rivals = _rule_fit(raw, kv.field, brand, patterns)
        if rule is None:
            conf = 0.25 * ocr_conf + 0.1
        elif rule.brand == patterns.generic.name and brand is not None and brand.rules(kv.field):
            # the brand's own shapes for this field all refuse it: likely misread
            conf = 0.35 + 0.45 * pscore + 0.10 * ocr_conf
        elif rule.brand == patterns.generic.name:
            conf = 0.40 + 0.45 * pscore + 0.15 * ocr_conf
        else:
            conf = 0.50 + 0.45 * pscore + 0.05 * ocr_conf
        if kv.position == "below":
            conf -= 0.05
        if len(kv.words) > 1 and rule is not None and rule.brand != patterns.generic.name:
            conf += 0.03  # 'GCV-50 300': the brand's shape spans both pieces
        elif len(kv.words) > 1:
            conf -= 0.03
        notes = []
        if value != raw:
            notes.append(f"repaired {raw}→{value}")
        if _other_field_fits(value, kv.field, brand):
            conf -= 0.3
            notes.append("fits the other field's pattern")
        source = "key+pattern" if rule is not None else "key"
        doubts = _doubts(kv.value, kv.words, value, rule, patterns, prefix)
        rivals = _stroke_rival(kv.value, value, kv.field, brand, patterns, rivals, notes, prefix)
        out.append(Cand(kv.field, value, _clip(conf), source, box, rule.id if rule else None, notes,
                        rivals=rivals, doubts=doubts, seams=seams(kv.words, prefix),
                        read_as=raw if value != raw else ""))
        # Tesseract sometimes reads one glyph twice as both of its look-alikes ('RS596' for
        # 'R596'): the reading without one of them, when the brand's shape fits it too, is a rival
        for alt in doubled_glyph_variants(raw):
            a_value, _, a_rule, _, a_rivals = _rule_fit(alt, kv.field, brand, patterns)
            if a_rule is not None and a_rule.brand != patterns.generic.name and a_value != value:
                out.append(Cand(kv.field, a_value, _clip(conf - 0.05), source, box, a_rule.id,
                                [f"{raw} with a doubled glyph dropped"], rivals=a_rivals, doubled=True))
    # a one-piece reading that a two-piece reading of the same key extends is not a rival, when
    # the brand's own shape takes the two pieces ('GCV-50 300'); the generic shapes take both, so
    # then they stay rivals ('MDB4000AWB BW': is BW part of the model?)
    own = {r.id for r in (*brand.models, *brand.serials)} if brand is not None else set()
    for c in out:
        if any(o is not c and o.field == c.field and o.value != c.value and o.value.startswith(c.value)
               and o.rule in own and o.confidence >= c.confidence - 0.1 for o in out):
            c.confidence = _clip(c.confidence - CUT_SHORT)
            c.cut = True
            c.notes.append("a longer reading of the same key fits too")
    return out


def _key_text(text: str) -> str:
    return normalise(text).rstrip(":.#")


def _shape_fit(raw: str, field: str, brand: Brand) -> Fit | None:
    """The brand's strong shape of the field that fits ``raw`` with fewest repairs, if any."""
    best: Fit | None = None
    for rule in brand.rules(field):
        if rule.strength < 0.5:
            continue
        found, n = repairs(raw, rule)
        if found and (best is None or rule.strength * 0.92 ** n > best.score):
            value, rivals = settle(found, rule, raw)
            best = Fit(value, rule.strength * 0.92 ** n, rule, n, rivals)
    return best


# what a word after a value is, when it is no piece of it
_NO_PIECE = frozenset({"date", "phone number", "rating", "UPC/EAN"})


def pattern_candidates(lines: Sequence[Line], brand: Brand | None, patterns: PatternSet,
                       to_page: Callable[[Box], Box]) -> list[Cand]:
    """Values with no key word next to them that fit a brand-specific pattern strongly. A value
    printed in two pieces ('ECT-30 100') is read as both: the two joined, when the shape takes
    them, and the first piece alone, lowered as cut short."""
    if brand is None:
        return []
    out = []
    for line in lines:
        for i, w in enumerate(line.words):
            if key_field(w.text) or after_distractor_key(line, i):
                continue
            raw = normalise(w.text)
            if len(raw) < 5 or _distractor(raw, brand):
                continue
            joined = [(text, ws) for text, ws in value_options(line.words[i:]) if len(ws) > 1
                      and global_distractor(normalise(ws[-1].text)) not in _NO_PIECE]
            for field in FIELDS:
                best = _shape_fit(raw, field, brand)
                if best is None or _other_field_fits(best.value, field, brand):
                    continue
                conf = 0.15 + 0.4 * best.score + 0.1 * w.confidence
                doubts = _doubts(w.text, [w], best.value, best.rule, patterns)
                notes: list[str] = []
                rivals = _stroke_rival(w.text, best.value, field, brand, patterns, best.rivals, notes)
                cut = False
                for text, ws in joined:
                    whole = _shape_fit(normalise(text), field, brand)
                    if whole is None or whole.value == best.value or _other_field_fits(whole.value, field, brand):
                        continue
                    mean = sum(x.confidence for x in ws) / len(ws)
                    out.append(Cand(field, whole.value, _clip(0.15 + 0.4 * whole.score + 0.1 * mean), "pattern",
                                    to_page(_union(x.box for x in ws)), whole.rule.id, [f"{text} read in pieces"],
                                    rivals=whole.rivals, doubts=_doubts(text, ws, whole.value, whole.rule, patterns),
                                    seams=seams(ws)))
                    if not cut:
                        cut = True
                        conf -= CUT_SHORT
                        notes.append("a longer reading fits too")
                out.append(Cand(field, best.value, _clip(conf), "pattern", to_page(w.box), best.rule.id,
                                notes, rivals=rivals, doubts=doubts, cut=cut))
    return out


def mark_candidates(lines: Sequence[Line], brand: Brand | None, patterns: PatternSet,
                    to_page: Callable[[Box], Box]) -> list[Cand]:
    """Values an identifier registered to the brand carries (Apple's FCC ID 'BCGA2337' holds the
    model A2337), read as a whole word and fitting the brand's own shape for that field. Weaker
    than a value beside its key, stronger than a bare shape: the registered prefix places it."""
    if brand is None:
        return []
    rules = [r for r in brand.distractors if r.gives]
    out: dict[tuple[str, str], Cand] = {}
    marks: dict[tuple[str, str], set[str]] = {}
    for line in lines:
        for w in line.words:
            for rule in rules:
                raw = rule.given(w.text)
                if raw is None:
                    continue
                value, pscore, fit, _, _ = _rule_fit(raw, rule.gives, brand, patterns)
                if fit is None or fit.brand != brand.name:
                    continue
                # one identifier read once is not enough on its own (a misread digit fits too)
                conf = 0.1 + 0.4 * pscore + 0.05 * w.confidence
                k = (rule.gives, value)
                marks.setdefault(k, set()).add(rule.id)
                if k not in out or conf > out[k].confidence:
                    out[k] = Cand(rule.gives, value, _clip(conf), "mark", to_page(w.box), fit.id,
                                  [f"from {normalise(w.text)} ({rule.id})"])
    for k, c in out.items():
        if len(marks[k]) > 1:
            # two registered identifiers printed apart give the same value (FCC ID and IC)
            c.confidence = _clip(c.confidence + MARKS_AGREE)
            c.notes.append(f"given alike by {len(marks[k])} identifiers")
    return list(out.values())


# an underscore joins fields too ('MODEL 1_SERIAL'): no model or serial scheme uses one
_PAYLOAD_SPLIT = regex.compile(r"[\x1d\x1e\x04\s,;|_]+|<GS>|<RS>")


# query parameters that name a field in a registration link ('...reg?m=D67M&s=62NVFQF')
_URL_FIELDS = {"M": "model", "MDL": "model", "MODEL": "model", "MODELNO": "model", "MODELNUMBER": "model",
               "S": "serial", "SN": "serial", "SER": "serial", "SERIAL": "serial", "SERIALNO": "serial",
               "SERIALNUMBER": "serial", "ST": "serial", "SERVICETAG": "serial"}


def payload_parts(bc: Barcode) -> list[str]:
    """A barcode's payload split at group separators, spaces and underscores, normalised. A link
    gives its query parameters that name a field, as 'MODEL:value' / 'SERIAL:value' (its other
    parts are a host and a path, not values)."""
    link = _link(bc)
    if link is not None:
        out = []
        for name, value in urllib.parse.parse_qsl(link.query):
            f = _URL_FIELDS.get(name.upper())
            v = normalise(value)
            if f and v:
                out.append(f"{f.upper()}:{v}")
        return out
    return [p for p in (normalise(x) for x in _PAYLOAD_SPLIT.split(bc.text.strip())) if p]


def hinted_parts(bc: Barcode) -> list[tuple[str | None, str]]:
    """A barcode's payload parts as (field its key names, value): 'SERIAL:CD3700848' gives
    ('serial', 'CD3700848'); a part without such a key gives (None, part)."""
    out = []
    for raw in payload_parts(bc):
        hint, sep, tail = raw.partition(":")
        named = key_field(hint) if sep and tail else None
        out.append((named, tail) if named else (None, raw))
    return out


# With no brand read, a barcode's value is a guess between the fields when some brand's shape of
# the other field takes it with a strength within this of the strongest shape of its own field.
# On the working sets and the real photos, 32 values from barcodes of brandless labels were right
# (each field's strongest shape 0.1 or more above the other's) and one wrong: a Rheem serial
# '0823437538' that Kenmore's model shape takes at 0.85 and Trane's serial shape at 0.8
BRANDLESS_MARGIN = 0.05


def _strongest_rule(value: str, rules: Iterable[Rule], patterns: PatternSet) -> Rule | None:
    """The strongest of ``rules`` that is a brand's own shape (not a generic one) and takes the
    value as it is (the first of equals); None when none does."""
    return max((r for r in rules if r.brand != patterns.generic.name and r.fullmatch(value)),
               key=lambda r: r.strength, default=None)


def barcode_candidates(barcodes: Iterable[Barcode], brand: Brand | None, patterns: PatternSet,
                       to_page: Callable[[Box], Box]) -> list[Cand]:
    """Barcode payloads (or their parts: a Data Matrix may carry model<GS>serial) that fit a
    brand-specific pattern of a field. UPC/EAN codes are product codes, never a model or serial."""
    out = []
    for bc in barcodes:
        if bc.format.replace("-", "").replace(" ", "").upper() in ("EAN13", "EAN8", "UPCA", "UPCE", "ITF14"):
            continue
        for hinted, raw in hinted_parts(bc):
            if len(raw) < 4 or _distractor(raw, brand):
                continue
            for field in FIELDS:
                if hinted and hinted != field:
                    continue
                rules = brand.rules(field) if brand is not None else patterns.all_rules(field)
                rule = _strongest_rule(raw, rules, patterns)
                if rule is None or _other_field_fits(raw, field, brand):
                    continue
                conf = (0.55 if brand is not None else 0.45) + 0.3 * rule.strength + (0.1 if hinted else 0.0)
                notes = []
                other = None if brand is not None or hinted else \
                    _strongest_rule(raw, patterns.all_rules(_OTHER[field]), patterns)
                if other is not None and other.strength >= rule.strength - BRANDLESS_MARGIN:
                    # no brand read, and brands' shapes of the two fields take it about as strongly
                    # ('0823437538': Kenmore's models, Trane's and Rheem's serials): a guess
                    conf = min(conf, COMPETED)
                    notes.append("no brand read; other brands' shapes take it as the other field as strongly")
                out.append(Cand(field, raw, _clip(conf), "barcode", to_page(bc.box), rule.id, notes))
    return out


# The Express Service Code: a Dell service tag's base-36 value written in base 10, in 3-digit
# groups ('125-423-316-01' for 5RFDP01; brand_formats.md §6.2). A pattern file that names an
# 'express' key ([keys]) says its brand prints one.
# (a gap may be lost or misplaced in the reading: '372 152 37477')
_EXPRESS_CODE = regex.compile(r"(?<![0-9A-Z-])\d{3}[ -]?\d{3}[ -]?\d{3}[ -]?\d{1,2}(?![0-9A-Z-])")
CODE_CHECKED = 0.9  # at least this for a serial that its printed express code confirms


def express_codes(texts: Iterable[str]) -> set[int]:
    """The 10- and 11-digit numbers the lines print (an express code as read)."""
    return {int(regex.sub(r"\D", "", m.group())) for t in texts for m in _EXPRESS_CODE.finditer(t.upper())}


@functools.lru_cache(maxsize=None)
def _hops(a: str, b: str) -> int:
    """Look-alike swaps (CONFUSABLE, one after another: 7 -> T -> 1) that turn the character a
    into b; MAX_REPAIRS + 1 when that many do not."""
    seen, edge, n = {a}, {a}, 0
    while b not in seen and edge and n < MAX_REPAIRS:
        edge = {y for x in edge for y in CONFUSABLE.get(x, "")} - seen
        seen |= edge
        n += 1
    return n if b in seen else MAX_REPAIRS + 1


def _base36(number: int, width: int) -> str | None:
    """The number in base 36 (0-9, A-Z), padded with 0 to ``width``; None when it is longer."""
    out = np.base_repr(number, 36)
    return out.rjust(width, "0") if len(out) <= width else None


def _coded_form(value: str, codes: set[int]) -> str | None:
    """The form of the value that one of ``codes`` writes in base 36, when up to MAX_REPAIRS
    look-alike swaps (CONFUSABLE) turn the value into it; None when no code is so near."""
    forms = [t for t in (_base36(n, len(value)) for n in codes) if t is not None]
    near = [t for t in forms if sum(_hops(x, y) for x, y in zip(value, t)) <= MAX_REPAIRS]
    return min(near, key=lambda t: _changed(t, value)) if near else None


def code_checked(cands: Sequence[Cand], texts: Sequence[str], brand: Brand | None) -> list[Cand]:
    """Serial readings of a brand that prints its serial again as an express code (a pattern
    file's 'express' key): a reading whose base-36 number, as read or with look-alikes swapped
    ('18WJBOO' -> 18WJB00), is a number the lines print is confirmed by it, as by a barcode; the
    readings it rules out ('the tag is not 18WJBOO') count no more. Others are returned as they are."""
    if brand is None or not brand.keys.get("express"):
        return list(cands)
    codes = express_codes(texts)
    if not codes:
        return list(cands)
    out = []
    for c in cands:
        form = None
        if c.field == "serial" and c.confidence > 0 and not c.check and len(c.value) in (5, 7):
            form = _coded_form(c.value, codes)
        if form is None:
            out.append(c)
            continue
        note = f"its express code {int(form, 36)} is printed too" + (f" (read {c.value})" if form != c.value else "")
        out.append(replace(c, value=form, confidence=_clip(max(c.confidence + 0.1, CODE_CHECKED)),
                           notes=c.notes + [note], rivals=(), coded=True))
    if any(c.coded for c in out):
        # the code says which tag it is: the other serial readings are misreadings of it
        out = [c if c.coded or c.field != "serial" else
               replace(c, confidence=0.0, notes=c.notes + ["refused: the express code printed is another tag's"])
               for c in out]
    return out


def same_up_to_confusion(a: str, b: str) -> bool:
    if len(a) != len(b):
        return False
    return all(x == y or y in CONFUSABLE.get(x, "") for x, y in zip(a, b))


def agrees(text: str, code: str) -> bool:
    """A text reading agrees with a barcode's value: equal up to confusable characters, or
    the barcode's value with one character at either end that OCR lost ('D3700848' for
    'CD3700848')."""
    if same_up_to_confusion(text, code):
        return True
    if len(code) == len(text) + 1 and len(text) >= 6:
        return same_up_to_confusion(text, code[1:]) or same_up_to_confusion(text, code[:-1])
    return False


def near_miss(text: str, code: str) -> bool:
    """A long text reading two characters or fewer away from a barcode's value
    ('...GLYCF' for '...GLVCF'): a misreading of the printed copy, not a rival."""
    return len(code) == len(text) >= 8 and _changed(text, code) <= 2


def _key_votes(cands: Sequence[Cand]) -> tuple[dict[tuple[str, str], set[int]], dict[str, dict[int, list[str]]]]:
    """Which readings read each keyed value, and what each reading read for each key (refused
    values too: a reading that read only a word there still read that key)."""
    votes: dict[tuple[str, str], set[int]] = {}
    read: dict[str, dict[int, list[str]]] = {}
    for c in cands:
        if not c.source.startswith("key"):
            continue
        read.setdefault(c.field, {}).setdefault(c.reading, []).append(c.value)
        if c.confidence > 0:
            votes.setdefault((c.field, c.value), set()).add(c.reading)
    return votes, read


def _opposed(value: str, field: str, votes: dict[tuple[str, str], set[int]], tried: Iterable[int]) -> int:
    """Readings of the field's key that read something else: not this value, not a part of it
    and not the same up to confusable characters."""
    support = set(votes.get((field, value), ()))
    for (f, other), rs in votes.items():
        if f == field and other != value and (other in value or value in other or same_up_to_confusion(other, value)):
            support |= rs
    return len(set(tried) - support)


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions and substitutions from a to b; a confusable pair (O/0, S/5, ...)
    costs nothing."""
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            same = x == y or y in CONFUSABLE.get(x, "")
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (0 if same else 1)))
        prev = cur
    return prev[-1]


def _fold_alike(value: str) -> str:
    """The value with O as 0 and I as 1: both engines confuse each pair, and no brand shape that
    takes both sides of a pair can tell them apart."""
    return value.replace("O", "0").replace("I", "1")


TWIN_MARGIN = 0.1  # a value the second engine read instead of the best, this near behind it, is chosen


def _dissent(value: str, checked: Sequence[str]) -> str | None:
    """What a second engine read instead of the value: a string of the same length but for one
    character (O and 0, I and 1 alike: see :func:`_fold_alike`), when it never read the value itself.
    None when it agrees or read nothing so near: two or more characters apart, it misread the
    line itself (on the hard generated photos it did so more often than it caught a misreading;
    a whole value it read surely is weighed by :func:`_sure_dissent`)."""
    mine = _fold_alike(value)
    if any(_fold_alike(v) == mine for v in checked):
        return None
    for v in checked:
        if len(v) == len(value) and _changed(_fold_alike(v), mine) == 1:
            return v
    return None


def _sure_dissent(value: str, sure: Sequence[str]) -> str | None:
    """The second engine's own value for the field's key (its own score at api.SECOND_SURE or
    more) that has the value's length but other characters, however many, when no such value of
    its agrees (O and 0, I and 1 alike). Unlike a check's windows, these are whole values it read surely:
    on the generated sets, those two or more characters off held the true value where
    Tesseract's sure value was wrong (`XGR75T06EN71U2` read `XGR7STOGEN71U2`)."""
    mine = _fold_alike(value)
    if any(_fold_alike(v) == mine for v in sure):
        return None
    return next((v for v in sure if len(v) == len(value)), None)


def _echoes(value: str, texts: Sequence[str]) -> bool:
    """One of a reading's values is this value read a little differently: at most two
    characters apart (confusable pairs free), or a part of it, or it a part of that value."""
    return any(t in value or value in t or edit_distance(value, t) <= NEAR_EDITS for t in texts)


@dataclass(frozen=True)
class Choice:
    fields: dict[str, Field]
    candidates: tuple[Candidate, ...]
    warnings: tuple[str, ...]


def _cut_at_seam(short: str, seams: tuple[int, ...]) -> bool:
    """A shorter value may be a value read in pieces cut short where (give or take a glyph) two
    of its pieces meet; one that ends inside a piece is another reading ('JA7929408', read whole on
    a zoomed crop, beside 'JA79 294086' on the full view: one glyph more or one less). A value read
    whole somewhere (no seams) may be cut anywhere: by a view's edge, a lost glyph."""
    return not seams or any(abs(len(short) - s) <= 1 for s in seams)


def _outread(best: Cand, other: Cand, readings: dict[tuple[str, str], set[int]]) -> bool:
    """Whether ``other`` was read in ``best``'s place, in the brand's own shape, by more
    readings than the one that read ``best`` (not a part of it, nor it a part: see the cut-short
    rule in :func:`choose`), and read as itself, not as a guess among repairs (Tesseract's 'A199G'
    is A1996 or A1990 alike: no reading against A1990). A barcode's value has no place (see
    :func:`_same_place`), and one checked by a printed code is read surely."""
    mine = readings.get((best.field, best.value), set())
    return (len(mine) == 1 and not best.coded
            and _own_shape(other.rule) and not other.rivals and len(readings.get((other.field, other.value), ())) > 1
            and not (best.value.startswith(other.value) or other.value.startswith(best.value))
            and _same_place(best, other))


def _own_shape(rule: str | None) -> bool:
    """A candidate's rule id names one of a brand's own shapes, not a generic one."""
    return rule is not None and not rule.startswith("generic-")


SURE = 0.6  # a field whose Tesseract values reach this takes no value from the second engine
# A value of Tesseract's at AGREED_FROM or more that the second engine's own sure values for the
# field (all of them, less those that a longer one extends: 'ECRT-75' of 'ECRT-75 300') repeat
# exactly keeps at least AGREED: two engines read it alike. On hard 6262, 6464, 6868 and the real
# photos, 10 such values sat at 0.4-0.6, all right; below 0.4 the one seen was a caption
# ('PROD.NO'). Of those at 0.6 or more, 143 were right and 6 wrong.
AGREED_FROM = 0.4
AGREED = 0.7
# The most a value keeps that the second engine read surely where Tesseract read it otherwise
# (see choose): one reading against another, the second engine's sure of each character
READ_SURELY = 0.7


def lost_feet(value: str, dissent: str) -> tuple[int, ...]:
    """Where the second engine read an L and Tesseract an I or a 1, when the two readings differ
    nowhere else (empty when they do, or nowhere). An L whose foot blur or a rule along the
    baseline thinned is a stroke that Tesseract reads as I or 1 and RapidOCR's recogniser still
    as L: on the 27 generated working sets, at all 9 places where the cross-check read so
    against Tesseract (`IS43893419` read `LS43893419`, `154413468742` read `1544L3468742`), the L
    was right, and at none Tesseract's glyph."""
    return _apart_only_as(value, dissent, {("I", "L"), ("1", "L")})


def bar_added(value: str, dissent: str) -> bool:
    """The second engine read an E where Tesseract read an F, and the two readings differ nowhere
    else. RapidOCR's recogniser reads an F whose foot a rule or a neighbour's stroke touches as
    an E: on the 27 generated working sets, at all 4 places where the cross-check read so
    against Tesseract (`MFI6176X4` read `MEI6176X4`, `FT1067269` read `ET1067269`), the F was
    right. (The other way, its F against Tesseract's E, it was right at both places.)"""
    return bool(_apart_only_as(value, dissent, {("F", "E")}))


def _apart_only_as(value: str, dissent: str, pairs: set[tuple[str, str]]) -> tuple[int, ...]:
    """The places where ``dissent`` differs from ``value``, when at each of them the two glyphs
    are one of ``pairs`` (value's, dissent's); empty when they differ otherwise, or nowhere."""
    if len(value) != len(dissent):
        return ()
    places = tuple(i for i, (a, b) in enumerate(zip(value, dissent)) if a != b)
    return places if all((value[i], dissent[i]) in pairs for i in places) else ()


def _unsure_only_at(doubts: tuple[str, ...], value: str, places: tuple[int, ...]) -> bool:
    """Every doubt is ``value`` with other glyphs at ``places`` only: the engine nearly read
    nothing else otherwise."""
    return all(len(d) == len(value) and all(d[i] == value[i] for i in range(len(value)) if i not in places)
               for d in doubts)


def _read_firmly(best: Cand, readings: dict[tuple[str, str], set[int]],
                 votes: dict[tuple[str, str], set[int]], read: dict[str, dict[int, list[str]]]) -> bool:
    """Tesseract read the value as firmly as a sure dissent of the second engine's: alike in two
    or more readings and in every reading of its key, as it is, each glyph with no runner-up
    near. One engine's sure reading against the other's is a coin toss, which the cross-check
    does not settle (a clear photo's 'FFHS8241HZK', read so six times, had been overruled by
    'NFHS8241HZK'). ``readings``, ``votes`` and ``read`` as :func:`choose` counts them."""
    f = best.field
    return ("key" in best.source and not best.second and best.doubts == () and not best.rivals
            and not best.read_as and len(readings.get((f, best.value), ())) >= 2
            and not _opposed(best.value, f, votes, read.get(f, {})))


def choose(cands: Sequence[Cand], min_confidence: float, *, overrule: bool = True) -> Choice:
    """Merge repeated readings, let barcodes confirm text, resolve model/serial clashes, and
    keep a field only when its best value clears the threshold and its runner-up is far behind.
    The second engine's own values of a key (``Cand.second``) count only for a field that
    Tesseract's values leave below SURE: they fill in, they do not overrule; a sure value of
    Tesseract's that one of them contradicts (see :func:`_sure_dissent`) is a guess, and one
    that they all repeat exactly is lifted to AGREED. With ``overrule``, a cross-check that
    read its dissent surely in every character gives the field its value, at READ_SURELY at
    most (off while Tesseract has views left to read: see api._settled)."""
    sure_reads = [c for c in cands if c.second and c.confidence > 0]
    if any(c.second for c in cands):
        first = [c for c in cands if not c.second]
        sure = choose(first, SURE, overrule=overrule).fields
        tesseract_read = [t for t in first if t.confidence > 0 and not t.check]
        # it fills in a value Tesseract never read, in any look-alike form: one that Tesseract read
        # too is weighed by Tesseract's own readings and the cross-check (see _dissent)
        # (so a merged value below is the second engine's alone exactly when its Cand.second is set)
        cands = first + [c for c in cands if c.second and c.field not in sure and not any(
            t.field == c.field and same_up_to_confusion(t.value, c.value) for t in tesseract_read)]
    checks = [c for c in cands if c.check and c.confidence > 0]
    cands = [c for c in cands if not c.check]
    merged: dict[tuple[str, str], Cand] = {}
    counts: dict[tuple[str, str], int] = {}
    readings: dict[tuple[str, str], set[int]] = {}
    for c in cands:
        if c.confidence <= 0:
            continue
        k = (c.field, c.value)
        counts[k] = counts.get(k, 0) + 1
        readings.setdefault(k, set()).add(c.reading)
        have = merged.get(k)
        if have is None:
            merged[k] = replace(c, notes=list(c.notes))
        else:
            better = c if c.confidence > have.confidence else have
            merged[k] = replace(better, source=_source(set(have.source.split("+")) | set(c.source.split("+"))),
                                notes=have.notes + c.notes, confidence=max(have.confidence, c.confidence),
                                rivals=have.rivals if c.rivals else (),  # read surely once: no guess
                                doubts=_both_doubt(have.doubts, c.doubts),
                                cut=better.cut,
                                read_as=have.read_as or c.read_as,  # repaired in any reading
                                seams=have.seams if c.seams else (),  # read whole once: no seams
                                doubled=have.doubled and c.doubled)
    # a barcode agreeing with a text reading (up to confusable characters) confirms it
    for k, c in list(merged.items()):
        if "barcode" in c.source:
            continue
        for bk in list(merged):
            b = merged[bk]
            # (b may already be confirmed by another reading: the order of readings must not matter)
            coded = b.source in ("barcode", "barcode+ocr")
            if b.field == c.field and coded and b.value != c.value and agrees(c.value, b.value):
                merged[bk] = replace(b, source="barcode+ocr", confidence=max(b.confidence, c.confidence))
                merged[k] = replace(c, confidence=0.0)
            elif b.field == c.field and coded and b.value != c.value and near_miss(c.value, b.value):
                merged[k] = replace(c, confidence=0.0)  # the code is checksummed; the text is a misreading
    # Tesseract's readings of a key weigh its values; the second engine's own readings of the key
    # weigh none (where they count, Tesseract's readings of it were unsure: they weigh no value of it)
    votes, read = _key_votes([c for c in cands if not c.second])
    # a guess keeps at most COMPETED, but competes with the other values at the weight its readings
    # gave it: the key was read so, if not surely (capped, it would leave a rival looking sure).
    # What the cap took off, added back wherever rivals are weighed
    capped: dict[tuple[str, str], float] = {}
    for k, c in merged.items():
        if c.source == "barcode+ocr":
            merged[k] = replace(c, confidence=_clip(c.confidence + 0.1))
            continue
        if c.coded:
            continue  # the number printed to check it settles it: other readings of its key do not weigh it
        conf, notes, guesses = c.confidence, list(c.notes), []
        if len(readings[k]) > 1:
            # independent readings (other views, zoomed re-reads) that agree
            conf += AGREEMENT_BONUS * min(len(readings[k]) - 1, 2)
            notes.append(f"read alike {len(readings[k])} times")
        elif counts[k] > 1:
            conf += 0.03 * min(counts[k] - 1, 3)
        if "key" in c.source and not c.second:
            of_key = read.get(c.field, {})
            against = _opposed(c.value, c.field, votes, of_key)
            if against:
                # readings of the same key that read something else
                conf -= DISAGREEMENT_PENALTY * min(against, 2)
                notes.append(f"{against} other reading{'s' * (against > 1)} of the key disagree")
            # read by this reading alone, its repair made a letter of a digit that reading read
            # ('3114869929' made '3114B69929' to fit the shape), and another reading of the key
            # read something else: the shape chose that letter, not the print, and nothing read
            # it so. In the records of 23 generated sets and the real photos, all five shown
            # values of this kind were wrong; repairs the other way (a letter read, a digit
            # reported: 5 right, 3 wrong so) or read alike twice (4 right, 1 wrong) are left to
            # the usual weighing
            if against and len(readings[k]) == 1 and _digit_made_letter(c.read_as, c.value):
                guesses.append(f"a guess: the shape made a letter of a digit read as {c.read_as}, read so once")
            others = [texts for r, texts in of_key.items() if r not in readings[k]]
            if len(readings[k]) == 1 and len(others) >= LONE_OTHERS and not any(_echoes(c.value, t) for t in others):
                conf = min(conf, LONE_CAP)
                notes.append(f"read by 1 of {len(others) + 1} readings of the key; the others read nothing like it")
        if c.doubled and len(readings[k]) >= DOUBLED_SEEN:
            # views sampled and thresholded differently all read both glyphs: two glyphs, likelier
            conf -= DOUBLED_SEEN_PENALTY
            notes.append(f"both look-alikes read by {len(readings[k])} readings")
        if c.rivals:
            # every reading of it was a repair that could as well have been another: a coin toss,
            # however often it was read so (a barcode's value is read as it is: never a guess)
            guesses.append(f"a guess: {' or '.join((c.value, *c.rivals))}")
        if guesses and conf > COMPETED:
            capped[k] = _clip(conf) - COMPETED
            conf = COMPETED
        notes += guesses
        if c.doubts:
            notes.append(f"Tesseract nearly read {' or '.join(c.doubts)} in every re-read that could tell")
        merged[k] = replace(c, confidence=_clip(conf), notes=notes)
    # a value that another value, fitting a brand's own shape and read at least as often (or by
    # two independent readings: a gap that splits the value may split it in most views, 'FD 9904
    # 645703'), extends is that value cut short (by the view's edge, a gap, a lost glyph): no
    # rival of it (a barcode's value is whole: its checksum says so). With the generic shapes
    # only, the longer value must be read by more readings than the shorter (a brand with no
    # shape of its own; a word glued on in one view is not read so in most)
    # (once: not again for a value its own reading already lowered so)
    for k, c in list(merged.items()):
        if c.confidence > 0 and not c.cut and "barcode" not in c.source and any(
                o.field == c.field and o.value != c.value and o.value.startswith(c.value) and o.confidence > 0
                and _cut_at_seam(c.value, o.seams)
                and (_own_shape(o.rule) and len(readings[ok]) >= min(len(readings[k]), EXTENDED_SEEN)
                     or len(readings[ok]) > max(len(readings[k]), 1))
                for ok, o in merged.items()):
            merged[k] = replace(c, confidence=_clip(c.confidence - CUT_SHORT), notes=c.notes + ["a longer reading fits too"])
    merged = {k: c for k, c in merged.items() if c.confidence > 0}
    by_field: dict[str, list[Cand]] = {f: [] for f in FIELDS}
    for c in merged.values():
        by_field[c.field].append(c)
    for f in FIELDS:
        by_field[f].sort(key=lambda c: (-c.confidence, -len(readings.get((c.field, c.value), ()))))
    warnings: list[str] = []
    chosen: dict[str, Cand] = {}
    for f in FIELDS:
        if by_field[f]:
            chosen[f] = by_field[f][0]
    # one printed string cannot be both (the same value, the same up to confusable characters as
    # 'SMI67807S' and 'SM167807S', or the same word on the photo): keep it where it is stronger
    if "model" in chosen and "serial" in chosen and _same_print(chosen["model"], chosen["serial"]):
        weaker = "model" if chosen["model"].confidence < chosen["serial"].confidence else "serial"
        stronger = chosen["serial" if weaker == "model" else "model"]
        rest = [c for c in by_field[weaker] if not _same_print(c, stronger)]
        if rest:
            chosen[weaker] = rest[0]
        else:
            del chosen[weaker]
        warnings.append(f"the same value was read for model and serial; kept it as the {('serial' if weaker == 'model' else 'model')}")
    fields: dict[str, Field] = {}
    for f in FIELDS:
        best = chosen.get(f)
        if best is None:
            warnings.append(f"{f}: no candidate found")
            continue
        conf = best.confidence
        other = chosen.get("serial" if f == "model" else "model")
        # a variant that differs only in confusable characters is a rival too when no brand
        # shape settles those characters (the generic shapes accept both O and 0)
        settled = _own_shape(best.rule)
        runners = [c for c in by_field[f] if c.value != best.value
                   and not (settled and same_up_to_confusion(c.value, best.value))
                   and (other is None or not _same_print(c, other))]  # the other field's string is no rival
        # an unsettled confusable variant (S or 5? O or 0?) competes from further behind
        close = [c for c in runners if c.confidence + capped.get((c.field, c.value), 0.0)
                 > conf - (0.25 if same_up_to_confusion(c.value, best.value) else 0.1)]
        # a value read once, where more readings read another value of the brand's own shape in
        # its place: that place was read otherwise more often, however much surer the one reading
        close += [c for c in runners if c not in close and _outread(best, c, readings)]
        checked = [c.value for c in checks if c.field == f]
        read_so = {_fold_alike(v) for v in checked}
        # (the second engine's own value is not backed by its own reading of the line)
        backed = [c for c in (best, *close) if _fold_alike(c.value) in read_so and not c.second]
        if close and len(backed) == 1:
            # the second engine read one of the close values and not the others: no coin toss
            best, conf, close = backed[0], backed[0].confidence, []
            warnings.append(f"{f}: {best.value} chosen among close readings: the second engine read it so")
        if close:
            # two readings of about equal weight: a coin toss, which the threshold must refuse
            conf = _clip(min(conf - 0.15, COMPETED))
            warnings.append(f"{f}: {best.value} and {close[0].value} compete")
        # a dissent that the brand's own shapes refuse, where they take the value, is the second
        # engine's misread ('ME00T335VQ/AC' read with an I for the slash)
        dissent = None
        if "barcode" not in best.source and not best.coded:
            def weighs(c: Cand) -> bool:
                return c.field == f and (not settled or _own_shape(c.rule))
            dissent = _dissent(best.value, [c.value for c in checks if weighs(c)]) \
                or _sure_dissent(best.value, [c.value for c in sure_reads if weighs(c)])
        twin = None if dissent is None else next(
            (c for c in by_field[f] if c.value != best.value and _fold_alike(c.value) == _fold_alike(dissent)
             and not c.second and c.confidence > conf - TWIN_MARGIN
             and (other is None or not _same_print(c, other))), None)
        if twin is not None:
            # Tesseract read the second engine's reading too, nearly as surely: two engines agree
            warnings.append(f"{f}: {twin.value} chosen over {best.value}: the second engine read it so")
            best, conf, dissent = twin, twin.confidence, None
        # the second engine read what Tesseract nearly read instead: two engines agree on it. So
        # when it dissents; and when it read the value with the other glyph of O and 0 or I and 1,
        # which the dissent counts alike ('DLEI456VT' read 'DLE1456VT'): its reading backed either
        # (not a digit turned into a letter the field shuns: see shunned_letter_rivals)
        read_here = {c.value for c in (*checks, *sure_reads) if c.field == f}
        near = None if "barcode" in best.source or best.coded else next(
            (d for d in best.doubts or () if (_fold_alike(d) == _fold_alike(dissent) if dissent else
                                              d in read_here and _fold_alike(d) == _fold_alike(best.value))
             and not _letter_for_digit(d, best.value, f)), None)
        if near is not None:
            warnings.append(f"{f}: {near} chosen over {best.value}: Tesseract nearly read it so, "
                            "the second engine read it so")
            best, dissent = replace(best, value=near, doubts=()), None
        if dissent and bar_added(best.value, dissent):
            # its E for Tesseract's F is its own misreading (see bar_added): no dissent
            warnings.append(f"{f}: the second engine read {dissent}, an E for an F, as it misreads an F; "
                            f"{best.value} stands")
            dissent = None
        # a dissent the second engine's recogniser read surely in every character (no other glyph
        # scored near any of its own, see engines.SURE_RATIO), as it is (no repair but O/0, I/1),
        # in the brand's own shape: it read what Tesseract misread ('LFTR42858Q' for 'LFTR4285SQ')
        # (not against a value Tesseract read as firmly: see _read_firmly)
        # An L the second engine read where Tesseract read I or 1, and nothing else apart, is the
        # L (see lost_feet): so however firmly Tesseract read its stroke, and though the second
        # engine nearly read that glyph otherwise, as long as it read the rest surely
        feet = lost_feet(best.value, dissent) if dissent else ()
        same = [c for c in checks if c.field == f and c.value == dissent] \
            if dissent and overrule and (feet or not _read_firmly(best, readings, votes, read)) else []
        surely = same[0] if same and all(
            (c.doubts == () or feet and c.doubts is not None and _unsure_only_at(c.doubts, c.value, feet))
            and _own_shape(c.rule) and _fold_alike(c.read_as or c.value) == _fold_alike(c.value)
            for c in same) and (other is None or not _same_print(same[0], other)) else None
        if surely is not None:
            why = ("an L where Tesseract read I or 1 (a foot that blur or a rule thinned)" if feet
                   else "each of its characters surely")
            warnings.append(f"{f}: {surely.value} chosen over {best.value}: the second engine read {why}")
            best, conf, dissent = surely, _clip(min(surely.confidence, READ_SURELY)), None
        if dissent:
            conf = _clip(min(conf, COMPETED))
            warnings.append(f"{f}: {best.value} was read {dissent} by the second engine (cross-check)")
        elif best.doubts and checks and "barcode" not in best.source and not best.coded \
                and _fold_alike(best.value) not in read_so:
            # every reading of it nearly read another value of its shape, and the second engine,
            # which checked this page, did not read it: one character is unsure (the value stays
            # the best: no rival gains). With no second engine in the run (--no-cross-check), a
            # doubt that nothing can lift held too many right values: Tesseract alone lost 2
            # photos of 29, 60 and 40 (real, hard 7070, mixed 7171) for 3 wrong fields fewer
            conf = _clip(min(conf, COMPETED))
            warnings.append(f"{f}: {best.value} is unsure: Tesseract nearly read {' or '.join(best.doubts)}")
        if best.second:
            warnings.append(f"{f}: {best.value} was read by the second engine alone; Tesseract's readings were unsure")
            if not _own_shape(best.rule):
                # no reading of Tesseract's backs it, and only the generic shapes take it (they take
                # most strings of capitals and digits): on the generated sets such values were wrong
                conf = _clip(min(conf, COMPETED))
                warnings.append(f"{f}: {best.value} fits no brand's own shape; the second engine's reading alone is a guess")
        elif conf < AGREED and not dissent and best.confidence >= AGREED_FROM \
                and {c.value for c in sure_reads if c.field == f and not c.cut} == {best.value}:
            conf = AGREED
            warnings.append(f"{f}: {best.value} was read alike by the second engine on its own")
        if conf < min_confidence:
            warnings.append(f"{f}: best candidate {best.value} at {conf:.2f} is below {min_confidence:.2f}; left empty")
            continue
        fields[f] = Field(f, best.value, round(conf, 3), best.source, best.box, best.rule)
    listed = []
    for f in FIELDS:
        for c in by_field[f][:4]:
            listed.append(Candidate(f, c.value, round(c.confidence, 3), c.source, "; ".join(dict.fromkeys(c.notes))))
    refused = [c for c in cands if c.confidence <= 0]
    for c in refused[:4]:
        listed.append(Candidate(c.field, c.value, 0.0, c.source, "; ".join(c.notes)))
    return Choice(fields, tuple(listed), tuple(warnings))


def page_models(texts: Sequence[str], brand: Brand | None, patterns: PatternSet) -> list[str]:
    """Every distinct string on the page that fits a brand's model pattern (manuals list many)."""
    rules = [r for r in (brand.rules("model") if brand else patterns.all_rules("model")) if r.strength >= 0.5]
    seen: dict[str, None] = {}
    for text in texts:
        for token in regex.split(r"[\s,;()]+", fold(text)):
            value = normalise(token)
            if len(value) < 4 or value in seen or global_distractor(value):
                continue
            if brand is not None and brand.distractor(value):
                continue
            if any(r.fullmatch(value) for r in rules):
                seen[value] = None
    return list(seen)


def _source(parts: set[str]) -> str:
    """'key', 'key+pattern', 'pattern', 'mark', 'barcode', or 'barcode+ocr' when a barcode and
    the printed text agree."""
    parts = {p for p in parts if p}
    if "barcode" in parts and parts & {"key", "pattern", "mark", "ocr"}:
        return "barcode+ocr"
    if parts & {"key", "pattern"}:
        parts.discard("mark")  # an identifier that gives the value too only adds a reading
    return "+".join(p for p in ("barcode", "key", "pattern", "mark") if p in parts)


def _overlap(a: Box, b: Box) -> float:
    """Intersection over the smaller box's area."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    return w * h / max(1, min(a[2] * a[3], b[2] * b[3]))


def _same_print(a: Cand, b: Cand) -> bool:
    """Two candidates that are one printed string: equal, equal up to confusable characters,
    sharing a run of SHARED_RUN characters (a tilted line cut and glued otherwise in one view:
    'KY33850AKA' for the serial 'KY3385093' after a key above it), or read from the same place on
    the photo (see :func:`_same_place`)."""
    if a.value == b.value or same_up_to_confusion(a.value, b.value) or _shared_run(a.value, b.value) >= SHARED_RUN:
        return True
    return _same_place(a, b)


def _same_place(a: Cand, b: Cand) -> bool:
    """Two text readings from one place on the photo: their boxes overlap, on one line (each
    box's middle lies within the other across the line: see :func:`_one_line`; the page boxes of
    words on a tilted label are taller than the words, and two lines' boxes overlap). One code may
    carry both fields, so a barcode's place says nothing."""
    if "barcode" in a.source or "barcode" in b.source or a.box is None or b.box is None:
        return False
    return _overlap(a.box, b.box) >= 0.6 and _one_line(a.box, b.box)


def _one_line(a: Box, b: Box) -> bool:
    """Whether each box's middle lies within the other across the line: its height, or its width
    where both boxes are taller than wide (a label turned a quarter: its lines run up the page)."""
    if a[3] > a[2] and b[3] > b[2]:
        a, b = (a[1], a[0], a[3], a[2]), (b[1], b[0], b[3], b[2])  # x and y swapped
    return _within_height(a, b) and _within_height(b, a)


def _shared_run(a: str, b: str) -> int:
    """The longest run of characters that two values share, up to confusable characters."""
    best = 0
    run = [0] * (len(b) + 1)
    for x in a:
        prev = 0  # run[j - 1] of the previous row
        for j, y in enumerate(b, 1):
            here = prev + 1 if x == y or y in CONFUSABLE.get(x, "") else 0
            prev, run[j] = run[j], here
            best = max(best, here)
    return best


def _within_height(a: Box, b: Box) -> bool:
    """Whether the middle of ``a`` lies between the top and the bottom of ``b``."""
    return b[1] <= a[1] + a[3] / 2 <= b[1] + b[3]


def _union(boxes: Iterable[Box]) -> Box:
    bs = list(boxes)
    x0 = min(b[0] for b in bs)
    y0 = min(b[1] for b in bs)
    x1 = max(b[0] + b[2] for b in bs)
    y1 = max(b[1] + b[3] for b in bs)
    return (x0, y0, x1 - x0, y1 - y0)


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))
