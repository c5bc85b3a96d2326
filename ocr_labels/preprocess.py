"""Page → views for OCR. Small pure functions over arrays, and one planner that orders them.

Each :class:`View` keeps the transform from its pixels back to the original page (affine, or
a homography where a label's outline was flattened), so boxes found on a view can be drawn on
the photo. Cheap views come first; the pipeline asks for
the next one only while fields remain unresolved.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Sequence

import cv2
import numpy as np

TARGET_CAP_HEIGHT = 30  # px: Tesseract reads capitals of about 30-40 px best
MAX_VIEW_PIXELS = 4_000_000  # cap on the upscaled view: Tesseract time grows with pixels
ANALYSIS_SIDE = 1400  # geometry is measured on a copy at most this large
MAX_SMALL_BLOCKS = 2  # fine-print blocks given their own view
GRAIN_LEVEL = 4  # grey levels: 90th percentile of |view - median(view)| above which a view is despeckled
MAX_ANALYSED = 2000  # character blobs sampled for the geometry (pairwise arrays grow as n^2)
LIGHT_TEXT_RATIO = 1.5  # bright detail this much stronger than dark detail: the text is light


@dataclass(frozen=True)
class View:
    image: np.ndarray  # grey uint8
    to_page: np.ndarray  # 3x3 homography: view (x, y, 1) -> page (x, y, 1) up to scale
    name: str
    rotation: int = 0  # degrees clockwise applied to the page
    turned: bool = False  # one of the label's views at each turn: their readings tell which way is up
    inverted: bool = False  # light text on a dark ground, drawn dark on light (as Tesseract reads)
    spare: bool = False  # a second chance, after the label and the page were read at every turn tried
    # the first view of the label or of a text block, larger than in the photo: its barcodes are
    # worth a search of their own (later views turn or re-process one; the page's view is the
    # photo made smaller, and the photo itself was searched)
    search_codes: bool = False
    # the name of the label's first view (of the page's, when no label stands out), on that view,
    # its other turns and its binarised and enhanced variants: the same pixels, turned or drawn
    # again (a view of them that Tesseract took too long over is texture in all); "" on others
    family: str = ""
    char_height: float = 0.0  # the text's height in the view's pixels (0: not known)

    def box_to_page(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        x, y, w, h = box
        pts = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], dtype=np.float64)
        mapped = pts @ self.to_page.T
        mapped = mapped[:, :2] / mapped[:, 2:]
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
    chars: np.ndarray | None = None  # the chained character boxes (x, y, w, h) in page pixels


def to_grey(bgr: np.ndarray) -> np.ndarray:
    if bgr.ndim == 2:
        return bgr
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)


def light_text(grey: np.ndarray, region: tuple[int, int, int, int] | None, char_height: float) -> bool:
    """Whether the text in ``region`` is lighter than its ground (white print on a dark plate,
    an anodised or etched panel). Detail finer than a few characters is the print: the grey
    less its local median. Dark print leaves a long dark tail there, light print a long bright
    one; glare and shadow are smooth and leave neither."""
    x, y, w, h = region if region is not None else (0, 0, grey.shape[1], grey.shape[0])
    sub = grey[y:y + h, x:x + w]
    if sub.size < 64:
        return False
    s = min(1.0, 800 / max(sub.shape))
    if s < 1:
        sub = cv2.resize(sub, (max(1, int(sub.shape[1] * s)), max(1, int(sub.shape[0] * s))), interpolation=cv2.INTER_AREA)
    k = min(255, int(max(3, (char_height or 20.0) * s * 3)) | 1)
    detail = sub.astype(np.float32) - cv2.medianBlur(sub, k).astype(np.float32)
    dark, bright = np.percentile(detail, [2, 98])
    return bool(bright > LIGHT_TEXT_RATIO * max(-dark, 1.0))


def normalise_illumination(grey: np.ndarray, char_height: float = 20.0) -> np.ndarray:
    """Divide by a smooth estimate of the background: evens out glare, shadow and gradients."""
    k = int(max(15, char_height * 3)) | 1
    # the background is smooth: estimate it on a copy shrunk so the kernel is ~15 px (4-10x faster)
    f = max(1, k // 15)
    h, w = grey.shape[:2]
    small = cv2.resize(grey, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA) if f > 1 else grey
    ks = max(3, k // f) | 1
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (ks, ks)))
    background = cv2.GaussianBlur(background, (0, 0), ks / 4)
    if f > 1:
        background = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    out = cv2.divide(grey, np.maximum(background, 1), scale=255)
    lo, hi = int(out.min()), int(out.max())
    if hi - lo < 16:  # a blank area: stretching its noise would draw a pattern Tesseract reads
        return out
    return cv2.normalize(out, None, 0, 255, cv2.NORM_MINMAX)


def despeckle(grey: np.ndarray) -> np.ndarray:
    """A 3x3 median where the view is grainy: sensor grain is thousands of specks that
    Tesseract's layout analysis tries to read (measured: a grainy 4.7 MP view took over 60 s;
    with the median, 0.3 s). Clean views are left as they are: the median softens fine print."""
    smooth = cv2.medianBlur(grey, 3)
    grain = cv2.absdiff(grey[::4, ::4], smooth[::4, ::4])
    return smooth if float(np.percentile(grain, 90)) >= GRAIN_LEVEL else grey


def clahe(grey: np.ndarray) -> np.ndarray:
    return cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8)).apply(grey)


SHARPEN_SIGMA = 3.0  # view pixels: about a barcode module's width once the text is 30-40 px tall


def sharpen(grey: np.ndarray, sigma: float = SHARPEN_SIGMA) -> np.ndarray:
    """Unsharp mask: the detail finer than ``sigma`` doubled. Bars that blur ran together come
    apart again for the barcode decoder (Tesseract read no better from it)."""
    return cv2.addWeighted(grey, 2.0, cv2.GaussianBlur(grey, (0, 0), sigma), -1.0, 0)


def binarise(grey: np.ndarray, char_height: float = 30.0) -> np.ndarray:
    block = int(max(15, char_height * 1.5)) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 15)


# A straight dark run this many text heights long is a ruled line: glyphs side by side make
# shorter ones (at 4 the bottoms of '02Z' on a real laptop's serial were taken for one)
RULE_LENGTH = 8.0
RULE_THICKNESS = 0.3  # of the text height: a line thicker is a band, which may carry light text
RULE_CROSSINGS = 3  # a rule with glyphs on it along this many times its thickness is erased


def hide_rules(grey: np.ndarray, char_height: float) -> np.ndarray:
    """The view with the thin horizontal rules that run through its text, or that text stands
    on, drawn over in the ground's grey, except where a glyph's stroke crosses one (ink right
    above and right below it). Tesseract read a serial printed on a rule with a digit less, or
    the rule's end as a digit more; without the rule it reads it. ``grey`` itself when no rule
    touches text (a frame, the label's edge) or the text height is not known."""
    if char_height <= 0:
        return grey
    dark = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                 int(max(15, char_height * 1.5)) | 1, 10)
    length = max(8, int(RULE_LENGTH * char_height))
    thick = max(3, int(round(RULE_THICKNESS * char_height)))
    rules = cv2.morphologyEx(dark, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    rules &= ~cv2.morphologyEx(rules, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, thick)))
    if not rules.any():
        return grey
    rules = cv2.dilate(rules, np.ones((3, 1), np.uint8))  # and the rule's blurred edges
    ink = dark & ~rules
    # only a rule that runs through glyphs or that they stand on (glyph-sized ink right above
    # it): any other (a frame, the label's edge under a textured wall, grain) is left as it was,
    # and with it the rest of Tesseract's reading
    _, pieces, stats, _ = cv2.connectedComponentsWithStats(ink)
    tall, wide = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    glyph = (tall >= 0.4 * char_height) & (tall <= 1.5 * char_height) & (wide <= 2 * char_height)
    glyph[0] = False  # (the ground)
    on_top = cv2.dilate(glyph[pieces].astype(np.uint8), np.ones((3, 1), np.uint8), anchor=(0, 2))
    touching = (rules > 0) & (on_top > 0)
    n, lines = cv2.connectedComponents(rules)
    crossed = np.bincount(lines[touching], minlength=n) >= RULE_CROSSINGS * thick
    crossed[0] = False
    if not crossed.any():
        return grey
    reach = np.ones((thick + 2, 1), np.uint8)
    below = cv2.dilate(ink, reach, anchor=(0, 0))
    above = cv2.dilate(ink, reach, anchor=(0, thick + 1))
    strokes = (rules > 0) & (above > 0) & (below > 0)
    erase = crossed[lines] & ~strokes
    ground = cv2.medianBlur(grey, int(max(3, char_height)) | 1)
    out = grey.copy()
    out[erase] = ground[erase]
    return out


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
    return np.concatenate(rows)


