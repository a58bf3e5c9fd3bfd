"""pdfgen: the forms as a reader sees them (pdftotext), the stamps as pikepdf sees them."""

import datetime
import io
import re
import shutil
import subprocess

import pikepdf
import pytest
from openpyxl import load_workbook
from PIL import Image, ImageDraw

import pdfgen
from pdfgen.codes import pretty_code
from pdfgen.forms import WATERMARK
from pdfgen.layout import PAGE_H, slots

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")

PT = 72 / 25.4
DATE = datetime.date(2025, 7, 15)


@pytest.fixture(scope="module")
def record():
    return pdfgen.sample_record(20)


@pytest.fixture(scope="module")
def review_pdf(record):
    return pdfgen.review_form(record)


@pytest.fixture(scope="module")
def submission_pdf(record):
    return pdfgen.submission_form(record)


def text_of(pdf, page=None, raw=False):
    args = ["pdftotext", "-enc", "UTF-8"]
    if raw:
        args.append("-raw")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(args + ["-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def squash(text):
    return re.sub(r"\s+", "", text)


def page_count(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def _mul(m, n):
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def placements(pdf, page_index):
    """Image XObjects drawn on a page as {name: (x, y, w, h)} in points, bottom-left origin."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        page = doc.pages[page_index]
        ctm = (1, 0, 0, 1, 0, 0)
        stack = []
        found = []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop()
            elif op == "cm":
                ctm = _mul(tuple(float(v) for v in operands), ctm)
            elif op == "Do":
                xobj = page.Resources.XObject[operands[0]]
                if xobj.get("/Subtype") == "/Image":
                    a, _b, _c, d, e, f = ctm
                    found.append((str(operands[0]), (e, f, a, d)))
        return found


def cell_pt(form, role):
    page, x, y, w, h = pdfgen.cell_rect(form, role)
    return page, (x * PT, (PAGE_H - y - h) * PT, w * PT, h * PT)


def inside(inner, outer, tol=0.01):
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return x >= ox - tol and y >= oy - tol and x + w <= ox + ow + tol and y + h <= oy + oh + tol


def png(size=(300, 120), color=(20, 20, 80), text="签", transparent=True):
    img = Image.new("RGBA" if transparent else "RGB", size, (255, 255, 255, 0) if transparent else "white")
    draw = ImageDraw.Draw(img)
    draw.ellipse((10, 10, size[0] - 10, size[1] - 10), outline=color, width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def full_seals(unit=True):
    return {
        "seal": pdfgen.generate_title_seal("呼和浩特电力勘察设计有限公司"),
        "reviewer_sign": png(),
        "leader_sign": png(),
        "opinion": "经审核,材料真实有效,同意推荐。",
        "publicity": {"time": "2025年7月1日至7月7日", "opinion": "公示无异议"} if unit else None,
    }


# --- content -------------------------------------------------------------------------


def test_review_form_has_every_section_in_chinese(review_pdf, record):
    assert review_pdf.startswith(b"%PDF")
    assert page_count(review_pdf) >= 4
    text = squash(text_of(review_pdf))
    for needle in ("专业技术职务任职资格评审表", "基本情况", "学习经历", "工作经历", "专业技术资格",
                   "执业(职业)资格", "主要专业技术工作业绩", "论文", "著作", "获奖", "项目", "专利",
                   "审核意见", "应到人数", "实到人数", "同意", "反对", "弃权",
                   record["name"], record["id_number"], record["unit_name"], "华北电力大学",
                   "基于分段闭锁的配电网故障快速隔离方法研究", "ZL202120345678.9", "审核人:", "负责人:",
                   "公示情况:"):
        assert squash(needle) in text, needle


def test_submission_form_is_one_page_with_three_opinion_cells(submission_pdf, record):
    assert page_count(submission_pdf) == 1
    text = squash(text_of(submission_pdf))
    for needle in ("专业技术职务任职资格送审表", "单位审核意见", "主管部门审核意见", "盟市厅局审核意见",
                   record["name"], record["unit_name"], "高级工程师", "工程师", "电力工程", "副高级"):
        assert needle in text, needle
    assert text.count("审核人:") == 4 and text.count("负责人:") == 4


def test_fonts_are_embedded_subsets(review_pdf):
    out = subprocess.run(["pdffonts", "-"], input=review_pdf, capture_output=True).stdout.decode()
    rows = [line for line in out.splitlines()[2:] if line.strip()]
    assert rows and all(" yes yes yes " in line for line in rows)


@pytest.mark.parametrize("form", ["review", "submission", "blind"])
def test_watermark_and_code_on_every_page(record, form):
    pdf = {"review": pdfgen.review_form, "submission": pdfgen.submission_form,
           "blind": pdfgen.blind_review_form}[form](record)
    code = pdfgen.form_code(record["record_id"], form, record["version"], record["secret"])
    n = page_count(pdf)
    for page in range(1, n + 1):
        text = squash(text_of(pdf, page, raw=True))
        assert f"编码:{pretty_code(code)}" in text
        assert f"第{page}页/共{n}页" in text
        assert squash(WATERMARK) in text
    assert pdfgen.verify_code(pretty_code(code), record["secret"]) == (record["record_id"], form, record["version"])


def test_codes_cannot_be_forged_or_mistyped():
    code = pdfgen.form_code(42, "submission", 5, "secret")
    assert len(code) == 16 and code.isupper() or code.isdigit()
    assert pdfgen.verify_code(code.lower(), "secret") == (42, "submission", 5)
    assert pdfgen.verify_code(code, "other secret") is None
    flipped = code[:3] + ("A" if code[3] != "A" else "B") + code[4:]
    assert pdfgen.verify_code(flipped, "secret") is None
    assert pdfgen.verify_code("not a code", "secret") is None
    assert pdfgen.form_code(42, "review", 5, "secret") != code
    assert pdfgen.form_code(42, "submission", 6, "secret") != code


def test_code_is_required():
    data = dict(pdfgen.sample_record(), secret=None)
    with pytest.raises(pdfgen.FormError):
        pdfgen.submission_form(data)
    assert pdfgen.submission_form(dict(data, code="ABCD-EFGH-JKMN-PQRS"))


def _noise_free(pdf):
    text = text_of(pdf, raw=True)
    text = re.sub(r"编码:.*", "", text)
    text = re.sub(r"第 \d+ 页 / 共 \d+ 页", "", text)
    text = re.sub(r"\s*".join(map(re.escape, WATERMARK)) + r"\s*[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", "", text)
    text = text.replace("五、主要专业技术工作业绩(续)", "")
    return squash(text)


def test_3000_character_achievement_text_is_complete():
    data = pdfgen.sample_record(20, long_text=True)
    assert len(data["achievements_text"]) == 3000
    pdf = pdfgen.review_form(data)
    assert squash(data["achievements_text"]) in _noise_free(pdf)
    assert page_count(pdf) > page_count(pdfgen.review_form(pdfgen.sample_record(20)))


def test_long_summary_continues_on_a_second_submission_page():
    data = pdfgen.sample_record(20, long_text=True)
    pdf = pdfgen.submission_form(data)
    assert page_count(pdf) == 2
    first = squash(text_of(pdf, 1, raw=True))
    first = first[first.index("业绩简介") + 4:first.index("(接续页)")]
    second = squash(_noise_free(pdfgen.submission_form(data)).split("业绩简介(续)", 1)[1])
    # The summary is printed in paragraphs; every paragraph must survive in full.
    for para in data["achievements_text"].split("\n"):
        assert squash(para) in first + second


def test_repeated_experience_rows_are_left_out_on_request():
    data = pdfgen.sample_record(20)
    data["work_history"] = data["work_history"] + [dict(data["work_history"][0])]
    data["education_history"] = data["education_history"] + [dict(data["education_history"][1])]
    kept = squash(text_of(pdfgen.review_form(dict(data, dedupe=False))))
    deduped = squash(text_of(pdfgen.review_form(dict(data, dedupe=True))))
    assert kept.count("继电保护专责") == 2 and deduped.count("继电保护专责") == 1
    assert kept.count("2008.09—2011.07") == 2 and deduped.count("2008.09—2011.07") == 1


def test_blind_form_has_no_personal_data(record):
    data = dict(record, achievements_text=record["achievements_text"] + f"(联系人{record['name']},电话{record['phone']})")
    pdf = pdfgen.blind_review_form(data)
    text = squash(text_of(pdf))
    for secret in (record["name"], record["id_number"], record["unit_name"], record["phone"], record["former_name"]):
        assert secret not in text, secret
    assert "(盲审隐去)" in text and "专业技术职务任职资格评审表" in text
    assert all(not placements(pdf, i) for i in range(page_count(pdf)))
    assert placements(pdfgen.review_form(record), 1), "the normal form carries the photo"


# --- stamping ------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["submission", "review"])
@pytest.mark.parametrize("role", ["工作单位", "主管单位", "旗县人社局", "盟市人社局"])
def test_every_stamp_lands_inside_the_roles_cell(record, review_pdf, submission_pdf, form, role):
    pdf = review_pdf if form == "review" else submission_pdf
    before = placements(pdf, -1)
    result = pdfgen.stamp(pdf, form, role, full_seals(role == "工作单位"), DATE)
    assert result.missing == []
    new = placements(result.pdf, -1)[len(before):]
    expected = 6 if role == "工作单位" else 5  # seal, 2 signatures, opinion, date (+ 公示情况)
    assert len(new) == expected
    _page, rect = cell_pt(form, role)
    for _name, box in new:
        assert inside(box, rect), (box, rect)
    assert squash("2025年7月15日") not in squash(text_of(result.pdf)), "the date is an image, not re-set text"


def test_county_and_city_share_the_bureau_column_without_overlap(submission_pdf):
    _p, county = cell_pt("submission", "旗县人社局")
    _p, city = cell_pt("submission", "盟市人社局")
    assert county[0] + county[2] <= city[0] + 0.01
    assert abs(county[1] - city[1]) < 0.01
    first = pdfgen.stamp(submission_pdf, "submission", "旗县人社局", full_seals(False), DATE)
    second = pdfgen.stamp(first.pdf, "submission", "盟市人社局", full_seals(False), DATE)
    boxes = [b for _n, b in placements(second.pdf, 0)]
    county_boxes = [b for b in boxes if inside(b, county)]
    city_boxes = [b for b in boxes if inside(b, city)]
    assert len(county_boxes) == 5 and len(city_boxes) == 5
    for a in county_boxes:
        for b in city_boxes:
            assert a[0] + a[2] <= b[0] + 0.01


def test_second_stamp_keeps_the_first(submission_pdf):
    first = pdfgen.stamp(submission_pdf, "submission", "工作单位", full_seals(), DATE)
    second = pdfgen.stamp(first.pdf, "submission", "主管单位", full_seals(False), DATE)
    before = placements(first.pdf, 0)
    after = placements(second.pdf, 0)
    assert after[:len(before)] == before
    with pikepdf.open(io.BytesIO(first.pdf)) as a, pikepdf.open(io.BytesIO(second.pdf)) as b:
        for name, _box in before:
            assert a.pages[0].Resources.XObject[name].read_bytes() == b.pages[0].Resources.XObject[name].read_bytes()
    assert squash(text_of(second.pdf)) == squash(text_of(submission_pdf))


def test_all_four_roles_stamp_one_submission_form(submission_pdf):
    pdf = submission_pdf
    for role in ("工作单位", "主管单位", "旗县人社局", "盟市人社局"):
        pdf = pdfgen.stamp(pdf, "submission", role, full_seals(role == "工作单位"), DATE).pdf
    assert len(placements(pdf, 0)) == 6 + 5 * 3
    assert page_count(pdf) == 1


def test_missing_pieces_are_reported_not_refused(submission_pdf):
    result = pdfgen.stamp(submission_pdf, "submission", "工作单位", {"seal": None}, DATE)
    assert result.missing == ["公章或职称专用章", "审核人签字", "负责人签字", "审核意见", "公示情况"]
    assert len(placements(result.pdf, 0)) == 1  # the date is always stamped
    result = pdfgen.stamp(submission_pdf, "submission", "主管单位", {"opinion": "同意"}, DATE)
    assert result.missing == ["公章或职称专用章", "审核人签字", "负责人签字"]


def test_committee_and_bad_input_are_refused(submission_pdf, review_pdf):
    with pytest.raises(pdfgen.FormError):
        pdfgen.stamp(review_pdf, "review", "评委会", full_seals(), DATE)
    with pytest.raises(pdfgen.FormError):
        pdfgen.stamp(submission_pdf, "submission", "人才中心", full_seals(), DATE)
    with pytest.raises(pdfgen.FormError):
        pdfgen.stamp(b"not a pdf", "submission", "工作单位", full_seals(), DATE)
    with pytest.raises(pdfgen.FormError):
        pdfgen.stamp(submission_pdf, "submission", "工作单位", dict(full_seals(), seal=b"GIF89a"), DATE)


def test_stamp_slots_sit_inside_their_cells():
    for form in ("review", "submission"):
        for role in ("工作单位", "主管单位", "旗县人社局", "盟市人社局"):
            _p, x, y, w, h = pdfgen.cell_rect(form, role)
            for name, rect in slots(form, role).items():
                assert inside(rect, (x, y, w, h)), (form, role, name)


# --- seal images ---------------------------------------------------------------------


def test_generated_title_seal_is_round_red_and_transparent():
    img = Image.open(io.BytesIO(pdfgen.generate_title_seal("赛罕区人力资源和社会保障局")))
    assert img.format == "PNG" and img.mode == "RGBA" and min(img.size) >= 164
    assert img.getpixel((2, 2))[3] == 0  # corners are transparent
    cx = img.width // 2
    r, g, b, a = img.getpixel((cx, img.height // 2 - 4))  # the star
    assert a > 200 and r > 150 and g < 80 and b < 80
    with pytest.raises(pdfgen.FormError):
        pdfgen.generate_title_seal("  ")


def test_uploaded_seal_on_white_paper_becomes_transparent_and_bounded():
    scan = Image.new("RGB", (2000, 2000), "white")
    ImageDraw.Draw(scan).ellipse((300, 300, 1700, 1700), outline=(200, 20, 20), width=60)
    buf = io.BytesIO()
    scan.save(buf, "JPEG")
    img = Image.open(io.BytesIO(pdfgen.normalise_seal_image(buf.getvalue())))
    assert img.format == "PNG" and img.mode == "RGBA" and max(img.size) <= 600
    assert img.getpixel((img.width // 2, img.height // 2))[3] == 0  # white paper is gone
    assert img.getpixel((img.width // 2, 8))[3] > 200  # the red ring stays
    transparent = Image.open(io.BytesIO(pdfgen.normalise_seal_image(png(transparent=True))))
    assert transparent.mode == "RGBA"
    for bad in (b"", b"plain text", b"\x89PNG\r\n\x1a\nbroken"):
        with pytest.raises(pdfgen.FormError):
            pdfgen.normalise_seal_image(bad)


def test_opinion_image_is_a_transparent_png():
    img = Image.open(io.BytesIO(pdfgen.opinion_image("同意推荐。" * 5)))
    assert img.format == "PNG" and img.mode == "RGBA" and img.getpixel((0, 0))[3] == 0
    with pytest.raises(pdfgen.FormError):
        pdfgen.opinion_image("  ")


# --- Excel round trip ----------------------------------------------------------------


def _edit(xlsx, change):
    wb = load_workbook(io.BytesIO(xlsx))
    change(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _field(wb, key):
    (sheet, ref), = wb.defined_names[f"field_{key}"].destinations
    return wb[sheet][ref.replace("$", "")]


def test_accepted_excel_edit_reaches_the_regenerated_pdf(record):
    template = pdfgen.review_form_xlsx(record)
    new_text = "经Excel补充的业绩:主持完成了乌兰察布风电汇集站二次系统设计。"

    def change(wb):
        _field(wb, "achievements_text").value = new_text
        wb.active.row_dimensions[5].height = wb.active.row_dimensions[5].height - 0.5  # LibreOffice rounding
    edits = pdfgen.read_form_xlsx(template, _edit(template, change))
    assert edits["achievements_text"] == new_text
    pdf = pdfgen.review_form(dict(record, edits=edits))
    assert squash(new_text) in squash(text_of(pdf))

    sub_template = pdfgen.submission_form_xlsx(record)
    edits = pdfgen.read_form_xlsx(sub_template, _edit(sub_template, lambda wb: setattr(_field(wb, "summary"), "value", "简介已改写。")))
    assert edits == {"summary": "简介已改写。"}
    assert "简介已改写。" in squash(text_of(pdfgen.submission_form(dict(record, edits=edits))))


@pytest.mark.parametrize("change, message", [
    (lambda wb: setattr(wb.active["B4"], "value", "李四"), "单元格 B4「张晓东」 受保护,不能修改"),
    (lambda wb: setattr(wb.active.row_dimensions[6], "height", 60), "第 6 行的行高被修改"),
    (lambda wb: setattr(wb.active.column_dimensions["C"], "width", 30), "C 列的列宽被修改"),
    (lambda wb: setattr(wb.active.protection, "sheet", False), "的保护被取消"),
    (lambda wb: wb.active.merge_cells("A3:H3") if False else wb.active.unmerge_cells("B4:D4"), "合并单元格被修改"),
    (lambda wb: setattr(wb.active["A200"], "value", "多写的一行"), "单元格 A200 受保护"),
    (lambda wb: wb.create_sheet("附页"), "工作表被增加、删除或改名"),
])
def test_forbidden_excel_changes_are_refused_naming_the_cell(record, change, message):
    template = pdfgen.review_form_xlsx(record)
    with pytest.raises(pdfgen.FormError) as info:
        pdfgen.read_form_xlsx(template, _edit(template, change))
    assert any(message in problem for problem in info.value.problems), info.value.problems
    assert isinstance(info.value, ValueError) and message.split("「")[0] in str(info.value)


def test_not_an_excel_file_is_refused(record):
    with pytest.raises(pdfgen.FormError) as info:
        pdfgen.read_form_xlsx(pdfgen.submission_form_xlsx(record), b"PK\x03\x04 nonsense")
    assert "Excel" in str(info.value)


def test_printed_signature_labels_sit_in_the_same_cells_stamp_uses(submission_pdf, review_pdf):
    for form, pdf in (("submission", submission_pdf), ("review", review_pdf)):
        n = page_count(pdf)
        out = subprocess.run(["pdftotext", "-bbox", "-f", str(n), "-l", str(n), "-", "-"], input=pdf,
                             capture_output=True, check=True).stdout.decode()
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(审核人:|负责人:)<', out)
        assert len(words) == 8
        cells = []
        for role in ("工作单位", "主管单位", "旗县人社局", "盟市人社局"):
            _page, x, y, w, h = pdfgen.cell_rect(form, role)
            cells.append((x * PT, y * PT, (x + w) * PT, (y + h) * PT))  # top-left origin, like -bbox
        for x0, y0, x1, y1, _label in words:
            x0, y0, x1, y1 = map(float, (x0, y0, x1, y1))
            holders = [c for c in cells if c[0] <= x0 and x1 <= c[2] and c[1] <= y0 and y1 <= c[3]]
            assert len(holders) == 1, (form, x0, y0)


def test_bad_record_data_gives_a_chinese_error(record):
    with pytest.raises(pdfgen.FormError) as info:
        pdfgen.review_form(dict(record, photo=b"not an image"))
    assert "照片" in str(info.value)
    with pytest.raises(pdfgen.FormError):
        pdfgen.review_form(None)


def test_libreoffice_style_rewrites_are_accepted(record):
    template = pdfgen.submission_form_xlsx(record)

    def libreoffice(wb):
        ws = wb.active
        ws.protection.set_password(ws.protection.password.lower(), already_hashed=True)
        ws.row_dimensions[3].height = ws.row_dimensions[3].height - 0.5
        ws.row_dimensions[200].height = 12.8  # heights written for rows the template never sized
        ws.column_dimensions["B"].width = ws.column_dimensions["B"].width + 0.6
    edits = pdfgen.read_form_xlsx(template, _edit(template, libreoffice))
    assert set(edits) == {"summary"}


def test_a_long_plan_name_stays_inside_the_page():
    """The real 社会化 高级 plan name is longer than a line at the first type size: it shrinks, never runs off."""
    from pdfgen.layout import MARGIN
    record = pdfgen.sample_record(n_items=4)
    record.update(secret="s", plan_name="2026年内蒙古自治区社会化正高级、副高级职称申报计划(除会计、卫生,经济副高级等考评结合系列外)(试运行)")
    margin_pt = MARGIN * 72 / 25.4
    for pdf in (pdfgen.submission_form(record), pdfgen.review_form(record)):
        boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf,
                               capture_output=True).stdout.decode()
        width = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))
        words = re.findall(r'<word xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]*)</word>', boxes)
        plan_words = [(float(a), float(b)) for a, b, text in words if "申报计划" in text or "考评结合" in text]
        assert plan_words
        for left, right in plan_words:
            assert left >= margin_pt - 1 and right <= width - margin_pt + 1
