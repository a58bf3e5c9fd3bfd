"""Login, lockout, idle timeout, CSRF, role selection, logout and password change over HTTP."""
from datetime import timedelta

import models
from models import Account, UserSession, now
from tests.conftest import csrf_token, demo_org, demo_person

ZHANG = "150122199001011236"


def body(response):
    return response.get_data(as_text=True)


def test_person_logs_in_and_lands_on_talent_home(client, auth):
    response = auth.person(ZHANG)
    assert response.status_code == 303 and response.headers["Location"] == "/talent/"
    page = body(client.get("/talent/"))
    assert "张三" in page and "个人" in page and "托克托县建设工程有限公司" in page


def test_wrong_check_digit_is_explained_under_the_field(client, auth):
    response = auth.person("150122199001011235", follow=True)
    assert response.status_code == 422
    page = body(response)
    assert "身份证号码校验位错误" in page
    assert 'value="150122199001011235"' in page  # the input is kept
    response = auth.unit("91150122MA0TKT0019")
    assert response.status_code == 422 and "统一社会信用代码校验位错误" in body(response)


def test_unit_login_by_credit_code(client, auth):
    response = auth.unit(demo_org().credit_code)
    assert response.headers["Location"] == "/unit/"
    page = body(client.get("/unit/"))
    assert "业务办理" in page and "托克托县建设工程有限公司" in page and "年职称申报审核入口" in page


def test_staff_login_by_username(client, auth):
    response = auth.staff("rsj150122")
    assert response.headers["Location"] == "/review/"
    page = body(client.get("/review/"))
    assert "旗县人社局/其他局" in page and "托克托县人社局" in page


def test_wrong_password_counts_down_then_locks_for_15_minutes(client, auth):
    for remaining in (4, 3, 2, 1):
        page = body(auth.person(ZHANG, "Wrong@2025"))
        assert f"再错{remaining}次账号将被锁定15分钟" in page
    page = body(auth.person(ZHANG, "Wrong@2025"))
    account = Account.get(Account.login == ZHANG)
    assert account.locked_until is not None
    until = f"{account.locked_until:%Y-%m-%d %H:%M}"
    assert f"账号已锁定至{until}" in page
    assert timedelta(minutes=14) < account.locked_until - now() <= timedelta(minutes=15)
    # Even the right password is refused while locked, and no session is made.
    response = auth.person(ZHANG)
    assert response.status_code == 422 and "账号已锁定至" in body(response)
    assert client.get("/talent/").status_code == 302
    # After the lock expires the right password works again.
    Account.update(locked_until=now() - timedelta(seconds=1)).where(Account.id == account.id).execute()
    assert auth.person(ZHANG).status_code == 303


def test_unknown_login_gets_the_same_answer_as_a_wrong_password(client, auth):
    page = body(auth.staff("nobody"))
    assert "账号或密码错误" in page


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/login", data={"kind": "个人", "p-id_number": ZHANG, "p-password": "Demo@2025"})
    assert response.status_code == 400
    assert "页面已过期" in body(response)
    assert UserSession.select().count() == 0


