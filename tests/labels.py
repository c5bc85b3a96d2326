"""Small clean labels drawn by the tests themselves (exact truth, no generator needed)."""
from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def draw_label(lines: list[str], *, size=(1100, 120), font_px=40, angle=0.0) -> np.ndarray:
    width, line_h = size
    img = Image.new("RGB", (width, line_h * len(lines) + 60), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, font_px)
    for i, text in enumerate(lines):
        d.text((40, 30 + i * line_h), text, font=font, fill="black")
    arr = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    if angle:
        h, w = arr.shape[:2]
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        arr = cv2.warpAffine(arr, m, (w, h), borderValue=(190, 190, 190))
    return arr


WHIRLPOOL = ["WHIRLPOOL CORPORATION", "MODEL WFW4720RW0", "SERIAL CD3700848", "P/N W10336553  120V 60Hz 15A"]


def write_jpeg(path, arr) -> None:
    cv2.imwrite(str(path), arr, [cv2.IMWRITE_JPEG_QUALITY, 92])


def text_pdf(pages: list[list[str]]) -> bytes:
    """A small PDF whose pages carry a real text layer (Helvetica), one string per line."""
    objects: list[bytes] = []
    n_pages = len(pages)
    font_id = 3 + 2 * n_pages
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    for i, lines in enumerate(pages):
        content_id = 4 + 2 * i
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content_id} 0 R "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode())
        ops = ["BT", "/F1 14 Tf", "16 TL", "72 720 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
