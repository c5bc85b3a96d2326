"""Brand pattern files: load, validate and query the per-brand model/serial rules.

One TOML file per brand (top-level ``patterns/`` in the repository, package
``ocr_labels.patterns_data`` when installed). Regexes are applied with ``fullmatch`` to the
value upper-cased with all white space removed, through the ``regex`` module with a timeout,
so a pathological user pattern cannot hang a batch (a timeout counts as no match).
"""
from __future__ import annotations

import functools
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import regex

from .dates import BASE_CONFIDENCE, DateRule, compile_date_rule, _norm_conf, _read_codes
from .errors import PatternFileError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "Rule", "Brand", "PatternSet", "builtin_dir", "load_patterns", "load_file", "check_dir",
    "normalise", "REGEX_TIMEOUT", "FIELDS",
]

REGEX_TIMEOUT = 0.05            # seconds per match call
FIELDS = ("model", "serial", "distractor")
CATEGORIES = ("appliance", "hvac", "water-heater", "electronics")
_TOP_KEYS = {"brand", "aliases", "family", "category", "confidence", "sources", "generic",
             "keys", "model", "serial", "distractor", "date", "makers", "notes"}
_RULE_KEYS = {"id", "regex", "strength", "date", "examples", "not", "note", "names_brand", "gives"}
_WS = re.compile(r"\s+")


def normalise(value: str) -> str:
    """Upper-case and remove all white space (``-``, ``/`` and ``.`` are kept)."""
    return _WS.sub("", value).upper()


def _key(name: str) -> str:
    """Lookup key for brand names: letters and digits only, upper-cased ("A.O. Smith" -> AOSMITH)."""
    return "".join(ch for ch in name.upper() if ch.isalnum())


@functools.lru_cache(maxsize=4096)
def _compiled(pattern: str) -> "regex.Pattern[str]":
    return regex.compile(pattern)


# syntax that the regex module reads and the standard library's parser does not, or reads
# otherwise (fuzzy matching '{e<=1}', Unicode properties, branch reset, backreferences): a
# pattern holding any of it is taken to match values of any length
_REGEX_ONLY = re.compile(r"\\[pPXNGKLmM0-9]|\{[^0-9,}]|\(\?[|(VrbefwpXu0-9&+R]|\(\?<?[-+]?[0-9]")


@functools.lru_cache(maxsize=4096)
def pattern_lengths(pattern: str) -> tuple[int, float]:
    """The shortest and longest values ``pattern`` can fullmatch, as the standard library's
    regex parser measures them; (0, inf) when it cannot. A value of another length fits the
    pattern however its look-alike characters are swapped (a swap keeps the length): the repair
    search skips the pattern at once. Over half of its calls on the real photos were such."""
    if _REGEX_ONLY.search(pattern):
        return 0, math.inf
    try:
        if sys.version_info >= (3, 11):
            from re import _parser as parser
        else:  # pragma: no cover
            import sre_parse as parser
        lo, hi = parser.parse(pattern).getwidth()
    except Exception:  # a private module's interface, or syntax it does not know: no bound
        return 0, math.inf
    return int(lo), (math.inf if hi >= parser.MAXREPEAT else int(hi))


# --------------------------------------------------------------------------- rules and brands
@dataclass(frozen=True)
class Rule:
    id: str
    field: str                      # "model" | "serial" | "distractor"
    regex: str
    strength: float
    date: str | None
    brand: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    names_brand: bool = False  # a distractor registered to this brand alone (an FCC grantee code)
    gives: str | None = None  # a distractor whose group of this name holds that field's value

    def _match(self, value: str) -> regex.Match[str] | None:
        """The rule's match of the whole normalised value; raises TimeoutError when it took too long."""
        return _compiled(self.regex).fullmatch(normalise(value), timeout=REGEX_TIMEOUT)

    def given(self, value: str) -> str | None:
        """The value of the field this rule ``gives`` when the whole value fits the rule
        (Apple's FCC ID 'BCGA2337' gives the model A2337), else None."""
        if self.gives is None:
            return None
        try:
            m = self._match(value)
        except TimeoutError:
            return None
        return m.group(self.gives) if m else None

    def test(self, value: str) -> bool | None:
        """True/False for match/no match of the normalised value; None when the match timed out."""
        try:
            return self._match(value) is not None
        except TimeoutError:
            return None

    def fullmatch(self, value: str) -> bool:
        return bool(self.test(value))

    def takes_length_of(self, value: str) -> bool:
        """False when no value as long as ``value`` (normalised) can fit the rule."""
        lo, hi = pattern_lengths(self.regex)
        return lo <= len(normalise(value)) <= hi


