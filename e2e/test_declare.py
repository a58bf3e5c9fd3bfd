"""职称申报 journeys in Chromium: a complete declaration from plan search to 「提交」, a blind-review
declaration whose leaking 脱敏 file is refused, and a submission refused for a missing 主管单位 role.
Every step is looked at in screenshots at 1280 px and at phone width (390 px)."""
import io
import os
import re
import subprocess
import sys

from playwright.sync_api import expect

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "Demo@2025"
WANGWU = "150105199505203112"     # 王五, 内蒙职称申报有限公司 (非公有制无主管单位, 赛罕区人社局)
QIANQI = "150102199103045351"     # 钱七, 呼和浩特鑫城建筑设计有限公司 (主管部门 has no 主管单位 role)
MIDDLE = re.compile(r"\d{4}年内蒙古自治区社会化中级、初级职称申报计划")
HIGH = re.compile(r"\d{4}年内蒙古自治区社会化正高级、副高级职称申报计划")
MSG_SUPERVISOR = "主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色"


def login(page, id_number):
    page.goto("/login?tab=个人")
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("active-role")).to_have_text("个人")


def both_widths(page, shot, name):
    """A screenshot at 1280 px and one at 390 px; no sideways scrolling on the phone."""
    # SHOT_COPY_DIR keeps a private copy when other e2e sessions clear test-results/ meanwhile.
    copy = os.environ.get("SHOT_COPY_DIR")
    shot(name)
    if copy:
        page.screenshot(path=os.path.join(copy, f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391, name
    shot(f"{name}-phone")
    if copy:
        page.screenshot(path=os.path.join(copy, f"{name}-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 860})


def jpeg(size=(330, 440)):
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", size, (67, 142, 219)).save(buf, "JPEG")
    return buf.getvalue()


def person_pdf(name, id_number, phone, unit, blind=False):
    import pdfgen
    data = pdfgen.sample_record(n_items=4)
    data.update(name=name, id_number=id_number, phone=phone, unit_name=unit)
    return (pdfgen.blind_review_form if blind else pdfgen.review_form)(data)


def next_step(page, n):
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", name=re.compile(rf"^{n}\. "))).to_be_visible()


def open_plan(page, name):
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="申报计划").click()
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_test_id("deadline")).to_be_visible()
    page.get_by_role("button", name="开始申报").click()
    expect(page.get_by_role("heading", name="1. 上传证件照")).to_be_visible()
    return int(re.search(r"/declare/(\d+)/step/1", page.url).group(1))


def steps_1_2(page, shot=None):
    page.get_by_label("证件照(JPG/PNG)").set_input_files(
        {"name": "证件照.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    expect(page.locator("#photo-preview")).to_be_visible()
    if shot:
        both_widths(page, shot, "declare-step1-photo")
    next_step(page, 2)
    page.get_by_label("本人承诺").check()
    if shot:
        both_widths(page, shot, "declare-step2-pledge")
    next_step(page, 3)


def choose_title(page, series, specialty, level, title):
    for label, value in (("申报职称系列", series), ("申报职称专业", specialty), ("申报职称等级", level),
                         ("申报资格名称", title)):
        select = page.get_by_label(label, exact=True)
        expect(select.locator("option", has_text=re.compile(f"^{value}$"))).to_have_count(1)
        with page.expect_response(lambda r: "/title-fields" in r.url):
            select.select_option(value)
        expect(page.get_by_label(label, exact=True)).to_have_value(value)


def test_complete_declaration_from_plan_search_to_submit(page, shot, tmp_path):
    login(page, WANGWU)
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="申报计划").click()
    expect(page.get_by_role("heading", name="申报计划", exact=True)).to_be_visible()
    # 找: 类型 → 地区 → 系列/等级, each swapping the list without a reload.
    page.evaluate("window.__marker = 1")
    for label, value in (("申报类型", "社会化"), ("地区", "呼和浩特市"), ("申报职称系列", "工程技术"),
                         ("申报职称等级", "中级")):
        with page.expect_response(lambda r: "/declare/plans?" in r.url):
            page.get_by_label(label).select_option(value)
        expect(page.get_by_label(label)).to_have_value(re.compile(".+"))
    expect(page.get_by_text("农牧民职称申报计划")).to_have_count(0)
    expect(page.get_by_label("申报职称专业").locator("option", has_text="建设工程")).to_have_count(1)
    expect(page.get_by_role("link", name=MIDDLE).first).to_be_visible()
    expect(page.get_by_role("link", name=HIGH)).to_have_count(0)
    assert page.evaluate("window.__marker") == 1
    assert "series=" in page.url
    both_widths(page, shot, "declare-plans")
    page.get_by_role("link", name=MIDDLE).first.click()
    expect(page.get_by_test_id("deadline")).to_contain_text("申报结束时间")
    both_widths(page, shot, "declare-plan")
    page.get_by_role("button", name="开始申报").click()
    app_id = int(re.search(r"/declare/(\d+)/step/1", page.url).group(1))
    both_widths(page, shot, "declare-step1-empty")
    steps_1_2(page, shot)

    choose_title(page, "工程技术", "建设工程", "中级", "工程师")
    with page.expect_response(lambda r: "/title-fields" in r.url):
        page.get_by_label("从事专业名称", exact=True).select_option("其他")
    page.get_by_label("其他从事专业名称").fill("市政工程施工管理")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("王五")
    expect(page.get_by_label("单位所在人社部门")).to_have_value("赛罕区人社局")
    page.get_by_label("主要专业技术工作业绩").fill("参加工作以来负责呼和浩特市多项市政道路工程的施工技术管理,"
                                               "组织编制施工方案十余项。")
    expect(page.get_by_text(re.compile("已自动保存"))).to_be_visible(timeout=8000)
    both_widths(page, shot, "declare-step3-info")
    next_step(page, 4)
    expect(page.get_by_label(re.compile("内蒙古大学"))).to_be_checked()
    both_widths(page, shot, "declare-step4-items")
    next_step(page, 5)
    page.get_by_label("材料类别").select_option("学历学位证书")
    page.get_by_label("申报材料(PDF/JPG/PNG)", exact=True).set_input_files(
        {"name": "毕业证书.pdf", "mimeType": "application/pdf",
         "buffer": person_pdf("王五", WANGWU, "13800471003", "内蒙职称申报有限公司")})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已上传「毕业证书.pdf」")).to_be_visible()
    both_widths(page, shot, "declare-step5-attachments")
    next_step(page, 6)

    route = page.get_by_role("list", name="审核流程")
    for unit in ("内蒙职称申报有限公司", "赛罕区人社局", "呼和浩特市人社局", "呼和浩特市工程技术系列中初级职称评审委员会"):
        expect(route).to_contain_text(unit)
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("请先下载评审表和送审表PDF,确认内容无误后勾选")).to_be_visible()
    texts = {}
    for label in ("下载评审表PDF", "下载送审表PDF"):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        path = tmp_path / f"{label}.pdf"
        download.value.save_as(path)
        texts[label] = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                      text=True, check=True).stdout
    assert "王五" in texts["下载评审表PDF"] and "市政工程施工管理" in texts["下载评审表PDF"]
    assert "王五" in texts["下载送审表PDF"] and "工程师" in texts["下载送审表PDF"]
    for label in ("下载评审表EXCEL", "下载送审表EXCEL"):
        with page.expect_download() as download:
            page.get_by_role("link", name=label).click()
        assert download.value.suggested_filename.endswith(".xlsx")
    page.goto(f"/declare/{app_id}/step/6")
    expect(page.get_by_text("已下载:评审表、送审表")).to_be_visible()
    page.get_by_label("我已下载并确认评审表和送审表内容无误").check()
    both_widths(page, shot, "declare-step6-preview")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("已提交").first).to_be_visible()
    row = page.get_by_test_id(f"record-{app_id}")
    expect(row).to_contain_text("工作单位审核中")
    expect(row.get_by_role("link", name="补充公示书面报告")).to_be_visible()
    expect(page.get_by_text("取消申报")).to_have_count(0)
    both_widths(page, shot, "declare-records")
    row.get_by_role("link", name="申报进度").click()
    expect(page.get_by_role("heading", name="申报进度")).to_be_visible()
    expect(page.locator(".timeline li.waiting")).to_contain_text("内蒙职称申报有限公司")
    expect(page.locator(".timeline li.waiting")).to_contain_text("待审核")
    both_widths(page, shot, "declare-progress")
    page.goto(f"/declare/{app_id}")
    both_widths(page, shot, "declare-view")


