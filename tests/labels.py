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
