"""The record: one per input image or PDF page. Its field names are a contract other tools read.

Keep names stable; add fields rather than rename them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any

# Column order for CSV and the documented JSON shape. New fields go at the end.
RECORD_FIELDS = (
    "file", "page", "brand", "model", "serial",
    "model_confidence", "serial_confidence", "model_source", "serial_source",
    "manufactured", "candidates", "warnings", "error", "seconds",
    # additions after the first contract
    "brand_confidence", "age_years", "models", "sha256", "engine", "boxes",
)


@dataclass(frozen=True)
class Record:
    file: str
    page: int | None = None
    brand: str | None = None
    model: str | None = None
    serial: str | None = None
    model_confidence: float | None = None
    serial_confidence: float | None = None
    model_source: str | None = None
    serial_source: str | None = None
    manufactured: dict[str, Any] | None = None
    candidates: tuple[dict[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()
    error: str | None = None
    seconds: float = 0.0
    brand_confidence: float | None = None
    age_years: float | None = None
    models: tuple[str, ...] = ()
    sha256: str | None = None
    engine: str | None = None
    # boxes in original-image pixels [left, top, width, height]: "label", "model", "serial"
    boxes: dict[str, list[int]] | None = None

    def __post_init__(self) -> None:
        for name in ("model_confidence", "serial_confidence", "brand_confidence"):
            v = getattr(self, name)
            if v is not None and not 0.0 <= v <= 1.0:
                raise ValueError(f"{name}={v} outside [0, 1]")
        if self.error is not None and (self.model or self.serial):
            raise ValueError("a record with an error carries no values")

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_dict(self) -> dict[str, Any]:
        d = {name: getattr(self, name) for name in RECORD_FIELDS}
        d["candidates"] = [dict(c) for c in self.candidates]
        d["warnings"] = list(self.warnings)
        d["models"] = list(self.models)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Record":
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        for name in ("candidates", "warnings", "models"):
            if name in kw and kw[name] is not None:
                kw[name] = tuple(kw[name])
        return cls(**kw)

    @classmethod
    def failed(cls, file: str, error: str, *, page: int | None = None, seconds: float = 0.0,
               sha256: str | None = None) -> "Record":
        return cls(file=file, page=page, error=error, seconds=seconds, sha256=sha256)


__all__ = ["Record", "RECORD_FIELDS"]
