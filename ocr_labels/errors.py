"""Error types. Each carries the exit code the command line uses and a how-to-fix hint.

Library code raises these; only ``cli.py`` turns them into exit codes, and the batch
runner turns a per-file failure into a record with ``error`` set.
"""
from __future__ import annotations


class OcrLabelsError(Exception):
    """Base class. ``exit_code`` is what the command line exits with."""

    exit_code = 1
    hint = ""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:  # message, then the hint if any
        msg = super().__str__()
        return f"{msg} ({self.hint})" if self.hint else msg


class InputError(OcrLabelsError, ValueError):
    """An input file could not be read as an image or PDF."""


class ImageLoadError(InputError):
    """The bytes are not a decodable image (corrupt, truncated, empty, wrong type)."""


class ImageTooLargeError(InputError):
    """More pixels than the decompression-bomb limit allows."""


class PdfError(InputError):
    """A PDF could not be opened or rendered."""


class MissingTesseractError(OcrLabelsError, RuntimeError):
    """The tesseract binary (or its English data) is not installed."""

    hint = (
        "install Tesseract 5 with English data: 'apt-get install tesseract-ocr tesseract-ocr-eng' "
        "on Debian/Ubuntu, 'brew install tesseract' on macOS, 'dnf install tesseract' on Fedora; "
        "or run 'make demo', which installs it where apt-get exists"
    )


class OcrTimeoutError(OcrLabelsError, TimeoutError):
    """Tesseract took longer than the per-call timeout."""


class EngineError(OcrLabelsError, RuntimeError):
    """An OCR engine failed for a reason other than a timeout."""


class MissingEngineError(OcrLabelsError, ImportError):
    """An optional engine was asked for but its package is not installed."""

    exit_code = 2


class PatternFileError(OcrLabelsError, ValueError):
    """A pattern file is malformed; the message names the file and the entry."""

    exit_code = 2


class UsageError(OcrLabelsError, ValueError):
    """Options that do not fit together."""

    exit_code = 2
