"""Engine-neutral data passed between stages: plain frozen dataclasses.

Boxes are ``(left, top, width, height)`` in pixels of the *original* page unless a
docstring says otherwise; stages that work on a transformed view map boxes back.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

Box = tuple[int, int, int, int]


def _box(value: Any) -> Box:
    left, top, width, height = (int(v) for v in value)
    if width < 0 or height < 0:
        raise ValueError(f"box with negative size: {value!r}")
    return (left, top, width, height)


@dataclass(frozen=True)
class Word:
    """One word as an OCR engine read it. ``confidence`` is in [0, 1]."""

    text: str
    box: Box
    confidence: float
    line_id: tuple[int, ...] = ()  # engine's own block/paragraph/line numbers, if any
    # (index into text, character): a letter or digit the engine nearly read there instead; None
    # when the engine was not asked (not compared: the same word with or without them is the same)
    alternatives: tuple[tuple[int, str], ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "box", _box(self.box))
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"word confidence {self.confidence} outside [0, 1]")

    def part(self, text: str) -> "Word":
        """This word cut to ``text``, a piece of its text (the last such piece, of any case), with
        the alternatives that fall in that piece (none when ``text`` is no piece of it)."""
        at = self.text.upper().rfind(text.upper())
        alternatives = None if self.alternatives is None else tuple(
            (i - at, ch) for i, ch in self.alternatives if at >= 0 and at <= i < at + len(text))
        return Word(text, self.box, self.confidence, self.line_id, alternatives)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "box": list(self.box), "confidence": self.confidence,
                "line_id": list(self.line_id),
                "alternatives": None if self.alternatives is None else [list(a) for a in self.alternatives]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Word":
        near = d.get("alternatives")
        return cls(d["text"], tuple(d["box"]), float(d["confidence"]), tuple(d.get("line_id", ())),
                   None if near is None else tuple((int(i), str(ch)) for i, ch in near))


@dataclass(frozen=True)
class Barcode:
    """A decoded 1D or 2D code."""

    format: str
    text: str
    box: Box

    def __post_init__(self) -> None:
        object.__setattr__(self, "box", _box(self.box))

    def to_dict(self) -> dict[str, Any]:
        return {"format": self.format, "text": self.text, "box": list(self.box)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Barcode":
        return cls(d["format"], d["text"], tuple(d["box"]))


@dataclass(frozen=True)
class Line:
    """Words on one visual text line, left to right."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def box(self) -> Box:
        lefts = [w.box[0] for w in self.words]
        tops = [w.box[1] for w in self.words]
        rights = [w.box[0] + w.box[2] for w in self.words]
        bottoms = [w.box[1] + w.box[3] for w in self.words]
        return (min(lefts), min(tops), max(rights) - min(lefts), max(bottoms) - min(tops))

    @property
    def height(self) -> int:
        return sorted(w.box[3] for w in self.words)[len(self.words) // 2]


@dataclass(frozen=True)
class Field:
    """A chosen value for one record field."""

    name: str  # "model" | "serial"
    value: str
    confidence: float
    source: str  # "key", "pattern", "key+pattern", "barcode", "barcode+ocr", ...
    box: Box | None = None
    brand_rule: str | None = None  # id of the pattern rule that validated it

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"field confidence {self.confidence} outside [0, 1]")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["box"] = list(self.box) if self.box else None
        return d


@dataclass(frozen=True)
class Candidate:
    """A value considered for a field, kept in the record so a person can see the runners-up."""

    field: str
    value: str
    confidence: float
    source: str = ""
    reason: str = ""  # why it was not chosen, if it was not

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v != "" or k in ("field", "value")}


__all__ = ["Box", "Word", "Barcode", "Line", "Field", "Candidate", "field"]