def analyse(grey: np.ndarray) -> TextGeometry:
    """Find text direction, character size and the text-dense region from neighbouring
    character-like blobs: characters of one line sit next to similar-sized neighbours."""
    h0, w0 = grey.shape[:2]
    scale = min(1.0, ANALYSIS_SIDE / max(h0, w0))
    small = cv2.resize(grey, (max(1, int(w0 * scale)), max(1, int(h0 * scale))), interpolation=cv2.INTER_AREA) if scale < 1 else grey
    comps = _char_components(small).astype(np.float64)
    if len(comps) < 4:
        return TextGeometry(0.0, 0.0, None, 0)
    if len(comps) > MAX_ANALYSED:
        comps = comps[np.random.default_rng(0).choice(len(comps), MAX_ANALYSED, replace=False)]
    cx = comps[:, 0] + comps[:, 2] / 2
    cy = comps[:, 1] + comps[:, 3] / 2
    size = np.maximum(comps[:, 2], comps[:, 3])
    cx, cy, size = cx.astype(np.float32), cy.astype(np.float32), size.astype(np.float32)  # n x n arrays: keep them small
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
    return TextGeometry(angle, char_h, region, len(idx), chained / scale)


SMALL_TEXT = 0.7  # a block whose characters are this much smaller than the page's gets its own view
MIN_BLOCK_CHARS = 12


