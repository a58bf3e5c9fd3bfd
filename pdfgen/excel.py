"""Excel versions of the forms and the check of an edited upload (guide 二(五)(3), 四(七)).

System-filled cells are locked and the sheet is protected; only the free-text cells
(named ``field_<key>`` in the workbook) are unlocked.  read_form_xlsx compares an upload
with the template cell by cell, so a changed protected cell, row height or column width
is refused before it can break stamping.
"""

import io

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection

from .errors import FormError
from .forms import (EDITABLE_KEYS, REVIEW_TITLE, SUBMISSION_TITLE, _month, _series, _text,
                    _title_name, blind, prepare)

PASSWORD = "zcsb-form"
HEIGHT_TOLERANCE = 0.75
WIDTH_TOLERANCE = 0.75
MAX_TEXT = 20000
FIELD_NAMES = {"achievements_text": "主要专业技术工作业绩", "summary": "业绩简介"}
COLUMNS = 8
COL_WIDTH = 13.0
_thin = Side(style="thin", color="000000")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_font = Font(name="宋体", size=10.5)
_bold = Font(name="宋体", size=11, bold=True)
_title = Font(name="黑体", size=16, bold=True)


class _Sheet:
    """Writes rows of merged, bordered cells with fixed heights and widths."""

    def __init__(self, wb, title):
        self.ws = wb.active
        self.ws.title = title
        self.wb = wb
        self.r = 0
        for c in range(1, COLUMNS + 1):
            self.ws.column_dimensions[get_column_letter(c)].width = COL_WIDTH

    def row(self, cells, height=22.0, border=True):
        """cells: (first column, last column, text, style) with style label/value/input:KEY/title/head."""
        self.r += 1
        r = self.r
        self.ws.row_dimensions[r].height = height
        for c1, c2, text, style in cells:
            cell = self.ws.cell(row=r, column=c1, value=text if text not in ("", None) else None)
            if c2 > c1:
                self.ws.merge_cells(start_row=r, start_column=c1, end_row=r, end_column=c2)
            wrap = Alignment(wrap_text=True, vertical="center",
                             horizontal="center" if style in ("label", "title", "head") else "left")
            if style.startswith("input:"):
                key = style[6:]
                cell.protection = Protection(locked=False)
                wrap = Alignment(wrap_text=True, vertical="top", horizontal="left")
                ref = f"'{self.ws.title}'!${get_column_letter(c1)}${r}"
                self.wb.defined_names[f"field_{key}"] = DefinedName(f"field_{key}", attr_text=ref)
            cell.alignment = wrap
            cell.font = _title if style == "title" else _bold if style == "head" else _font
            if border and style != "title":
                for c in range(c1, c2 + 1):
                    self.ws.cell(row=r, column=c).border = _border
        return r

    def pairs(self, items, height=22.0):
        """A row of label/value pairs: one pair spans the row, two pairs split it in half."""
        if len(items) == 1:
            (label, value), = items
            return self.row([(1, 1, label, "label"), (2, COLUMNS, _text(value), "value")], height)
        (l1, v1), (l2, v2) = items
        return self.row([(1, 1, l1, "label"), (2, 4, _text(v1), "value"),
                         (5, 5, l2, "label"), (6, COLUMNS, _text(v2), "value")], height)

    def heading(self, text):
        return self.row([(1, COLUMNS, text, "head")], 24.0, border=False)

    def table(self, title, columns, rows):
        """columns: (label, span, key or callable); spans add up to COLUMNS."""
        self.heading(title)
        spans = []
        c = 1
        for label, span, _key in columns:
            spans.append((c, c + span - 1, label))
            c += span
        self.row([(a, b, label, "label") for a, b, label in spans])
        if not rows:
            self.row([(1, COLUMNS, "无", "label")])
        for i, item in enumerate(rows, 1):
            cells = []
            for (a, b, _label), (_l, _s, key) in zip(spans, columns):
                value = str(i) if key == "#" else key(item) if callable(key) else _text(item.get(key))
                cells.append((a, b, value, "value"))
            self.row(cells, 24.0)

    def protect(self):
        self.ws.protection.set_password(PASSWORD)
        self.ws.protection.sheet = True
        self.ws.protection.formatCells = True
        self.ws.protection.formatRows = True
        self.ws.protection.formatColumns = True
        self.ws.protection.insertRows = True
        self.ws.protection.deleteRows = True
        self.ws.protection.insertColumns = True
        self.ws.protection.deleteColumns = True
        self.ws.page_setup.paperSize = self.ws.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_setup.fitToHeight = 0


