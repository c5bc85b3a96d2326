"""preprocess.py on images the tests draw: text geometry, views and their transforms back to the
page, the label finder, fine-print blocks, focus crops and the pixel filters.

Conventions measured on DejaVu text drawn by tests.labels.draw_label:
* ``analyse().char_height`` is about the capital height (DejaVu caps are 0.73 em: 40 px -> 29 px).
* ``analyse().angle`` is in image coordinates (y down): text that draw_label rotates by +a degrees
  (cv2.getRotationMatrix2D, counter-clockwise on screen) reads as angle = -a.
"""
from itertools import islice

import cv2
import numpy as np
import pytest
from PIL import ImageFont

from ocr_labels.engines import TesseractEngine
from ocr_labels.preprocess import (
    analyse,
    find_label,
    find_label_quad,
    hide_rules,
    sharpen,
    focus,
    normalise_illumination,
    otsu,
    plan_views,
    small_text_blocks,
    TARGET_CAP_HEIGHT,
    to_grey,
)
from tests.labels import FONT, WHIRLPOOL, draw_label

LONG_LABEL = WHIRLPOOL + ["TYPE 1 CLOTHES WASHER", "MADE IN U.S.A.  DATE 2021-03",
                          "UL LISTED 4KA7  E123456", "CAPACITY 4.3 CU FT"]
FINE_PRINT = ["MODEL WFW4720RW0  SERIAL CD3700848", "P/N W10336553  120V 60Hz 15A",
              "MFD 2021-03  MADE IN U.S.A.", "TYPE 1 CLOTHES WASHER  UL 4KA7",
              "CAPACITY 4.3 CU FT  MAX 1200 RPM", "WATER PRESSURE 20-120 PSI"]


# ---------------------------------------------------------------- helpers

def _grey(lines, **kw) -> np.ndarray:
    return to_grey(draw_label(lines, **kw))


def _cap_height(font_px: int) -> int:
    _, top, _, bottom = ImageFont.truetype(FONT, font_px).getbbox("H")
    return bottom - top


def _dark_bbox(grey: np.ndarray, thr: int = 128) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(grey < thr)
    return int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)


def _contains(outer, inner, tol: float = 0.0) -> bool:
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return (ix >= ox - tol and iy >= oy - tol and ix + iw <= ox + ow + tol and iy + ih <= oy + oh + tol)


def _intersection(a, b) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return max(0, min(ax + aw, bx + bw) - max(ax, bx)) * max(0, min(ay + ah, by + bh) - max(ay, by))


def _iou(a, b) -> float:
    i = _intersection(a, b)
    return i / (a[2] * a[3] + b[2] * b[3] - i)


def _shift(box, dx, dy):
    return box[0] + dx, box[1] + dy, box[2], box[3]


def _paste(page: np.ndarray, patch: np.ndarray, x: int, y: int) -> np.ndarray:
    out = page.copy()
    out[y:y + patch.shape[0], x:x + patch.shape[1]] = patch
    return out