def _blocks(chars: np.ndarray, shape: tuple[int, ...], vertical: bool) -> list[tuple[int, tuple[int, int, int, int], float]]:
    """Characters grouped into blocks: each drawn, grown by its own size, on a mask; touching
    ones form a block. (count, region, character height) per block, most characters first."""
    step = max(1.0, float(np.median(np.maximum(chars[:, 2], chars[:, 3]))) / 4)  # mask resolution
    h, w = int(shape[0] / step) + 1, int(shape[1] / step) + 1
    mask = np.zeros((h, w), np.uint8)
    for x, y, bw, bh in chars / step:
        g = max(bw, bh)
        cv2.rectangle(mask, (int(x - g), int(y - g / 2)), (int(x + bw + g), int(y + bh + g / 2)), 255, -1)
    n, labels, _, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    centres = ((chars[:, :2] + chars[:, 2:] / 2) / step).astype(int)
    owner = labels[np.clip(centres[:, 1], 0, h - 1), np.clip(centres[:, 0], 0, w - 1)]
    out = []
    for lab in range(1, n):
        members = chars[owner == lab]
        if len(members) < MIN_BLOCK_CHARS:
            continue
        x0, y0 = members[:, 0].min(), members[:, 1].min()
        x1, y1 = (members[:, 0] + members[:, 2]).max(), (members[:, 1] + members[:, 3]).max()
        char_h = float(np.median(members[:, 2] if vertical else members[:, 3]))
        out.append((len(members), (int(x0), int(y0), int(x1 - x0), int(y1 - y0)), char_h))
    out.sort(key=lambda t: -t[0])
    return out


def small_text_blocks(geo: TextGeometry, shape: tuple[int, ...]) -> list[tuple[tuple[int, int, int, int], float]]:
    """Blocks of text clearly smaller than the page's typical text (fine print holding the model
    and serial beside large headings), each as (region, character height) in page pixels,
    most characters first."""
    if geo.chars is None or len(geo.chars) < MIN_BLOCK_CHARS or geo.char_height <= 0:
        return []
    vertical = abs(geo.angle) > 45
    across = geo.chars[:, 2] if vertical else geo.chars[:, 3]
    small = geo.chars[across < SMALL_TEXT * geo.char_height]
    if len(small) < MIN_BLOCK_CHARS:
        return []
    return [(region, ch) for _, region, ch in _blocks(small, shape, vertical)]


BESIDE_SMALL = 0.8  # text beside the label that the page's view shows this much below the target size
BESIDE_MIN_CHARS = 2 * MIN_BLOCK_CHARS  # fewer, beside a label, are more often texture than print


def blocks_beside(page_geo: TextGeometry, label_region: tuple[int, int, int, int], page_scale: float,
                  target_cap_height: float, shape: tuple[int, ...]) -> list[tuple[tuple[int, int, int, int], float]]:
    """Blocks of the page's text outside the label (a model etched on the case beside an asset
    sticker) that the page's view, at ``page_scale``, shows too small to read: each as (region,
    character height) in page pixels, most characters first."""
    if page_geo.chars is None or len(page_geo.chars) < MIN_BLOCK_CHARS:
        return []
    x, y, w, h = label_region
    out = []
    for count, region, ch in _blocks(page_geo.chars, shape, abs(page_geo.angle) > 45):
        if count < BESIDE_MIN_CHARS:
            continue
        cx, cy = region[0] + region[2] / 2, region[1] + region[3] / 2
        if x <= cx <= x + w and y <= cy <= y + h:
            continue
        if ch * 1.05 * page_scale < BESIDE_SMALL * target_cap_height:
            out.append((region, ch))
    return out


