"""The Python API. The command line is a thin layer over these functions.

    from ocr_labels import scan_image, scan_paths, classify_text, ScanOptions
    for record in scan_paths(["photos/"], ScanOptions(workers=2)):
        print(record.model, record.serial)

One record per photo or PDF page, in input order; a file that cannot be read gives a record
with ``error`` set and the batch goes on.
"""
from __future__ import annotations

import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from . import dates, engines, extract, layout, preprocess, sources
from .elements import Barcode, Line, Word
from .errors import InputError, MissingEngineError, MissingTesseractError, OcrLabelsError, OcrTimeoutError
from .patterns import Brand, PatternSet, load_patterns
from .records import Record

log = logging.getLogger("ocr_labels")

DEFAULT_MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class ScanOptions:
    engine: str = "tesseract"  # "tesseract", "rapidocr" or "auto"
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    patterns: tuple[str, ...] = ()  # extra pattern folders
    builtin_patterns: bool = True  # False: only the folders in ``patterns``
    workers: int = 1
    max_views: int = 6  # how many preprocessed views to try per page at most
    # a field counts as resolved (no more views needed) at this confidence; None: min_confidence.
    # The benchmark keeps every value (min_confidence 0) yet reads as many views as a default run.
    stop_confidence: float | None = None
    focus: bool = True  # re-read each key and its value zoomed, for a second opinion (Tesseract)
    # RapidOCR's recogniser re-reads each zoomed key and value too (~10 ms a crop): a value it
    # reads one character otherwise (or surely, as another string of its length) is a guess,
    # and it breaks ties between close values.
    # None: on when the rapidocr extra is installed (True fails at the start without it)
    cross_check: bool | None = None
    barcodes: bool = True
    timeout: float = 20.0  # seconds per Tesseract call (a view that takes longer is skipped)
    page_budget: float = 30.0  # seconds of OCR per page after which no further view is started
    as_of: date | None = None  # for age_years; today when None
    debug_dir: str | None = None


