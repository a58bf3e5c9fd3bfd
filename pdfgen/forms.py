"""评审表 and 送审表 as PDF bytes (fpdf2), laid out like printed official forms."""

import io
from datetime import datetime, timezone

from fpdf import FPDF

from . import layout as L
from .codes import form_code, pretty_code
from .errors import FormError
from .fonts import SANS, SERIF, add_cjk_fonts

REVIEW_TITLE = "专业技术职务任职资格评审表"
SUBMISSION_TITLE = "专业技术职务任职资格送审表"
EDITABLE_KEYS = ("achievements_text", "summary")
BLIND_MASK = "(盲审隐去)"
NO_LINE_START = set(",.;:!?)]}、,。;:!?)】》」』”’%")
WATERMARK = "内蒙古自治区职称申报系统"

BOTTOM = L.FOOTER_Y - 6.0
FIXED_DATE = datetime(2025, 1, 1, tzinfo=timezone.utc)
BUREAU_CAPTIONS = {L.ROLE_COUNTY: "旗县人社局/其他局", L.ROLE_CITY: "盟市人社局/其他局"}


def _text(value):
    if value is None:
        return ""
    return str(value).strip()


def _month(value):
    """Print a date as YYYY.MM (official forms give months, not days)."""
    text = _text(value)
    if len(text) >= 7 and text[4] in "-./":
        return text[:4] + "." + text[5:7]
    return text


def _day(value):
    text = _text(value)
    if len(text) >= 10 and text[4] == "-" and text[7] == "-":
        return f"{text[:4]}年{int(text[5:7])}月{int(text[8:10])}日"
    return text


def _dedupe(rows):
    seen = set()
    out = []
    for row in rows:
        key = tuple(sorted((k, _text(v)) for k, v in row.items()))
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def prepare(data, form):
    """Return a copy of data with accepted Excel edits applied and the 编码 resolved."""
    if not isinstance(data, dict):
        raise FormError("表单数据格式错误")
    merged = dict(data)
    for key, value in (data.get("edits") or {}).items():
        if key in EDITABLE_KEYS:
            merged[key] = value
    if merged.get("code"):
        code = str(merged["code"]).replace("-", "").upper()
    elif merged.get("secret") is not None and merged.get("record_id") is not None:
        code = form_code(merged["record_id"], form, merged.get("version", 0), merged["secret"])
    else:
        raise FormError("缺少编码:请提供 code,或 record_id、version 与 secret")
    merged["code"] = code
    if merged.get("dedupe"):
        for key in ("education_history", "work_history", "qualifications", "certificates",
                    "papers", "books", "awards", "projects", "patents"):
            merged[key] = _dedupe(merged.get(key) or [])
    return merged


def blind(data):
    """Return a copy of data with 姓名, 照片, 身份证号, 单位名称 and 手机号 removed everywhere."""
    secrets = [_text(data.get(k)) for k in ("name", "former_name", "id_number", "phone", "unit_name")]
    secrets = sorted({s for s in secrets if len(s) >= 2}, key=len, reverse=True)

    def scrub(value):
        if isinstance(value, str):
            for s in secrets:
                value = value.replace(s, "***")
            return value
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    out = {k: (scrub(v) if k not in ("code", "secret", "photo") else v) for k, v in data.items()}
    for key in ("name", "former_name", "id_number", "phone", "unit_name"):
        out[key] = BLIND_MASK
    out["photo"] = None
    out["blind"] = True
    return out


