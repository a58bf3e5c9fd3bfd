"""Log in as each role in Chromium and check that role's home page."""
import re

import pytest
from playwright.sync_api import expect

PASSWORD = "Demo@2025"
PERSON = "150122199001011236"
UNIT = "91150122MA0TKT0018"
SUPERVISOR = "1115012201234567XL"


def talent_login(page, tab, field, value, password=PASSWORD):
    page.goto(f"/login?tab={tab}")
    page.get_by_label(field).fill(value)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def staff_login(page, username):
    page.goto("/declare/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def logout(page):
    page.get_by_role("button", name="退出").click()
    expect(page.get_by_text("您已安全退出")).to_be_visible()


def test_each_role_lands_on_its_home(page, shot):
    talent_login(page, "个人", "身份证号码", PERSON)
    expect(page).to_have_url(re.compile(r"/talent/$"))
    expect(page.get_by_test_id("active-role")).to_have_text("个人")
    expect(page.get_by_role("heading", name="个人首页")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"\d{4}职称申报入口"))).to_be_visible()
    expect(page.get_by_text("如果您超过1小时没有任何操作,将自动退出,请及时保存")).to_be_visible()
    shot("home-person")
    logout(page)

    talent_login(page, "单位", "统一社会信用代码", UNIT)
    expect(page).to_have_url(re.compile(r"/unit/$"))
    expect(page.get_by_test_id("active-role")).to_have_text("工作单位")
    expect(page.get_by_test_id("active-unit")).to_have_text("托克托县建设工程有限公司")
    expect(page.get_by_role("link", name=re.compile(r"年职称申报审核入口"))).to_be_visible()
    shot("home-unit")
    logout(page)

    talent_login(page, "单位", "统一社会信用代码", SUPERVISOR)
    expect(page.get_by_role("heading", name="选择角色")).to_be_visible()
    shot("select-role")
    page.get_by_role("button", name="主管部门").click()
    expect(page.get_by_test_id("active-role")).to_have_text("主管部门")
    expect(page.get_by_role("heading", name=re.compile("职称审核"))).to_be_visible()
    page.get_by_role("link", name="切换角色").click()
    page.get_by_role("button", name="工作单位").click()
    expect(page.get_by_test_id("active-role")).to_have_text("工作单位")
    logout(page)

    for username, role, unit in (("rsj150122", "旗县人社局/其他局", "托克托县人社局"),
                                 ("jyj150100", "盟市人社局/其他局", "呼和浩特市教育局"),
                                 ("pwh1", "评委会", "内蒙古自治区工程技术系列高级职称评审委员会")):
        staff_login(page, username)
        expect(page.get_by_test_id("active-role")).to_have_text(role)
        expect(page.get_by_test_id("active-unit")).to_have_text(unit)
        expect(page.get_by_role("heading", name=re.compile("职称审核"))).to_be_visible()
        shot(f"home-{username}")
        logout(page)

    staff_login(page, "rsj150100")
    page.get_by_role("button", name="盟市人社局/其他局").click()
    expect(page.get_by_test_id("active-role")).to_have_text("盟市人社局/其他局")
    logout(page)

    staff_login(page, "admin")
    expect(page.get_by_test_id("active-role")).to_have_text("管理员")
    expect(page.get_by_role("heading", name="管理首页")).to_be_visible()
    shot("home-admin")
    logout(page)


def test_bad_login_shows_the_reason_under_the_field(page, shot):
    talent_login(page, "个人", "身份证号码", "150122199001011235")
    expect(page.get_by_text("身份证号码校验位错误,请核对后重新输入")).to_be_visible()
    expect(page.get_by_label("身份证号码")).to_have_value("150122199001011235")
    shot("login-error")


@pytest.mark.parametrize("width", [390])
def test_phone_width_layout(page, shot, width):
    page.set_viewport_size({"width": width, "height": 844})
    talent_login(page, "个人", "身份证号码", PERSON)
    expect(page.get_by_role("heading", name="个人首页")).to_be_visible()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot("home-person-phone")
