"""Page → views for OCR. Small pure functions over arrays, and one planner that orders them.

Each :class:`View` keeps the affine transform from its pixels back to the original page, so
boxes found on a view can be drawn on the photo. Cheap views come first; the pipeline asks for
the next one only while fields remain unresolved.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import cv2
import numpy as np

TARGET_CAP_HEIGHT = 30  # px: Tesseract reads capitals of about 30-40 px best
MAX_VIEW_PIXELS = 4_000_000  # cap on the upscaled view: Tesseract time grows with pixels
ANALYSIS_SIDE = 1400  # geometry is measured on a copy at most this large


@dataclass(frozen=True)
class View:
    image: np.ndarray  # grey uint8
    to_page: np.ndarray  # 2x3 affine: view (x, y, 1) -> page (x, y)
    name: str
    rotation: int = 0  # degrees clockwise applied to the page

    def box_to_page(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, w, h = box
        pts = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], dtype=np.float64)
        mapped = pts @ self.to_page.T
        x0, y0 = mapped.min(axis=0)
        x1, y1 = mapped.max(axis=0)
        return (int(round(x0)), int(round(y0)), int(round(x1 - x0)), int(round(y1 - y0)))


@dataclass(frozen=True)
class TextGeometry:
    """What cheap image analysis says about the text on a page."""

    angle: float  # dominant direction of text lines in degrees, in (-90, 90]; 0 = horizontal
    char_height: float  # median character height in page pixels (0 when no text found)
    region: tuple[int, int, int, int] | None  # box of the text-dense area in page pixels
    n_chars: int


def to_grey(bgr: np.ndarray) -> np.ndarray:
    if bgr.ndim == 2:
        return bgr
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)


def normalise_illumination(grey: np.ndarray, char_height: float = 20.0) -> np.ndarray:
    """Divide by a smooth estimate of the background: evens out glare, shadow and gradients."""
    k = int(max(15, char_height * 3)) | 1
    background = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    background = cv2.GaussianBlur(background, (0, 0), k / 4)
    out = cv2.divide(grey, np.maximum(background, 1), scale=255)
    return cv2.normalize(out, None, 0, 255, cv2.NORM_MINMAX)


def clahe(grey: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8)).apply(grey)


def binarise(grey: np.ndarray, char_height: float = 30.0) -> np.ndarray:
    block = int(max(15, char_height * 1.5)) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15)


def _char_components(grey: np.ndarray) -> np.ndarray:
    """Character-like connected components (dark-on-light and light-on-dark) as rows of
    (x, y, w, h) in the given image's pixels."""
    rows = []
    for flag in (cv2.THRESH_BINARY_INV, cv2.THRESH_BINARY):
        bw = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, flag, 31, 12)
        n, _, stats, _ = cv2.connectedComponentsWithStats(bw, connectivity=8)
        st = stats[1:]
        w, h, area = st[:, 2], st[:, 3], st[:, 4]
        side = np.maximum(w, h)
        fill = area / np.maximum(w * h, 1)
        keep = (side >= 6) & (side <= grey.shape[0] / 6) & (fill > 0.12) & (fill < 0.95) & (np.minimum(w, h) >= 2)
        keep &= (np.maximum(w, h) / np.maximum(np.minimum(w, h), 1)) < 8
        rows.append(st[keep, :4])
    return np.concatenate(rows) if rows else np.zeros((0, 4), dtype=np.int32)