class _Doc(FPDF):
    """An A4 form with the shared helpers: ruled rows, text boxes, watermark and footer."""

    def __init__(self, title, code):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_creation_date(FIXED_DATE)
        self.set_title(title)
        self.set_creator("pdfgen")
        self.set_auto_page_break(False)
        self.set_margins(L.MARGIN, L.MARGIN, L.MARGIN)
        self.set_line_width(0.3)
        self.set_draw_color(0)
        self.set_text_color(0)
        add_cjk_fonts(self)
        self.code = code
        self.form_title = title
        self.repeat = None

    def font(self, size, family=SERIF):
        self.set_font(family, size=size)

    def lines(self, text, width, size, family=SERIF):
        """Split text into the lines it takes in a given width (character wrap, as Chinese sets)."""
        self.font(size, family)
        cw = self.current_font.cw
        limit = width * 1000 * self.k / self.font_size_pt
        result = []
        for para in _text(text).split("\n"):
            line = []
            used = 0.0
            for ch in para:
                w = cw[ord(ch)]
                # Closing punctuation may hang past the edge rather than start a line.
                if line and used + w > limit and ch not in NO_LINE_START:
                    result.append("".join(line))
                    line, used = [], 0.0
                line.append(ch)
                used += w
            result.append("".join(line))
        return result

    def string_width(self, text):
        cw = self.current_font.cw
        return sum(cw[ord(ch)] for ch in text) * self.font_size_pt / 1000 / self.k

    def cell(self, w=None, h=None, text="", align="L", new_x="RIGHT", new_y="TOP", **kwargs):
        """Write one line of plain text in a box; much faster than FPDF.cell for our needs."""
        if kwargs:
            return super().cell(w, h, text, align=align, new_x=new_x, new_y=new_y, **kwargs)
        x, y = self.x, self.y
        h = h or 0
        w = w if w else self.w - self.r_margin - x
        if text:
            tw = self.string_width(text)
            align = str(getattr(align, "value", align))
            tx = x + (w - tw) / 2 if align == "C" else x + w - tw if align == "R" else x
            self.text(tx, y + 0.5 * h + 0.3 * self.font_size, text)
        if str(new_x).endswith("LMARGIN"):
            self.x = self.l_margin
        else:
            self.x = x + w
        self.y = y + h if str(new_y).endswith("NEXT") else y
        return True

    def cell_text(self, x, y, w, h, text, size=10.0, align="L", family=SERIF, line_h=None):
        """Write text inside a box, vertically centred."""
        line_h = line_h or size * 0.50
        lines = self.lines(text, w - 3.0, size, family)
        total = len(lines) * line_h
        top = y + max(0.0, (h - total) / 2)
        for i, line in enumerate(lines):
            self.set_xy(x + 1.5, top + i * line_h)
            self.cell(w - 3.0, line_h, line, align=align)

    def centred_line(self, y, text, size, min_size=7.0, family=SERIF):
        """Centre text across the content width at y, shrinking it to fit; wrap only below min_size.

        Returns the height used, so a long plan name is never cut off at the page edge (guide 四(七)).
        """
        while size > min_size and len(self.lines(text, L.CONTENT_W, size, family)) > 1:
            size -= 0.5
        lines = self.lines(text, L.CONTENT_W, size, family)
        line_h = size * 0.55
        for i, line in enumerate(lines):
            self.set_xy(L.MARGIN, y + i * line_h)
            self.cell(L.CONTENT_W, line_h, line, align="C")
        return len(lines) * line_h

    def new_page(self):
        self.add_page()
        self.set_y(L.MARGIN)
        if self.repeat:
            self.repeat()

    def ensure(self, height):
        if self.get_y() + height > BOTTOM:
            self.new_page()

    def heading(self, text):
        self.ensure(20)
        self.font(12.5, SANS)
        self.set_x(L.MARGIN)
        self.cell(L.CONTENT_W, 9, text, new_x="LMARGIN", new_y="NEXT")

    def row(self, cells, min_h=9.0, size=10.0):
        """Draw one ruled table row; cells are (width, text, align) and the row grows to fit."""
        heights = []
        for w, text, _align in cells:
            n = len(self.lines(text, w - 3.0, size)) if text else 1
            heights.append(n * size * 0.50 + 3.0)
        h = max([min_h] + heights)
        self.ensure(h)
        x = L.MARGIN
        y = self.get_y()
        for w, text, align in cells:
            self.rect(x, y, w, h)
            if text:
                self.cell_text(x, y, w, h, text, size=size, align=align)
            x += w
        self.set_xy(L.MARGIN, y + h)
        return h

    def table(self, title, columns, rows, size=9.5):
        """A titled table with a header row repeated on each continued page."""
        self.heading(title)
        header = [(w, label, "C") for label, w, _key in columns]

        def repeat():
            self.font(10.5, SANS)
            self.set_x(L.MARGIN)
            self.cell(L.CONTENT_W, 8, title + "(续)", new_x="LMARGIN", new_y="NEXT")
            self.row(header, min_h=8.0, size=size)

        self.ensure(26)
        self.row(header, min_h=8.0, size=size)
        self.repeat = repeat
        if not rows:
            self.row([(sum(w for _l, w, _k in columns), "无", "C")], size=size)
        for i, item in enumerate(rows, 1):
            cells = []
            for _label, w, key in columns:
                value = str(i) if key == "#" else key(item) if callable(key) else _text(item.get(key))
                cells.append((w, value, "C" if key == "#" else "L"))
            self.row(cells, size=size)
        self.repeat = None
        self.ln(3)

    def text_box(self, title, text, size=10.5, min_lines=8):
        """A ruled box of free text that continues across pages and is never cut off."""
        self.heading(title)
        line_h = size * 0.56
        paras = _text(text).split("\n")
        body = "\n".join("\u3000\u3000" + p.strip() if p.strip() else "" for p in paras)
        lines = self.lines(body, L.CONTENT_W - 6.0, size) or [""]
        lines += [""] * max(0, min_lines - len(lines))
        i = 0
        first = True
        while i < len(lines):
            if not first:
                self.add_page()
                self.font(10.5, SANS)
                self.set_xy(L.MARGIN, L.MARGIN)
                self.cell(L.CONTENT_W, 8, title + "(续)", new_x="LMARGIN", new_y="NEXT")
            top = self.get_y()
            room = int((BOTTOM - top - 4.0) // line_h)
            if room < 3 and first:
                first = False
                continue
            chunk = lines[i:i + room]
            self.font(size)
            for j, line in enumerate(chunk):
                self.set_xy(L.MARGIN + 3.0, top + 2.0 + j * line_h)
                self.cell(L.CONTENT_W - 6.0, line_h, line)
            box_h = len(chunk) * line_h + 4.0
            self.rect(L.MARGIN, top, L.CONTENT_W, box_h)
            self.set_xy(L.MARGIN, top + box_h + 3.0)
            i += len(chunk)
            first = False

    def text_box_lines(self, lines, size):
        """Continue already-split lines in ruled boxes, page after page."""
        line_h = size * 0.52
        i = 0
        while i < len(lines):
            top = self.get_y()
            room = int((BOTTOM - top - 4.0) // line_h)
            chunk = lines[i:i + room]
            self.font(size)
            for j, line in enumerate(chunk):
                self.set_xy(L.MARGIN + 3.0, top + 2.0 + j * line_h)
                self.cell(L.CONTENT_W - 6.0, line_h, line)
            self.rect(L.MARGIN, top, L.CONTENT_W, len(chunk) * line_h + 4.0)
            i += len(chunk)
            if i < len(lines):
                self.add_page()
                self.set_y(L.MARGIN)

    def vertical_label(self, x, y, w, h, text, size=11.0):
        self.font(size)
        step = size * 0.50
        total = len(text) * step
        top = y + (h - total) / 2
        for i, ch in enumerate(text):
            self.set_xy(x, top + i * step)
            self.cell(w, step, ch, align="C")

    def finish(self):
        """Stamp the watermark, the 编码 and page n/N on every page, then return the bytes."""
        total = self.pages_count
        shown = pretty_code(self.code)
        for page in range(1, total + 1):
            self.page = page
            # fpdf2 remembers the font of the page it left, not of the page revisited.
            self.current_font_is_set_on_page = False
            with self.local_context(fill_opacity=0.10, text_color=(40, 40, 40)):
                self.font(26, SANS)
                for cx, cy in ((105, 95), (105, 205)):
                    with self.rotation(35, cx, cy):
                        self.set_xy(cx - 80, cy - 6)
                        self.cell(160, 12, f"{WATERMARK} {shown}", align="C")
            self.current_font_is_set_on_page = False
            self.font(8.5)
            self.set_text_color(90)
            self.set_xy(L.MARGIN, L.FOOTER_Y)
            self.cell(L.CONTENT_W / 2, 5, f"编码:{shown}")
            self.set_xy(L.MARGIN + L.CONTENT_W / 2, L.FOOTER_Y)
            self.cell(L.CONTENT_W / 2, 5, f"第 {page} 页 / 共 {total} 页", align="R")
            self.set_text_color(0)
        return bytes(self.output())


def _photo(doc, data, x, y, w, h):
    doc.rect(x, y, w, h)
    photo = data.get("photo")
    if not photo:
        doc.cell_text(x, y, w, h, "照片" if not data.get("blind") else BLIND_MASK, size=9.5, align="C")
        return
    from PIL import Image

    try:
        with Image.open(io.BytesIO(photo)) as img:
            iw, ih = img.size
    except Exception:
        raise FormError("照片无法识别,请上传 JPG 或 PNG 格式的证件照") from None
    box_w, box_h = w - 4.0, h - 4.0
    scale = min(box_w / iw, box_h / ih)
    pw, ph = iw * scale, ih * scale
    doc.image(io.BytesIO(photo), x + (w - pw) / 2, y + (h - ph) / 2, pw, ph)


def _title_name(title):
    return _text((title or {}).get("name"))


def _series(title):
    t = title or {}
    return "/".join(p for p in (_text(t.get("series")), _text(t.get("specialty"))) if p)


def _draw_role_labels(doc, form, role):
    s = L.slots(form, role)
    doc.font(9.5)
    for key, text in (("reviewer_label", "审核人:"), ("leader_label", "负责人:")):
        x, y, w, h = s[key]
        doc.set_xy(x, y)
        doc.cell(w, h, text)
        sx, sy, sw, sh = s[key.replace("label", "sign")]
        doc.set_draw_color(150)
        doc.line(sx, sy + sh - 0.8, sx + sw, sy + sh - 0.8)
        doc.set_draw_color(0)
    if "publicity" in s:
        x, y, w, h = s["publicity"]
        doc.set_text_color(70)
        doc.font(9.0)
        doc.set_xy(x, y)
        doc.cell(w, 5, "公示情况:")
        doc.set_text_color(0)
    if "caption" in s:
        x, y, w, h = s["caption"]
        doc.set_text_color(90)
        doc.font(7.5)
        doc.set_xy(x, y)
        doc.cell(w, h, BUREAU_CAPTIONS[role], align="C")
        doc.set_text_color(0)


def _cover(doc, data):
    doc.add_page()
    doc.font(24, SANS)
    doc.set_xy(L.MARGIN, 62)
    doc.cell(L.CONTENT_W, 14, REVIEW_TITLE, align="C")
    doc.centred_line(82, _text(data.get("plan_name")), 11, min_size=10)
    declared = data.get("declared") or {}
    fields = [
        ("姓    名", _text(data.get("name"))),
        ("工作单位", _text(data.get("unit_name"))),
        ("现任职称", _title_name(data.get("current_title"))),
        ("申报职称", _title_name(declared)),
        ("申报系列/专业", _series(declared)),
        ("填表日期", _day(data.get("fill_date"))),
    ]
    y = 130
    for label, value in fields:
        doc.font(13)
        doc.set_xy(40, y)
        doc.cell(34, 10, label, align="R")
        doc.set_xy(78, y)
        lines = doc.lines(value, 95, 12.5) or [""]
        doc.font(12.5)
        for i, line in enumerate(lines[:3]):
            doc.set_xy(78, y + i * 7)
            doc.cell(95, 10, line, align="C")
        y_line = y + 9 + (len(lines[:3]) - 1) * 7
        doc.line(78, y_line, 173, y_line)
        y = y_line + 9


def _basic_info(doc, data):
    doc.add_page()
    doc.font(16, SANS)
    doc.set_xy(L.MARGIN, L.MARGIN)
    doc.cell(L.CONTENT_W, 10, REVIEW_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    doc.heading("一、基本情况")
    cur = data.get("current_title") or {}
    dec = data.get("declared") or {}
    top = doc.get_y()
    widths = (25.0, 42.0, 25.0, 50.0)
    photo_w = L.CONTENT_W - sum(widths)
    first = [
        ("姓名", data.get("name"), "性别", data.get("gender")),
        ("曾用名", data.get("former_name"), "出生年月", _month(data.get("birth_date"))),
        ("民族", data.get("ethnicity"), "政治面貌", data.get("political_status")),
        ("身份证号码", data.get("id_number"), "手机号码", data.get("phone")),
        ("参加工作时间", _month(data.get("work_start")), "现从事专业", data.get("practice_specialty")),
    ]
    for a, b, c, d in first:
        doc.row([(widths[0], a, "C"), (widths[1], _text(b), "C"), (widths[2], c, "C"), (widths[3], _text(d), "C")],
                min_h=9.6)
    bottom = doc.get_y()
    _photo(doc, data, L.MARGIN + sum(widths), top, photo_w, bottom - top)
    doc.set_xy(L.MARGIN, bottom)
    wide = L.CONTENT_W - 25.0
    half = (25.0, 65.0, 25.0, 65.0)
    rest = [
        ("工作单位", data.get("unit_name"), None, None),
        ("单位性质", data.get("unit_nature"), "上级主管单位", data.get("supervisor_name")),
        ("单位所在人社部门", data.get("hr_dept_name"), "参评学历", data.get("education")),
        ("学历证书编号", data.get("education_cert_no"), "学位", data.get("degree")),
        ("毕业院校及所学专业", " ".join(p for p in (_text(data.get("school")), _text(data.get("major"))) if p), None, None),
        ("毕业时间", _month(data.get("graduation")), "现任职称及取得时间",
         " ".join(p for p in (_title_name(cur), _month(cur.get("obtained"))) if p)),
        ("现职称系列/专业", _series(cur), "现职称等级", cur.get("level")),
        ("申报职称系列", dec.get("series"), "申报职称专业", dec.get("specialty")),
        ("申报职称等级", dec.get("level"), "申报资格名称", dec.get("name")),
        ("申报类型", data.get("plan_type"), "申报计划", data.get("plan_name")),
    ]
    for a, b, c, d in rest:
        if c is None:
            doc.row([(25.0, a, "C"), (wide, _text(b), "L")])
        else:
            doc.row([(half[0], a, "C"), (half[1], _text(b), "L"), (half[2], c, "C"), (half[3], _text(d), "L")])
    doc.ln(3)


def _archive(doc, data):
    doc.table("二、学习经历", [
        ("起止时间", 34.0, lambda r: f"{_month(r.get('start'))}—{_month(r.get('end'))}"),
        ("毕业院校", 58.0, "school"), ("所学专业", 50.0, "major"), ("学历/学位", 38.0, "degree"),
    ], data.get("education_history") or [])
    doc.table("三、工作经历", [
        ("起止时间", 34.0, lambda r: f"{_month(r.get('start'))}—{_month(r.get('end'))}"),
        ("工作单位", 92.0, "unit"), ("职务/岗位", 54.0, "position"),
    ], data.get("work_history") or [])
    doc.table("四、专业技术资格", [
        ("资格名称", 32.0, "name"), ("系列", 20.0, "series"), ("等级", 18.0, "level"),
        ("取得时间", 22.0, lambda r: _month(r.get("obtained"))), ("发证机关", 52.0, "issuer"),
        ("证书编号", 36.0, "cert_no"),
    ], data.get("qualifications") or [])
    doc.table("    执业(职业)资格", [
        ("资格名称", 48.0, "name"), ("等级", 18.0, "level"),
        ("取得时间", 22.0, lambda r: _month(r.get("obtained"))), ("发证机关", 54.0, "issuer"),
        ("证书编号", 38.0, "cert_no"),
    ], data.get("certificates") or [])
    doc.text_box("五、主要专业技术工作业绩", data.get("achievements_text"))
    doc.table("六、论文", [
        ("序号", 12.0, "#"), ("论文题目", 76.0, "title"), ("刊物名称", 44.0, "journal"),
        ("发表时间", 22.0, lambda r: _month(r.get("date"))), ("本人排名", 26.0, "role"),
    ], data.get("papers") or [])
    doc.table("    著作", [
        ("序号", 12.0, "#"), ("著作名称", 76.0, "title"), ("出版社", 44.0, "publisher"),
        ("出版时间", 22.0, lambda r: _month(r.get("date"))), ("本人角色", 26.0, "role"),
    ], data.get("books") or [])
    doc.table("七、获奖", [
        ("序号", 12.0, "#"), ("奖项名称", 76.0, "name"), ("奖励等级", 44.0, "level"),
        ("获奖时间", 22.0, lambda r: _month(r.get("date"))), ("本人排名", 26.0, "rank"),
    ], data.get("awards") or [])
    doc.table("    项目", [
        ("序号", 12.0, "#"), ("项目名称", 76.0, "name"), ("项目来源", 44.0, "source"),
        ("起止时间", 22.0, "date"), ("本人角色", 26.0, "role"),
    ], data.get("projects") or [])
    doc.table("    专利", [
        ("序号", 12.0, "#"), ("专利名称", 76.0, "name"), ("专利号", 44.0, "number"),
        ("授权时间", 22.0, lambda r: _month(r.get("date"))), ("本人排名", 26.0, "role"),
    ], data.get("patents") or [])


def _opinion_page(doc, data):
    doc.add_page()
    doc.font(16, SANS)
    doc.set_xy(L.MARGIN, L.MARGIN + 2)
    doc.cell(L.CONTENT_W, 10, "审 核 意 见", align="C")
    doc.set_line_width(0.4)
    for (label, y, h) in L._review_rows():
        doc.rect(L.MARGIN, y, L.REV_LABEL_W, h)
        doc.rect(L.MARGIN + L.REV_LABEL_W, y, L.CONTENT_W - L.REV_LABEL_W, h)
        doc.vertical_label(L.MARGIN, y, L.REV_LABEL_W, h, label)
    doc.set_line_width(0.3)
    _p, x, y, w, h = L.cell_rect(L.FORM_REVIEW, L.ROLE_COUNTY)
    doc.line(x + w, y, x + w, y + h)
    for role in L.STAMPING_ROLES:
        _draw_role_labels(doc, L.FORM_REVIEW, role)
    _p, x, y, w, h = L.cell_rect(L.FORM_REVIEW, L.ROLE_COMMITTEE)
    c = data.get("committee") or {}
    doc.font(10.5)
    tally = [("应到人数", c.get("expected")), ("实到人数", c.get("present")), ("同意", c.get("agree")),
             ("反对", c.get("against")), ("弃权", c.get("abstain"))]
    col = (w - 4) / 5
    for i, (label, value) in enumerate(tally):
        doc.set_xy(x + 2 + i * col, y + 8)
        doc.cell(col, 7, f"{label}:{_text(value) or '____'}")
    doc.set_xy(x + 2, y + 22)
    doc.cell(w - 4, 7, f"评审结果:{_text(c.get('result'))}")
    doc.set_xy(x + 2, y + h - 22)
    doc.cell(w - 6, 7, "评审委员会主任委员(签字):", align="R")
    doc.set_xy(x + 2, y + h - 12)
    doc.cell(w - 6, 7, _day(c.get("date")) or "年    月    日", align="R")


def review_form(data):
    """Return the 评审表 as PDF bytes (cover, basic info, archive, achievements, opinions)."""
    return _review(prepare(data, "review"))


def blind_review_form(data):
    """Return the desensitized 评审表 (no 姓名, 照片, 身份证号, 单位名称, 手机号) as PDF bytes."""
    return _review(blind(prepare(data, "blind")))


def _review(data):
    doc = _Doc(REVIEW_TITLE, data["code"])
    _cover(doc, data)
    _basic_info(doc, data)
    _archive(doc, data)
    _opinion_page(doc, data)
    return doc.finish()


def submission_form(data):
    """Return the one-page 送审表 as PDF bytes; an over-long 业绩简介 continues on page 2."""
    data = prepare(data, "submission")
    doc = _Doc(SUBMISSION_TITLE, data["code"])
    doc.add_page()
    doc.font(18, SANS)
    doc.set_xy(L.MARGIN, L.MARGIN + 2)
    doc.cell(L.CONTENT_W, 10, SUBMISSION_TITLE, align="C")
    used = doc.centred_line(L.MARGIN + 14, f"申报计划:{_text(data.get('plan_name'))}    申报类型:{_text(data.get('plan_type'))}",
                            9.5, min_size=8)
    doc.set_xy(L.MARGIN, L.MARGIN + max(21, 15 + used))
    cur = data.get("current_title") or {}
    dec = data.get("declared") or {}
    w = (24.0, 66.0, 24.0, 66.0)
    rows = [
        ("姓名", data.get("name"), "性别", data.get("gender")),
        ("出生年月", _month(data.get("birth_date")), "参加工作时间", _month(data.get("work_start"))),
        ("工作单位", data.get("unit_name"), None, None),
        ("学历学位", " ".join(p for p in (_text(data.get("education")), _text(data.get("degree"))) if p),
         "毕业院校及专业", " ".join(p for p in (_text(data.get("school")), _text(data.get("major"))) if p)),
        ("现任职称", _title_name(cur), "取得时间", _month(cur.get("obtained"))),
        ("申报系列", dec.get("series"), "申报专业", dec.get("specialty")),
        ("申报等级", dec.get("level"), "申报资格名称", dec.get("name")),
    ]
    for a, b, c, d in rows:
        if c is None:
            doc.row([(w[0], a, "C"), (L.CONTENT_W - w[0], _text(b), "L")], min_h=8.5)
        else:
            doc.row([(w[0], a, "C"), (w[1], _text(b), "L"), (w[2], c, "C"), (w[3], _text(d), "L")], min_h=8.5)
    top = doc.get_y()
    box_h = L.SUB_HEAD_Y - top
    doc.rect(L.MARGIN, top, w[0], box_h)
    doc.rect(L.MARGIN + w[0], top, L.CONTENT_W - w[0], box_h)
    doc.vertical_label(L.MARGIN, top, w[0], box_h, "业绩简介")
    summary = data.get("summary") or data.get("achievements_text")
    body = "\n".join("\u3000\u3000" + p.strip() for p in _text(summary).split("\n") if p.strip())
    text_w = L.CONTENT_W - w[0] - 6.0
    overflow = []
    for size in (10.5, 10.0, 9.5, 9.0, 8.5, 8.0, 7.5):
        line_h = size * 0.52
        lines = doc.lines(body, text_w, size)
        room = int((box_h - 4.0) // line_h)
        if len(lines) <= room:
            break
    else:
        # Too long for one page even in small type: keep a readable size and continue overleaf.
        size = 9.0
        line_h = size * 0.52
        lines = doc.lines(body, text_w, size)
        room = int((box_h - 4.0) // line_h)
        lines, overflow = lines[:room - 1] + ["(接续页)"], lines[room - 1:]
    doc.font(size)
    for i, line in enumerate(lines):
        doc.set_xy(L.MARGIN + w[0] + 3.0, top + 2.0 + i * line_h)
        doc.cell(text_w, line_h, line)
    doc.set_line_width(0.4)
    for label, x, cw in L.SUB_COLUMNS:
        doc.rect(x, L.SUB_HEAD_Y, cw, L.SUB_HEAD_H)
        doc.rect(x, L.SUB_BODY_Y, cw, L.SUB_BODY_H)
        doc.cell_text(x, L.SUB_HEAD_Y, cw, L.SUB_HEAD_H, label, size=10.5, align="C", family=SANS)
    doc.set_line_width(0.3)
    _p, x, y, cw, ch = L.cell_rect(L.FORM_SUBMISSION, L.ROLE_COUNTY)
    doc.set_draw_color(120)
    doc.set_dash_pattern(dash=1.2, gap=0.8)
    doc.line(x + cw, y + 1, x + cw, y + ch - 1)
    doc.set_dash_pattern()
    doc.set_draw_color(0)
    for role in L.STAMPING_ROLES:
        _draw_role_labels(doc, L.FORM_SUBMISSION, role)
    if overflow:
        doc.add_page()
        doc.font(14, SANS)
        doc.set_xy(L.MARGIN, L.MARGIN + 2)
        doc.cell(L.CONTENT_W, 10, "业绩简介(续)", align="C", new_x="LMARGIN", new_y="NEXT")
        doc.ln(3)
        doc.text_box_lines(overflow, size)
    return doc.finish()

