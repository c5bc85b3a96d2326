"""The HTML review page: one self-contained file to check what was read from each photo.

For each record: a thumbnail of the photo and, when the record has a ``label`` box, a crop of the
label, with the ``model`` and ``serial`` boxes drawn on both; brand, model and serial with their
confidence and source; the manufacture date. A field that is empty, read with a confidence under
``REVIEW_BELOW``, or belongs to a record with an ``error`` is marked "needs review".

The file has no external references: images are JPEG data URIs, style and script are inline, and a
Content-Security-Policy forbids any network access. A checkbox shows only the records that need
review; the page also applies that filter on load when its address ends in ``#needs-review``.
Each record is an element with ``class="record"``, ``data-file`` and ``data-review`` ("1"/"0").
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import Any, Iterable

from PIL import Image, ImageDraw, ImageOps

from .inventory import format_manufactured
from .records import Record
from .sinks import atomic_write

REVIEW_BELOW = 0.8
THUMB_MAX = 480
JPEG_QUALITY = 80
BOX_COLOURS = {"label": (0, 170, 0), "model": (0, 90, 255), "serial": (255, 120, 0)}
FILTER_HASH = "needs-review"

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f4f4f4;color:#222}
header{position:sticky;top:0;background:#fff;border-bottom:1px solid #ccc;padding:8px 16px;z-index:1}
header h1{font-size:18px;margin:0 0 4px}
main{padding:8px 16px}
.record{background:#fff;border:1px solid #ccc;border-left:6px solid #2a2;margin:12px 0;padding:8px 12px}
.record[data-review="1"]{border-left-color:#d80}
.record[hidden]{display:none!important}
.record h2{font-size:15px;margin:0 0 6px;word-break:break-all}
.images{display:flex;flex-wrap:wrap;gap:12px}
figure{margin:0}
figure img{max-width:480px;max-height:480px;border:1px solid #999}
figcaption{font-size:12px;color:#555}
.placeholder{width:240px;height:160px;display:flex;align-items:center;justify-content:center;
 background:#ddd;color:#444;text-align:center;padding:8px;box-sizing:border-box;font-size:12px}
table{border-collapse:collapse;margin-top:8px}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
.review td.flag{color:#b50;font-weight:bold}
td.flag{color:#2a2}
.error{color:#b00;font-weight:bold}
.legend span{display:inline-block;padding:0 6px;margin-right:6px;color:#fff;border-radius:3px}
code{font-size:13px}
"""