def analyse(grey: np.ndarray) -> TextGeometry:
    """Find text direction, character size and the text-dense region from neighbouring
    character-like blobs: characters of one line sit next to similar-sized neighbours."""
    h0, w0 = grey.shape[:2]
    scale = min(1.0, ANALYSIS_SIDE / max(h0, w0))
    small = cv2.resize(grey, (max(1, int(w0 * scale)), max(1, int(h0 * scale))), interpolation=cv2.INTER_AREA) if scale < 1 else grey
    comps = _char_components(small).astype(np.float64)
    if len(comps) < 4:
        return TextGeometry(0.0, 0.0, None, 0)
    if len(comps) > 2500:
        comps = comps[np.random.default_rng(0).choice(len(comps), 2500, replace=False)]
    cx = comps[:, 0] + comps[:, 2] / 2
    cy = comps[:, 1] + comps[:, 3] / 2
    size = np.maximum(comps[:, 2], comps[:, 3])
    dx = cx[None, :] - cx[:, None]
    dy = cy[None, :] - cy[:, None]
    dist = np.hypot(dx, dy)
    ratio = size[None, :] / size[:, None]
    ok = (ratio > 0.6) & (ratio < 1.6) & (dist > 0) & (dist < 1.6 * np.maximum(size[None, :], size[:, None]))
    dist_masked = np.where(ok, dist, np.inf)
    nearest = dist_masked.argmin(axis=1)
    has = np.isfinite(dist_masked[np.arange(len(comps)), nearest])
    if has.sum() < 4:
        return TextGeometry(0.0, 0.0, None, int(has.sum()))
    idx = np.nonzero(has)[0]
    angles = np.degrees(np.arctan2(dy[idx, nearest[idx]], dx[idx, nearest[idx]])) % 180.0
    hist, edges = np.histogram(angles, bins=36, range=(0, 180))
    # circular smoothing, then the peak
    smooth = hist + np.roll(hist, 1) + np.roll(hist, -1)
    peak = int(smooth.argmax())
    centre = (edges[peak] + edges[peak + 1]) / 2
    near = np.abs(((angles - centre + 90) % 180) - 90) < 10
    angle = float(np.median(((angles[near] - centre + 90) % 180) - 90) + centre) if near.any() else centre
    if angle > 90:
        angle -= 180
    vertical = abs(angle) > 45
    chained = comps[idx]
    # character height across the line direction
    across = chained[:, 2] if vertical else chained[:, 3]
    char_h = float(np.median(across)) / scale
    x0 = np.percentile(chained[:, 0], 1)
    y0 = np.percentile(chained[:, 1], 1)
    x1 = np.percentile(chained[:, 0] + chained[:, 2], 99)
    y1 = np.percentile(chained[:, 1] + chained[:, 3], 99)
    region = (int(x0 / scale), int(y0 / scale), int((x1 - x0) / scale), int((y1 - y0) / scale))
    return TextGeometry(angle, char_h, region, len(idx))


