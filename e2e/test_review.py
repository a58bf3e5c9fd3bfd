"""Review journeys in Chromium: the full path with seals set up in the browser (incl. a drawn QR signature),
签章前退回 → 重新申报 → resubmission, 强制驳回 after sealing, and the strict-scope refusal.

Applicants submit through the real wizard endpoints over HTTP (Playwright's request context, so this also runs
against a deployed instance); every reviewer works in the browser.
"""
import io
import os
import re
import subprocess

import pikepdf
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from e2e.conftest import SHOTS
from tests.declare_helpers import info_data
from e2e.test_login_roles import PASSWORD, logout, staff_login, talent_login

CSRF = re.compile(r'name="(?:\w-)?csrf_token"[^>]*?value="([^"]+)"')
HIGH = "社会化正高级、副高级职称申报计划"
MIDDLE = "社会化中级、初级职称申报计划(试运行)"


def _id_of(name):
    """身份证号码 of a demo person, as seed.make_id_number builds it."""
    import seed
    region, born, seq = {"张三": ("150122", "19900101", 123), "李四": ("150102", "19820715", 246),
                         "王五": ("150105", "19950520", 311)}[name]
    return seed.make_id_number(region, born, seq)


def _credit(name):
    import seed
    head, region, code = {"托克托县建设工程有限公司": ("91", "150122", "MA0TKT001"),
                          "托克托县住房和城乡建设局": ("11", "150122", "01234567X"),
                          "呼和浩特博物院": ("12", "150102", "MB0HH0015"),
                          "内蒙职称申报有限公司": ("91", "150105", "MA0NM0021")}[name]
    return seed.make_credit_code(head, region, code)


def _token(request, path):
    html = request.get(path).text()
    match = CSRF.search(html)
    assert match, f"no csrf_token in {path}"
    return match.group(1)


def _jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (330, 440), (67, 142, 219)).save(buf, "JPEG")
    return buf.getvalue()


def finish_and_submit(request, app_id):
    """Download both PDFs (the wizard insists) and 「提交」."""
    for form in ("review", "submission"):
        assert request.get(f"/declare/{app_id}/forms/{form}.pdf").ok
    token = _token(request, f"/declare/{app_id}/step/6")
    response = request.post(f"/declare/{app_id}/submit", form={"csrf_token": token, "confirmed": "y"},
                            max_redirects=0)
    assert response.status == 303, response.text()[:500]