@dataclass(frozen=True)
class Brand:
    name: str
    aliases: tuple[str, ...]
    family: tuple[str, ...]
    generic: bool
    category: tuple[str, ...]
    confidence: str
    file: Path
    keys: dict[str, tuple[str, ...]]
    models: tuple[Rule, ...]
    serials: tuple[Rule, ...]
    distractors: tuple[Rule, ...]
    dates: dict[str, Any]                       # DateRule by id
    sources: tuple[str, ...] = ()
    makers: dict[str, str] = field(default_factory=dict)   # model prefix -> maker brand

    def rules(self, field: str) -> tuple[Rule, ...]:
        if field == "model":
            return self.models
        if field == "serial":
            return self.serials
        if field == "distractor":
            return self.distractors
        raise ValueError(f"unknown field {field!r}; expected one of {FIELDS}")

    def match(self, field: str, value: str) -> Rule | None:
        """The highest-strength rule of ``field`` that fullmatches ``value``, else None."""
        best = None
        for r in self.rules(field):
            if (best is None or r.strength > best.strength) and r.fullmatch(value):
                best = r
        return best

    def distractor(self, value: str) -> Rule | None:
        return self.match("distractor", value)

    @property
    def supports(self) -> dict[str, bool]:
        return {"model": bool(self.models), "serial": bool(self.serials),
                "date": any(r.date for r in self.serials) or bool(self.makers)}


@dataclass(frozen=True)
class PatternSet:
    brands: tuple[Brand, ...]
    generic: Brand
    _index: dict[str, tuple[Brand, str]] = field(default_factory=dict, init=False,
                                                 repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, tuple[Brand, str]] = {}
        # precedence: a brand's own name, then aliases, then family membership
        for b in self.brands:
            index.setdefault(_key(b.name), (b, b.name))
        for b in self.brands:
            for a in b.aliases:
                index.setdefault(_key(a), (b, b.name))
        for b in self.brands:
            for f in b.family:
                index.setdefault(_key(f), (b, f))
        index.setdefault(_key(self.generic.name), (self.generic, self.generic.name))
        index.pop("", None)
        object.__setattr__(self, "_index", index)

    def get(self, name: str) -> Brand | None:
        hit = self._index.get(_key(name or ""))
        return hit[0] if hit else None

    def display_name(self, name: str) -> str | None:
        hit = self._index.get(_key(name or ""))
        return hit[1] if hit else None

    def identifiers(self) -> list[tuple[str, str]]:
        """(text to look for on a label, display name) pairs, longest text first."""
        seen: dict[str, tuple[str, str]] = {}
        for b in self.brands:
            texts = [b.name, *b.aliases, *b.family]
            for t in texts:
                k = t.upper()
                if k not in seen:
                    seen[k] = (t, self.display_name(t) or b.name)
        return sorted(seen.values(), key=lambda p: (-len(p[0]), p[0]))

    def all_rules(self, field: str) -> list[Rule]:
        """Every brand's rules of ``field``, then the generic ones."""
        out: list[Rule] = []
        for b in self.brands:
            out.extend(b.rules(field))
        out.extend(self.generic.rules(field))
        return out


# --------------------------------------------------------------------------- loading
def builtin_dir() -> Path:
    """Folder of the built-in pattern files (installed package data, else the repo's patterns/)."""
    try:
        from importlib.resources import files

        res = files("ocr_labels.patterns_data")
        # iterate rather than str(res): a namespace package gives a MultiplexedPath
        for entry in res.iterdir():
            if entry.name.endswith(".toml"):
                return Path(str(entry)).parent
    except (ModuleNotFoundError, TypeError, ValueError, OSError):
        pass
    return Path(__file__).resolve().parent.parent / "patterns"


def _fail(path: Path, entry: str, message: str) -> PatternFileError:
    return PatternFileError(f"{path}: {entry}: {message}",
                            hint="run 'ocr-labels patterns check DIR' to list every problem")


def _strings(path: Path, data: dict, key: str, entry: str) -> tuple[str, ...]:
    v = data.get(key, [])
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _fail(path, entry, f"'{key}' must be a list of strings")
    return tuple(v)