def _finish(wb):
    wb.security = WorkbookProtection(workbookPassword=PASSWORD, lockStructure=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text_height(text, chars_per_line=95, line_pt=15.0, minimum=120.0):
    lines = sum(max(1, -(-len(p) // chars_per_line)) for p in _text(text).split("\n"))
    return min(409.0, max(minimum, lines * line_pt + 10))


def _review_sheet(wb, data):
    s = _Sheet(wb, "评审表")
    s.row([(1, COLUMNS, REVIEW_TITLE, "title")], 34.0, border=False)
    s.row([(1, COLUMNS, _text(data.get("plan_name")), "label")], 20.0, border=False)
    s.heading("一、基本情况")
    cur = data.get("current_title") or {}
    dec = data.get("declared") or {}
    for items in (
        [("姓名", data.get("name")), ("性别", data.get("gender"))],
        [("曾用名", data.get("former_name")), ("出生年月", _month(data.get("birth_date")))],
        [("民族", data.get("ethnicity")), ("政治面貌", data.get("political_status"))],
        [("身份证号码", data.get("id_number")), ("手机号码", data.get("phone"))],
        [("参加工作时间", _month(data.get("work_start"))), ("现从事专业", data.get("practice_specialty"))],
        [("工作单位", data.get("unit_name"))],
        [("单位性质", data.get("unit_nature")), ("上级主管单位", data.get("supervisor_name"))],
        [("单位所在人社部门", data.get("hr_dept_name")), ("参评学历", data.get("education"))],
        [("学历证书编号", data.get("education_cert_no")), ("学位", data.get("degree"))],
        [("毕业院校及所学专业", " ".join(p for p in (_text(data.get("school")), _text(data.get("major"))) if p))],
        [("毕业时间", _month(data.get("graduation"))),
         ("现任职称及取得时间", " ".join(p for p in (_title_name(cur), _month(cur.get("obtained"))) if p))],
        [("现职称系列/专业", _series(cur)), ("现职称等级", cur.get("level"))],
        [("申报职称系列", dec.get("series")), ("申报职称专业", dec.get("specialty"))],
        [("申报职称等级", dec.get("level")), ("申报资格名称", dec.get("name"))],
        [("申报类型", data.get("plan_type")), ("申报计划", data.get("plan_name"))],
    ):
        s.pairs(items, 26.0)
    period = lambda r: f"{_month(r.get('start'))}—{_month(r.get('end'))}"  # noqa: E731
    s.table("二、学习经历", [("起止时间", 2, period), ("毕业院校", 2, "school"), ("所学专业", 2, "major"),
                           ("学历/学位", 2, "degree")], data.get("education_history") or [])
    s.table("三、工作经历", [("起止时间", 2, period), ("工作单位", 4, "unit"), ("职务/岗位", 2, "position")],
            data.get("work_history") or [])
    s.table("四、专业技术资格", [("资格名称", 2, "name"), ("系列", 1, "series"), ("等级", 1, "level"),
                             ("取得时间", 1, lambda r: _month(r.get("obtained"))), ("发证机关", 2, "issuer"),
                             ("证书编号", 1, "cert_no")], data.get("qualifications") or [])
    s.table("执业(职业)资格", [("资格名称", 2, "name"), ("等级", 1, "level"),
                           ("取得时间", 1, lambda r: _month(r.get("obtained"))), ("发证机关", 2, "issuer"),
                           ("证书编号", 2, "cert_no")], data.get("certificates") or [])
    s.heading("五、主要专业技术工作业绩")
    text = _text(data.get("achievements_text"))
    s.row([(1, COLUMNS, text, "input:achievements_text")], _text_height(text))
    for title, cols, key in (
        ("六、论文", [("序号", 1, "#"), ("论文题目", 3, "title"), ("刊物名称", 2, "journal"),
                    ("发表时间", 1, lambda r: _month(r.get("date"))), ("本人排名", 1, "role")], "papers"),
        ("著作", [("序号", 1, "#"), ("著作名称", 3, "title"), ("出版社", 2, "publisher"),
                ("出版时间", 1, lambda r: _month(r.get("date"))), ("本人角色", 1, "role")], "books"),
        ("七、获奖", [("序号", 1, "#"), ("奖项名称", 3, "name"), ("奖励等级", 2, "level"),
                    ("获奖时间", 1, lambda r: _month(r.get("date"))), ("本人排名", 1, "rank")], "awards"),
        ("项目", [("序号", 1, "#"), ("项目名称", 3, "name"), ("项目来源", 2, "source"),
                ("起止时间", 1, "date"), ("本人角色", 1, "role")], "projects"),
        ("专利", [("序号", 1, "#"), ("专利名称", 3, "name"), ("专利号", 2, "number"),
                ("授权时间", 1, lambda r: _month(r.get("date"))), ("本人排名", 1, "role")], "patents"),
    ):
        s.table(title, cols, data.get(key) or [])
    s.heading("审核意见")
    for label in ("单位推荐意见", "主管部门意见", "人社部门意见(旗县)", "人社部门意见(盟市)", "评审委员会意见"):
        s.row([(1, 1, label, "label"), (2, COLUMNS, "审核人:\n负责人:", "value")], 80.0)
    s.protect()


def review_form_xlsx(data):
    """Return the 评审表 as a protected .xlsx whose free-text cells are unlocked."""
    wb = Workbook()
    _review_sheet(wb, prepare(data, "review"))
    return _finish(wb)


def submission_form_xlsx(data):
    """Return the 送审表 as a protected .xlsx whose 业绩简介 cell is unlocked."""
    data = prepare(data, "submission")
    wb = Workbook()
    s = _Sheet(wb, "送审表")
    s.row([(1, COLUMNS, SUBMISSION_TITLE, "title")], 34.0, border=False)
    s.row([(1, COLUMNS, f"申报计划:{_text(data.get('plan_name'))}    申报类型:{_text(data.get('plan_type'))}",
            "label")], 20.0, border=False)
    cur = data.get("current_title") or {}
    dec = data.get("declared") or {}
    for items in (
        [("姓名", data.get("name")), ("性别", data.get("gender"))],
        [("出生年月", _month(data.get("birth_date"))), ("参加工作时间", _month(data.get("work_start")))],
        [("工作单位", data.get("unit_name"))],
        [("学历学位", " ".join(p for p in (_text(data.get("education")), _text(data.get("degree"))) if p)),
         ("毕业院校及专业", " ".join(p for p in (_text(data.get("school")), _text(data.get("major"))) if p))],
        [("现任职称", _title_name(cur)), ("取得时间", _month(cur.get("obtained")))],
        [("申报系列", dec.get("series")), ("申报专业", dec.get("specialty"))],
        [("申报等级", dec.get("level")), ("申报资格名称", dec.get("name"))],
    ):
        s.pairs(items, 26.0)
    summary = data.get("summary") or data.get("achievements_text")
    s.row([(1, 1, "业绩简介", "label"), (2, COLUMNS, _text(summary), "input:summary")],
          _text_height(summary, chars_per_line=80, minimum=200.0))
    s.row([(1, 3, "单位审核意见", "head"), (4, 5, "主管部门审核意见", "head"), (6, 8, "盟市厅局审核意见", "head")], 24.0)
    s.row([(1, 3, "", "value"), (4, 5, "", "value"), (6, 8, "", "value")], 120.0)
    s.row([(1, 3, "审核人:", "value"), (4, 5, "审核人:", "value"), (6, 8, "审核人:", "value")], 22.0)
    s.row([(1, 3, "负责人:", "value"), (4, 5, "负责人:", "value"), (6, 8, "负责人:", "value")], 22.0)
    s.protect()
    return _finish(wb)


def _load(content, what):
    try:
        return load_workbook(io.BytesIO(content))
    except Exception:
        raise FormError(f"{what}不是有效的 Excel 文件(.xlsx),请上传下载的表格编辑后的文件") from None


def _widths(ws):
    widths = {}
    for dim in ws.column_dimensions.values():
        if dim.width is None or (dim.min is None and dim.max is None):
            continue
        lo = dim.min or dim.max
        hi = dim.max or dim.min
        for c in range(lo, hi + 1):
            widths[c] = dim.width
    return widths


def _same(a, b):
    a = "" if a is None else str(a).strip().replace("\r\n", "\n")
    b = "" if b is None else str(b).strip().replace("\r\n", "\n")
    return a == b


def _short(value):
    text = _text(value).replace("\n", " ")
    return text if len(text) <= 12 else text[:12] + "…"


def read_form_xlsx(template, upload):
    """Return {key: value} of the unlocked cells of an upload, or raise FormError naming each forbidden change."""
    tpl = _load(template, "模板")
    up = _load(upload, "上传的文件")
    problems = []
    if tpl.sheetnames != up.sheetnames:
        raise FormError([f"工作表被增加、删除或改名(应为:{'、'.join(tpl.sheetnames)})"])
    if not (up.security and up.security.lockStructure):
        problems.append("工作簿结构保护被取消")
    for name in tpl.sheetnames:
        t, u = tpl[name], up[name]
        if not u.protection.sheet:
            problems.append(f"工作表「{name}」的保护被取消")
        elif (t.protection.password or "").lower() != (u.protection.password or "").lower():
            problems.append(f"工作表「{name}」的保护密码被修改")
        if {str(r) for r in t.merged_cells.ranges} != {str(r) for r in u.merged_cells.ranges}:
            problems.append(f"工作表「{name}」的合并单元格被修改")
        merged_inner = set()
        for rng in t.merged_cells.ranges:
            for row in range(rng.min_row, rng.max_row + 1):
                for col in range(rng.min_col, rng.max_col + 1):
                    if (row, col) != (rng.min_row, rng.min_col):
                        merged_inner.add((row, col))
        max_row = max(t.max_row, u.max_row)
        max_col = max(t.max_column, u.max_column)
        for row in range(1, max_row + 1):
            for col in range(1, max_col + 1):
                tc = t.cell(row=row, column=col)
                uc = u.cell(row=row, column=col)
                coord = tc.coordinate
                t_locked = tc.protection.locked is not False
                u_locked = uc.protection.locked is not False
                if t_locked != u_locked:
                    problems.append(f"单元格 {coord} 的锁定状态被修改")
                    continue
                if t_locked and (row, col) not in merged_inner and not _same(tc.value, uc.value):
                    original = _short(tc.value)
                    problems.append(f"单元格 {coord}" + (f"「{original}」" if original else "")
                                    + " 受保护,不能修改")
        for row, dim in t.row_dimensions.items():
            if dim.height is None:
                continue
            got = u.row_dimensions[row].height if row in u.row_dimensions else None
            if got is None or abs(float(got) - float(dim.height)) > HEIGHT_TOLERANCE:
                shown = "默认" if got is None else f"{float(got):g}"
                problems.append(f"第 {row} 行的行高被修改(原为 {float(dim.height):g},现为 {shown})")
        t_widths, u_widths = _widths(t), _widths(u)
        for col, width in sorted(t_widths.items()):
            got = u_widths.get(col)
            if got is None or abs(float(got) - float(width)) > WIDTH_TOLERANCE:
                shown = "默认" if got is None else f"{float(got):g}"
                problems.append(f"{get_column_letter(col)} 列的列宽被修改(原为 {float(width):g},现为 {shown})")
    if problems:
        raise FormError(problems)
    edits = {}
    for key in EDITABLE_KEYS:
        defined = tpl.defined_names.get(f"field_{key}")
        if defined is None:
            continue
        for sheet_name, ref in defined.destinations:
            value = up[sheet_name][ref.replace("$", "")].value
            text = "" if value is None else str(value).replace("\r\n", "\n").strip()
            if len(text) > MAX_TEXT:
                raise FormError([f"「{FIELD_NAMES.get(key, key)}」内容过长(最多 {MAX_TEXT} 字)"])
            edits[key] = text
    return edits


def blind_review_form_xlsx(data):
    """Return the desensitized 评审表 as .xlsx (no personal data)."""
    wb = Workbook()
    _review_sheet(wb, blind(prepare(data, "blind")))
    return _finish(wb)
