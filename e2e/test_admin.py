"""Administration journeys in Chromium: a submission refused for a missing 主管单位 role, an admin grants the
role, the same submission succeeds; the unit seals and anyone verifies the printed 编码 and the sealed PDF;
the statistics charts and the admin pages at desktop and phone width."""
import re
import subprocess

from playwright.sync_api import expect

PASSWORD = "Demo@2025"
PERSON = "150122199001011236"        # 张三, 托克托县建设工程有限公司
UNIT = "91150122MA0TKT0018"          # 托克托县建设工程有限公司
SUPERVISOR = "托克托县住房和城乡建设局"
MSG_SUPERVISOR = "主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色"
CSRF = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def staff_login(page, username):
    page.goto("/declare/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def talent_login(page, tab, field, value):
    page.goto(f"/login?tab={tab}")
    page.get_by_label(field).fill(value)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def post_form(page, path, data=None, multipart=None):
    """Submit a wizard step the way its form does (setup only; the journey's decisions are clicked)."""
    token = CSRF.search(page.request.get(path).text()).group(1)
    if multipart is not None:
        response = page.request.post(path, multipart={"csrf_token": token, **multipart}, max_redirects=0)
    else:
        response = page.request.post(path, form={"csrf_token": token, **(data or {})}, max_redirects=0)
    assert response.status == 303, response.text()[:1500]


def photo_jpeg():
    import io
    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (330, 440), (67, 142, 219)).save(buffer, "JPEG")
    return buffer.getvalue()