_JS = """
(function () {
  var box = document.getElementById('only-review');
  function apply() {
    var only = box.checked, shown = 0;
    var records = document.querySelectorAll('.record');
    for (var i = 0; i < records.length; i++) {
      var hide = only && records[i].getAttribute('data-review') !== '1';
      records[i].hidden = hide;
      if (!hide) shown++;
    }
    document.body.setAttribute('data-filter', only ? 'needs-review' : 'all');
    document.getElementById('shown').textContent = String(shown);
  }
  box.addEventListener('change', function () {
    try {
      history.replaceState(null, '', box.checked ? '#needs-review'
                                                 : location.pathname + location.search);
    } catch (e) {}
    apply();
  });
  window.addEventListener('hashchange', function () {
    box.checked = location.hash === '#needs-review';
    apply();
  });
  box.checked = location.hash === '#needs-review';
  apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def field_review(record: Record, name: str) -> str | None:
    """Why ``name`` (brand, model or serial) needs review, or ``None`` when it is fine."""
    if record.error is not None:
        return "the photo could not be read"
    value = getattr(record, name)
    if not value:
        return "empty"
    conf = getattr(record, f"{name}_confidence")
    if conf is None:
        return "no confidence"
    if conf < REVIEW_BELOW:
        return f"low confidence {conf:.2f}"
    return None


def needs_review(record: Record) -> bool:
    return any(field_review(record, name) for name in ("brand", "model", "serial"))


# -- images ---------------------------------------------------------------------------------

def _resolve(file: str, base_dir: Path) -> Path:
    p = Path(file)
    return p if p.is_absolute() else base_dir / p


def _load_image(path: Path) -> Image.Image:
    with Image.open(path) as im:
        im = ImageOps.exif_transpose(im)  # boxes are in the upright image's pixels
        return im.convert("RGB")


def _valid_box(box: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(box, (list, tuple)) or len(box) != 4:
        return None
    try:
        left, top, width, height = (float(v) for v in box)
    except (TypeError, ValueError):
        return None
    if width <= 0 or height <= 0:
        return None
    return left, top, width, height


def _shrink(im: Image.Image) -> tuple[Image.Image, float, float]:
    small = im.copy()
    small.thumbnail((THUMB_MAX, THUMB_MAX), Image.Resampling.LANCZOS)
    return small, small.width / im.width, small.height / im.height


def _draw_boxes(im: Image.Image, boxes: dict[str, Any], names: Iterable[str],
                sx: float, sy: float, dx: float = 0.0, dy: float = 0.0) -> list[str]:
    """Draw the named boxes (original pixels, shifted by dx/dy, scaled by sx/sy); returns the
    names drawn."""
    draw = ImageDraw.Draw(im)
    width = max(2, round(max(im.size) / 160))
    drawn = []
    for name in names:
        box = _valid_box(boxes.get(name))
        if box is None:
            continue
        left, top, w, h = box
        x0, y0 = (left - dx) * sx, (top - dy) * sy
        x1, y1 = (left - dx + w) * sx - 1, (top - dy + h) * sy - 1
        if x1 < 0 or y1 < 0 or x0 >= im.width or y0 >= im.height:
            continue
        draw.rectangle([x0, y0, max(x0, x1), max(y0, y1)], outline=BOX_COLOURS[name], width=width)
        drawn.append(name)
    return drawn


def _data_uri(im: Image.Image) -> str:
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=JPEG_QUALITY)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(uri: str, caption: str, kind: str) -> str:
    return (f'<figure><img class="{kind}" src="{uri}" alt="{_e(caption)}">'
            f"<figcaption>{_e(caption)}</figcaption></figure>")


def _placeholder(message: str) -> str:
    return f'<figure><div class="placeholder">{_e(message)}</div><figcaption>no image</figcaption></figure>'


def _images(record: Record, base_dir: Path) -> str:
    path = _resolve(record.file, base_dir)
    try:
        im = _load_image(path)
    except Exception as e:  # any unreadable photo becomes a placeholder; the record is still shown
        return _placeholder(f"photo not shown: {type(e).__name__}: {e}")
    boxes = record.boxes or {}
    parts = []
    thumb, sx, sy = _shrink(im)
    drawn = _draw_boxes(thumb, boxes, ("label", "model", "serial"), sx, sy)
    parts.append(_figure(_data_uri(thumb), "photo" + (f" ({', '.join(drawn)} boxes)" if drawn else ""),
                         "thumb"))
    label = _valid_box(boxes.get("label"))
    if label is not None:
        left, top, w, h = label
        region = (max(0, round(left)), max(0, round(top)),
                  min(im.width, round(left + w)), min(im.height, round(top + h)))
        if region[2] > region[0] and region[3] > region[1]:
            crop = im.crop(region)
            small, cx, cy = _shrink(crop)
            _draw_boxes(small, boxes, ("model", "serial"), cx, cy, region[0], region[1])
            parts.append(_figure(_data_uri(small), "label", "crop"))
    return "".join(parts)


# -- page -----------------------------------------------------------------------------------

def _field_row(record: Record, label: str, name: str) -> str:
    value = getattr(record, name)
    conf = getattr(record, f"{name}_confidence")
    source = getattr(record, f"{name}_source", None)
    why = field_review(record, name)
    flag = f"needs review: {why}" if why else "ok"
    candidates = [c for c in record.candidates if c.get("field") == name]
    extra = ""
    if why and candidates:
        items = ", ".join(f"<code>{_e(c.get('value'))}</code> ({_e(_conf_text(c.get('confidence')))})"
                          for c in candidates)
        extra = f"<br><small>candidates: {items}</small>"
    return (f'<tr class="field {"review" if why else "ok"}" data-field="{name}">'
            f"<th>{_e(label)}</th><td><code>{_e(value) if value else '—'}</code>{extra}</td>"
            f"<td>{_e(_conf_text(conf))}</td><td>{_e(source or '')}</td>"
            f'<td class="flag">{_e(flag)}</td></tr>')


def _conf_text(conf: Any) -> str:
    return f"{conf:.2f}" if isinstance(conf, (int, float)) else ""


def _record_html(record: Record, base_dir: Path, index: int) -> str:
    review = needs_review(record)
    title = record.file + ("" if record.page is None else f" — page {record.page}")
    rows = [_field_row(record, "Brand", "brand"), _field_row(record, "Model", "model"),
            _field_row(record, "Serial", "serial")]
    made = format_manufactured(record.manufactured)
    if made:
        rule = (record.manufactured or {}).get("rule")
        age = "" if record.age_years is None else f"; about {record.age_years:.1f} years old"
        rows.append(f'<tr class="manufactured"><th>Manufactured</th><td colspan="4">{_e(made)}'
                    f"{_e(f' (rule {rule})' if rule else '')}{_e(age)}</td></tr>")
    if record.warnings:
        rows.append(f'<tr><th>Warnings</th><td colspan="4">{_e("; ".join(record.warnings))}</td></tr>')
    error = f'<p class="error">Error: {_e(record.error)}</p>' if record.error else ""
    return (f'<section class="record" id="record-{index}" data-file="{_e(record.file)}" '
            f'data-review="{1 if review else 0}">'
            f"<h2>{_e(title)}</h2>{error}"
            f'<div class="images">{_images(record, base_dir)}</div>'
            f'<table><tr><th></th><th>value</th><th>confidence</th><th>source</th><th>review</th></tr>'
            f'{"".join(rows)}</table></section>\n')


def _head(title: str) -> str:
    legend = "".join(f'<span style="background:rgb{c}">{_e(n)}</span>' for n, c in BOX_COLOURS.items())
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
        f"<meta name=\"viewport\" content=\"width=device-width\"><title>{_e(title)}</title>"
        f"<style>{_CSS}</style></head><body data-filter=\"all\">"
        f"<header><h1>{_e(title)}</h1>"
        '<label><input type="checkbox" id="only-review"> show only records that need review</label>'
        ' &nbsp; showing <span id="shown"></span> &nbsp; '
        f'<span class="legend">boxes: {legend}</span></header><main>\n'
    )


def write_report(records: Iterable[Record], out_path: str | Path, *,
                 base_dir: str | Path | None = None, title: str = "ocr-labels review") -> int:
    """Write the review page to ``out_path`` (atomically); returns the number of records in it.

    ``record.file`` paths that are relative are read from ``base_dir`` (default: the current
    directory)."""
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    n = review = 0
    with atomic_write(out_path) as fh:
        fh.write(_head(title))
        for record in records:
            n += 1
            review += needs_review(record)
            fh.write(_record_html(record, base, n))
        fh.write(f'</main><footer><p id="summary">{n} records, {review} need review</p></footer>'
                 f"<script>{_JS}</script></body></html>\n")
    return n


__all__ = ["write_report", "needs_review", "field_review", "REVIEW_BELOW"]