def _clutter(h: int, w: int, seed: int = 0) -> np.ndarray:
    """A darker frame around a label: grey steel with texture, panels, cables and rivets."""
    rng = np.random.default_rng(seed)
    img = rng.normal(110, 12, (h, w)).clip(0, 255).astype(np.uint8)
    for _ in range(60):
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.rectangle(img, (x, y), (x + int(rng.integers(20, w // 4)), y + int(rng.integers(20, h // 4))),
                      int(rng.integers(40, 150)), -1)
    for _ in range(40):
        p0 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.line(img, p0, p1, int(rng.integers(20, 160)), int(rng.integers(1, 6)))
    for _ in range(150):
        cv2.circle(img, (int(rng.integers(0, w)), int(rng.integers(0, h))), int(rng.integers(3, 10)),
                   int(rng.integers(20, 170)), -1)
    return (img + rng.normal(0, 6, (h, w))).clip(0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def label_in_clutter():
    """A white label with eight lines of text at an odd offset in a frame 3x its size of clutter:
    (frame, label box, text box) in frame pixels."""
    label = _grey(LONG_LABEL, size=(1000, 60), font_px=32)
    lh, lw = label.shape
    x, y = lw + 37, lh - 91
    frame = _paste(_clutter(3 * lh, 3 * lw), label, x, y)
    return frame, (x, y, lw, lh), _shift(_dark_bbox(label), x, y)


def _on_canvas(angle: float = 0.0, value: int = 235):
    """WHIRLPOOL drawn at 40 px (rotated by ``angle``), pasted at (420, 310) on a plain canvas:
    (page, text box in page pixels)."""
    label = _grey(WHIRLPOOL, angle=angle)
    page = _paste(np.full((1300, 1900), value, np.uint8), label, 420, 310)
    return page, _shift(_dark_bbox(label), 420, 310)


# ---------------------------------------------------------------- analyse

@pytest.mark.parametrize("font_px", [20, 40, 60])
def test_analyse_level_text_size_direction_and_region(font_px):
    grey = _grey(WHIRLPOOL, size=(25 * font_px + 100, int(2.5 * font_px)), font_px=font_px)
    geo = analyse(grey)
    cap = _cap_height(font_px)
    # measured: 20 px -> 15 (cap 15), 40 -> 29 (29), 60 -> 45 (44)
    assert abs(geo.char_height - cap) <= max(1.5, 0.08 * cap), (geo.char_height, cap)
    assert abs(geo.angle) < 0.5
    text = _dark_bbox(grey)
    # the region is a 1st-99th percentile box: it may cut the last character, never more
    assert _contains(geo.region, text, tol=1.2 * geo.char_height), (geo.region, text)
    assert _intersection(geo.region, text) >= 0.9 * text[2] * text[3]
    assert geo.n_chars >= 60  # 4 lines, ~75 characters
    assert geo.chars is not None and len(geo.chars) == geo.n_chars


@pytest.mark.parametrize("drawn", [8.0, -8.0, 20.0])
def test_analyse_angle_of_rotated_text_and_first_view_levels_it(drawn):
    grey = _grey(WHIRLPOOL, angle=drawn)
    geo = analyse(grey)
    # measured: +8 -> -8.13, -8 -> +7.59, +20 -> -19.89
    assert abs(geo.angle - (-drawn)) < 1.0, geo.angle
    assert abs(geo.char_height - _cap_height(40)) <= 3
    view = next(plan_views(grey))
    assert view.name == "level0" and view.rotation == 0
    assert abs(analyse(view.image).angle) < 1.0  # the view turned the text the right way


@pytest.mark.parametrize("k", [1, -1])
def test_analyse_vertical_text_and_first_view_turns_it(k):
    grey = np.ascontiguousarray(np.rot90(_grey(WHIRLPOOL), k))
    geo = analyse(grey)
    assert abs(abs(geo.angle) - 90) < 1.0, geo.angle
    # measured across the line, i.e. the characters' widths on the page
    assert abs(geo.char_height - _cap_height(40)) <= 2.5
    text = _dark_bbox(grey)
    assert _contains(geo.region, text, tol=1.2 * geo.char_height)
    assert _intersection(geo.region, text) >= 0.9 * text[2] * text[3]
    view = next(plan_views(grey))
    assert view.name in ("level90", "level270") and view.rotation in (90, 270)
    vh, vw = view.image.shape
    assert vw > vh  # the tall page became a wide view
    level = analyse(view.image)
    assert abs(level.angle) < 1.0
    # views are scaled so the median character is TARGET_CAP_HEIGHT / 1.05 (28.6 px) tall
    assert abs(level.char_height - TARGET_CAP_HEIGHT / 1.05) <= 3


def test_analyse_blank_page_finds_nothing():
    geo = analyse(np.full((400, 600), 240, np.uint8))
    assert geo.char_height == 0.0 and geo.region is None and geo.n_chars == 0


# ---------------------------------------------------------------- View.box_to_page

@pytest.mark.parametrize("angle", [0.0, 8.0])
def test_first_view_maps_back_onto_the_text_on_the_page(angle):
    page, text = _on_canvas(angle)
    view = next(plan_views(page))
    vh, vw = view.image.shape
    whole = view.box_to_page((0, 0, vw, vh))
    assert _contains(whole, text)
    assert whole[2] * whole[3] < 0.6 * page.size  # a crop, not the whole canvas
    # the text found in the view's own pixels lands on the text in the page
    mapped = view.box_to_page(_dark_bbox(view.image))
    assert _contains(mapped, text, tol=3)
    if angle == 0:
        assert all(abs(a - b) <= 3 for a, b in zip(mapped, text)), (mapped, text)
    else:  # the page box of a turned rectangle is its upright hull: a little larger
        assert _iou(mapped, text) > 0.8


@pytest.mark.parametrize("k", [1, -1])
def test_turned_view_maps_back_onto_the_text_on_the_page(k):
    page = np.ascontiguousarray(np.rot90(_grey(WHIRLPOOL), k))
    text = _dark_bbox(page)
    view = next(plan_views(page))
    mapped = view.box_to_page(_dark_bbox(view.image))
    assert all(abs(a - b) <= 3 for a, b in zip(mapped, text)), (mapped, text)


def test_label_and_page_views_map_back_onto_the_label(label_in_clutter):
    frame, label, text = label_in_clutter
    label_view, page_view = islice(plan_views(frame, orientation=lambda: 0), 2)
    for view in (label_view, page_view):
        vh, vw = view.image.shape
        assert _contains(view.box_to_page((0, 0, vw, vh)), text), view.name
    # the label view is a crop around the label, the page view covers much more of the frame
    lh, lw = label_view.image.shape
    label_whole = label_view.box_to_page((0, 0, lw, lh))
    assert label_whole[2] * label_whole[3] < 2.5 * label[2] * label[3]
    ph, pw = page_view.image.shape
    page_whole = page_view.box_to_page((0, 0, pw, ph))
    assert page_whole[2] * page_whole[3] > 2 * label_whole[2] * label_whole[3]


# ---------------------------------------------------------------- find_label / plan_views

def test_find_label_in_clutter(label_in_clutter):
    frame, label, _ = label_in_clutter
    box = find_label(frame, analyse(frame))
    assert box is not None
    assert _iou(box, label) >= 0.7, (box, label)  # measured 0.99


def test_find_label_on_a_plain_dark_ground():
    page, _ = _on_canvas(value=120)
    box = find_label(page, analyse(page))
    assert box is not None and _iou(box, (420, 310, 1100, 540)) >= 0.9, box


def test_find_label_none_when_nothing_stands_out():
    grey = _grey(LONG_LABEL, size=(1000, 60), font_px=32)
    geo = analyse(grey)
    assert geo.n_chars >= 20  # enough text to look for a label at all
    assert find_label(grey, geo) is None


def test_find_label_a_shade_brighter_than_a_pale_surface():
    # white paper (255) on a pale grey door (235): a threshold between the two finds it
    page, _ = _on_canvas(value=235)
    box = find_label(page, analyse(page))
    assert box is not None and _iou(box, (420, 310, 1100, 540)) >= 0.9, box


def _seen_at_an_angle(lines=LONG_LABEL, seed: int = 1):
    """A white sticker with ``lines`` seen at an angle (its far side shorter, a perspective no
    rotation levels) on a mid-grey wall crossed by cables: (page, its corners in page pixels,
    top-left first and clockwise)."""
    label = _grey(lines, size=(1000, 60), font_px=32)
    lh, lw = label.shape
    x, y = 420, 380
    corners = np.float32([[x, y], [x + lw, y + 70], [x + lw - 20, y + lh - 40], [x + 30, y + lh + 10]])
    flat = np.float32([[0, 0], [lw, 0], [lw, lh], [0, lh]])
    h = cv2.getPerspectiveTransform(flat, corners)
    rng = np.random.default_rng(seed)
    page = rng.normal(140, 6, (lh + 2 * y, lw + 2 * x)).clip(0, 255).astype(np.uint8)
    for _ in range(6):
        p0 = (int(rng.integers(0, page.shape[1])), int(rng.integers(0, page.shape[0])))
        p1 = (int(rng.integers(0, page.shape[1])), int(rng.integers(0, page.shape[0])))
        cv2.line(page, p0, p1, 60, 4)
    size = (page.shape[1], page.shape[0])
    on = cv2.warpPerspective(np.full_like(label, 255), h, size) > 127
    page[on] = cv2.warpPerspective(label, h, size, flags=cv2.INTER_CUBIC)[on]
    return page, corners


def test_find_label_quad_finds_a_sticker_seen_at_an_angle():
    page, corners = _seen_at_an_angle()
    quad = find_label_quad(page, analyse(page))
    assert quad is not None
    # each corner in order, within a few pixels (the edge is found on a copy 800 px wide)
    assert np.abs(quad - corners).max() < 12, (quad, corners)


def test_find_label_quad_takes_the_sticker_not_a_box_printed_on_it():
    page, corners = _seen_at_an_angle()
    # a dark frame printed round the middle lines, well inside the sticker
    cx, cy = corners.mean(axis=0)
    cv2.rectangle(page, (int(cx - 300), int(cy - 90)), (int(cx + 300), int(cy + 60)), 30, 3)
    quad = find_label_quad(page, analyse(page))
    assert quad is not None and np.abs(quad - corners).max() < 12, quad


def test_find_label_quad_within_a_text_region_that_took_in_some_wall():
    page, corners = _seen_at_an_angle()
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    # the text placed the label in a region reaching far below the sticker: its middle is off it
    tall = (int(x0) - 40, int(y0) - 40, int(x1 - x0) + 80, int(3 * (y1 - y0)))
    quad = find_label_quad(page, analyse(page), tall)
    assert quad is not None and np.abs(quad - corners).max() < 12, quad
    # a region elsewhere on the wall: the outline is not where the text put the label
    assert find_label_quad(page, analyse(page), (0, 0, int(x0) - 60, int(y0) - 60)) is None


def test_find_label_quad_sees_a_white_sticker_on_an_off_white_wall():
    page, corners = _seen_at_an_angle()
    on = np.zeros(page.shape, np.uint8)
    cv2.fillConvexPoly(on, corners.astype(np.int32), 1)
    page = np.where(on > 0, page, np.uint8(247))  # paper 255 on a wall eight levels darker
    quad = find_label_quad(page, analyse(page))
    assert quad is not None and np.abs(quad - corners).max() < 12, quad


def test_find_label_quad_sees_a_yellow_sticker_on_a_wall_as_bright_as_it():
    page, corners = _seen_at_an_angle()
    on = np.zeros(page.shape, np.uint8)
    cv2.fillConvexPoly(on, corners.astype(np.int32), 1)
    yellow, pink = np.float32([0, 220, 230]), np.float32([230, 170, 225])  # BGR; grey 198 and 193
    ink = page.astype(np.float32)[..., None] / 255
    colour = np.where(on[..., None] > 0, ink * yellow, pink).astype(np.uint8)
    grey = to_grey(colour)
    assert find_label_quad(grey, analyse(grey)) is None  # in grey the sticker's edge is all but gone
    quad = find_label_quad(grey, analyse(grey), colour=colour)
    assert quad is not None and np.abs(quad - corners).max() < 12, quad


def test_an_outline_holding_more_text_beats_a_bright_disc_beside_it():
    # a grey sticker as pale as its wall, its printed border its only edge, beside a bright disc
    # that carries a few words: the bright region is the disc, the label is the outline
    page, corners = _seen_at_an_angle()
    on = np.zeros(page.shape, np.uint8)
    cv2.fillConvexPoly(on, corners.astype(np.int32), 1)
    wall = np.random.default_rng(2).normal(165, 6, page.shape).clip(0, 255).astype(np.uint8)
    page = np.where(on > 0, (page.astype(np.float32) * 0.65).astype(np.uint8), wall)
    cv2.polylines(page, [corners.astype(np.int32)], True, 40, 3)
    w = page.shape[1]
    cv2.ellipse(page, (w - 260, 230), (220, 170), 0, 0, 360, 250, -1)
    for i, word in enumerate(("KEEP CLEAR", "NO STEP", "KEEP CLEAR", "NO STEP")):
        cv2.putText(page, word, (w - 400, 150 + 50 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 40, 2)
    disc = find_label(page, analyse(page))
    assert disc is not None and _contains(disc, (w - 280, 210, 40, 40))  # the bright region is the disc
    view = next(plan_views(page, orientation=lambda: 0))
    vh, vw = view.image.shape
    x, y, bw, bh = view.box_to_page((0, 0, vw, vh))
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    assert x0 - 10 <= x and x + bw <= x1 + 10 and y0 - 10 <= y and y + bh <= y1 + 10, (x, y, bw, bh)
    assert view.name == "label0"


def test_find_label_quad_none_without_an_outline_round_the_text():
    grey = _grey(LONG_LABEL, size=(1000, 60), font_px=32)  # the label is the photo: no edge round it
    assert find_label_quad(grey, analyse(grey)) is None
    # print straight on a grey wall, beside a bright panel that holds none of it
    page = np.full((900, 1400), 150, np.uint8)
    cv2.rectangle(page, (100, 100), (600, 450), 250, -1)
    for i, line in enumerate(LONG_LABEL):
        cv2.putText(page, line, (700, 80 + 60 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 20, 2)
    geo = analyse(page)
    assert geo.n_chars >= 20
    assert find_label_quad(page, geo) is None


def test_plan_views_flattens_a_sticker_seen_at_an_angle(tesseract):
    page, corners = _seen_at_an_angle()
    view = next(plan_views(page, orientation=lambda: 0))
    assert view.name == "label0"
    # the sticker's corners land on a level rectangle in the view: the perspective is undone
    pts = np.hstack([corners, np.ones((4, 1))]) @ np.linalg.inv(view.to_page).T
    (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = pts[:, :2] / pts[:, 2:]
    # (within 1 % of its width; levelled by the text's slope alone, as before, its edges were
    # 26 to 91 px off)
    assert max(abs(tly - try_), abs(bly - bry), abs(tlx - blx), abs(trx - brx)) < 0.01 * view.image.shape[1], pts
    # and its words are read, the model among them
    words = TesseractEngine().read(view.image)
    model = next(w for w in words if w.text.replace("O", "0") == "WFW4720RW0")
    assert any(w.text == "CAPACITY" for w in words)
    # the word's box maps back through the homography onto the sticker, where it was drawn
    x, y, w, h = view.box_to_page(model.box)
    inside = cv2.pointPolygonTest(corners, (x + w / 2, y + h / 2), False)
    assert inside > 0, (x, y, w, h)
    # and a focus crop sampled again from the page through it reads the same word
    crop = focus(page, view, model.box, model.box[3], "focus")
    reread = TesseractEngine().read(crop.image, psm=7)
    assert any(w.text.replace("O", "0") == "WFW4720RW0" for w in reread), [w.text for w in reread]


def test_plan_views_starts_with_the_label_then_the_page(label_in_clutter):
    frame, _, _ = label_in_clutter
    names = [v.name for v in islice(plan_views(frame), 5)]
    assert names[:2] == ["label0", "page0"]
    # while no key word was read, the label is turned upside down too; its lines run across the
    # photo, so not a quarter turn
    assert "label180" in names and not {"label90", "label270"} & set(names)
    # an engine that finds its own lines (RapidOCR) gets the quarter turns all the same
    names = [v.name for v in islice(plan_views(frame, quarter_turns=True), 6)]
    assert {"label180", "label90", "label270"} <= set(names)
    # once the caller knows which way is up, it is not
    names = [v.name for v in plan_views(frame, orientation=lambda: 0)]
    assert names[:2] == ["label0", "page0"] and "label180" not in names
    # the variants after the turns are second chances, read with less patience
    spare = {v.name for v in plan_views(frame, orientation=lambda: 0) if v.spare}
    assert spare == {"binary", "clahe", "fullframe"}
    # the label's turns and its variants show the same pixels: a family (texture that timed out
    # in one is texture in all); the page's view and the full frame are other pixels
    views = list(plan_views(frame))
    assert {v.name for v in views if v.family == "label0"} >= {"label0", "label180", "binary", "clahe"}
    assert all(not v.family for v in views if v.name.startswith(("page", "small", "full")))
    # barcodes are searched again in the label's first view only: the page's view is the photo
    # made smaller, the turns and variants show the same bars again
    assert [v.name for v in plan_views(frame, orientation=lambda: 0) if v.search_codes] == ["label0"]


def test_views_after_the_orientation_is_known_are_turned_that_way():
    img = np.ascontiguousarray(np.rot90(draw_label(WHIRLPOOL), 2))  # upside down
    known: list[int] = []
    views = plan_views(img, orientation=lambda: known[0] if known else None)
    first = next(views)
    assert first.name == "level0"
    second = next(views)
    assert second.name == "level180"
    known.append(second.rotation)  # the caller read a key word on it
    rest = list(views)
    assert [v.name for v in rest] == ["binary", "clahe", "fullframe"]
    assert all(v.rotation == 180 for v in rest)


def test_plan_views_on_a_plain_label():
    names = [v.name for v in plan_views(_grey(WHIRLPOOL))]
    assert names[0] == "level0"
    assert not any(n.startswith(("label", "page", "small")) for n in names)
    assert {"level180", "binary", "clahe"} <= set(names)
    assert not {"level90", "level270"} & set(names)


def test_lines_running_up_the_photo_are_tried_every_way():
    """Text whose lines run up or down is turned a quarter both ways (which end is up is not
    known yet), and the label is read unturned too: the lines' direction can be wrong (a real
    screenshot of short lines is read only unturned)."""
    names = [v.name for v in plan_views(np.ascontiguousarray(np.rot90(_grey(WHIRLPOOL))))]
    turns = [n for n in names if n.startswith("level")]
    assert turns[0] in ("level90", "level270") and set(turns) == {"level0", "level90", "level180", "level270"}


def _ruled(rule_y: int, frame: bool = False) -> np.ndarray:
    """'SERIAL FA3438361' in 40 px DejaVu (capitals 29 px) on white, a 3 px rule across the
    row at ``rule_y`` (the baseline is at about 67), and a frame round the page if asked."""
    grey = _grey(["SERIAL FA3438361"])
    if rule_y:
        grey[rule_y:rule_y + 3, 30:600] = 0
    if frame:
        cv2.rectangle(grey, (5, 5), (grey.shape[1] - 6, grey.shape[0] - 6), 0, 3)
    return grey


def test_hide_rules_erases_a_rule_through_a_row_and_the_row_reads_again(tesseract):
    crossed = _ruled(62)
    out = hide_rules(crossed, 29.0)
    ink = _ruled(0) < 128
    rule = np.zeros_like(ink)
    rule[62:65, 30:600] = True
    assert (out[rule & ~ink] > 200).mean() > 0.9  # gone between and beside the glyphs
    assert (out[rule & ink] < 128).mean() > 0.5  # most of the glyphs' own pixels on it stay
    near = np.zeros_like(ink)
    near[61:66] = True  # (the rule's blurred edges go with it)
    assert np.array_equal(out[~near], crossed[~near])

    def text(grey):
        return "".join(w.text for w in TesseractEngine().read(grey, psm=7))

    assert "FA3438361" not in text(crossed)  # 'RIA A343836'
    assert "FA3438361" in text(out)


def test_hide_rules_leaves_a_view_whose_rules_cross_no_text_as_it_is():
    framed = _ruled(0, frame=True)
    assert hide_rules(framed, 29.0) is framed  # the frame runs through no glyph
    plain = _ruled(0)
    assert hide_rules(plain, 29.0) is plain
    assert hide_rules(_ruled(62), 0.0) is not None  # an unknown text height: nothing done


def test_a_view_without_the_rule_is_a_second_chance_only_where_a_rule_crosses_text():
    label = _grey(WHIRLPOOL)
    framed = label.copy()
    cv2.rectangle(framed, (5, 5), (label.shape[1] - 6, label.shape[0] - 6), 0, 3)
    crossed = framed.copy()
    crossed[302:305, 30:700] = 0  # through the bottom of 'SERIAL CD3700848'
    views = list(plan_views(crossed))
    names = [v.name for v in views]
    assert "unruled" in names and names.index("unruled") > names.index("clahe")
    unruled = views[names.index("unruled")]
    assert unruled.spare and unruled.char_height > 0
    assert "unruled" not in [v.name for v in plan_views(framed)]


def test_sharpen_parts_bars_that_blur_ran_together():
    import zxingcpp

    bars = np.asarray(zxingcpp.create_barcode("CS24021029", zxingcpp.BarcodeFormat.Code128)
                      .to_image(scale=3, add_hrt=False, add_quiet_zones=True))
    bars = cv2.copyMakeBorder(np.ascontiguousarray(bars), 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
    blurred = (cv2.GaussianBlur(bars, (0, 0), 2.0) * 0.5 + 100).astype(np.uint8)  # soft and grey
    assert zxingcpp.read_barcodes(blurred) == []
    assert [r.text for r in zxingcpp.read_barcodes(sharpen(blurred))] == ["CS24021029"]
    assert sharpen(blurred).dtype == np.uint8 and sharpen(blurred).shape == blurred.shape


# ---------------------------------------------------------------- small_text_blocks

def _body_and_fine_print(body_lines, body_px, fine_lines, fine_px, *, pitch=1.3, width=1400):
    """Body text across the top, a block of fine print below it at x=500:
    (page, fine-print box, bottom of the body text)."""
    body = _grey(body_lines, size=(width, int(body_px * 1.5)), font_px=body_px)
    fine = _grey(fine_lines, size=(width // 2, int(fine_px * pitch)), font_px=fine_px)
    page = np.full((body.shape[0] + fine.shape[0] + 60, width), 255, np.uint8)
    page[:body.shape[0]] = body
    y = body.shape[0] + 20
    page = _paste(page, fine, 500, y)
    bx, by, bw, bh = _dark_bbox(body)
    return page, _shift(_dark_bbox(fine), 500, y), by + bh


def test_small_text_blocks_finds_fine_print_below_body_text():
    page, fine, body_bottom = _body_and_fine_print(LONG_LABEL[:6], 40, FINE_PRINT[:3], 14)
    geo = analyse(page)
    blocks = small_text_blocks(geo, page.shape)
    assert len(blocks) == 1, blocks
    region, char_h = blocks[0]
    assert _contains(region, fine, tol=2) and _intersection(region, fine) >= 0.9 * region[2] * region[3]
    assert region[1] > body_bottom  # none of the body text
    # measured: fine print 10 px, page 29 px
    assert abs(char_h - _cap_height(14)) <= 1.5
    assert char_h < 0.5 * geo.char_height
    # plan_views gives it its own view, zoomed, that maps back onto it
    small = next(v for v in plan_views(page) if v.name == "small0")
    sh, sw = small.image.shape
    assert _contains(small.box_to_page((0, 0, sw, sh)), fine)
    assert sw > 2 * fine[2]


def _sticker_beside_fine_print():
    """A white asset sticker (40 px text) on a grey case whose own fine print (14 px, the model
    and serial) sits above it: (page, fine-print box)."""
    page = np.full((1300, 1900), 120, np.uint8)
    fine = np.minimum(_grey(FINE_PRINT[:2], size=(700, 20), font_px=14), 120)  # dark print on the grey
    page = _paste(page, fine, 100, 100)
    page = _paste(page, _grey(["ASSET 0032775", "PROPERTY OF ACME LABS", "IF FOUND CALL 555 0100"]), 700, 850)
    return page, _shift(_dark_bbox(fine, 60), 100, 100)


def test_text_beside_the_label_gets_a_view_at_its_own_scale(tesseract):
    page, fine = _sticker_beside_fine_print()
    views = list(plan_views(page))
    names = [v.name for v in views]
    assert names[:2] == ["label0", "page0"]
    beside = next(v for v in views if v.name == "beside0")
    assert beside.spare and not any(v.spare for v in views if v.name.startswith(("label", "page")))
    h, w = beside.image.shape
    assert _contains(beside.box_to_page((0, 0, w, h)), fine)
    assert w > 2 * fine[2]  # zoomed: the page's view would show its capitals about 13 px tall
    text = " ".join(word.text for word in TesseractEngine().read(beside.image))
    assert "WFW4720RW0" in _value(text) and "CD3700848" in text, text


def test_no_view_beside_a_label_that_holds_all_the_text(label_in_clutter):
    frame, _, _ = label_in_clutter
    assert not any(v.name.startswith("beside") for v in plan_views(frame))


MIXED_CASE = ["Whirlpool Corporation, Benton Harbor, Michigan", "Automatic washer for household use only",
              "Model WFW4720RW0   Serial CD3700848", "Rated 120 volts 60 hertz 15 amperes",
              "Made in the United States of America", "Read the manual before using this washer"]


@pytest.mark.parametrize("lines", [LONG_LABEL, MIXED_CASE], ids=["capitals", "mixed case"])
def test_small_text_blocks_empty_for_uniform_text(lines):
    # mixed case: the median character is the x-height (32 px font: 18 px), capitals 23 px
    grey = _grey(lines, size=(1400, 52), font_px=32)
    geo = analyse(grey)
    assert geo.n_chars > 100
    assert small_text_blocks(geo, grey.shape) == []


def test_fine_print_that_outnumbers_the_heading_sets_the_page_scale():
    """When the fine print is most of the text it is the page's text size: the first view is
    scaled for it and no extra block view is needed."""
    page, fine, _ = _body_and_fine_print(["WHIRLPOOL CORPORATION"], 60, FINE_PRINT, 14, pitch=1.6, width=1600)
    geo = analyse(page)
    assert abs(geo.char_height - 10) <= 1.5
    assert small_text_blocks(geo, page.shape) == []


# ---------------------------------------------------------------- focus

def _value(text: str) -> str:
    return text.replace("O", "0")  # Tesseract often reads the final 0 of WFW4720RW0 as O


def test_focus_crop_holds_the_word_and_rereads_it(tesseract):
    page, text = _on_canvas(angle=8.0)
    view = next(plan_views(page))
    words = TesseractEngine().read(view.image)
    word = next(w for w in words if _value(w.text) == "WFW4720RW0")
    word_on_page = view.box_to_page(word.box)
    assert _contains(text, word_on_page, tol=2)  # Tesseract's box lands on the drawn text
    crop = focus(page, view, word.box, word.box[3], "focus")
    assert crop.name == "focus" and crop.rotation == view.rotation
    ch, cw = crop.image.shape
    assert _contains(crop.box_to_page((0, 0, cw, ch)), word_on_page)
    crop_on_page = crop.box_to_page((0, 0, cw, ch))
    # a crop around one word: the word, a margin and room for lost characters on the right
    assert crop_on_page[2] * crop_on_page[3] < 4 * word_on_page[2] * word_on_page[3]
    reread = TesseractEngine().read(crop.image, psm=7)
    assert any(_value(w.text) == "WFW4720RW0" for w in reread), [w.text for w in reread]
    # zoomed so capitals are about FOCUS_CAP_HEIGHT (36 px) tall
    big = next(w for w in reread if _value(w.text) == "WFW4720RW0")
    assert 30 <= big.box[3] <= 44


# ---------------------------------------------------------------- otsu / normalise_illumination

@pytest.mark.parametrize("ink, ground", [(20, 230), (220, 40)])
def test_otsu_gives_dark_text_on_white(ink, ground):
    lab = _grey(WHIRLPOOL)
    ink_mask = lab < 100
    grey = np.where(ink_mask, ink, ground).astype(np.uint8)
    bw = otsu(cv2.GaussianBlur(grey, (3, 3), 0))
    assert set(np.unique(bw)) <= {0, 255}
    assert np.count_nonzero(bw) > 0.8 * bw.size  # mostly white
    assert (bw[ink_mask] == 0).mean() > 0.95  # the text is black
    assert (bw[~cv2.dilate(ink_mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)] == 255).all()


def test_normalise_illumination_evens_a_strong_gradient():
    lab = _grey(WHIRLPOOL)
    lit = (lab * np.linspace(0.25, 1.0, lab.shape[1])[None, :]).astype(np.uint8)  # 4x darker on the left
    ground = cv2.erode((lab > 200).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    ink = lab < 60
    out = normalise_illumination(lit, 29)
    assert out.shape == lit.shape and out.dtype == np.uint8
    # measured: std of the ground 55 -> 3.5
    assert lit[ground].std() > 40
    assert out[ground].std() < 8
    left, right = ground.copy(), ground.copy()
    left[:, lab.shape[1] // 4:] = False
    right[:, :3 * lab.shape[1] // 4] = False
    assert lit[right].mean() - lit[left].mean() > 100
    assert abs(out[right].mean() - out[left].mean()) < 8
    # the text stays dark against a white ground
    assert out[ground].mean() > 240 and out[ink].mean() < 40


def test_despeckle_only_grainy_views():
    from ocr_labels.preprocess import despeckle

    clean = cv2.cvtColor(draw_label(["MODEL WFW4720RW0", "SERIAL CD3700848"]), cv2.COLOR_BGR2GRAY)
    clean = (clean * 0.7 + 40).astype(np.uint8)  # a grey ground, so grain is not clipped at white
    assert despeckle(clean) is clean  # a clean view is left as it is
    rng = np.random.default_rng(5)
    grainy = np.clip(clean.astype(np.int16) + rng.normal(0, 12, clean.shape), 0, 255).astype(np.uint8)
    out = despeckle(grainy)
    background = clean > 180
    assert out[background].std() < 0.6 * grainy[background].std()


def test_page_is_read_again_the_right_way_up(label_in_clutter):
    """An asset sticker and an etched line share the photo: the page view comes second at the
    label's first guess; once the caller knows the guess was upside down, the page is read
    again turned that way."""
    frame, _, _ = label_in_clutter
    frame = np.ascontiguousarray(np.rot90(frame, 2))
    known: list[int] = []
    views = plan_views(frame, orientation=lambda: known[0] if known else None)
    first, page = next(views), next(views)
    assert (first.name, page.name) == ("label0", "page0")
    assert first.turned and not page.turned  # only the label's turns are compared for legibility
    turned = next(views)
    assert turned.name == "label180" and turned.turned
    known.append(180)
    rest = list(views)
    assert [v.name for v in rest] == ["page180", "binary", "clahe", "fullframe"]
    assert all(v.rotation == 180 for v in rest)


def test_light_print_on_a_dark_plate_is_read_dark_on_light(tesseract):
    from ocr_labels import scan_image
    from ocr_labels.preprocess import light_text

    label = draw_label(WHIRLPOOL)
    # a grey plate with white print, in a darker frame (as the generator's light-etched metal)
    plate = (255 - to_grey(label)).astype(np.float32) * 0.55 + 90
    photo = np.full((label.shape[0] + 200, label.shape[1] + 200), 60, np.uint8)
    photo[100:-100, 100:-100] = plate.clip(0, 255).astype(np.uint8)
    bgr = cv2.cvtColor(photo, cv2.COLOR_GRAY2BGR)
    assert light_text(photo, None, 20.0) and not light_text(to_grey(label), None, 20.0)
    first = next(plan_views(bgr))
    assert first.inverted and np.median(first.image) > 128  # the ground is light in the view
    record = scan_image(bgr)
    assert (record.model, record.serial) == ("WFW4720RW0", "CD3700848")
