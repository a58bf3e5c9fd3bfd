"""人才库 journeys in Chromium: a new person registers and fills the archive, the unit approves, the entry opens;
a unit changes its nature and 主管单位 and sees the review route change."""
import re

from playwright.sync_api import expect

PASSWORD = "Demo@2025"
NEW_ID = "150105199203150772"
UNIT = "91150122MA0TKT0018"           # 托克托县建设工程有限公司
PRIVATE_UNIT = "91150105MA0NM00210"   # 内蒙职称申报有限公司, 非公有制无主管单位
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def talent_login(page, tab, field, value, password=PASSWORD):
    page.goto(f"/login?tab={tab}")
    page.get_by_label(field).fill(value)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def htmx_ready(page, selector):
    """Wait until htmx has processed a freshly swapped element (a person cannot be faster than that)."""
    page.wait_for_function(f"document.querySelector({selector!r})['htmx-internal-data'] !== undefined")


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_new_person_registers_fills_archive_unit_approves_entry_opens(page, shot):
    page.goto("/register")
    page.get_by_label("身份证号码").fill(NEW_ID)
    expect(page.get_by_test_id("derived-birth")).to_have_text("1992-03-15")
    expect(page.get_by_test_id("derived-gender")).to_have_text("男")
    page.get_by_label("姓名").fill("孙小明")
    page.get_by_label("手机号").fill("13912340077")
    page.get_by_label("按单位名称查询工作单位").fill("建设工程")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("button", name="选择 托克托县建设工程有限公司").click()
    expect(page.get_by_test_id("picked-org")).to_contain_text("托克托县建设工程有限公司")
    expect(page.get_by_label("工作单位统一社会信用代码")).to_have_value(UNIT)
    page.get_by_label("密码", exact=True).fill("Sun@2025x")
    page.get_by_label("确认密码").fill("Sun@2025x")
    shot("talent-register")
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="个人首页")).to_be_visible()
    expect(page.get_by_test_id("entry-blocked")).to_be_visible()
    expect(page.get_by_text("联系托克托县建设工程有限公司在「业绩档案审核」中审核通过").first).to_be_visible()
    shot("talent-home-blocked")

    page.get_by_role("link", name="业绩档案", exact=True).first.click()
    page.get_by_role("link", name="新增学习经历").click()
    page.get_by_label("开始时间").fill("2010-09")
    page.get_by_label("结束时间").fill("2014-07")
    page.get_by_label("学校").fill("内蒙古工业大学")
    page.get_by_label("专业", exact=True).fill("土木工程")
    page.get_by_label("学历").select_option("本科")
    page.get_by_label("佐证材料").set_input_files(files=[{"name": "毕业证书.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    shot("talent-item-form")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("学习经历已保存,等待工作单位审核")).to_be_visible()
    expect(page.get_by_role("cell", name="内蒙古工业大学")).to_be_visible()
    expect(page.get_by_role("link", name="毕业证书.pdf")).to_be_visible()

    page.get_by_role("link", name=re.compile("^工作经历")).click()
    page.get_by_role("link", name="新增工作经历").click()
    page.get_by_label("无工作经历(填写「无」)").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("cell", name="无", exact=True)).to_be_visible()

    page.get_by_role("link", name=re.compile("^专业技术资格")).click()
    page.get_by_role("link", name="新增专业技术资格").click()
    page.get_by_label("系列").select_option("会计")
    expect(page.get_by_label("资格名称")).to_contain_text("正高级会计师")
    htmx_ready(page, "#level")
    page.get_by_label("等级").select_option("中级")
    expect(page.get_by_label("资格名称")).to_have_value("会计师")
    page.get_by_label("取得时间").fill("2019-05")
    page.get_by_label("证书编号").fill("KJ2019001")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("cell", name="会计师")).to_be_visible()
    shot("talent-archive")
    logout(page)

    talent_login(page, "单位", "统一社会信用代码", UNIT)
    page.get_by_role("link", name="业绩档案审核").first.click()
    expect(page.get_by_role("heading", name="业绩档案审核")).to_be_visible()
    expect(page.get_by_text("孙小明").first).to_be_visible()
    shot("unit-archive-review")
    page.get_by_role("link", name="审核不通过 孙小明 专业技术资格").click()
    page.get_by_label("审核不通过原因").fill("会计中级为考试取得,请填在执业(职业)资格")
    page.get_by_role("button", name="确定").click()
    expect(page.get_by_text("已将孙小明的专业技术资格审核不通过")).to_be_visible()
    page.get_by_label("全选").check()
    page.get_by_role("button", name="批量审核通过").click()
    expect(page.get_by_text("已审核通过2项业绩档案")).to_be_visible()
    page.get_by_role("link", name="行业汇总展示").click()
    expect(page.get_by_role("row", name=re.compile("孙小明")).get_by_text("可进入")).to_be_visible()
    shot("unit-staff")
    logout(page)

    talent_login(page, "个人", "身份证号码", NEW_ID, "Sun@2025x")
    page.get_by_role("link", name="业绩档案", exact=True).first.click()
    page.get_by_role("link", name=re.compile("^专业技术资格")).click()
    expect(page.get_by_text("会计中级为考试取得,请填在执业(职业)资格")).to_be_visible()
    page.get_by_role("link", name="首页", exact=True).first.click()
    entry = page.get_by_role("link", name=re.compile(r"\d{4}职称申报入口"))
    expect(entry).to_be_visible()
    shot("talent-home-open")
    entry.click()
    expect(page).to_have_url(re.compile(r"/declare/"))
    expect(page.get_by_role("button", name="登录")).to_have_count(0)
    shot("talent-entry-declare")


def route_text(page):
    return re.sub(r"\s+", " ", page.get_by_test_id("route-chain").inner_text())


def test_unit_changes_nature_and_supervisor_and_sees_the_route(page, shot):
    talent_login(page, "单位", "统一社会信用代码", PRIVATE_UNIT)
    page.get_by_role("link", name="单位信息修改").first.click()
    expect(page.get_by_label("统一社会信用代码", exact=True)).to_have_value(PRIVATE_UNIT)
    expect(page.get_by_text("*注:组织机构代码不能修改")).to_be_visible()
    expect(page.get_by_label("查询主管单位(输入主管单位名称或统一社会信用代码)")).to_be_disabled()
    assert "文化旅游" not in route_text(page)
    shot("unit-profile-before")

    page.get_by_label("单位性质").select_option("事业单位")
    search = page.get_by_label("查询主管单位(输入主管单位名称或统一社会信用代码)")
    expect(search).to_be_enabled()
    search.fill("文化旅游")
    page.get_by_role("button", name="查询主管单位").click()
    page.get_by_role("button", name="选择 呼和浩特市文化旅游广电局").click()
    expect(page.get_by_label("上级主管单位", exact=True)).to_have_value(re.compile("呼和浩特市文化旅游广电局"))
    expect(page.get_by_label("上级人社主管部门")).to_contain_text("赛罕区人社局")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("保存成功").first).to_be_visible()
    text = route_text(page)
    assert re.search("内蒙职称申报有限公司.*→.*呼和浩特市文化旅游广电局.*→.*赛罕区人社局.*→.*呼和浩特市人社局.*→.*评委会",
                     text), text
    shot("unit-profile-route")

    page.get_by_label("上级人社主管部门").select_option(label="呼和浩特市人社局")
    page.get_by_role("button", name="保存").click()
    text = route_text(page)
    assert "赛罕区人社局" not in text and "呼和浩特市人社局" in text, text

    page.get_by_label("单位性质").select_option("非公有制无主管单位")
    expect(page.get_by_label("查询主管单位(输入主管单位名称或统一社会信用代码)")).to_be_disabled()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("保存成功").first).to_be_visible()
    assert "文化旅游" not in route_text(page)
    expect(page.get_by_label("上级主管单位", exact=True)).to_have_value("")


def test_talent_pages_at_phone_width(page, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    talent_login(page, "个人", "身份证号码", "150122199001011236")
    for path, name in (("/talent/", "talent-home-phone"), ("/talent/archive?kind=学习经历", "talent-archive-phone"),
                       ("/talent/archive/学习经历/new", "talent-item-form-phone"), ("/talent/profile", "talent-profile-phone"),
                       ("/talent/claims", "talent-claims-phone")):
        page.goto(path)
        no_sideways_scroll(page)
        shot(name)
    logout(page)
    talent_login(page, "单位", "统一社会信用代码", UNIT)
    for path, name in (("/unit/profile", "unit-profile-phone"), ("/unit/archive?status=全部", "unit-review-phone"),
                       ("/unit/staff", "unit-staff-phone"), ("/unit/claims", "unit-claims-phone")):
        page.goto(path)
        no_sideways_scroll(page)
        shot(name)
    logout(page)
    for path, name in (("/register", "register-phone"), ("/forgot-password", "forgot-phone"),
                       ("/unit/register", "unit-register-phone")):
        page.goto(path)
        no_sideways_scroll(page)
        shot(name)