def declare(request, person, plan_fragment, info):
    """Walk the six steps over HTTP as the applicant and submit; returns the record id."""
    token = _token(request, "/login")
    request.post("/login", form={"kind": "个人", "p-id_number": _id_of(person), "p-password": PASSWORD,
                                 "p-csrf_token": token})
    plans = request.get("/declare/plans").text()
    plan_id = re.search(r'href="/declare/plans/(\d+)"[^>]*>[^<]*' + re.escape(plan_fragment), plans).group(1)
    token = _token(request, f"/declare/plans/{plan_id}")
    response = request.post(f"/declare/plans/{plan_id}/start", form={"csrf_token": token}, max_redirects=0)
    assert response.status == 303, response.text()[:500]
    app_id = re.search(r"/declare/(\d+)/step/1", response.headers["location"]).group(1)

    def step(n, form=None, multipart=None, raw=None):
        token = _token(request, f"/declare/{app_id}/step/{n}")
        if multipart is not None:
            result = request.post(f"/declare/{app_id}/step/{n}", multipart={"csrf_token": token, **multipart},
                                  max_redirects=0)
        elif raw is not None:
            body = "&".join([f"csrf_token={token}"] + raw)
            result = request.post(f"/declare/{app_id}/step/{n}", data=body, max_redirects=0,
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            result = request.post(f"/declare/{app_id}/step/{n}", form={"csrf_token": token, **(form or {})},
                                  max_redirects=0)
        errors = " ".join(re.findall(r'class="error"[^>]*>([^<]+)<', result.text()))
        assert result.status == 303, f"step {n}: {errors}"
    step(1, multipart={"photo": {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}})
    step(2, {"agree": "y"})
    step(3, info)
    items = re.findall(r'name="item"[^>]*value="(\d+)"', request.get(f"/declare/{app_id}/step/4").text())
    step(4, raw=[f"item={i}" for i in items])
    step(5)
    finish_and_submit(request, app_id)
    request.post("/logout", form={"csrf_token": _token(request, "/help/")})
    return int(app_id)


@pytest.fixture
def applicant(playwright, base_url):
    context = playwright.request.new_context(base_url=base_url)
    yield context
    context.dispose()


def unit_login(page, name, pick=None):
    talent_login(page, "单位", "统一社会信用代码", _credit(name))
    if pick:
        page.get_by_role("button", name=pick).click()


def as_role(page, role):
    """Log in as the demo unit of `role` on 张三's route."""
    if role == "工作单位":
        unit_login(page, "托克托县建设工程有限公司")
    elif role == "主管单位":
        unit_login(page, "托克托县住房和城乡建设局", "主管部门")
    elif role == "旗县人社局":
        staff_login(page, "rsj150122")
    elif role == "盟市人社局":
        staff_login(page, "rsj150100")
        page.get_by_role("button", name="盟市人社局/其他局").click()
    expect(page.get_by_test_id("active-role")).to_be_visible()


def row_of(page, name, level):
    """The console row of `name` at `level` (the level cell matched exactly: plan names hold several levels)."""
    return (page.locator("tr[id^=row-]").filter(has_text=name)
            .filter(has=page.locator("td", has_text=re.compile(f"^{level}$"))))


def approve(page, name, level, opinion="经审核,材料真实,同意推荐。"):
    row = row_of(page, name, level)
    row.get_by_role("link", name="审核", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("审核意见").fill(opinion)
    dialog.get_by_role("button", name="审核通过").click()
    expect(row.locator(".tag")).to_have_text(re.compile("待签章$"))
    expect(dialog).to_be_hidden()


def seal(page, name, level, shot=None):
    row = row_of(page, name, level)
    row.get_by_role("link", name="签章", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="确认签章")).to_be_visible()
    if shot:
        shot()
    dialog.get_by_role("button", name="确认签章").click()
    expect(row.locator(".tag")).to_have_text(re.compile("审核中$|审核通过$"))


def signature_png():
    img = Image.new("RGBA", (360, 110), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.line((20, 80, 80, 20, 120, 90, 180, 30, 240, 85, 330, 40), fill=(20, 20, 20, 255), width=7)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def upload_seal(page, kind):
    section = page.locator("section.seal-kind", has=page.get_by_role("heading", name=re.compile("^" + kind)))
    section.get_by_label(f"上传{kind}图片").set_input_files(
        files=[{"name": f"{kind}.png", "mimeType": "image/png", "buffer": signature_png()}])
    section.get_by_role("button", name="上传印章图片").click()
    expect(page.get_by_text(f"{kind}已保存并启用")).to_be_visible()


def qr_signature(page, browser, kind, shot):
    """「二维码签字」: open the QR page, draw on the phone pad it links to, save, see the desktop notice."""
    section = page.locator("section.seal-kind", has=page.get_by_role("heading", name=re.compile("^" + kind)))
    section.get_by_role("link", name="二维码签字").click()
    expect(page.get_by_test_id("qr-code").locator("svg")).to_be_visible()
    shot("seals-qr")
    link = page.get_by_test_id("pad-link").inner_text()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, locale="zh-CN")
    pad = phone.new_page()
    pad.goto(link)
    canvas = pad.locator("canvas#pad")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    pad.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    pad.mouse.down()
    for i in range(1, 13):
        pad.mouse.move(box["x"] + 30 + i * (box["width"] - 60) / 12,
                       box["y"] + box["height"] * (0.3 if i % 2 else 0.75), steps=3)
    pad.mouse.up()
    pad.screenshot(path=os.path.join(SHOTS, "seals-pad-phone.png"), full_page=True)
    pad.get_by_role("button", name="保存").click()
    expect(pad.get_by_role("heading", name=f"{kind}已保存")).to_be_visible()
    phone.close()
    expect(page.get_by_text("手机签字已保存")).to_be_visible(timeout=10000)
    page.get_by_role("link", name="返回印章管理").click()


def setup_seals(page, browser, role, shot, qr=False):
    """Set up a full seal set for the logged-in role through 印章管理."""
    page.get_by_role("link", name="印章管理").first.click()
    expect(page.get_by_role("heading", name=re.compile("^印章管理"))).to_be_visible()
    page.get_by_role("button", name="生成职称专用章").click()
    expect(page.get_by_text("职称专用章已保存并启用")).to_be_visible()
    upload_seal(page, "负责人签字")
    if qr:
        qr_signature(page, browser, "审核人签字", shot)
    else:
        upload_seal(page, "审核人签字")
    page.get_by_label("意见内容").fill("经审核,该同志申报材料真实有效,同意推荐。")
    page.get_by_role("button", name="生成意见").click()
    expect(page.get_by_text("审核意见已保存并启用")).to_be_visible()
    if role == "工作单位":
        page.get_by_label("公示时间").fill("2025年7月1日至7月7日")
        page.get_by_label("公示意见").fill("公示期内无异议")
        page.get_by_role("button", name="保存公示信息").click()
        expect(page.get_by_text("公示情况已保存并启用")).to_be_visible()


def _stamps(pdf_bytes):
    """[(x_mm, y_mm_from_top)] of every stamp image on page 1."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[0]
        height = float(page.mediabox[3])
        found = []
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "cm":
                matrix = [float(v) for v in operands]
            if str(operator) == "Do" and str(operands[0]).startswith("/Stamp"):
                x, y, h = matrix[4], matrix[5], matrix[3]
                found.append((x * 25.4 / 72, (height - y - h) * 25.4 / 72))
        return found


def test_full_path_with_seals_set_up_in_the_browser(page, browser, applicant, shot):
    """工作单位 → 主管单位 → 旗县 → 盟市 → 评委会 → 审核通过, strict scope: refused first, sealed once complete."""
    from pdfgen.layout import FORM_SUBMISSION, cell_rect
    # 工程技术 电力 副高级 is in the strict scope of SPEC §4: 签章 is refused until every piece is there.
    record_id = declare(applicant, "张三", HIGH, info_data("工程技术", "电力", "副高级", "高级工程师",
                                                      practice_specialty="电力"))
    for role in ("工作单位", "主管单位", "旗县人社局", "盟市人社局"):
        as_role(page, role)
        if role == "工作单位":
            page.goto("/review/")
            approve(page, "张三", "副高级")
            row_of(page, "张三", "副高级").get_by_role("link", name="签章", exact=True).click()
            dialog = page.get_by_role("dialog")
            expect(dialog.get_by_text("签章信息必须完整,不能签章")).to_be_visible()
            expect(dialog.get_by_text(
                re.compile("缺少:公章或职称专用章、审核人签字、负责人签字、审核意见、公示情况"))).to_be_visible()
            expect(dialog.get_by_role("button", name="确认签章")).to_have_count(0)
            shot("review-strict-refusal")
            dialog.get_by_role("link", name="取消").click()
            expect(dialog).to_be_hidden()
        setup_seals(page, browser, role, shot, qr=role == "工作单位")
        if role == "工作单位":
            shot("seals-index")
        page.goto("/review/")
        if role == "工作单位":
            shot("review-console")
        else:
            approve(page, "张三", "副高级")
        seal(page, "张三", "副高级", shot=(lambda: shot("review-seal-dialog")) if role == "工作单位" else None)
        if role == "旗县人社局":
            shot("review-after-seal")
        logout(page)
        if role == "主管单位":
            # The 盟市 bureau cannot see the record yet: 「找不到申报记录」 tells it where it is.
            as_role(page, "盟市人社局")
            page.goto("/review/locate")
            page.get_by_label("申报人身份证号码").fill(_id_of("张三"))
            page.get_by_role("button", name="查询").click()
            card = page.locator(".locate-card", has_text="高级工程师")
            expect(card.get_by_test_id("locate-where")).to_contain_text("托克托县人社局")
            shot("review-locate")
            logout(page)

    staff_login(page, "pwh1")
    page.goto("/review/")
    row = row_of(page, "张三", "副高级")
    expect(row.locator(".tag")).to_have_text("评委会审核中")
    expect(row.get_by_role("link", name="签章", exact=True)).to_have_count(0)
    row.get_by_role("link", name="审核", exact=True).click()
    dialog = page.get_by_role("dialog")
    for label, value in (("应到人数", "9"), ("实到人数", "8"), ("同意", "7"), ("反对", "1"), ("弃权", "0")):
        dialog.get_by_label(label, exact=True).fill(value)
    dialog.get_by_label("审核意见").fill("经评审委员会表决,同意通过。")
    shot("review-committee-dialog")
    dialog.get_by_role("button", name="审核通过").click()
    expect(row.locator(".tag")).to_have_text("审核通过")

    row.get_by_role("link", name="申报进度").click()
    timeline = page.get_by_role("dialog")
    expect(timeline.locator(".timeline li").nth(9)).to_be_visible()  # 提交, 4 × (审核通过, 签章), the decision
    shot("review-progress")
    page.keyboard.press("Escape")

    page.goto(f"/review/{record_id}/materials")
    shot("review-materials")
    sub = page.locator("a", has_text="送审表 第5版")
    rev = page.locator("a", has_text="评审表 第6版")
    sub_href = sub.get_attribute("href")
    submission = page.request.get(sub_href).body()
    review = page.request.get(rev.get_attribute("href")).body()
    os.makedirs(SHOTS, exist_ok=True)
    for name, data in (("sealed-送审表", submission), ("sealed-评审表", review)):
        path = os.path.join(SHOTS, f"{name}.pdf")
        with open(path, "wb") as handle:
            handle.write(data)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            last = 1 if name.endswith("送审表") else len(pdf.pages)  # the 评审表's opinion page is its last
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", str(last), "-l", str(last), "-singlefile", path,
                        path[:-4]], check=True)
    stamps = _stamps(submission)
    expected = {"工作单位": 6, "主管单位": 5, "旗县人社局": 5, "盟市人社局": 5}
    for role, count in expected.items():
        _page, x, y, w, h = cell_rect(FORM_SUBMISSION, role)
        inside = [s for s in stamps if x - 0.5 <= s[0] <= x + w and y - 0.5 <= s[1] <= y + h]
        assert len(inside) == count, (role, inside)
    assert len(stamps) == sum(expected.values())
    logout(page)

    talent_login(page, "个人", "身份证号码", _id_of("张三"))
    page.goto(f"/review/{record_id}/progress")
    expect(page.get_by_text("审核通过").first).to_be_visible()
    # The applicant downloads the same sealed version.
    assert page.request.get(sub_href).body() == submission


def test_return_before_seal_then_redeclare_and_resubmit(page, applicant, shot):
    declare(applicant, "李四", HIGH, info_data("文物博物", "文博", "正高级", "研究馆员", practice_specialty="文博",
                                          cur_series="文物博物", cur_specialty="文博", cur_level="副高级",
                                          cur_name="副研究馆员"))
    unit_login(page, "呼和浩特博物院")
    page.goto("/review/")
    approve(page, "李四", "正高级")
    row = row_of(page, "李四", "正高级")
    row.get_by_role("link", name="签章前退回").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="确认退回").click()
    expect(dialog.get_by_text("请填写退回原因")).to_be_visible()
    dialog.get_by_label("退回原因").fill("上级主管单位选择有误,请核实后重新申报")
    dialog.get_by_role("button", name="确认退回").click()
    expect(row.locator(".tag")).to_have_text("工作单位签章前退回")
    logout(page)

    talent_login(page, "个人", "身份证号码", _id_of("李四"))
    page.goto("/declare/")
    record = page.locator("tr", has_text="研究馆员")
    expect(record.get_by_text("工作单位签章前退回")).to_be_visible()
    shot("declare-returned")
    record.get_by_role("link", name="申报进度").click()
    expect(page.get_by_text("上级主管单位选择有误,请核实后重新申报").first).to_be_visible()
    page.goto("/declare/")
    page.locator("tr", has_text="工作单位签章前退回").get_by_role("button", name="重新申报").click()
    expect(page).to_have_url(re.compile(r"/declare/\d+/step/3"))
    new_id = re.search(r"/declare/(\d+)/step/3", page.url).group(1)
    finish_and_submit(page.request, new_id)
    logout(page)

    unit_login(page, "呼和浩特博物院")
    page.goto("/review/")
    expect(row_of(page, "李四", "正高级").locator(".tag")).to_have_text("工作单位审核中")
    page.goto("/review/?scope=all&name=李四")
    expect(page.locator("tr", has_text="已重新申报")).to_have_count(1)
    logout(page)


def test_force_reject_after_sealing(page, applicant, shot):
    declare(applicant, "王五", MIDDLE, info_data("工程技术", "建设工程", "初级", "助理工程师", cur_series="",
                                           cur_specialty="", cur_level="", cur_name="", cur_obtained=""))
    unit_login(page, "内蒙职称申报有限公司")
    page.goto("/review/")
    approve(page, "王五", "初级")
    row = row_of(page, "王五", "初级")
    row.get_by_role("link", name="签章", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile("签章信息不完整"))).to_be_visible()
    dialog.get_by_role("button", name="确认签章").click()
    expect(row.locator(".tag")).to_have_text("旗县人社局审核中")
    expect(row.get_by_text(re.compile("签章不完整"))).to_be_visible()
    row.get_by_role("link", name="强制驳回").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile("务必谨慎操作"))).to_be_visible()
    dialog.get_by_label("驳回原因").fill("人社部门选择错误,请工作单位修改上级人社主管部门后重新申报")
    shot("review-force-reject-dialog")
    dialog.get_by_role("button", name="确认驳回").click()
    expect(row.locator(".tag")).to_have_text("工作单位强制驳回")
    expect(row.get_by_role("link", name="强制驳回")).to_have_count(0)
    page.get_by_role("link", name="历史记录").first.click()
    expect(page.get_by_text("人社部门选择错误").first).to_be_visible()
    shot("review-history")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/review/?scope=all")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("review-console-phone")
    logout(page)