@dataclass
class _Context:
    """Per-process state built once: the pattern set and the engines."""

    options: ScanOptions
    patterns: PatternSet
    _engines: dict[str, engines.Engine] = field(default_factory=dict)
    _unchecked: bool = False  # no rapidocr extra (and the cross-check not asked for): Tesseract's values go unchecked

    def checker(self) -> engines.RapidOcrEngine | None:
        """The engine that re-reads zoomed crops to check Tesseract's values: unless turned off,
        whenever the rapidocr extra is installed."""
        opts = self.options
        if opts.cross_check is False or self._unchecked:
            return None
        try:
            engine = self.engine("rapidocr")
        except MissingEngineError:
            if opts.cross_check:
                raise
            self._unchecked = True
            return None
        return engine if isinstance(engine, engines.RapidOcrEngine) else None

    def engine(self, name: str) -> engines.Engine:
        if name not in self._engines:
            if name == "tesseract":
                self._engines[name] = engines.TesseractEngine(timeout=self.options.timeout)
            elif name == "rapidocr" and self.options.workers > 1:
                # each worker process its share of the cores: onnxruntime takes them all by default,
                # and two workers' text finders then fought for them (real photos, --workers 2:
                # 1.41x one worker, against 1.71x before the finder read the keys' crops)
                share = max(1, (os.cpu_count() or 1) // self.options.workers)
                self._engines[name] = engines.RapidOcrEngine(threads=share)
            else:
                self._engines[name] = engines.get_engine(name)
        return self._engines[name]


def _context(options: ScanOptions) -> _Context:
    return _Context(options, load_patterns(options.patterns, builtin=options.builtin_patterns))


_contexts: dict[ScanOptions, _Context] = {}


def _shared_context(options: ScanOptions) -> _Context:
    """The process's context for these options, built once: calls one photo at a time
    (scan_image, scan_file) then load the patterns and the engines' models once."""
    ctx = _contexts.get(options)
    if ctx is None:
        ctx = _contexts[options] = _context(options)
    return ctx


def check_setup(options: ScanOptions = ScanOptions()) -> None:
    """Fail early, once, with a how-to-fix message: Tesseract present, engine known, patterns load."""
    if options.engine in ("tesseract", "auto"):
        engines.tesseract_version()
    if options.engine not in ("tesseract", "auto", *engines.ENGINES):
        raise MissingEngineError(f"unknown engine {options.engine!r}; choose from auto, {', '.join(sorted(engines.ENGINES))}")
    if options.engine in ("rapidocr", "auto") or options.cross_check:
        try:
            import rapidocr_onnxruntime  # noqa: F401
        except ImportError:
            if options.engine == "rapidocr" or options.cross_check:
                what = "--cross-check" if options.cross_check else "--engine rapidocr"
                raise MissingEngineError(f"{what} needs: pip install 'ocr-labels[rapidocr]'") from None
    load_patterns(options.patterns, builtin=options.builtin_patterns)


# ---------------------------------------------------------------- one page

@dataclass(frozen=True)
class _Reading:
    """One OCR reading of a page: a whole view, or a zoomed crop of one key and its value."""

    number: int
    lines: Sequence[Line]  # empty for a zoomed crop: only its key/value pairs count
    pairs: Sequence[layout.KeyValue]
    barcodes: Sequence[Barcode]
    to_page: Callable
    check: bool = False  # a second engine's reading of a zoomed crop: it can only dissent
    turn: int | None = None  # of one of the label's views at each turn (View.turned): which turn
    second: bool = False  # the second engine's value for a key: it counts where Tesseract stays unsure


_BRAND_KEYS: dict[tuple[str, str], dict[str, str]] = {}


def _brand_keys(brand: Brand | None) -> dict[str, str]:
    """The keys a brand's pattern file names for its model and serial ([keys]), as key forms,
    where the built-in key words do not already name that field."""
    if brand is None:
        return {}
    got = _BRAND_KEYS.get((brand.name, str(brand.file)))
    if got is None:
        got = _BRAND_KEYS[(brand.name, str(brand.file))] = {
            layout.key_form(k): f for f in extract.FIELDS for k in brand.keys.get(f, ())
            if layout.key_field(k) != f}
    return got


@dataclass
class _PageState:
    readings: list[_Reading] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    brand: extract.BrandGuess | None = None
    keyed_values: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    label_box: tuple[int, int, int, int] | None = None
    focused: dict[str, int] = field(default_factory=dict)
    rotation: int | None = None  # the turn of the first view in which a key word was read
    legibility: dict[int, int] = field(default_factory=dict)  # per turn: the most legible view's score
    grey: np.ndarray | None = None
    searched: set[str] = field(default_factory=set)  # views whose barcodes were read ('page inverted' too)
    blocks: list[tuple[str, preprocess.View]] = field(default_factory=list)  # (field, key's crop): _read_blocks
    # per engine and View.family: the seconds the family's first view read took (None: it timed out)
    family_seconds: dict[str, float | None] = field(default_factory=dict)
    _scored: dict[int, list[extract.Cand]] = field(default_factory=dict)  # per reading, for _scored_brand
    _brand_scores: dict[int, dict[str, float]] = field(default_factory=dict)  # per reading
    _scored_brand: str | None = None

    def upright(self) -> list[_Reading]:
        """The readings that can name a brand, in order. Once the page's turn is known, the label's
        views at the other turns no longer count: text read sideways or upside down is garbage
        that can spell a short brand name ('sony')."""
        up = _orientation(self)
        return [r for r in self.readings if not r.check and (up is None or r.turn in (None, up))]

    def texts(self) -> list[str]:
        """The lines read the right way up, in order."""
        return [ln.text for r in self.upright() for ln in r.lines]

    def brand_named(self, patterns: PatternSet) -> extract.BrandGuess | None:
        """The brand whose name the upright readings print (each reading's lines are searched
        for the names once, not again at every later reading)."""
        scores: dict[str, float] = {}
        for r in self.upright():
            if r.number not in self._brand_scores:
                self._brand_scores[r.number] = extract.brand_scores([ln.text for ln in r.lines], patterns)
            for name, score in self._brand_scores[r.number].items():
                scores[name] = max(scores.get(name, 0.0), score)
        return extract.rank_brands(scores, patterns)

    def reading_candidates(self, number: int, patterns: PatternSet) -> list[extract.Cand]:
        """One reading's candidates, scored with the brand known now (each reading is scored
        once per brand: a brand recognised or inferred later re-scores the earlier readings)."""
        brand = self.brand.brand if self.brand else None
        if (brand.name if brand else None) != self._scored_brand:
            self._scored.clear()
            self._scored_brand = brand.name if brand else None
        if number not in self._scored:
            r = self.readings[number - 1]
            extra = _brand_keys(brand)
            # the brand's own keys ('SVC Tag', 'Fabr.-Nr.') pair values too, once it is known
            pairs = layout.find_pairs(r.lines, extra) if extra and r.lines else r.pairs
            new = extract.keyed_candidates(pairs, brand, patterns, r.to_page)
            new += extract.pattern_candidates(r.lines, brand, patterns, r.to_page)
            new += extract.mark_candidates(r.lines, brand, patterns, r.to_page)
            new += extract.barcode_candidates(r.barcodes, brand, patterns, lambda b: b)
            if r.second:
                # a glyph read twice as both its look-alikes is Tesseract's habit, not the second engine's
                new = [c for c in new if not c.doubled]
            for c in new:
                c.reading = number
                c.check = r.check
                c.second = r.second
            self._scored[number] = new
        return self._scored[number]

    def candidates(self, patterns: PatternSet) -> list[extract.Cand]:
        """Every reading's candidates, scored with the brand known now."""
        return [c for r in self.readings for c in self.reading_candidates(r.number, patterns)]

    def values(self, field_name: str, patterns: PatternSet) -> set[str]:
        """The values the engines read for a field so far (not those a second engine read only
        to check them)."""
        return {c.value for c in self.candidates(patterns) if c.field == field_name and c.confidence > 0 and not c.check}


def _add_reading(state: _PageState, ctx: _Context, lines: Sequence[Line], pairs: Sequence[layout.KeyValue],
                 barcodes: Sequence[Barcode], to_page: Callable, *, check: bool = False,
                 turn: int | None = None, second: bool = False) -> None:
    state.readings.append(_Reading(len(state.readings) + 1, tuple(lines), tuple(pairs), tuple(barcodes), to_page,
                                   check, turn, second))
    if check:
        return  # a cross-check names no brand and adds no value of its own
    for kv in pairs:
        state.keyed_values.setdefault(kv.field, []).append(extract.normalise(kv.value))
    for bc in barcodes:
        for named, value in extract.hinted_parts(bc):
            for f in extract.FIELDS:
                if named in (None, f):
                    state.keyed_values.setdefault(f, []).append(value)
    if lines or barcodes:
        _update_brand(state, ctx)
    elif state.brand is None or state.brand.evidence == "patterns":
        state.brand = extract.infer_brand(state.keyed_values, ctx.patterns)


def _update_brand(state: _PageState, ctx: _Context) -> None:
    """A brand name read beats every inference; an identifier, a logo or a link beats the values'
    shapes."""
    texts = state.texts()
    found = state.brand_named(ctx.patterns) or extract.brand_marks(texts, ctx.patterns) \
        or extract.brand_logo([r.lines for r in state.upright()], ctx.patterns)
    if found is None:
        found = extract.brand_from_links([b for r in state.readings for b in r.barcodes], ctx.patterns)
    state.brand = found or extract.infer_brand(state.keyed_values, ctx.patterns)


def _stop_threshold(opts: ScanOptions) -> float:
    """The confidence at which a field needs no more views (the benchmark keeps every value
    yet reads views as a default run does)."""
    return opts.min_confidence if opts.stop_confidence is None else opts.stop_confidence


def _checked_candidates(state: _PageState, ctx: _Context) -> list[extract.Cand]:
    """Every reading's candidates, serials confirmed by an express code the page prints."""
    return extract.code_checked(state.candidates(ctx.patterns), state.texts(),
                                state.brand.brand if state.brand else None)


def _settled(state: _PageState, ctx: _Context, level: float) -> set[str]:
    """The fields that Tesseract's own values settle at ``level`` or more (the second engine's
    values left out, and its cross-check not overruling them)."""
    own = [c for c in _checked_candidates(state, ctx) if not c.second]
    return set(extract.choose(own, level, overrule=False).fields)


def _resolved(state: _PageState, ctx: _Context) -> bool:
    """Tesseract's values settle both fields: the second engine's own values fill in only
    after the last view (read on, they would stop the views that give Tesseract its chance)."""
    return _settled(state, ctx, _stop_threshold(ctx.options)) >= set(extract.FIELDS)


ORIENTED = 0.4  # a keyed value this good tells which way up the page is
LEGIBLE_WORD = 0.7  # a word read at least this surely, of 3 or more letters and digits, is legible
LEGIBLE_MIN = 20  # characters in legible words: fewer say nothing about the turn
LEGIBLE_RATIO = 3  # the turn read this many times more legibly than the opposite turn is right


def legibility(words: Sequence[Word]) -> int:
    """Letters and digits in the words an engine read surely and of 3 or more such characters.
    Text read upside down or sideways gives few: Tesseract still returns words, but unsure ones."""
    n = 0
    for w in words:
        k = sum(ch.isalnum() for ch in w.text)
        if k >= 3 and w.confidence >= LEGIBLE_WORD:
            n += k
    return n


def _orientation(state: _PageState) -> int | None:
    """Which way up the page is, once known: the turn of the first view in which a key was read
    with a value of the right shape; else a turn read far more legibly than its opposite; else,
    once all four turns were read, the most legible one if it read enough (None while nothing tells)."""
    if state.rotation is not None:
        return state.rotation
    seen = state.legibility
    if not seen:
        return None
    r, n = max(seen.items(), key=lambda kv: kv[1])
    if n < LEGIBLE_MIN:
        return None  # a few sure words say little: the views that follow are costly to turn wrongly
    # far more legible than the opposite turn (once read) and every other turn read so far
    if (r + 180) % 360 in seen and all(n >= LEGIBLE_RATIO * max(m, 1) for t, m in seen.items() if t != r):
        return r
    return r if len(seen) == 4 else None


SPARE_PATIENCE = 0.5  # of the usual time limit, for a view that is only a second chance (View.spare)
# A binarised or enhanced variant of a view that Tesseract read in t seconds gets at most
# max(VARIANT_FLOOR, VARIANT_TIMES * t). On three hard sets the variants that finished took at
# most 4.5x their view's time, but for one photo's (15x, 1.8 s: cut now, with the same answers);
# those that timed out had run 7-37x when stopped, up to 3 s each.
VARIANT_TIMES = 8.0
VARIANT_FLOOR = 1.0
SPARE_HOPE = 0.75  # of the stop threshold: second chances only once some value came this near


def _variant_limit(state: _PageState, view: preprocess.View, family: str) -> float | None:
    """Seconds a second-chance variant of a view may take, from the time its family's first
    view took (None: the usual limit)."""
    took = state.family_seconds.get(family) if view.spare and family else None
    return None if took is None else max(VARIANT_FLOOR, VARIANT_TIMES * took)


def _near_a_value(state: _PageState, ctx: _Context) -> bool:
    """Some value read so far (not only to check one) came near the threshold. The second-chance
    views (binarised, contrast-enhanced, the full frame, text beside the label) confirm or
    repair a value nearly read; on the generated sets and the real photos they never found one
    where the label's views had read nothing this near, and they took about a fifth of the time."""
    near = SPARE_HOPE * _stop_threshold(ctx.options)
    return any(c.confidence >= near and not (c.check or c.second) for c in state.candidates(ctx.patterns))


# RapidOCR finds text lines itself: only the levelled views are worth giving it, and every turn
# of them (its lines need not run as the geometry's)
_VIEW_KINDS = {"rapidocr": ("level", "label", "page")}
_OWN_LINES = frozenset(_VIEW_KINDS)


def _ocr_views(page: sources.Page, ctx: _Context, state: _PageState, barcodes: list[Barcode], engine_name: str) -> None:
    engine = ctx.engine(engine_name)
    kinds = _VIEW_KINDS.get(engine_name)
    tried = timeouts = 0
    # once a key word is read, its view is the right way up: no more turning
    started = time.perf_counter()
    if state.grey is None:
        state.grey = preprocess.to_grey(page.image)  # the views and the focused crops sample it
    for view in preprocess.plan_views(state.grey, colour=page.image, orientation=lambda: _orientation(state),
                                      quarter_turns=engine_name in _OWN_LINES):
        if tried and time.perf_counter() - started > ctx.options.page_budget:
            state.warnings.append(f"{engine_name}: stopped after {ctx.options.page_budget:g} s on this page")
            break
        if kinds and not view.name.startswith(kinds):
            continue
        family = f"{engine_name}:{view.family}" if view.family else ""
        if family and family in state.family_seconds and state.family_seconds[family] is None:
            continue  # the same pixels turned or drawn again: texture that timed out already
        if view.spare and not _near_a_value(state, ctx):
            state.warnings.append(f"{engine_name}: no value came near the threshold in the label's views; "
                                  "second-chance views skipped")
            break
        if tried >= ctx.options.max_views:
            state.warnings.append(f"{engine_name}: stopped after {tried} view{'s' * (tried > 1)} (max_views) with a "
                                  f"field unresolved; view {view.name} and any after it not read")
            break
        tried += 1
        if view.search_codes and ctx.options.barcodes and view.name not in state.searched:
            state.searched.add(view.name)
            known = {b.text for b in barcodes} | {b.text for r in state.readings for b in r.barcodes}
            found = _view_barcodes(view, known, page.file)
            if view.inverted and "page inverted" not in state.searched:
                # light print on a dark plate: so may its codes be, anywhere on the plate (the
                # photo was searched for dark bars only, and the view is cut to the text)
                state.searched.add("page inverted")
                known |= {b.text for b in found}
                found += _new_barcodes(255 - state.grey, known, page.file)
            if found:
                _add_reading(state, ctx, (), (), found, lambda b: b)
        read_started = time.perf_counter()
        try:
            if isinstance(engine, engines.TesseractEngine):
                words = engine.read(view.image, patience=SPARE_PATIENCE if view.spare else 1.0,
                                    most=_variant_limit(state, view, family))
            else:
                words = engine.read(view.image)
        except OcrTimeoutError as e:
            # one pathological view (dense texture) must not cost the photo: try the others
            skipped = "; its other turns and variants are not read" if family else ""
            state.warnings.append(f"{engine_name} view {view.name}: {e}{skipped}")
            if family:
                state.family_seconds[family] = None
            timeouts += 1
            if timeouts >= 2:
                break
            continue
        if family:
            state.family_seconds.setdefault(family, time.perf_counter() - read_started)
        if view.turned:
            state.legibility[view.rotation] = max(state.legibility.get(view.rotation, 0), legibility(words))
        lines = layout.group_lines(words)
        pairs = layout.find_pairs(lines)
        first_reading = not state.views
        _add_reading(state, ctx, lines, pairs, barcodes if first_reading else (), view.box_to_page,
                     turn=view.rotation if view.turned else None)
        if state.rotation is None and any(c.source.startswith("key") and c.rule and c.confidence >= ORIENTED
                                          for c in state.reading_candidates(len(state.readings), ctx.patterns)):
            state.rotation = view.rotation  # a key with a value of the right shape: right way up
        state.views.append(f"{engine_name}:{view.name}")
        if first_reading:
            h, w = view.image.shape[:2]
            x, y, bw, bh = view.box_to_page((0, 0, w, h))
            ph, pw = page.image.shape[:2]
            x0, y0 = max(0, x), max(0, y)
            state.label_box = (x0, y0, min(pw, x + bw) - x0, min(ph, y + bh) - y0)
        if ctx.options.debug_dir:
            _debug_save(ctx.options.debug_dir, page, view, words)
        if ctx.options.focus and isinstance(engine, engines.TesseractEngine):
            _focus(page, view, lines, pairs, state, ctx, engine)
        if _resolved(state, ctx):
            break
    if tried and not any(v.startswith(f"{engine_name}:") for v in state.views):
        per_view = (f"{engines.TIMEOUT_BASE:g} s + {engines.TIMEOUT_PER_MP:g} s per megapixel (a second-chance "
                    f"view {SPARE_PATIENCE:g} of that), at most {ctx.options.timeout:g} s"
                    if engine_name == "tesseract" else f"{ctx.options.timeout:g} s")
        raise OcrTimeoutError(f"every {engine_name} pass timed out ({tried} view{'s' * (tried > 1)}, "
                              f"each given {per_view}): the photo reads as texture, not text")


def _new_barcodes(image: np.ndarray, known: set[str], file: str) -> list[Barcode]:
    """Codes in an image whose text is not known yet, boxes in the image's pixels; a decoder
    failure is logged and gives none (it must not cost the OCR result)."""
    try:
        codes = engines.read_barcodes(image)
    except OcrLabelsError as e:
        log.warning("%s: %s", file, e)
        return []
    return [bc for bc in codes if bc.text not in known]


def _view_barcodes(view: preprocess.View, known: set[str], file: str) -> list[Barcode]:
    """Codes in a view that the whole photo did not give: the view is levelled and larger, and
    sharpened it parts bars that blur ran together (the view as it is decoded nothing more on
    the real photos or the generated sets). Boxes in page pixels."""
    return [Barcode(bc.format, bc.text, view.box_to_page(bc.box))
            for bc in _new_barcodes(preprocess.sharpen(view.image), known, file)]


FOCUS_PER_FIELD = 2  # keys of one field re-read per page at most
FOCUS_SEARCH = 14.0  # a key read without a value: look this many text heights to its right


def _focus_targets(lines: Sequence[Line], pairs: Sequence[layout.KeyValue],
                   width: int | None = None) -> list[tuple[str, tuple, float, int, float, tuple | None]]:
    """(field, box, text height, page segmentation mode, extra width to the right, the value's
    own box when it sits under its key) for every model or serial key of a reading: the key with
    the value words found for it, or the key alone with room to its right when no value was read.
    A value that runs into the right edge of the view (``width`` pixels wide) may go on beyond
    it: it gets the same room."""
    groups: dict[tuple[str, tuple], list] = {}
    for kv in pairs:
        if kv.field not in extract.FIELDS:
            continue
        g = groups.setdefault((kv.field, kv.key.box), [kv.key.box, [], 7, 2.0, None])
        g[0] = extract._union([g[0], *(w.box for w in kv.words)])
        g[1].extend(w.box[3] for w in kv.words)
        if kv.position == "below":
            g[2] = 6
            g[4] = extract._union([*(w.box for w in kv.words), *([g[4]] if g[4] else [])])
        end = max(w.box[0] + w.box[2] for w in kv.words)
        if width is not None and end >= width - max(w.box[3] for w in kv.words):
            g[3] = FOCUS_SEARCH  # cut off by the view's edge, perhaps
    out = [(f, box, float(np.median(hs)), psm, right, under)
           for (f, _), (box, hs, psm, right, under) in groups.items()]
    for line in lines:
        for w in line.words:
            f = layout.key_field(w.text)
            if f in extract.FIELDS and (f, w.box) not in groups:
                out.append((f, w.box, float(w.box[3]), 7, FOCUS_SEARCH, None))
    return out


def _focus(page: sources.Page, view: preprocess.View, lines: Sequence[Line], pairs: Sequence[layout.KeyValue],
           state: _PageState, ctx: _Context, engine: engines.TesseractEngine) -> None:
    """Re-read each key and its value on a zoomed crop sampled again from the page (and, when
    that reading does not agree with an earlier one, on an Otsu-binarised copy). Values read
    alike by independent readings gain confidence in :func:`extract.choose`; values that
    disagree compete. With the cross-check, the second engine's recogniser reads the value's
    line too, only to check (see :func:`extract.choose`), and the crop is kept for its text
    finder once the views are read (:func:`_read_blocks`)."""
    assert state.grey is not None  # set by _ocr_views
    for field_name, box, char_h, psm, right, under in _focus_targets(lines, pairs, view.image.shape[1]):
        if state.focused.get(field_name, 0) >= FOCUS_PER_FIELD:
            continue
        state.focused[field_name] = state.focused.get(field_name, 0) + 1
        crop = preprocess.focus(state.grey, view, box, char_h, f"focus-{field_name}", right=right)
        for variant in (crop.image, preprocess.otsu(crop.image)):
            seen = state.values(field_name, ctx.patterns)
            try:
                words = engine.read(variant, psm=psm, alternatives=True)
            except OcrTimeoutError:
                break
            found = [kv for kv in layout.find_pairs(layout.group_lines(words)) if kv.field == field_name]
            _add_reading(state, ctx, (), found, (), crop.box_to_page)
            state.views.append(f"{engine.name}:{crop.name}")
            new = state.reading_candidates(len(state.readings), ctx.patterns)
            if any(c.confidence > 0 and c.value in seen for c in new):
                break  # a second reading agrees: no need for a third
        checker = ctx.checker()
        if checker is not None and (psm == 7 or under is not None):
            # one line: a recogniser alone reads two as one, so a value under its key is cut out
            line = crop if under is None else preprocess.focus(state.grey, view, under, char_h,
                                                               f"check-{field_name}", right=1.0)
            lengths = {len(v) for v in state.values(field_name, ctx.patterns)}
            words = checker.read_line(line.image)
            _add_reading(state, ctx, (), _windows(words, field_name, lengths), (), line.box_to_page, check=True)
            # (its own values carry no doubts: the rules that weigh doubts weigh Tesseract's)
            own = _second_values([replace(w, alternatives=None) for w in words], field_name, under is not None)
            if own:
                _add_reading(state, ctx, (), own, (), line.box_to_page, second=True)
        if checker is not None:
            state.blocks.append((field_name, crop))  # see _read_blocks


SECOND_SURE = 0.9  # the second engine's own score for a line below which its value is not taken


def _second_values(words: Sequence[Word], field_name: str, under: bool) -> list[layout.KeyValue]:
    """The values for a key that the second engine read surely (its own score) on the key's own
    crop: the pairs of its line, or, on the line cut out under a key, its one word.
    :func:`extract.choose` counts them only where Tesseract's own values of the field stay unsure."""
    if not words or min(w.confidence for w in words) < SECOND_SURE:
        return []
    if under:
        if len(words) != 1:
            return []  # more than the value under the key: a caption or two values side by side
        return [layout.KeyValue(field_name, _unread_key(words), words[0].text, tuple(words), "below")]
    return [kv for kv in layout.find_pairs(layout.group_lines(words)) if kv.field == field_name]


# Tesseract's value for a field at this or more is not read again by the second engine's text
# finder. Over hard 6262, 6464, 6868 and mixed 6969, reported values under 0.9 were 138 right and
# 11 wrong, those at 0.9 or more 160 right and 1 wrong.
BLOCKS_UNDER = 0.9


def _read_blocks(state: _PageState, ctx: _Context) -> None:
    """Once the views are read, the second engine finds and reads the lines of each key's crop
    for a field that Tesseract's values leave under BLOCKS_UNDER: a value under its key, or
    beside a barcode, is not on the key's line that it read to check. Where Tesseract's values
    stay under SURE, its values fill in; otherwise a sure value of its that has the chosen
    value's length but other characters makes that value a guess (see :func:`extract.choose`).
    (Its values only count after the last view, so reading them sooner would only cost time:
    about 0.1 s a crop.) Each crop is read, even where two views' crops of one key overlap:
    their pixels differ, and reading only the first lost three right values and let two wrong
    ones back on the hard working sets."""
    checker = ctx.checker()
    if checker is None or not state.blocks:
        return
    # (the second engine's values do not change how sure Tesseract's own are)
    open_fields = set(extract.FIELDS) - _settled(state, ctx, BLOCKS_UNDER)
    for field_name, crop in state.blocks:
        if field_name not in open_fields:
            continue
        # the other field's key and value may be in the crop too (the line below or above)
        own = _block_values(checker.read_block(crop.image), open_fields, crop.image.shape[1])
        if own:
            _add_reading(state, ctx, (), own, (), crop.box_to_page, second=True)


def _block_values(words: Sequence[Word], fields: Iterable[str], width: int) -> list[layout.KeyValue]:
    """The values for keys of ``fields`` in the lines the second engine found and read on a
    key's crop ``width`` pixels wide, where it read the value's words surely (its own score)
    and none of them reaches the crop's side (within half its height: the value may go on
    beyond it)."""
    def inside(w: Word) -> bool:
        x, _, bw, bh = w.box
        return x > bh / 2 and x + bw < width - bh / 2

    return [kv for kv in layout.find_pairs(layout.group_lines(words))
            if kv.field in fields and all(w.confidence >= SECOND_SURE and inside(w) for w in kv.words)]


def _unread_key(words: Sequence[Word]) -> Word:
    """A blank stand-in for the key of a line the second engine read (its key word is cut off,
    misread or glued to the value): empty, where the line starts."""
    return Word("", words[0].box, 0.0, words[0].line_id)


def _windows(words: Sequence[Word], field_name: str, lengths: Iterable[int]) -> list[layout.KeyValue]:
    """Every run of characters, of each length given, in a line a second engine read: the
    strings it may have read where Tesseract read the field's values (its key word may be
    misread or glued to the value, so the line is not split into key and value)."""
    if not words:
        return []
    text = extract.normalise("".join(w.text for w in words))
    key = _unread_key(words)
    return [layout.KeyValue(field_name, key, text[i:i + n], tuple(words), "check")
            for n in sorted(set(lengths)) for i in range(len(text) - n + 1)]


def _text_lines(text: str) -> list[Line]:
    """Plain text (a PDF text layer, a string) as lines of words with made-up boxes, so that the
    same layout rules apply: one character is 10 px wide, one line 30 px high."""
    lines = []
    for row, raw in enumerate(text.splitlines()):
        words = []
        col = 0
        for token in raw.split(" "):
            if token:
                words.append(Word(token, (col * 10, row * 30, len(token) * 10, 20), 1.0, (row,)))
            col += len(token) + 1
        if words:
            lines.append(Line(tuple(words)))
    return layout.group_lines([w for ln in lines for w in ln.words])


def _finish(state: _PageState, ctx: _Context, file: str, page_no: int | None, sha: str | None,
            t0: float, engine_name: str) -> Record:
    opts = ctx.options
    _update_brand(state, ctx)  # the turn may have become known with the last reading
    texts = state.texts()
    choice = extract.choose(_checked_candidates(state, ctx), opts.min_confidence)
    model = choice.fields.get("model")
    serial = choice.fields.get("serial")
    brand_name = state.brand.name if state.brand else None
    warnings = list(choice.warnings) + state.warnings
    if state.brand is None:
        warnings.append("brand: no brand name found on the label; generic patterns used")
    elif state.brand.evidence == "patterns":
        warnings.append(f"brand: {state.brand.name} inferred from the shapes of model and serial, not read")
    elif state.brand.evidence.startswith("link:"):
        warnings.append(f"brand: {state.brand.name} inferred from the domain of a link in a code, not read")
    elif state.brand.evidence.startswith("mark:"):
        warnings.append(f"brand: {state.brand.name} inferred from an identifier registered to it "
                        f"({state.brand.evidence[5:]}), not read")
    as_of = opts.as_of or date.today()
    manufactured = dates.parse_printed_date("\n".join(texts), as_of=as_of)
    if manufactured is None and serial is not None and brand_name:
        try:
            manufactured = dates.decode_serial(ctx.patterns, brand_name, serial.value,
                                               model=model.value if model else None, as_of=as_of)
        except Exception as e:  # a date rule must never cost the record
            warnings.append(f"date: could not decode ({e})")
    boxes = {}
    if state.label_box:
        boxes["label"] = list(state.label_box)
    for f in (model, serial):
        if f is not None and f.box is not None:
            boxes[f.name] = list(f.box)
    models = tuple(extract.page_models(texts, state.brand.brand if state.brand else None, ctx.patterns)) \
        if page_no is not None else ()
    return Record(
        file=file, page=page_no, brand=brand_name,
        model=model.value if model else None, serial=serial.value if serial else None,
        model_confidence=model.confidence if model else None,
        serial_confidence=serial.confidence if serial else None,
        model_source=model.source if model else None, serial_source=serial.source if serial else None,
        manufactured=manufactured.to_dict() if manufactured else None,
        candidates=tuple(c.to_dict() for c in choice.candidates),
        warnings=tuple(warnings), error=None, seconds=round(time.perf_counter() - t0, 3),
        brand_confidence=state.brand.confidence if state.brand else None,
        age_years=dates.age_years(manufactured, as_of) if manufactured else None,
        models=models, sha256=sha, engine="+".join(dict.fromkeys(v.split(":")[0] for v in state.views)) or engine_name,
        boxes=boxes or None,
    )


def _scan_page(page: sources.Page, ctx: _Context) -> Record:
    t0 = time.perf_counter()
    state = _PageState()
    opts = ctx.options
    if page.image is None:  # a PDF page with a text layer: no OCR
        lines = _text_lines(page.text or "")
        _add_reading(state, ctx, lines, layout.find_pairs(lines), (), lambda b: b)
        state.views.append("text-layer")
        return _finish(state, ctx, page.file, page.page, page.sha256, t0, "text-layer")
    barcodes = _new_barcodes(page.image, set(), page.file) if opts.barcodes else []
    first = "tesseract" if opts.engine in ("tesseract", "auto") else opts.engine
    timed_out = None
    try:
        _ocr_views(page, ctx, state, barcodes, first)
    except OcrTimeoutError as e:
        if not barcodes and opts.engine != "auto":
            raise
        # the photo's codes, and the second engine (which reads texture no slower than text),
        # may still give a value: the timeout is then a warning, not the record's error
        timed_out = e
        state.warnings.append(str(e))
        if barcodes:
            _add_reading(state, ctx, (), (), barcodes, lambda b: b)
    _read_blocks(state, ctx)
    if opts.engine == "auto" and not _resolved(state, ctx):
        try:
            _ocr_views(page, ctx, state, [], "rapidocr")
        except MissingEngineError:
            pass
    record = _finish(state, ctx, page.file, page.page, page.sha256, t0, first)
    if timed_out is not None and record.model is None and record.serial is None:
        raise timed_out
    if opts.debug_dir:
        _debug_chosen(opts.debug_dir, page, record)
    return record


def _debug_chosen(debug_dir: str, page: sources.Page, record: Record) -> None:
    """The photo with the label area and the chosen model (blue) and serial (red) boxed, and the
    label crop: why a value was picked is visible at a glance."""
    import cv2

    out = Path(debug_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(page.file).stem + (f"-p{page.page}" if page.page else "")
    img = page.image.copy()
    boxes = record.boxes or {}
    thick = max(2, img.shape[1] // 400)
    for name, colour in (("label", (0, 170, 0)), ("model", (220, 80, 0)), ("serial", (0, 0, 220))):
        if name in boxes:
            x, y, w, h = boxes[name]
            cv2.rectangle(img, (x, y), (x + w, y + h), colour, thick)
            value = getattr(record, name, None) if name != "label" else None
            if value:
                cv2.putText(img, value, (x, max(0, y - 6)), cv2.FONT_HERSHEY_SIMPLEX, 0.8, colour, 2)
    cv2.imwrite(str(out / f"{stem}.chosen.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if "label" in boxes:
        x, y, w, h = boxes["label"]
        if w > 0 and h > 0:
            cv2.imwrite(str(out / f"{stem}.label.jpg"), page.image[y:y + h, x:x + w], [cv2.IMWRITE_JPEG_QUALITY, 85])


def _debug_save(debug_dir: str, page: sources.Page, view: preprocess.View, words: Sequence[Word]) -> None:
    import cv2

    out = Path(debug_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = Path(page.file).stem + (f"-p{page.page}" if page.page else "")
    img = cv2.cvtColor(view.image, cv2.COLOR_GRAY2BGR)
    for w in words:
        x, y, bw, bh = w.box
        colour = (0, 160, 0) if layout.key_field(w.text) else (200, 80, 0)
        cv2.rectangle(img, (x, y), (x + bw, y + bh), colour, 2)
    cv2.imwrite(str(out / f"{stem}.{view.name}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 80])


# ---------------------------------------------------------------- public functions

def scan_image(image: np.ndarray | bytes | str | os.PathLike[str], options: ScanOptions = ScanOptions(),
               *, name: str | None = None) -> Record:
    """Scan one image (BGR array, encoded bytes or a path) and return its record; the first page
    when a path or bytes hold several. Unreadable input gives a record with ``error`` set."""
    records = list(_scan_one(image, _shared_context(options), name))
    return records[0]


def _scan_one(item, ctx: _Context, name: str | None = None) -> list[Record]:
    t0 = time.perf_counter()
    label = name or (str(item) if isinstance(item, (str, os.PathLike)) else "<image>")
    try:
        if isinstance(item, np.ndarray):
            img = item if item.ndim == 3 else np.repeat(item[:, :, None], 3, axis=2)
            pages = [sources.Page(np.ascontiguousarray(img, dtype=np.uint8), label)]
        elif isinstance(item, (bytes, bytearray)):
            pages = sources.load_bytes(bytes(item), label)
        else:
            pages = sources.load_path(item)
    except InputError as e:
        return [Record.failed(label, str(e), seconds=round(time.perf_counter() - t0, 3))]
    out = []
    for page in pages:
        try:
            out.append(_scan_page(page, ctx))
        except (MissingTesseractError, MissingEngineError):
            raise  # a broken set-up fails the whole run, not each photo
        except OcrTimeoutError as e:
            out.append(Record.failed(label, str(e), page=page.page, sha256=page.sha256,
                                     seconds=round(time.perf_counter() - t0, 3)))
        except OcrLabelsError as e:
            out.append(Record.failed(label, str(e), page=page.page, sha256=page.sha256,
                                     seconds=round(time.perf_counter() - t0, 3)))
        except Exception as e:  # a bug on one odd photo must not end a batch of thousands
            log.exception("%s: unexpected failure", label)
            out.append(Record.failed(label, f"internal error: {type(e).__name__}: {e}", page=page.page,
                                     sha256=page.sha256, seconds=round(time.perf_counter() - t0, 3)))
    return out


_worker_ctx: _Context | None = None


def _worker_init(options: ScanOptions) -> None:
    global _worker_ctx
    _worker_ctx = _context(options)


def _worker_scan(path: str) -> list[Record]:
    assert _worker_ctx is not None
    return _scan_one(path, _worker_ctx)


def scan_file(path: str | os.PathLike[str], options: ScanOptions = ScanOptions()) -> list[Record]:
    """All records of one file (one per page), building the per-process context once per options.
    This is the per-photo function that executors (process pool, Dask) ship to their workers."""
    return _scan_one(path, _shared_context(options))


def scan_paths(paths: Iterable[str | os.PathLike[str]], options: ScanOptions = ScanOptions(),
               *, skip: Callable[[Path], bool] | None = None) -> Iterator[Record]:
    """Records for every image and PDF under ``paths`` (directories are walked), in input order.
    ``skip(path)`` may return True for files already done (resume)."""
    files = [p for p in sources.iter_inputs(paths) if not (skip and skip(p))]
    yield from scan_files(files, options)


def scan_files(files: Sequence[Path], options: ScanOptions = ScanOptions()) -> Iterator[Record]:
    check_setup(options)
    if options.workers <= 1 or len(files) <= 1:
        ctx = _context(options)
        for f in files:
            yield from _scan_one(f, ctx)
        return
    with ProcessPoolExecutor(max_workers=options.workers, initializer=_worker_init, initargs=(options,)) as pool:
        for records in pool.map(_worker_scan, [str(f) for f in files], chunksize=1):
            yield from records


def classify_text(text: str, options: ScanOptions = ScanOptions(), *, name: str = "<text>") -> Record:
    """Extract brand, model and serial from text already read (a PDF text layer, another OCR's
    output, a pasted label): the same rules as for photos, without OCR."""
    page = sources.Page(None, name, None, text, None)
    rec = _scan_page(page, _context(options))
    return replace(rec, engine="text")


__all__ = ["ScanOptions", "scan_image", "scan_file", "scan_paths", "scan_files", "classify_text", "check_setup",
           "DEFAULT_MIN_CONFIDENCE"]