def fill_steps_1_to_5(page, app_id):
    base = f"/declare/{app_id}/step"
    post_form(page, f"{base}/1", multipart={"photo": {"name": "photo.jpg", "mimeType": "image/jpeg",
                                                      "buffer": photo_jpeg()}})
    post_form(page, f"{base}/2", {"agree": "y"})
    post_form(page, f"{base}/3", {
        "series": "工程技术", "specialty": "建设工程", "level": "中级", "title_name": "工程师",
        "practice_specialty": "建设工程", "practice_other": "", "former_name": "", "ethnicity": "汉族",
        "political_status": "群众", "phone": "13800471001", "education": "本科",
        "education_cert_no": "101261201205001234", "degree": "学士", "school": "内蒙古大学", "major": "土木工程",
        "graduation": "2012-07", "work_start": "2012-08", "cur_series": "工程技术", "cur_specialty": "建设工程",
        "cur_level": "初级", "cur_name": "助理工程师", "cur_obtained": "2019-12",
        "achievements_text": "主持托克托县多项市政工程的施工技术管理工作。", "summary": ""})
    items = re.findall(r'name="item" value="(\d+)"', page.request.get(f"{base}/4").text())
    token = CSRF.search(page.request.get(f"{base}/4").text()).group(1)
    response = page.request.post(f"{base}/4", data=f"csrf_token={token}&" + "&".join(f"item={i}" for i in items),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"}, max_redirects=0)
    assert response.status == 303
    post_form(page, f"{base}/5", multipart={})


def submit_on_step6(page):
    for label in ("下载评审表PDF", "下载送审表PDF"):
        with page.expect_download():
            page.get_by_role("link", name=label).click()
    page.get_by_label("我已下载并确认评审表和送审表内容无误").check()
    page.get_by_role("button", name="提交").click()


def set_supervisor_role(admin, grant):
    admin.get_by_role("navigation", name="功能菜单").get_by_role("link", name="用户管理").click()
    admin.get_by_label("单位名称或统一社会信用代码").fill(SUPERVISOR)
    admin.get_by_role("button", name="查询").click()
    row = admin.get_by_role("row").filter(has_text=SUPERVISOR).filter(has_text="1115012201234567XL")
    row.get_by_role("button", name="授予主管单位角色" if grant else "取消主管单位角色").click()


def test_refused_for_missing_supervisor_role_then_granted_then_submitted_and_verified(page, new_context, shot,
                                                                                      tmp_path):
    admin = new_context().new_page()
    staff_login(admin, "admin")
    expect(admin.get_by_role("heading", name="管理首页")).to_be_visible()
    # Other journeys (or a deployed instance) may already hold records: count from what is there now.
    admin.get_by_role("navigation", name="功能菜单").get_by_role("link", name="统计").click()
    before = int(admin.get_by_test_id("stats-total").inner_text())
    # The situation of guide 四(十): the unit's 主管部门 does not hold the 主管单位 role.
    set_supervisor_role(admin, grant=False)
    expect(admin.get_by_text(f"已取消「{SUPERVISOR}」的主管单位角色")).to_be_visible()

    talent_login(page, "个人", "身份证号码", PERSON)
    page.goto("/declare/plans")
    page.get_by_role("link", name=re.compile(r"\d{4}年内蒙古自治区社会化中级、初级职称申报计划")).first.click()
    page.get_by_role("button", name="开始申报").click()
    app_id = int(re.search(r"/declare/(\d+)/step/1", page.url).group(1))
    fill_steps_1_to_5(page, app_id)
    page.goto(f"/declare/{app_id}/step/6")
    submit_on_step6(page)
    refusal = page.get_by_test_id("submit-error")
    expect(refusal).to_contain_text(MSG_SUPERVISOR)
    shot("admin-journey-1-refused")

    # The admin looks the 主管部门 up and grants the role; the change is in the log.
    set_supervisor_role(admin, grant=True)
    expect(admin.get_by_text(f"已授予「{SUPERVISOR}」主管单位角色")).to_be_visible()
    shot_page(admin, "admin-journey-2-granted")
    admin.get_by_role("navigation", name="功能菜单").get_by_role("link", name="操作日志").click()
    expect(admin.get_by_role("row").filter(has_text="授予主管单位角色").first).to_contain_text(SUPERVISOR)
    shot_page(admin, "admin-log")

    # The same record, submitted again, now goes to its 工作单位.
    page.goto(f"/declare/{app_id}/step/6")
    submit_on_step6(page)
    expect(page.get_by_text("已提交").first).to_be_visible()
    expect(page.get_by_text("工作单位审核中").first).to_be_visible()
    shot("admin-journey-3-submitted")

    # The 工作单位 approves and seals (no seals configured: it seals with the incompleteness warning).
    unit = new_context().new_page()
    talent_login(unit, "单位", "统一社会信用代码", UNIT)
    unit.goto("/review/")
    row = unit.get_by_role("row").filter(has_text="张三")
    row.get_by_role("link", name="审核").click()
    unit.get_by_label("审核意见").fill("同意推荐")
    unit.get_by_role("button", name="审核通过").click()
    expect(unit.get_by_text("审核通过成功").first).to_be_visible()
    unit.goto("/review/")
    expect(unit.get_by_role("row").filter(has_text="张三")).to_contain_text("工作单位待签章")
    unit.get_by_role("row").filter(has_text="张三").get_by_role("link", name="签章", exact=True).click()
    unit.get_by_role("button", name="确认签章").click()
    expect(unit.get_by_text("签章成功").first).to_be_visible()
    unit.goto("/review/")
    expect(unit.get_by_role("row").filter(has_text="张三")).to_contain_text("主管单位审核中")
    unit.goto(f"/review/{app_id}/materials")
    with unit.expect_download() as sealed_download:
        unit.get_by_role("listitem").filter(has_text="评审表 第2版").get_by_role("link", name="下载").click()
    sealed_path = tmp_path / "sealed.pdf"
    sealed_download.value.save_as(sealed_path)

    # Anyone, without logging in, reads the 编码 off the paper and checks it, then the sealed file.
    text = subprocess.run(["pdftotext", str(sealed_path), "-"], capture_output=True, text=True).stdout
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group(0)
    public = new_context().new_page()
    public.goto("/verify/")
    public.get_by_label("编码").fill(code)
    public.get_by_label("上传PDF文件").set_input_files(str(sealed_path))
    public.get_by_role("button", name="核验").click()
    expect(public.get_by_test_id("verify-name")).to_have_text("张*")
    expect(public.get_by_test_id("verify-seals")).to_contain_text("工作单位")
    expect(public.get_by_test_id("file-check")).to_contain_text("第 2 版完全一致")
    shot_page(public, "verify-result")
    public.set_viewport_size({"width": 390, "height": 844})
    shot_page(public, "verify-result-phone")
    assert public.evaluate("document.documentElement.scrollWidth") <= 391

    # The statistics now count the record, with charts drawn on the server.
    admin.get_by_role("navigation", name="功能菜单").get_by_role("link", name="统计").click()
    expect(admin.get_by_test_id("stats-total")).to_have_text(str(before + 1))
    expect(admin.locator("svg.chart")).to_have_count(7)
    shot_page(admin, "stats")
    with admin.expect_download() as excel:
        admin.get_by_role("link", name="导出Excel(按状态)").click()
    assert excel.value.suggested_filename.endswith(".xlsx")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.reload()
    shot_page(admin, "stats-phone")
    assert admin.evaluate("document.documentElement.scrollWidth") <= 391


def shot_page(page, name):
    import os
    from e2e.conftest import SHOTS
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_admin_pages_at_desktop_and_phone_width(page, shot):
    staff_login(page, "admin")
    for name, path in (("users", "/admin/users?kind=人社局/其他局&q=教育局"), ("plans", "/admin/plans"),
                       ("committees", "/admin/committees"), ("help", "/help/?q=主管单位")):
        page.set_viewport_size({"width": 1280, "height": 860})
        page.goto(path)
        shot(f"admin-{name}")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(path)
        shot(f"admin-{name}-phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= 391, name
    page.goto("/admin/committees")
    expect(page.get_by_test_id("coverage-problems")).to_contain_text("没有评委会")