def test_blind_review_declaration_refuses_a_leaking_desensitized_file(page, shot):
    login(page, WANGWU)
    app_id = open_plan(page, HIGH)
    steps_1_2(page)
    choose_title(page, "工程技术", "电力", "副高级", "高级工程师")
    page.get_by_label("从事专业名称", exact=True).select_option("电力")
    page.get_by_label("主要专业技术工作业绩").fill("长期从事配电网运维与继电保护工作。")
    next_step(page, 4)
    next_step(page, 5)
    expect(page.get_by_text("盲审盲评")).to_be_visible()
    page.get_by_label("材料类别").select_option("业绩成果材料")
    original = person_pdf("王五", WANGWU, "13800471003", "内蒙职称申报有限公司")
    page.get_by_label("申报材料(PDF/JPG/PNG)", exact=True).set_input_files(
        {"name": "业绩材料.pdf", "mimeType": "application/pdf", "buffer": original})
    page.get_by_label("脱敏申报材料(PDF/JPG/PNG)").set_input_files(
        {"name": "业绩材料-脱敏.pdf", "mimeType": "application/pdf", "buffer": original})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("脱敏申报材料「业绩材料-脱敏.pdf」中仍含有:姓名、身份证号、手机号、单位名称")).to_be_visible()
    both_widths(page, shot, "declare-blind-leak-refused")
    # Nothing of the refused pair was kept.
    expect(page.get_by_text("还没有上传附件")).to_be_visible()
    page.get_by_label("材料类别").select_option("业绩成果材料")
    page.get_by_label("申报材料(PDF/JPG/PNG)", exact=True).set_input_files(
        {"name": "业绩材料.pdf", "mimeType": "application/pdf", "buffer": original})
    page.get_by_label("脱敏申报材料(PDF/JPG/PNG)").set_input_files(
        {"name": "业绩材料-脱敏.pdf", "mimeType": "application/pdf",
         "buffer": person_pdf("王五", WANGWU, "13800471003", "内蒙职称申报有限公司", blind=True)})
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("已上传「业绩材料.pdf」")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="业绩材料-脱敏.pdf")).to_contain_text("业绩材料.pdf")
    both_widths(page, shot, "declare-blind-paired")
    next_step(page, 6)
    # The draft is removed again: 删除 works for a never-submitted record.
    page.get_by_role("navigation", name="功能菜单").get_by_role("link", name="申报记录").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id(f"record-{app_id}").get_by_role("button", name="删除").click()
    expect(page.get_by_text("已删除申报记录")).to_be_visible()
    expect(page.get_by_test_id(f"record-{app_id}")).to_have_count(0)