def dense_text_block(geo: TextGeometry, shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The block holding most of the page's characters when it is much smaller than the area
    all characters span (a label among scattered marks that only look like characters), else None."""
    if geo.chars is None or len(geo.chars) < 2 * MIN_BLOCK_CHARS or geo.region is None:
        return None
    blocks = _blocks(geo.chars, shape, abs(geo.angle) > 45)
    if not blocks:
        return None
    count, region, _ = blocks[0]
    if count < 0.4 * len(geo.chars) or region[2] * region[3] > 0.4 * geo.region[2] * geo.region[3]:
        return None
    return region


def _affine_view(grey: np.ndarray, region: tuple[int, int, int, int] | None, angle: float,
                 rotation: int, scale: float, plane: np.ndarray | None = None,
                 plane_shape: tuple[int, ...] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Crop to region, rotate by ``rotation`` + ``angle`` so text is horizontal, scale. The
    region is in page pixels, or in the pixels of ``plane`` (a 3x3 homography from the page to
    a flattened label of ``plane_shape``) when one is given. Returns the image and the 3x3
    transform from its pixels back to the page."""
    h, w = (plane_shape or grey.shape)[:2]
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
    fwd = np.array([[c * scale, s * scale, 0.0], [-s * scale, c * scale, 0.0], [0.0, 0.0, 1.0]])
    fwd[:2, 2] = np.array([out_w / 2, out_h / 2]) - fwd[:2, :2] @ np.array([cx, cy])
    if plane is not None:
        fwd = fwd @ plane
    flags = cv2.INTER_CUBIC if scale > 1 or plane is not None else cv2.INTER_AREA
    return _warp(grey, fwd, (out_w, out_h), flags), np.linalg.inv(fwd)


def _warp(grey: np.ndarray, fwd: np.ndarray, size: tuple[int, int], flags: int) -> np.ndarray:
    """The page sampled through ``fwd`` (3x3, page -> output) into an image of ``size`` (w, h):
    an affine warp where ``fwd`` is affine, a perspective one where it flattens a label."""
    if np.allclose(fwd[2], (0.0, 0.0, fwd[2, 2])):
        return cv2.warpAffine(grey, (fwd / fwd[2, 2])[:2], size, flags=flags, borderMode=cv2.BORDER_REPLICATE)
    return cv2.warpPerspective(grey, fwd, size, flags=flags, borderMode=cv2.BORDER_REPLICATE)


def _expand(region: tuple[int, int, int, int], margin: float, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    x, y, w, h = region
    m = int(margin)
    x0, y0 = max(0, x - m), max(0, y - m)
    x1, y1 = min(shape[1], x + w + m), min(shape[0], y + h + m)
    return (x0, y0, x1 - x0, y1 - y0)


def find_label(grey: np.ndarray, geo: TextGeometry) -> tuple[int, int, int, int] | None:
    """The label in a larger frame: a bright, nearly rectangular region that holds clearly more
    of the page's characters per pixel than the rest of the frame (a white sticker on a steel
    door among rivets, racks and texture). Its box in page pixels, or None when no region stands
    out (the photo is the label, or the label is not brighter than its surroundings)."""
    if geo.chars is None or len(geo.chars) < 20:
        return None
    h0, w0 = grey.shape[:2]
    scale = min(1.0, 800 / max(h0, w0))
    small = cv2.resize(grey, (max(1, int(w0 * scale)), max(1, int(h0 * scale))), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (5, 5), 0)
    k = max(3, int(max(small.shape) * 0.012)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
    otsu_t, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    # Otsu first; brighter cuts part a white label from a pale surface it touches
    contours = []
    for t in sorted({int(otsu_t), *(int(v) for v in np.percentile(small, (70, 75, 80, 85, 90, 95)))}):
        bright = (small > t).astype(np.uint8) * 255
        bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, kernel)
        bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, kernel)
        contours += cv2.findContours(bright, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    centres = (geo.chars[:, :2] + geo.chars[:, 2:] / 2) * scale
    frame = small.shape[0] * small.shape[1]
    best, best_n = None, 0
    for c in contours:
        area = cv2.contourArea(c)
        if not 0.01 * frame <= area <= 0.7 * frame:
            continue
        (_, _), (rw, rh), _ = cv2.minAreaRect(c)
        if area < 0.75 * rw * rh or min(rw, rh) < 0.05 * max(small.shape):
            continue
        x, y, bw, bh = cv2.boundingRect(c)
        inside = ((centres[:, 0] >= x) & (centres[:, 0] <= x + bw) & (centres[:, 1] >= y) & (centres[:, 1] <= y + bh))
        n_in = int(inside.sum())
        n_out = len(centres) - n_in
        if n_in < 15:
            continue
        density_in = n_in / (bw * bh)
        density_out = n_out / max(frame - bw * bh, 1)
        if density_in < 1.5 * density_out:
            continue
        if n_in > best_n:
            best, best_n = (x, y, bw, bh), n_in
    if best is None:
        return None
    x, y, bw, bh = best
    return (int(x / scale), int(y / scale), int(bw / scale), int(bh / scale))


QUAD_EDGE = (15, 45)  # Canny thresholds for the outline: a pale sticker on a pale wall leaves a faint edge
QUAD_MIN_CHARS = 15  # characters inside an outline before it counts as a label's
QUAD_MIN_SHARE = 0.2  # of the page's characters: an outline round less is a part of the label (a barcode's box)
QUAD_RING_DENSITY = 0.4  # characters just outside the outline, per pixel, at most this share of those inside
QUAD_IN_REGION = 0.8  # share of an outline inside the text's region that makes it the label there
QUAD_MAX_FRAME = 0.5  # share of the photo: a label filling more is read as the page (an oven door round a strip is no label)


def find_label_quad(grey: np.ndarray, geo: TextGeometry,
                    text_region: tuple[int, int, int, int] | None = None,
                    colour: np.ndarray | None = None) -> np.ndarray | None:
    """The label's outline as four corners in page pixels (top-left, top-right, bottom-right,
    bottom-left as the photo shows them), when a closed four-sided edge holds the page's text:
    the sticker's edge or its printed border, seen at an angle. None when none stands out, or
    when the outline fills more than half the photo (the label is then read as the page).

    An outline counts when it is closed (lines crossing make open curves whose hull only looks
    four-sided), holds a fifth or more of the page's characters and few characters lie just
    outside it (an inner box of the label has the label's other print round it). Where the
    text alone placed a label (``text_region``), the outline must hold that region's middle or
    lie mostly within it (a bright region round the sticker took in some wall).
    Among outlines holding nearly as many characters as the best, the smallest is the label
    (a door or a panel round it holds the same text). Given the photo in ``colour``, edges
    between colours of one brightness count too (a yellow sticker on a pink wall)."""
    return pick_outline(label_outlines(grey, geo, colour), text_region)


@dataclass(frozen=True)
class Outline:
    """A closed four-sided edge round enough of the page's text to be a label's (see
    :func:`find_label_quad`), measured on the copy at most 800 px wide that it was found on."""

    n_in: int  # the page's characters inside it
    area: float  # in the copy's pixels
    quad: np.ndarray  # corners in the copy's pixels
    scale: float  # the copy's pixels per page pixel


def label_outlines(grey: np.ndarray, geo: TextGeometry, colour: np.ndarray | None = None) -> list[Outline]:
    """Every outline that could be the label's, whatever text region it is later held to (the
    edges are found once, and :func:`pick_outline` chooses among them)."""
    if geo.chars is None or len(geo.chars) < QUAD_MIN_CHARS:
        return []
    h0, w0 = grey.shape[:2]
    scale = min(1.0, 800 / max(h0, w0))
    small = cv2.resize(grey, (max(1, int(w0 * scale)), max(1, int(h0 * scale))), interpolation=cv2.INTER_AREA)
    edges = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), *QUAD_EDGE)
    if colour is not None and colour.ndim == 3:
        tinted = cv2.GaussianBlur(cv2.resize(colour, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA), (5, 5), 0)
        for channel in cv2.split(tinted):
            edges |= cv2.Canny(channel, *QUAD_EDGE)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    frame = small.shape[0] * small.shape[1]
    centres = (geo.chars[:, :2] + geo.chars[:, 2:] / 2) * scale
    cols = np.clip(centres[:, 0].astype(int), 0, small.shape[1] - 1)
    rows = np.clip(centres[:, 1].astype(int), 0, small.shape[0] - 1)
    found = []
    for c in cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)[0]:
        hull = cv2.convexHull(c)
        area = cv2.contourArea(hull)
        if not 0.01 * frame <= area <= QUAD_MAX_FRAME * frame or cv2.contourArea(c) < 0.8 * area:
            continue
        quad = cv2.approxPolyDP(hull, 0.03 * cv2.arcLength(hull, True), True)
        if len(quad) != 4 or cv2.contourArea(quad) < 0.85 * area:
            continue
        quad = quad.reshape(4, 2).astype(np.float32)
        mask = np.zeros(small.shape[:2], np.uint8)
        cv2.fillConvexPoly(mask, quad.astype(np.int32), 1)
        n_in = int(mask[rows, cols].sum())
        if n_in < max(QUAD_MIN_CHARS, QUAD_MIN_SHARE * len(centres)):
            continue
        mid = quad.mean(axis=0)
        ring = ((quad - mid) * 1.3 + mid).astype(np.int32)
        mask[:] = 0
        cv2.fillConvexPoly(mask, ring, 1)
        n_ring = int(mask[rows, cols].sum()) - n_in
        ring_area = max(float(mask.sum()) - area, 1.0)
        if n_ring / ring_area > QUAD_RING_DENSITY * n_in / area:
            continue
        found.append(Outline(n_in, area, quad, scale))
    return found


