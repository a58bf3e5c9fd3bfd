"""stamp(): place a reviewing role's seal, signatures, opinion, 公示情况 and date in its cell.

Everything is placed as images with pikepdf: text is pre-rendered with Pillow, so no font
is parsed or subset while stamping and earlier stamps are never re-rendered.
"""

import hashlib
import io
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field

import pikepdf
from PIL import Image

from . import layout as L
from .errors import FormError
from .seals import INK, PX_PER_MM, text_image

PT_PER_MM = 72 / 25.4
PIECE_SEAL = "公章或职称专用章"
PIECE_REVIEWER = "审核人签字"
PIECE_LEADER = "负责人签字"
PIECE_OPINION = "审核意见"
PIECE_PUBLICITY = "公示情况"


@dataclass
class StampResult:
    """The stamped PDF, the Chinese names of missing pieces, and where each piece went."""

    pdf: bytes
    missing: list = field(default_factory=list)
    placed: dict = field(default_factory=dict)


class _ImageCache:
    """Decoded, deflated image data per PNG, shared by every stamp in the process."""

    def __init__(self, size=128):
        self._items = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, png):
        key = hashlib.sha1(png).digest()
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item
        try:
            img = Image.open(io.BytesIO(png))
            img.load()
        except Exception:
            raise FormError("印章图片无法识别") from None
        img = img.convert("RGBA")
        rgb = zlib.compress(img.convert("RGB").tobytes(), 6)
        alpha = zlib.compress(img.getchannel("A").tobytes(), 6)
        item = (img.width, img.height, rgb, alpha)
        with self._lock:
            self._items[key] = item
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return item


_images = _ImageCache()


def _fit(png, rect, align="center", valign="middle", natural=False):
    """Return (x, y, w, h) mm of the image scaled into rect keeping its aspect ratio.

    `natural` keeps text rendered by text_image at its own size: a short opinion is not blown up to fill the cell.
    """
    width, height, _rgb, _alpha = _images.get(png)
    x, y, w, h = rect
    scale = min(w / width, h / height)
    if natural:
        scale = min(scale, 1 / PX_PER_MM)
    iw, ih = width * scale, height * scale
    ix = x + (w - iw) / 2 if align == "center" else x if align == "left" else x + w - iw
    iy = y + (h - ih) / 2 if valign == "middle" else y if valign == "top" else y + h - ih
    return ix, iy, iw, ih


def _image_xobject(pdf, png):
    width, height, rgb, alpha = _images.get(png)
    smask = pikepdf.Stream(pdf, b"")
    smask.write(alpha, filter=pikepdf.Name.FlateDecode)
    smask.Type = pikepdf.Name.XObject
    smask.Subtype = pikepdf.Name.Image
    smask.Width, smask.Height = width, height
    smask.ColorSpace = pikepdf.Name.DeviceGray
    smask.BitsPerComponent = 8
    image = pikepdf.Stream(pdf, b"")
    image.write(rgb, filter=pikepdf.Name.FlateDecode)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = width, height
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    image.SMask = smask
    return image


def _date_text(date):
    return f"{date.year}年{date.month}月{date.day}日"


def _publicity_text(publicity):
    time = str(publicity.get("time") or "").strip()
    opinion = str(publicity.get("opinion") or "").strip()
    return "\n".join(p for p in (f"公示时间:{time}" if time else "", f"公示意见:{opinion}" if opinion else "") if p)


def _is_png(value):
    return isinstance(value, (bytes, bytearray)) and bytes(value[:8]) == b"\x89PNG\r\n\x1a\n"


def stamp(pdf_bytes, form, role, seals, date):
    """Add a role's seal, signatures, opinion, 公示情况 and date to its cell; report missing pieces."""
    if role == L.ROLE_COMMITTEE:
        raise FormError("评委会不签章")
    if role not in L.STAMPING_ROLES:
        raise FormError(f"未知的审核角色「{role}」")
    page_index, cx, cy, cw, ch = L.cell_rect(form, role)
    slots = L.slots(form, role)
    seals = seals or {}
    missing = []
    pieces = []

    def image_piece(key, name, slot, **fit):
        value = seals.get(key)
        if value is None or value == b"" or value == "":
            missing.append(name)
            return
        if not _is_png(value):
            raise FormError(f"{name}必须是 PNG 图片")
        pieces.append((name, bytes(value), _fit(bytes(value), slots[slot], **fit)))

    image_piece("seal", PIECE_SEAL, "seal")
    image_piece("reviewer_sign", PIECE_REVIEWER, "reviewer_sign", align="left", valign="bottom")
    image_piece("leader_sign", PIECE_LEADER, "leader_sign", align="left", valign="bottom")
    opinion = seals.get("opinion")
    if opinion is None or (isinstance(opinion, (str, bytes)) and not opinion.strip()):
        missing.append(PIECE_OPINION)
    else:
        x, y, w, h = slots["opinion"]
        uploaded = _is_png(opinion)
        png = bytes(opinion) if uploaded else text_image(str(opinion), round(w, 1), round(h, 1), max_char_mm=3.2)
        pieces.append((PIECE_OPINION, png, _fit(png, slots["opinion"], align="left", valign="top",
                                                natural=not uploaded)))
    if role == L.ROLE_UNIT:
        publicity = seals.get("publicity")
        text = _publicity_text(publicity) if isinstance(publicity, dict) else ""
        if not text:
            missing.append(PIECE_PUBLICITY)
        else:
            box = slots["publicity_text"]
            png = text_image(text, round(box[2], 1), round(box[3], 1), max_char_mm=3.2)
            pieces.append((PIECE_PUBLICITY, png, _fit(png, box, align="left", valign="top")))
    date_png = text_image(_date_text(date), round(slots["date"][2], 1), round(slots["date"][3], 1),
                          max_char_mm=3.0, align="right", color=INK)
    pieces.append(("日期", date_png, _fit(date_png, slots["date"], align="right")))
    # The seal goes on last so it sits over the date and signatures, as ink on paper does.
    pieces.sort(key=lambda p: p[0] == PIECE_SEAL)

    try:
        pdf = pikepdf.open(io.BytesIO(pdf_bytes))
    except Exception:
        raise FormError("PDF 文件无法打开,无法签章") from None
    with pdf:
        try:
            page = pdf.pages[page_index]
        except IndexError:
            raise FormError("PDF 页数不符,无法签章") from None
        page_h = float(page.mediabox[3]) - float(page.mediabox[1])
        resources = page.obj.get("/Resources")
        if resources is None:
            page.obj.Resources = resources = pikepdf.Dictionary()
        xobjects = resources.get("/XObject")
        if xobjects is None:
            resources.XObject = xobjects = pikepdf.Dictionary()
        used = set(xobjects.keys())
        ops = []
        placed = {}
        serial = 0
        for name, png, (x, y, w, h) in pieces:
            while f"/Stamp{serial}" in used:
                serial += 1
            res = f"/Stamp{serial}"
            used.add(res)
            xobjects[res] = _image_xobject(pdf, png)
            ops.append("q %.3f 0 0 %.3f %.3f %.3f cm %s Do Q" % (
                w * PT_PER_MM, h * PT_PER_MM, x * PT_PER_MM, page_h - (y + h) * PT_PER_MM, res))
            placed[name] = (x, y, w, h)
        # Wrapping the existing content in q/Q keeps any graphics state it leaves behind
        # from shifting the stamps.
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, ("Q\n" + "\n".join(ops) + "\n").encode()))
        out = io.BytesIO()
        pdf.save(out)
    return StampResult(pdf=out.getvalue(), missing=missing, placed=placed)