def _rule(path: Path, brand: str, fld: str, data: Any, n: int, date_ids: set[str]) -> Rule:
    entry = f"[[{fld}]] #{n + 1}"
    if not isinstance(data, dict):
        raise _fail(path, entry, "must be a table")
    rid = data.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise _fail(path, entry, "missing 'id'")
    entry = f"[[{fld}]] '{rid}'"
    unknown = set(data) - _RULE_KEYS
    if unknown:
        raise _fail(path, entry, f"unknown keys {sorted(unknown)}")
    rx = data.get("regex")
    if not isinstance(rx, str) or not rx:
        raise _fail(path, entry, "missing 'regex'")
    try:
        _compiled(rx)
    except regex.error as e:
        raise _fail(path, entry, f"regex {rx!r} does not compile: {e}") from e
    strength = data.get("strength", 1.0 if fld == "distractor" else 0.5)
    if (not isinstance(strength, (int, float)) or isinstance(strength, bool)
            or not 0.0 <= strength <= 1.0):
        raise _fail(path, entry, "'strength' must be a number in [0, 1]")
    date = data.get("date")
    if date is not None:
        if fld != "serial":
            raise _fail(path, entry, "only serial rules carry a 'date'")
        if date not in date_ids:
            raise _fail(path, entry, f"date rule '{date}' is not defined in this file")
    names_brand = data.get("names_brand", False)
    if not isinstance(names_brand, bool):
        raise _fail(path, entry, "'names_brand' must be true or false")
    if names_brand and fld != "distractor":
        raise _fail(path, entry, "only distractor rules can name the brand")
    gives = data.get("gives")
    if gives is not None:
        if fld != "distractor":
            raise _fail(path, entry, "only distractor rules can give a field's value")
        if gives not in ("model", "serial"):
            raise _fail(path, entry, "'gives' must be \"model\" or \"serial\"")
        if gives not in _compiled(rx).groupindex:
            raise _fail(path, entry, f"'gives = \"{gives}\"' needs a group (?P<{gives}>...) in the regex")
    return Rule(id=rid, field=fld, regex=rx, strength=float(strength), date=date, brand=brand,
                examples=_strings(path, data, "examples", entry),
                counter_examples=_strings(path, data, "not", entry), names_brand=names_brand, gives=gives)