def pick_outline(outlines: Sequence[Outline], text_region: tuple[int, int, int, int] | None = None) -> np.ndarray | None:
    """The label's corners in page pixels (top-left first, clockwise) among ``outlines``: of
    those that hold ``text_region``'s middle or lie mostly within it (any, without a region),
    the smallest holding nearly as many characters as the most. None when none does."""
    found = []
    for o in outlines:
        if text_region is not None:
            tx, ty, tw, th = (v * o.scale for v in text_region)
            rect = _box_corners((tx, ty, tw, th))
            if (cv2.pointPolygonTest(o.quad, (tx + tw / 2, ty + th / 2), False) < 0
                    and cv2.intersectConvexConvex(o.quad, rect)[0] < QUAD_IN_REGION * o.area):
                continue
        found.append((o.n_in, o.area, o.quad / o.scale))
    if not found:
        return None
    most = max(n for n, _, _ in found)
    quad = min((f for f in found if f[0] >= 0.9 * most), key=lambda f: f[1])[2]
    # corners in the photo's order, from the top-left clockwise
    mid = quad.mean(axis=0)
    quad = quad[np.argsort(np.arctan2(quad[:, 1] - mid[1], quad[:, 0] - mid[0]))]
    return np.roll(quad, -int(np.argmin(quad.sum(axis=1))), axis=0)


