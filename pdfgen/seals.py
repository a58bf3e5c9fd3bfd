"""Seal, signature and opinion images (Pillow), all PNG with a transparent background."""

import io
import math
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageOps

from .errors import FormError
from .fonts import SANS, SERIF, pil_font

SEAL_RED = (214, 24, 31)
INK = (20, 20, 24)
PX_PER_MM = 12  # about 300 dpi: crisp on paper, small enough to stamp quickly
MAX_UPLOAD_PX = 600
MAX_INPUT_PIXELS = 40_000_000


def _png(img):
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=6)
    return buf.getvalue()


def _char_tile(ch, size, squeeze):
    """One character drawn upright on a transparent tile, optionally narrowed."""
    font = pil_font(size, SANS)
    tile = Image.new("L", (int(size * 1.4), int(size * 1.4)), 0)
    draw = ImageDraw.Draw(tile)
    draw.text((tile.width / 2, tile.height / 2), ch, font=font, fill=255, anchor="mm",
              stroke_width=max(1, size // 28), stroke_fill=255)
    if squeeze < 1.0:
        narrowed = tile.resize((max(1, int(tile.width * squeeze)), tile.height), Image.LANCZOS)
        tile = Image.new("L", tile.size, 0)
        tile.paste(narrowed, ((tile.width - narrowed.width) // 2, 0))
    return tile


def _star(cx, cy, r_outer):
    r_inner = r_outer * 0.382
    points = []
    for i in range(10):
        r = r_outer if i % 2 == 0 else r_inner
        angle = math.radians(-90 + i * 36)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


@lru_cache(maxsize=32)
def generate_title_seal(unit_name, size_px=640):
    """Return a round red 职称专用章 PNG: the unit name on the arc, a star, 职称专用章 below."""
    name = "".join(str(unit_name or "").split())
    if not name:
        raise FormError("生成职称专用章需要填写单位名称")
    if len(name) > 40:
        raise FormError("单位名称过长,无法生成职称专用章(最多40个字)")
    scale = 2  # draw at twice the size and downsample for smooth edges
    s = size_px * scale
    c = s / 2
    mask = Image.new("L", (s, s), 0)
    draw = ImageDraw.Draw(mask)
    ring = s * 0.034
    draw.ellipse((ring / 2 + 2, ring / 2 + 2, s - ring / 2 - 2, s - ring / 2 - 2), outline=255, width=int(ring))
    draw.polygon(_star(c, c, s * 0.15), fill=255)
    outer = s / 2 - ring - 2
    n = len(name)
    span = min(228.0, max(22.0 * n + 30.0, 150.0 + 10.0 * n)) if n > 1 else 0.0
    step = span / (n - 1) if n > 1 else 0.0
    # Long names get tall, narrow characters, as on a carved seal.
    char_size = int(outer * (0.33 if n <= 6 else 0.29 if n <= 10 else max(0.19, 0.27 - 0.006 * (n - 10))))
    text_r = outer - char_size * 0.72
    arc_len = 2 * math.pi * (text_r - char_size * 0.35) * (step / 360.0) if n > 1 else outer
    squeeze = min(1.0, max(0.5, arc_len * 0.92 / char_size))
    for i, ch in enumerate(name):
        theta = -span / 2 + i * step
        tile = _char_tile(ch, char_size, squeeze).rotate(-theta, resample=Image.BICUBIC, expand=True)
        x = c + text_r * math.sin(math.radians(theta))
        y = c - text_r * math.cos(math.radians(theta))
        mask.paste(255, (int(x - tile.width / 2), int(y - tile.height / 2)), tile)
    label_font = pil_font(int(outer * 0.17), SANS)
    draw.text((c, c + outer * 0.52), "职称专用章", font=label_font, fill=255, anchor="mm",
              stroke_width=max(1, int(outer * 0.17) // 30), stroke_fill=255)
    mask = mask.resize((size_px, size_px), Image.LANCZOS)
    img = Image.new("RGBA", (size_px, size_px), SEAL_RED + (0,))
    img.putalpha(mask)
    return _png(img)


def _wrap(text, font, width_px):
    lines = []
    for para in str(text).split("\n"):
        line = ""
        width = 0.0
        for ch in para:
            w = font.getlength(ch)
            if line and width + w > width_px:
                lines.append(line)
                line, width = "", 0.0
            line += ch
            width += w
        lines.append(line)
    return lines


def _render_lines(lines, font, line_px, color, align="left", width_px=None):
    widths = [font.getlength(line) for line in lines]
    w = int(width_px or max(widths + [1])) + 4
    h = int(line_px * len(lines)) + 4
    img = Image.new("RGBA", (max(w, 1), max(h, 1)), color + (0,))
    draw = ImageDraw.Draw(img)
    for i, (line, lw) in enumerate(zip(lines, widths)):
        x = 2 if align == "left" else w - 2 - lw
        draw.text((x, 2 + i * line_px + line_px / 2), line, font=font, fill=color + (255,), anchor="lm")
    return img


@lru_cache(maxsize=256)
def text_image(text, box_w_mm, box_h_mm, max_char_mm=4.0, min_char_mm=2.2, align="left", color=INK):
    """Render text as a transparent PNG that fits a box of box_w_mm × box_h_mm (largest size that fits)."""
    text = str(text).strip()
    char_mm = max_char_mm
    while True:
        size = max(8, int(char_mm * PX_PER_MM))
        font = pil_font(size, SERIF)
        width_px = box_w_mm * PX_PER_MM - 4
        lines = _wrap(text, font, width_px)
        line_px = size * 1.35
        if len(lines) * line_px + 4 <= box_h_mm * PX_PER_MM or char_mm <= min_char_mm:
            break
        char_mm -= 0.2
    fit_w = width_px if len(lines) > 1 else None
    img = _render_lines(lines, font, line_px, color, align=align, width_px=fit_w)
    return _png(img)


def opinion_image(text, width_mm=80.0, height_mm=30.0):
    """Return 审核意见 text as a transparent PNG sized for a cell of the given size."""
    text = str(text or "").strip()
    if not text:
        raise FormError("审核意见不能为空")
    if len(text) > 500:
        raise FormError("审核意见过长(最多500字)")
    return text_image(text, float(width_mm), float(height_mm))


def normalise_seal_image(data, max_px=MAX_UPLOAD_PX):
    """Return an uploaded 公章/signature as PNG: alpha kept, white made transparent, trimmed, bounded."""
    if not data:
        raise FormError("印章图片为空")
    try:
        img = Image.open(io.BytesIO(data))
        if img.width * img.height > MAX_INPUT_PIXELS:
            raise FormError("印章图片尺寸过大")
        if img.format not in ("PNG", "JPEG", "MPO", "WEBP", "BMP", "GIF"):
            raise FormError("印章图片只支持 PNG、JPG 格式")
        img = ImageOps.exif_transpose(img)
        img.load()
    except FormError:
        raise
    except Exception:
        raise FormError("印章图片无法识别,请上传 PNG 或 JPG 格式的图片") from None
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA")
    r, g, b, a = img.split()
    if not has_alpha or a.getextrema()[0] == 255:
        # A scan on white paper: the lighter a pixel, the more transparent (keeps anti-aliased edges).
        darkest = ImageChops.darker(ImageChops.darker(r, g), b)
        # Coloured ink (red seals) is light in one channel only, so judge by the darkest one.
        ink = darkest.point(lambda v: 0 if v >= 235 else 255 if v <= 175 else int((235 - v) * 255 / 60))
        a = ImageChops.multiply(a, ink)
        img.putalpha(a)
    box = a.point(lambda v: 255 if v > 16 else 0).getbbox()
    if not box:
        raise FormError("印章图片是空白的,请重新上传")
    pad = 4
    img = img.crop((max(0, box[0] - pad), max(0, box[1] - pad),
                    min(img.width, box[2] + pad), min(img.height, box[3] + pad)))
    if max(img.size) > max_px:
        img.thumbnail((max_px, max_px), Image.LANCZOS)
    return _png(img)