def load_file(path: Path) -> Brand:
    """Load and validate one pattern file; raises PatternFileError naming file and entry."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except OSError as e:
        raise _fail(path, "file", f"cannot read: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise _fail(path, "file", f"invalid TOML: {e}") from e
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise _fail(path, "top level", f"unknown keys {sorted(unknown)}")
    name = data.get("brand")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, "top level", "missing 'brand'")
    generic = data.get("generic", False)
    if not isinstance(generic, bool):
        raise _fail(path, "top level", "'generic' must be true or false")
    category = _strings(path, data, "category", "top level")
    bad = [c for c in category if c not in CATEGORIES]
    if bad:
        raise _fail(path, "top level", f"unknown category {bad}; expected {CATEGORIES}")
    conf = data.get("confidence", "UNVERIFIED")
    if not isinstance(conf, str) or _norm_conf(conf) not in BASE_CONFIDENCE:
        raise _fail(path, "top level", f"'confidence' must be one of {sorted(BASE_CONFIDENCE)}")
    keys_raw = data.get("keys", {})
    if not isinstance(keys_raw, dict):
        raise _fail(path, "[keys]", "must be a table")
    keys = {k: _strings(path, keys_raw, k, "[keys]") for k in keys_raw}
    makers = data.get("makers", {})
    if not isinstance(makers, dict) or not all(isinstance(v, str) for v in makers.values()):
        raise _fail(path, "[makers]", "must map model prefixes to brand names")

    dates: dict[str, DateRule] = {}
    raw_dates = data.get("date", [])
    if not isinstance(raw_dates, list):
        raise _fail(path, "[[date]]", "must be an array of tables")
    for i, d in enumerate(raw_dates):
        try:
            rule = compile_date_rule(d, f"[[date]] #{i + 1}")
        except ValueError as e:
            raise _fail(path, "[[date]]", str(e)) from e
        if rule.id in dates:
            raise _fail(path, f"[[date]] '{rule.id}'", "duplicate id")
        dates[rule.id] = rule

    rules: dict[str, tuple[Rule, ...]] = {}
    ids: set[str] = set(dates)
    for fld in FIELDS:
        raw = data.get(fld, [])
        if not isinstance(raw, list):
            raise _fail(path, f"[[{fld}]]", "must be an array of tables")
        built = []
        for i, item in enumerate(raw):
            r = _rule(path, name, fld, item, i, set(dates))
            if r.id in ids:
                raise _fail(path, f"[[{fld}]] '{r.id}'", "duplicate id")
            ids.add(r.id)
            built.append(r)
        rules[fld] = tuple(built)
    return Brand(
        name=name.strip(), aliases=_strings(path, data, "aliases", "top level"),
        family=_strings(path, data, "family", "top level"), generic=generic,
        category=category, confidence=_norm_conf(conf), file=path, keys=keys,
        models=rules["model"], serials=rules["serial"], distractors=rules["distractor"],
        dates=dates, sources=_strings(path, data, "sources", "top level"),
        makers={str(k).upper(): v for k, v in makers.items()},
    )


def _load_dir(path: Path) -> list[Brand]:
    path = Path(path)
    if not path.is_dir():
        raise PatternFileError(f"{path}: not a folder of pattern files")
    return [load_file(p) for p in sorted(path.glob("*.toml"))]


@functools.lru_cache(maxsize=4)
def _builtin(path: str) -> tuple[Brand, ...]:
    return tuple(_load_dir(Path(path)))


def _empty_generic() -> Brand:
    return Brand(name="Generic", aliases=(), family=(), generic=True, category=(),
                 confidence="UNVERIFIED", file=Path("<none>"), keys={}, models=(), serials=(),
                 distractors=(), dates={})


def load_patterns(extra_dirs: Sequence[str | Path] = (), *, builtin: bool = True) -> PatternSet:
    """The built-in brands (cached) plus user folders; a user file replaces a built-in brand
    of the same name, and a user generic file replaces the built-in generic one."""
    brands: dict[str, Brand] = {}
    generic: Brand | None = None
    groups: list[Iterable[Brand]] = []
    if builtin:
        groups.append(_builtin(str(builtin_dir())))
    for d in extra_dirs:
        groups.append(_load_dir(Path(d)))
    for group in groups:
        for b in group:
            if b.generic:
                generic = b
            else:
                brands[_key(b.name)] = b
    seen: dict[str, Path] = {}
    for b in [*brands.values(), *([generic] if generic else [])]:
        for r in (*b.models, *b.serials, *b.distractors):
            if r.id in seen and seen[r.id] != b.file:
                raise _fail(b.file, r.id, f"rule id also used in {seen[r.id]}")
            seen[r.id] = b.file
    return PatternSet(brands=tuple(brands.values()), generic=generic or _empty_generic())


# --------------------------------------------------------------------------- checking
def check_dir(path: Path) -> list[str]:
    """Every problem found in a folder of pattern files; [] when all is well."""
    path = Path(path)
    if not path.is_dir():
        return [f"{path}: not a folder"]
    files = sorted(path.glob("*.toml"))
    if not files:
        return [f"{path}: no *.toml pattern files"]
    problems: list[str] = []
    rule_ids: dict[str, Path] = {}
    names: dict[str, Path] = {}
    generics: list[Path] = []
    for f in files:
        try:
            b = load_file(f)
        except PatternFileError as e:
            problems.append(str(e).split(" (run ")[0])
            continue
        if b.generic:
            generics.append(f)
        k = _key(b.name)
        if k in names:
            problems.append(f"{f}: brand '{b.name}' is also defined in {names[k]}")
        names.setdefault(k, f)
        for r in (*b.models, *b.serials, *b.distractors):
            where = f"{f}: [[{r.field}]] '{r.id}'"
            if r.id in rule_ids:
                problems.append(f"{where}: duplicate id (also in {rule_ids[r.id]})")
            rule_ids.setdefault(r.id, f)
            for ex in r.examples:
                ok = r.test(ex)
                if ok is None:
                    problems.append(f"{where}: regex timed out on example {ex!r}")
                elif not ok:
                    problems.append(f"{where}: example {ex!r} does not match")
                elif r.date:
                    if _read_codes(b.dates[r.date], normalise(ex)) is None:
                        problems.append(
                            f"{where}: example {ex!r} has no valid date for rule '{r.date}'")
            for ex in r.counter_examples:
                ok = r.test(ex)
                if ok is None:
                    problems.append(f"{where}: regex timed out on counter-example {ex!r}")
                elif ok:
                    problems.append(f"{where}: counter-example {ex!r} matches")
    if len(generics) > 1:
        problems.append(f"{path}: more than one generic file: {[str(g) for g in generics]}")
    return problems
