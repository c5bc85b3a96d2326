"""The process behind ``engines._Worker``: libtesseract, loaded once, reads the views it is sent.

Each request on standard input is ``engines.WORKER_REQUEST`` (height, width, channels, page
segmentation mode, time limit) followed by the image's bytes; each answer on standard output is
``engines.WORKER_REPLY`` (status, length) followed by Tesseract's TSV or an error message. One
byte, ``R``, says it is ready. It ends when its standard input closes (its caller ended) or
when its caller stops it at a time limit.
"""
from __future__ import annotations

import sys

import numpy as np

from . import engines
from .errors import OcrLabelsError, OcrTimeoutError


def _read(stream, n: int) -> bytes | None:
    got = bytearray()
    while len(got) < n:
        chunk = stream.read(n - len(got))
        if not chunk:
            return None
        got += chunk
    return bytes(got)


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    api = engines._LibTesseract(engines._load_library(check_version=False))
    stdout.write(b"R")
    stdout.flush()
    while True:
        head = _read(stdin, engines.WORKER_REQUEST.size)
        if head is None:
            return 0
        h, w, depth, psm, limit = engines.WORKER_REQUEST.unpack(head)
        data = _read(stdin, h * w * depth)
        if data is None:
            return 0
        image = np.frombuffer(data, dtype=np.uint8).reshape((h, w) if depth == 1 else (h, w, depth))
        try:
            status, text = engines.WORKER_OK, api.tsv(image, psm, limit)
        except OcrTimeoutError as e:
            status, text = engines.WORKER_TIMEOUT, str(e)
        except OcrLabelsError as e:
            status, text = engines.WORKER_ERROR, str(e)
        body = text.encode("utf-8")
        stdout.write(engines.WORKER_REPLY.pack(status, len(body)))
        stdout.write(body)
        stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