def test_idle_timeout_after_one_hour(client, auth):
    auth.person(ZHANG)
    assert client.get("/talent/").status_code == 200
    UserSession.update(last_seen=now() - timedelta(minutes=61)).execute()
    response = client.get("/talent/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = body(client.get(response.headers["Location"]))
    assert "您超过1小时没有任何操作,已自动退出" in page
    assert UserSession.get().end_reason == "timeout"


def test_activity_within_the_hour_keeps_the_session(client, auth):
    auth.person(ZHANG)
    UserSession.update(last_seen=now() - timedelta(minutes=59)).execute()
    assert client.get("/talent/").status_code == 200
    assert now() - UserSession.get().last_seen < timedelta(minutes=1)


def test_every_page_shows_the_idle_notice_and_who_is_logged_in(client, auth):
    auth.unit(demo_org().credit_code)
    page = body(client.get("/unit/"))
    assert "如果您超过1小时没有任何操作,将自动退出,请及时保存" in page
    assert 'data-testid="active-role">工作单位<' in page


def test_account_with_two_roles_chooses_one(client, auth):
    supervisor = demo_org("托克托县住房和城乡建设局")
    response = auth.unit(supervisor.credit_code)
    assert response.headers["Location"].startswith("/select-role")
    page = body(client.get("/select-role"))
    assert "选择角色" in page and "工作单位" in page and "主管部门" in page
    # Before choosing, role pages send the user back to the choice.
    assert client.get("/unit/").headers["Location"].startswith("/select-role")
    response = auth.pick_role("主管单位")
    assert response.headers["Location"] == "/review/"
    assert "主管部门" in body(client.get("/review/"))
    # A role the account does not hold is refused.
    response = auth.pick_role("评委会")
    assert response.status_code == 422 and "没有该角色的权限" in body(response)
    # Switching is one click, and the other role's pages open.
    assert auth.pick_role("工作单位").headers["Location"] == "/unit/"
    assert client.get("/unit/").status_code == 200


def test_staff_account_with_admin_role_chooses(client, auth):
    response = auth.staff("rsj150100")
    assert response.headers["Location"].startswith("/select-role")
    auth.pick_role("管理员")
    assert "管理首页" in body(client.get("/admin/"))


def test_wrong_role_gets_404(client, auth):
    auth.person(ZHANG)
    assert client.get("/review/").status_code == 404
    assert client.get("/admin/").status_code == 404
    assert client.get("/unit/").status_code == 404


def test_logout_ends_the_session_on_the_server(client, auth, app):
    auth.person(ZHANG)
    saved = client.get_cookie("zc_session").value
    assert auth.logout().status_code == 303
    assert client.get("/talent/").status_code == 302
    # Replaying the saved cookie no longer works.
    replay = app.test_client()
    replay.set_cookie("zc_session", saved)
    assert replay.get("/talent/").status_code == 302
    assert UserSession.get().end_reason == "logout"


def test_password_change_ends_other_sessions(client, auth, app):
    other = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(other).person(ZHANG)
    auth.person(ZHANG)
    saved = client.get_cookie("zc_session").value
    token = csrf_token(client, "/password")
    response = client.post("/password", data={"old_password": "Demo@2025", "password": "New@pass2026",
                                              "password2": "New@pass2026", "csrf_token": token})
    assert response.status_code == 303
    assert client.get("/talent/").status_code == 200  # this browser got a fresh session
    assert other.get("/talent/").status_code == 302  # the other browser is out
    replay = app.test_client()
    replay.set_cookie("zc_session", saved)
    assert replay.get("/talent/").status_code == 302  # and so is the old cookie of this one
    auth.logout()
    assert auth.person(ZHANG, "New@pass2026").status_code == 303


def test_weak_new_password_is_refused_and_nothing_changes(client, auth):
    auth.person(ZHANG)
    before = Account.get(Account.login == ZHANG).password_hash
    token = csrf_token(client, "/password")
    response = client.post("/password", data={"old_password": "Demo@2025", "password": "abcdefgh",
                                              "password2": "abcdefgh", "csrf_token": token})
    assert response.status_code == 422 and "至少三类" in body(response)
    assert Account.get(Account.login == ZHANG).password_hash == before


def test_register_derives_birth_date_and_gender(client):
    token = csrf_token(client, "/register")
    org = demo_org()
    response = client.post("/register", data={
        "id_number": "150102199001011230", "name": "孙七", "phone": "13912345678", "org_code": org.credit_code,
        "password": "Reg@2025x", "password2": "Reg@2025x", "csrf_token": token})
    assert response.status_code == 303
    person = models.Person.get(models.Person.id_number == "150102199001011230")
    assert (person.birth_date.isoformat(), person.gender, person.org_id) == ("1990-01-01", "男", org.id)
    page = body(client.get("/talent/"))
    assert "孙七" in page and "注册成功" in page


def test_register_errors_keep_the_other_input(client):
    token = csrf_token(client, "/register")
    response = client.post("/register", data={
        "id_number": demo_person().id_number, "name": "孙七", "phone": "1391234", "org_code": "91350100M000100Y44",
        "password": "short", "password2": "other", "csrf_token": token})
    page = body(response)
    assert response.status_code == 422
    for message in ("该身份证号码已注册", "手机号应为11位数字", "统一社会信用代码校验位错误", "密码至少8位", "两次输入的密码不一致"):
        assert message in page
    assert 'value="孙七"' in page
    assert models.Person.select().where(models.Person.name == "孙七").count() == 0


def test_security_headers_and_cookie_flags(client, auth):
    response = auth.person(ZHANG)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/talent/")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_htmx_is_served_locally(client):
    page = body(client.get("/login"))
    assert '/static/vendor/htmx.min.js' in page and "//" not in page.split("htmx.min.js")[0].split("src=")[-1]
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200 and b"htmx" in response.data[:2000]


def test_disabled_account_loses_its_session(client, auth):
    auth.person(ZHANG)
    Account.update(active=False).where(Account.login == ZHANG).execute()
    assert client.get("/talent/").status_code == 302
    assert "该账号已停用" in body(auth.person(ZHANG))


def test_open_redirect_is_not_followed(client, auth):
    token = csrf_token(client, "/declare/login")
    response = client.post("/declare/login?next=//evil.example/x",
                           data={"username": "rsj150122", "password": "Demo@2025", "csrf_token": token})
    assert response.headers["Location"] == "/review/"