def _affine_view(grey: np.ndarray, region: tuple[int, int, int, int] | None, angle: float,
                 rotation: int, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Crop to region (page px), rotate by ``rotation`` + ``angle`` so text is horizontal, scale.
    Returns the image and the 2x3 transform back to the page."""
    h, w = grey.shape[:2]
    if region is None:
        region = (0, 0, w, h)
    x, y, rw, rh = region
    cx, cy = x + rw / 2, y + rh / 2
    theta = math.radians(rotation + angle)  # rotate the content by -theta to level it
    cos, sin = abs(math.cos(theta)), abs(math.sin(theta))
    out_w = int((rw * cos + rh * sin) * scale) + 2
    out_h = int((rw * sin + rh * cos) * scale) + 2
    # forward: page -> view  = S * R(-theta) * T(-c), then shift to the output centre
    c, s = math.cos(theta), math.sin(theta)
    fwd = np.array([[c * scale, s * scale, 0.0], [-s * scale, c * scale, 0.0]])
    fwd[:, 2] = np.array([out_w / 2, out_h / 2]) - fwd[:, :2] @ np.array([cx, cy])
    img = cv2.warpAffine(grey, fwd, (out_w, out_h), flags=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA,
                         borderMode=cv2.BORDER_REPLICATE)
    back = cv2.invertAffineTransform(fwd)
    return img, back


def _expand(region: tuple[int, int, int, int], margin: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x, y, w, h = region
    m = int(margin)
    x0, y0 = max(0, x - m), max(0, y - m)
    x1, y1 = min(shape[1], x + w + m), min(shape[0], y + h + m)
    return (x0, y0, x1 - x0, y1 - y0)


def plan_views(bgr: np.ndarray, *, target_cap_height: float = TARGET_CAP_HEIGHT) -> Iterator[View]:
    """Views of a page in the order worth trying: levelled, cropped, scaled and light-normalised
    first; then the other orientations; then a binarised and a contrast-enhanced variant."""
    grey = to_grey(bgr)
    geo = analyse(grey)
    char_h = geo.char_height if geo.char_height > 0 else 20.0
    region = _expand(geo.region, 4 * char_h, grey.shape) if geo.region else None
    # text running vertically: turn it; which way is decided by trying both
    base_rot = 0
    skew = geo.angle
    if abs(skew) > 45:
        base_rot = 90 if skew > 0 else -90
        skew = skew - base_rot
    if abs(skew) < 0.7:
        skew = 0.0
    # capitals are taller than the median character (which includes lower case and digits)
    scale = target_cap_height / (char_h * 1.05)
    scale = min(max(scale, 0.35), 4.0)
    rw, rh = (region[2], region[3]) if region else (grey.shape[1], grey.shape[0])
    if rw * rh * scale * scale > MAX_VIEW_PIXELS:
        scale = math.sqrt(MAX_VIEW_PIXELS / (rw * rh))

    def make(rotation: int, name: str, crop: bool = True) -> View:
        s = scale if crop else min(scale, math.sqrt(MAX_VIEW_PIXELS / grey.size))
        img, back = _affine_view(grey, region if crop else None, skew, rotation, s)
        img = normalise_illumination(img, char_h * s)
        return View(img, back, name, rotation % 360)

    first = make(base_rot, f"level{base_rot % 360}")
    yield first
    others = [base_rot + 180, base_rot + 90, base_rot - 90] if base_rot == 0 else [base_rot + 180, 0, 180]
    for rot in others:
        yield make(rot, f"level{rot % 360}")
    yield View(binarise(first.image, char_h * scale), first.to_page, "binary", first.rotation)
    yield View(clahe(normalise_illumination(first.image)), first.to_page, "clahe", first.rotation)
    if region is not None:
        yield make(base_rot, "fullframe", crop=False)



FOCUS_CAP_HEIGHT = 36  # px: a key and its value re-read on their own, a little larger than the page view
FOCUS_MAX_PIXELS = 600_000


def focus(grey: np.ndarray, view: View, box: tuple[int, int, int, int], char_h: float, name: str,
          *, right: float = 2.0) -> View:
    """A levelled, zoomed crop of the page around ``box`` (a key and its value, in the pixels of
    ``view``), sampled again from the page so that a second reading sees fresh pixels.
    ``char_h`` is the text height in view pixels; ``right`` extends the crop by that many
    character heights to the right (a reading that lost the value's last characters)."""
    x, y, w, h = box
    char_h = max(float(char_h), 4.0)
    m = 0.7 * char_h
    x0, y0 = x - m, y - m
    cw, ch = w + 2 * m + right * char_h, h + 2 * m
    z = min(max(FOCUS_CAP_HEIGHT / char_h, 0.8), 4.0)
    if cw * ch * z * z > FOCUS_MAX_PIXELS:
        z = math.sqrt(FOCUS_MAX_PIXELS / (cw * ch))
    page_to_view = np.vstack([cv2.invertAffineTransform(view.to_page), [0.0, 0.0, 1.0]])
    crop = np.array([[z, 0.0, -z * x0], [0.0, z, -z * y0], [0.0, 0.0, 1.0]])
    fwd = (crop @ page_to_view)[:2]
    size = (max(8, int(cw * z)), max(8, int(ch * z)))
    img = cv2.warpAffine(grey, fwd, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    img = normalise_illumination(img, char_h * z)
    return View(img, cv2.invertAffineTransform(fwd), name, view.rotation)


def otsu(grey: np.ndarray) -> np.ndarray:
    """Global Otsu threshold, dark text on white: a different rendering of a small crop."""
    _, bw = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if np.count_nonzero(bw) < bw.size / 2:  # light text on a dark ground
        bw = 255 - bw
    return bw
