"""CJK fonts for fpdf2, parsed once per process and subset without fontTools' subsetter.

fpdf2 re-parses the font file for every document and subsets it with fontTools in
``output()``; with a 30,000-glyph CID-keyed CFF font that costs about 1 ms per distinct
character (charstring interpretation for bounding boxes and subroutine pruning), so a
form with 700 distinct characters took close to a second.  Here each font is parsed
once; every glyph a document uses is flattened (subroutines inlined) once per process
and cached, and the subset CFF table is assembled directly from those bytes.  fpdf2
still writes all the PDF font objects (widths, ToUnicode, CMaps); only the subsetting
step is replaced, and only for fonts registered through :func:`add_cjk_fonts`.
"""

import os
import struct
import threading
from functools import lru_cache

from fontTools import subset as _ftsubset
from fpdf import output as _fpdf_output
from fpdf.fonts import SubsetMap, TTFFont

SANS = "cjk-sans"
SERIF = "cjk-serif"

_FILES = {
    SANS: ("NotoSansSC-Regular.otf", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    SERIF: ("NotoSerifSC-Regular.otf", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
}


def font_path(family=SERIF):
    """Return the path of the OTF file used for a font family."""
    otf, _ttc = _FILES[family]
    env = os.environ.get("PDFGEN_FONT_DIR")
    candidates = []
    if env:
        candidates.append(os.path.join(env, otf))
    try:
        import pylopdf_fonts_zh_cn

        candidates.append(os.path.join(os.path.dirname(pylopdf_fonts_zh_cn.__file__), otf))
    except ImportError:
        pass
    for path in candidates:
        if os.path.exists(path):
            return path
    raise FileNotFoundError(f"CJK font {otf} not found (install pylopdf-fonts-zh-cn)")


def _read_index(data, pos):
    """Return (list of (start, end) item spans, position after the INDEX)."""
    count = struct.unpack_from(">H", data, pos)[0]
    if count == 0:
        return [], pos + 2
    off_size = data[pos + 2]
    base = pos + 3 + (count + 1) * off_size - 1
    offsets = []
    for i in range(count + 1):
        start = pos + 3 + i * off_size
        offsets.append(int.from_bytes(data[start:start + off_size], "big"))
    spans = [(base + offsets[i], base + offsets[i + 1]) for i in range(count)]
    return spans, base + offsets[-1]


def _write_index(items):
    """Encode a CFF INDEX with 4-byte offsets."""
    if not items:
        return b"\x00\x00"
    out = [struct.pack(">HB", len(items), 4)]
    offset = 1
    offsets = [offset]
    for item in items:
        offset += len(item)
        offsets.append(offset)
    out.append(b"".join(struct.pack(">I", o) for o in offsets))
    out.extend(items)
    return b"".join(out)


def _parse_dict(data):
    """Split a CFF DICT into [(operator, operand values, raw bytes)] keeping the raw encoding."""
    entries = []
    i = 0
    start = 0
    operands = []
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                op = (12, data[i + 1])
                i += 2
            else:
                op = b0
                i += 1
            entries.append((op, operands, data[start:i]))
            operands = []
            start = i
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b0 == 30:
            i += 1
            while True:
                byte = data[i]
                i += 1
                if (byte & 0x0F) == 0x0F or (byte >> 4) == 0x0F:
                    break
            operands.append(None)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise ValueError("bad CFF DICT byte")
    return entries


def _int5(value):
    return b"\x1d" + struct.pack(">i", value)


def _op(op):
    return bytes(op) if isinstance(op, tuple) else bytes([op])


def _bias(count):
    if count < 1240:
        return 107
    if count < 33900:
        return 1131
    return 32768


class _CFFSource:
    """A CID-keyed CFF font parsed once; builds subset CFF tables from flattened glyphs."""

    _DROP_TOP = {15, 16, 17, 18, (12, 36), (12, 37)}

    def __init__(self, raw, font_name):
        self.raw = raw
        self.font_name = font_name.encode("ascii", "replace")
        pos = raw[2]
        _names, pos = _read_index(raw, pos)
        top_spans, pos = _read_index(raw, pos)
        str_start = pos
        _strings, pos = _read_index(raw, pos)
        self.string_index = raw[str_start:pos]
        gsubr_spans, pos = _read_index(raw, pos)
        self.gsubrs = [raw[s:e] for s, e in gsubr_spans]
        top = _parse_dict(raw[top_spans[0][0]:top_spans[0][1]])
        ops = {op: vals for op, vals, _ in top}
        if (12, 30) not in ops:
            raise ValueError("font is not CID-keyed")
        self.top_entries = [rawb for op, _v, rawb in top if op not in self._DROP_TOP]
        self.charstrings, _ = _read_index(raw, ops[17][0])
        n = len(self.charstrings)
        self.gid_to_cid = self._parse_charset(ops[15][0], n)
        self.cid_to_gid = {cid: gid for gid, cid in enumerate(self.gid_to_cid)}
        self.fd_select = self._parse_fdselect(ops[(12, 37)][0], n)
        fd_spans, _ = _read_index(raw, ops[(12, 36)][0])
        self.fds = []
        for s, e in fd_spans:
            entries = _parse_dict(raw[s:e])
            private = None
            kept = []
            for op, vals, rawb in entries:
                if op == 18:
                    private = vals
                else:
                    kept.append(rawb)
            size, offset = private
            pdata = raw[offset:offset + size]
            pentries = _parse_dict(pdata)
            subrs = []
            pkept = []
            for op, vals, rawb in pentries:
                if op == 19:
                    spans, _ = _read_index(raw, offset + vals[0])
                    subrs = [raw[a:b] for a, b in spans]
                else:
                    pkept.append(rawb)
            self.fds.append((b"".join(kept), b"".join(pkept), subrs))
        self._flat = {}
        self._lock = threading.Lock()

    def _parse_charset(self, offset, n):
        raw = self.raw
        fmt = raw[offset]
        cids = [0]
        pos = offset + 1
        if fmt == 0:
            while len(cids) < n:
                cids.append(struct.unpack_from(">H", raw, pos)[0])
                pos += 2
        else:
            size = 1 if fmt == 1 else 2
            while len(cids) < n:
                first = struct.unpack_from(">H", raw, pos)[0]
                left = raw[pos + 2] if size == 1 else struct.unpack_from(">H", raw, pos + 2)[0]
                pos += 2 + size
                cids.extend(range(first, first + left + 1))
        return cids[:n]

    def _parse_fdselect(self, offset, n):
        raw = self.raw
        fmt = raw[offset]
        if fmt == 0:
            return list(raw[offset + 1:offset + 1 + n])
        nranges = struct.unpack_from(">H", raw, offset + 1)[0]
        result = [0] * n
        pos = offset + 3
        for i in range(nranges):
            first, fd = struct.unpack_from(">HB", raw, pos + i * 3)
            nxt = struct.unpack_from(">H", raw, pos + (i + 1) * 3)[0]
            result[first:nxt] = [fd] * (nxt - first)
        return result

    def flat(self, gid):
        """Return the glyph's charstring with every subroutine call inlined (cached)."""
        code = self._flat.get(gid)
        if code is None:
            s, e = self.charstrings[gid]
            _fd, _priv, subrs = self.fds[self.fd_select[gid]]
            out = bytearray()
            state = {"depth": 0, "stems": 0, "last": 0, "done": False}
            self._flatten(self.raw[s:e], subrs, out, state)
            code = bytes(out)
            with self._lock:
                self._flat[gid] = code
        return code

    def _flatten(self, code, subrs, out, state):
        i = 0
        n = len(code)
        while i < n:
            b0 = code[i]
            if b0 >= 32 or b0 == 28:
                state["last"] = len(out)
                if b0 <= 246:
                    size = 1
                elif b0 <= 254:
                    size = 2
                elif b0 == 255:
                    size = 5
                else:
                    size = 3
                if b0 == 28:
                    size = 3
                out += code[i:i + size]
                state["depth"] += 1
                i += size
                continue
            if b0 == 12:
                out += code[i:i + 2]
                i += 2
                state["depth"] = 0
                continue
            i += 1
            if b0 in (10, 29):
                index_bytes = bytes(out[state["last"]:])
                del out[state["last"]:]
                state["depth"] -= 1
                index = _decode_number(index_bytes)
                table = subrs if b0 == 10 else self.gsubrs
                self._flatten(table[index + _bias(len(table))], subrs, out, state)
                if state["done"]:
                    return
                continue
            if b0 == 11:
                return
            if b0 in (1, 3, 18, 23):
                state["stems"] += state["depth"] // 2
            elif b0 in (19, 20):
                state["stems"] += state["depth"] // 2
                out.append(b0)
                nbytes = (state["stems"] + 7) // 8
                out += code[i:i + nbytes]
                i += nbytes
                state["depth"] = 0
                continue
            out.append(b0)
            state["depth"] = 0
            if b0 == 14:
                state["done"] = True
                return

    def build(self, glyph_names):
        """Return a subset CFF table holding .notdef and the named glyphs, CIDs unchanged."""
        gids = {0}
        for name in glyph_names:
            if name.startswith("cid"):
                gid = self.cid_to_gid.get(int(name[3:]))
                if gid is not None:
                    gids.add(gid)
        gids = sorted(gids)
        charset = b"\x00" + b"".join(struct.pack(">H", self.gid_to_cid[g]) for g in gids[1:])
        fdselect = b"\x00" + bytes(self.fd_select[g] for g in gids)
        charstrings = _write_index([self.flat(g) for g in gids])
        header = bytes([1, 0, 4, 4])
        name_index = _write_index([self.font_name])
        top_body_len = sum(len(e) for e in self.top_entries) + 4 * 5 + 6
        top_index_len = 2 + 1 + 4 * 2 + top_body_len
        pos = len(header) + len(name_index) + top_index_len + len(self.string_index) + 2
        charset_off = pos
        pos += len(charset)
        fdselect_off = pos
        pos += len(fdselect)
        charstrings_off = pos
        pos += len(charstrings)
        fdarray_off = pos
        fd_dict_sizes = [len(fd) + 5 + 5 + 1 for fd, _p, _s in self.fds]
        fdarray_len = 2 + 1 + 4 * (len(self.fds) + 1) + sum(fd_dict_sizes)
        pos += fdarray_len
        fd_dicts = []
        privates = []
        for fd, priv, _subrs in self.fds:
            fd_dicts.append(fd + _int5(len(priv)) + _int5(pos) + b"\x12")
            privates.append(priv)
            pos += len(priv)
        top = (b"".join(self.top_entries)
               + _int5(charset_off) + _op(15)
               + _int5(charstrings_off) + _op(17)
               + _int5(fdarray_off) + _op((12, 36))
               + _int5(fdselect_off) + _op((12, 37)))
        top_index = _write_index([top])
        assert len(top_index) == top_index_len
        fdarray = _write_index(fd_dicts)
        assert len(fdarray) == fdarray_len
        return b"".join([header, name_index, top_index, self.string_index, b"\x00\x00",
                         charset, fdselect, charstrings, fdarray, *privates])


def _decode_number(b):
    b0 = b[0]
    if b0 == 28:
        return struct.unpack(">h", b[1:3])[0]
    if 32 <= b0 <= 246:
        return b0 - 139
    if 247 <= b0 <= 250:
        return (b0 - 247) * 256 + b[1] + 108
    if 251 <= b0 <= 254:
        return -(b0 - 251) * 256 - b[1] - 108
    raise ValueError("subroutine index is not an integer")


class _SubsetFontFile:
    """Stands in for the fontTools TTFont that fpdf2 subsets and embeds at output time."""

    def __init__(self, source):
        self.source = source
        self.cff = None

    def subset(self, glyph_names):
        self.cff = self.source.build(glyph_names)

    def __contains__(self, tag):
        return tag == "CFF "

    def __getitem__(self, tag):
        if tag != "CFF ":
            raise KeyError(tag)
        return self

    def compile(self, _ttfont):
        return self.cff

    def getGlyphID(self, name):
        if name.startswith("cid"):
            return self.source.cid_to_gid.get(int(name[3:]), 0)
        return 0

    def save(self, fileobj):
        fileobj.write(self.cff)

    def close(self):
        pass


class _Subsetter:
    """fontTools Subsetter that short-cuts fonts registered here and delegates the rest."""

    def __init__(self, options=None):
        self._options = options
        self._glyphs = ()

    def populate(self, glyphs=(), **kwargs):
        self._glyphs = glyphs
        self._kwargs = kwargs

    def subset(self, font):
        if isinstance(font, _SubsetFontFile):
            font.subset(self._glyphs)
            return
        real = _ftsubset.Subsetter(self._options)
        real.populate(glyphs=self._glyphs, **self._kwargs)
        real.subset(font)


class _SubsetModule:
    Options = _ftsubset.Options
    Subsetter = _Subsetter


# fpdf2 2.8.9 calls `ftsubset.Subsetter` from fpdf.output; routing it through this shim
# leaves every other font untouched (see _Subsetter.subset).
_fpdf_output.ftsubset = _SubsetModule


class _Prototype:
    """One parsed font: fpdf2's metrics plus the CFF source."""

    def __init__(self, family):
        path = font_path(family)

        class _Host:
            fonts = {}
            render_color_fonts = False

        self.font = TTFFont(_Host(), path, family, "")
        raw = self.font.ttfont.reader["CFF "]
        self.source = _CFFSource(raw, self.font.name)
        self.font.ttfont.close()
        self.font.ttfont = None


_protos = {}
_proto_lock = threading.Lock()


def _prototype(family):
    proto = _protos.get(family)
    if proto is None:
        with _proto_lock:
            proto = _protos.get(family)
            if proto is None:
                proto = _Prototype(family)
                _protos[family] = proto
    return proto


def add_cjk_fonts(pdf, families=(SERIF, SANS)):
    """Register the CJK fonts on an FPDF document without re-parsing the font files."""
    for family in families:
        proto = _prototype(family).font
        font = TTFFont.__new__(TTFFont)
        for slot in TTFFont.__slots__:
            if hasattr(proto, slot):
                setattr(font, slot, getattr(proto, slot))
        font.i = len(pdf.fonts) + 1
        font.fontkey = family
        font.cw = proto.cw.copy()
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.color_font = None
        font._hbfont = None
        font.ttfont = _SubsetFontFile(_prototype(family).source)
        font.subset = SubsetMap(font)
        pdf.fonts[family] = font
    pdf._set_min_pdf_version("1.6")


def warm_up():
    """Parse both fonts now rather than on the first document (call at worker start)."""
    for family in (SERIF, SANS):
        _prototype(family)


@lru_cache(maxsize=64)
def pil_font(size, family=SANS):
    """Return a Pillow font of the given pixel size (cached per process)."""
    from PIL import ImageFont

    return ImageFont.truetype(font_path(family), size)