def _box_corners(box: tuple[float, float, float, float]) -> np.ndarray:
    """A box (x, y, width, height) as four corners, top-left first, clockwise."""
    x, y, w, h = box
    return np.float32([[x, y], [x + w, y], [x + w, y + h], [x, y + h]])


def _chars_in(geo: TextGeometry, quad: np.ndarray) -> int:
    """How many of the geometry's characters have their centre inside a four-cornered outline."""
    if geo.chars is None:
        return 0
    centres = geo.chars[:, :2] + geo.chars[:, 2:] / 2
    outline = quad.astype(np.float32).reshape(-1, 1, 2)
    return sum(cv2.pointPolygonTest(outline, (float(x), float(y)), False) >= 0 for x, y in centres)


def _flatten(quad: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """The homography from the page to the label's flattened rectangle (page pixels along its
    edges), and the rectangle's (height, width)."""
    tl, tr, br, bl = quad
    w = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2
    h = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(quad.astype(np.float32), dst), (max(1, int(h)), max(1, int(w)))


@dataclass(frozen=True)
class _Framing:
    """How to cut one area of a page into views: region, turn, skew and scale."""

    region: tuple[int, int, int, int] | None
    base_rot: int
    skew: float
    scale: float
    char_h: float
    plane: np.ndarray | None = None  # page -> flattened label (the region is in its pixels); None: the page
    plane_shape: tuple[int, ...] | None = None


def _framing(grey: np.ndarray, geo: TextGeometry, target_cap_height: float) -> _Framing:
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
    rw, rh = (region[2], region[3]) if region else (grey.shape[1], grey.shape[0])
    # the levelled view's box grows with the skew: cap the pixels of that box
    t = math.radians(skew)
    c, sn = abs(math.cos(t)), abs(math.sin(t))
    area = (rw * c + rh * sn) * (rw * sn + rh * c)
    return _Framing(region, base_rot, skew, _view_scale(target_cap_height, char_h, area, 4.0), char_h)


def _view_scale(target_cap_height: float, char_h: float, area: float, upper: float) -> float:
    """The zoom that brings characters ``char_h`` tall to ``target_cap_height`` capitals (capitals
    are taller than the median character, which includes lower case and digits), within
    [0.35, upper], and no more than MAX_VIEW_PIXELS for a view of ``area`` page pixels."""
    scale = min(max(target_cap_height / (char_h * 1.05), 0.35), upper)
    if area * scale * scale > MAX_VIEW_PIXELS:
        scale = math.sqrt(MAX_VIEW_PIXELS / area)
    return scale


def _label_geometry(grey: np.ndarray, geo: TextGeometry) -> TextGeometry | None:
    """The text geometry measured on the label alone (texture around it skews size and
    direction), in page pixels; None when no label stands out."""
    label = find_label(grey, geo) or dense_text_block(geo, grey.shape)
    if label is None:
        return None
    lx, ly, lw, lh = _expand(label, 0.03 * max(label[2], label[3]), grey.shape)
    inner = analyse(grey[ly:ly + lh, lx:lx + lw])
    if inner.region is None or inner.n_chars < 15:
        return None
    rx, ry, rw, rh = inner.region
    chars = None if inner.chars is None else inner.chars + np.array([lx, ly, 0, 0])
    return TextGeometry(inner.angle, inner.char_height, (rx + lx, ry + ly, rw, rh), inner.n_chars, chars)


def plan_views(bgr: np.ndarray, *, target_cap_height: float = TARGET_CAP_HEIGHT,
               orientation: Callable[[], int | None] = lambda: None,
               colour: np.ndarray | None = None, quarter_turns: bool = False) -> Iterator[View]:
    """Views of a page in the order worth trying: the label (when one stands out in a larger
    frame) levelled, cropped, scaled and light-normalised (flattened, when its outline was
    found: see :func:`find_label_quad`); the whole text area so; fine print
    at its own scale; the label turned upside down, and where its lines run up or down the other
    two ways as well, until ``orientation()`` says which way is up (the caller knows once a key
    word was read); then, turned that way, text beside the label
    that the page's view shows too small, at its own scale, a binarised and a
    contrast-enhanced variant and the full frame. ``bgr`` may be the page in grey already; then
    ``colour``, the page in colour, lets the label's outline be found between colours of one
    brightness too. ``quarter_turns``: the label is tried a quarter turn either way even where
    its lines run across (for an engine that finds its own lines: RapidOCR read a real laptop's
    model, printed across the grain of the lines the geometry saw, only so)."""
    grey = to_grey(bgr)
    if colour is None:
        colour = bgr
    page_geo = analyse(grey)
    label_geo = _label_geometry(grey, page_geo)
    geo = label_geo or page_geo
    fr = _framing(grey, geo, target_cap_height)
    area = grey  # the pixels that the label's framing counts in: the page's, or the flattened label's
    label_box = fr.region  # the label's box on the page
    outlines = label_outlines(grey, page_geo, colour)
    quad = pick_outline(outlines, label_geo.region if label_geo else None)
    if quad is None and label_geo is not None and label_geo.region is not None:
        # the bright region may be another shape than the label (a pale disc beside a grey
        # sticker): an outline anywhere that holds more of the page's characters is the label
        outline = pick_outline(outlines)
        if outline is not None and _chars_in(page_geo, outline) > _chars_in(page_geo, _box_corners(label_geo.region)):
            quad = outline
    if quad is not None:
        plane, shape = _flatten(quad)
        flat = cv2.warpPerspective(grey, plane, (shape[1], shape[0]), flags=cv2.INTER_AREA,
                                   borderMode=cv2.BORDER_REPLICATE)
        flat_geo = analyse(flat)
        if flat_geo.region is not None and flat_geo.n_chars >= QUAD_MIN_CHARS:
            area, geo = flat, flat_geo
            fr = replace(_framing(flat, flat_geo, target_cap_height), plane=plane, plane_shape=shape)
            x0, y0 = quad.min(axis=0)
            x1, y1 = quad.max(axis=0)
            label_box = (int(x0), int(y0), int(x1 - x0), int(y1 - y0))
    labelled = label_geo is not None or fr.plane is not None
    prefix = "label" if labelled else "level"
    # Tesseract reads dark print on a light ground (its own inversion is off: it doubles the
    # time of every view): light print is turned dark first
    inverted = light_text(area, geo.region, geo.char_height)
    if inverted:
        grey = 255 - grey

    first_name = f"{prefix}{fr.base_rot % 360}"

    def make(f: _Framing, rotation: int, name: str, crop: bool = True, turned: bool = False,
             codes: bool = False, family: str = "") -> View:
        s = f.scale if crop else min(f.scale, math.sqrt(MAX_VIEW_PIXELS / grey.size))
        img, back = _affine_view(grey, f.region if crop else None, f.skew, rotation, s, f.plane, f.plane_shape)
        img = normalise_illumination(despeckle(img), f.char_h * s)
        return View(img, back, name, rotation % 360, turned, inverted, search_codes=codes, family=family,
                    char_height=f.char_h * s)

    def block_view(block: tuple[int, int, int, int], block_h: float, rotation: int, skew: float, name: str,
                   on_label: bool = False) -> View:
        # a block found on the label is in the flattened label's pixels, if it was flattened
        plane, shape = (fr.plane, fr.plane_shape) if on_label else (None, None)
        box = _expand(block, 3 * block_h, shape or grey.shape)
        s = _view_scale(target_cap_height, block_h, box[2] * box[3], 5.0)
        return make(_Framing(box, rotation, skew, s, block_h, plane, shape), rotation, name, codes=True)

    b = fr.base_rot
    first = make(fr, b, first_name, turned=True, codes=True, family=first_name)
    yield first
    pf = _framing(grey, page_geo, target_cap_height) if labelled else None
    if pf is not None:
        # the label may not hold everything (a model etched beside an asset sticker)
        yield make(pf, pf.base_rot, f"page{pf.base_rot % 360}")
    # fine print that the page's scale leaves too small: each block at its own scale
    for i, (block, block_h) in enumerate(small_text_blocks(geo, area.shape)[:MAX_SMALL_BLOCKS]):
        yield block_view(block, block_h, b, fr.skew, f"small{i}", on_label=True)
    # Lines that run across the photo are text the right way up or upside down (of 261 generated
    # photos whose lines ran across, 2 were turned a quarter): the quarter turns read nothing
    # more on nine generated sets and the real photos, and took a tenth of the hard photos' time.
    # Lines found running up or down were text across in 5 of 79 generated photos and in a real
    # screenshot, which only the turn to 0 reads: those turns stay.
    others = ([b + 180, b + 90, b - 90] if quarter_turns else [b + 180]) if b == 0 else [b + 180, 0, 180]
    for r in others:
        if orientation() is not None:
            break
        yield make(fr, r, f"{prefix}{r % 360}", turned=True, family=first_name)
    up = orientation()
    rot = b if up is None else up
    if pf is not None:
        r = pf.base_rot + rot - b  # the page's turn, the right way up
        if (rot - b) % 360:
            # the page was read turned the first guess's way: read it again the right way up
            yield make(pf, r, f"page{r % 360}")
        if label_box is not None:
            # text beside the label that the page's view left too small: each block at its own scale
            beside = blocks_beside(page_geo, label_box, pf.scale, target_cap_height, grey.shape)
            for i, (block, block_h) in enumerate(beside[:MAX_SMALL_BLOCKS]):
                yield replace(block_view(block, block_h, r, pf.skew, f"beside{i}"), spare=True)
    base = first if first.rotation == rot % 360 else make(fr, rot, f"{prefix}{rot % 360}")
    yield View(binarise(base.image, base.char_height), base.to_page, "binary", base.rotation,
               inverted=inverted, spare=True, family=first_name, char_height=base.char_height)
    yield View(clahe(normalise_illumination(base.image)), base.to_page, "clahe", base.rotation,
               inverted=inverted, spare=True, family=first_name, char_height=base.char_height)
    unruled = hide_rules(base.image, base.char_height)
    if unruled is not base.image:
        # a rule runs through some of the text (a serial printed over a rule)
        yield View(unruled, base.to_page, "unruled", base.rotation, inverted=inverted, spare=True,
                   family=first_name, char_height=base.char_height)
    if fr.region is not None:
        whole = fr if fr.plane is None or pf is None else replace(fr, plane=None, plane_shape=None, skew=pf.skew)
        yield replace(make(whole, rot, "fullframe", crop=False), spare=True)


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
    crop = np.array([[z, 0.0, -z * x0], [0.0, z, -z * y0], [0.0, 0.0, 1.0]])
    fwd = crop @ np.linalg.inv(view.to_page)
    size = (max(8, int(cw * z)), max(8, int(ch * z)))
    img = _warp(grey, fwd, size, cv2.INTER_CUBIC)
    if view.inverted:
        img = 255 - img  # the page's print is light: as its views, dark on light
    img = normalise_illumination(despeckle(img), char_h * z)
    return View(img, np.linalg.inv(fwd), name, view.rotation, inverted=view.inverted)


def otsu(grey: np.ndarray) -> np.ndarray:
    """Global Otsu threshold, dark text on white: a different rendering of a small crop."""
    _, bw = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    if np.count_nonzero(bw) < bw.size / 2:  # light text on a dark ground
        bw = 255 - bw
    return bw