def test_submission_refused_for_missing_supervisor_role(page, shot):
    login(page, QIANQI)
    open_plan(page, MIDDLE)
    steps_1_2(page)
    choose_title(page, "工程技术", "建设工程", "中级", "工程师")
    page.get_by_label("从事专业名称", exact=True).select_option("建设工程")
    page.get_by_label("主要专业技术工作业绩").fill("从事建筑结构设计工作。")
    next_step(page, 4)
    next_step(page, 5)
    next_step(page, 6)
    # The route problem is visible before 「提交」 ...
    expect(page.get_by_test_id("route-error")).to_contain_text(MSG_SUPERVISOR)
    for label in ("下载评审表PDF", "下载送审表PDF"):
        with page.expect_download():
            page.get_by_role("link", name=label).click()
    page.get_by_label("我已下载并确认评审表和送审表内容无误").check()
    page.get_by_role("button", name="提交").click()
    # ... and 「提交」 is refused with the guide's words and whom to contact.
    refusal = page.get_by_test_id("submit-error")
    expect(refusal).to_contain_text(MSG_SUPERVISOR)
    expect(refusal).to_contain_text("联系工作单位人才信息库的管理员")
    expect(refusal).to_contain_text("呼和浩特市建筑业协会")
    both_widths(page, shot, "declare-refused-supervisor")
