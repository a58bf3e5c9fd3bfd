"""用户管理, 计划管理, 评委会管理 and 操作日志 over HTTP, for the 自治区 admin and a 盟市 admin (scope rules)."""
import json
from datetime import timedelta

import pytest

import models
from tests.conftest import csrf_token, demo_org, make_org, make_person
from tests.test_admin_factory import make_application

BAOTOU_COUNTY = "150203"


def post(client, path, data=None):
    """POST like a browser: with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_token(client, "/help/")})


def city_admin(auth):
    """Log in as 呼和浩特市人社局 and pick 管理员 at 「选择角色」."""
    auth.staff("rsj150100")
    assert auth.pick_role("管理员").status_code == 303


def admin_events(action):
    return list(models.AuditEvent.select().where(
        (models.AuditEvent.action == action) & models.AuditEvent.application.is_null()))


# ---- access ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/", "/admin/users", "/admin/plans", "/admin/committees", "/admin/log"])
def test_admin_pages_are_for_admins_only(client, auth, path):
    assert client.get(path).status_code == 302
    auth.staff("rsj150122")
    assert client.get(path).status_code == 404


def test_city_admin_sees_only_its_city(client, auth):
    make_org(name="包头测试单位", region=BAOTOU_COUNTY)
    city_admin(auth)
    body = client.get("/admin/").get_data(as_text=True)
    assert "呼和浩特市" in body
    body = client.get("/admin/users?kind=单位").get_data(as_text=True)
    assert "托克托县建设工程有限公司" in body and "包头测试单位" not in body
    body = client.get("/admin/users?kind=人社局/其他局").get_data(as_text=True)
    assert "托克托县教育局" in body and "包头市教育局" not in body and "自治区人力资源" not in body
    body = client.get("/admin/users?kind=单位&q=包头测试单位").get_data(as_text=True)
    assert "没有找到符合条件的单位" in body


def test_users_search_answers_a_fragment_to_htmx(client, auth):
    auth.staff("admin")
    response = client.get("/admin/users?kind=单位&q=住房和城乡", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "托克托县住房和城乡建设局" in body and "托克托县建设工程有限公司" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_person_list_masks_id_numbers(client, auth):
    auth.staff("admin")
    body = client.get("/admin/users?kind=个人&q=张三").get_data(as_text=True)
    assert "150122********1236" in body and "150122199001011236" not in body


# ---- 主管单位 role ------------------------------------------------------------------------------

def test_grant_and_revoke_supervisor_role(client, auth):
    org = make_org(name="托克托县农牧局", nature="机关")
    auth.staff("admin")
    response = post(client, f"/admin/orgs/{org.id}/supervisor", {"grant": "1", "q": "农牧局"})
    assert response.status_code == 303
    assert "/admin/users" in response.headers["Location"]
    assert models.Org.get_by_id(org.id).is_supervisor
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已授予「托克托县农牧局」主管单位角色" in body and "取消主管单位角色" in body
    # The unit's account now offers the 主管部门 role at 「选择角色」.
    assert models.ROLE_SUPERVISOR in models.Account.get(models.Account.org == org).roles()
    event = admin_events("授予主管单位角色")[-1]
    assert event.detail["单位"] == "托克托县农牧局" and event.account.login == "admin"

    post(client, f"/admin/orgs/{org.id}/supervisor", {"grant": "0"})
    assert not models.Org.get_by_id(org.id).is_supervisor
    assert admin_events("取消主管单位角色")


def test_revoking_a_used_supervisor_warns_about_its_units(client, auth):
    supervisor = models.Org.get(models.Org.name == "托克托县住房和城乡建设局")
    auth.staff("admin")
    response = post(client, f"/admin/orgs/{supervisor.id}/supervisor", {"grant": "0"})
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "仍有1个单位选择其为上级主管单位" in body


def test_city_admin_cannot_touch_another_citys_unit(client, auth):
    org = make_org(name="包头测试单位", region=BAOTOU_COUNTY, nature="机关")
    city_admin(auth)
    assert post(client, f"/admin/orgs/{org.id}/supervisor", {"grant": "1"}).status_code == 404
    assert not models.Org.get_by_id(org.id).is_supervisor
    assert not admin_events("授予主管单位角色")


def test_grant_makes_the_refused_route_resolve(client, auth):
    """「主管部门没有账户,或者账号的角色没有配置为主管单位」 → grant → the route resolves."""
    import workflow
    supervisor = make_org(name="托克托县水利局", nature="机关")
    org = make_org(nature="国有企业", supervisor=supervisor)
    application = make_application(org=org)
    with pytest.raises(workflow.RouteError) as refused:
        workflow.route_for(application)
    assert workflow.MSG_SUPERVISOR in str(refused.value)
    city_admin(auth)
    post(client, f"/admin/orgs/{supervisor.id}/supervisor", {"grant": "1"})
    roles = [stop.role for stop in workflow.route_for(models.Application.get_by_id(application.id))]
    assert roles[:2] == [models.ROLE_UNIT, models.ROLE_SUPERVISOR]


# ---- industry bureau permission ---------------------------------------------------------------

def test_grant_series_permission_to_an_industry_bureau(client, auth):
    bureau = models.Agency.get(models.Agency.name == "托克托县教育局")
    city_admin(auth)
    response = post(client, f"/admin/agencies/{bureau.id}/series", {"series": "中小学教师", "grant": "1"})
    assert response.status_code == 303
    assert models.AgencySeries.get(agency=bureau, series="中小学教师").granted
    assert admin_events("授予系列审核权限")[-1].detail == {"单位": "托克托县教育局", "系列": "中小学教师",
                                                         "scope": "150100"}
    post(client, f"/admin/agencies/{bureau.id}/series", {"series": "中小学教师", "grant": "0"})
    assert not models.AgencySeries.get(agency=bureau, series="中小学教师").granted


def test_series_permission_scope_and_checks(client, auth):
    baotou = models.Agency.get(models.Agency.name == "包头市教育局")
    hr = models.Agency.get(models.Agency.name == "托克托县人社局")
    tkt = models.Agency.get(models.Agency.name == "托克托县教育局")
    city_admin(auth)
    assert post(client, f"/admin/agencies/{baotou.id}/series", {"series": "中小学教师", "grant": "0"}).status_code == 404
    assert models.AgencySeries.get(agency=baotou, series="中小学教师").granted
    assert post(client, f"/admin/agencies/{hr.id}/series", {"series": "中小学教师", "grant": "1"}).status_code == 404
    assert post(client, f"/admin/agencies/{tkt.id}/series", {"series": "不存在的系列", "grant": "1"}).status_code == 404


# ---- accounts ----------------------------------------------------------------------------------

def test_disabling_an_account_ends_its_sessions_at_once(app, auth):
    unit_client = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(unit_client).unit(demo_org().credit_code)
    assert unit_client.get("/unit/").status_code == 200
    account = models.Account.get(models.Account.org == demo_org())
    auth.staff("admin")
    response = post(auth.client, f"/admin/accounts/{account.id}/active", {"active": "0"})
    assert response.status_code == 303
    assert not models.Account.get_by_id(account.id).active
    assert not models.UserSession.select().where((models.UserSession.account == account)
                                                 & models.UserSession.ended_at.is_null()).exists()
    # The other browser is out on its very next request.
    assert unit_client.get("/unit/").status_code == 302
    response = AuthActions(unit_client).unit(demo_org().credit_code)
    assert "该账号已停用,请联系管理员" in response.get_data(as_text=True)
    assert admin_events("停用账号")[-1].detail["结束会话数"] == 1

    post(auth.client, f"/admin/accounts/{account.id}/active", {"active": "1"})
    assert AuthActions(unit_client).unit(demo_org().credit_code).status_code == 303


def test_admin_cannot_disable_itself(client, auth):
    auth.staff("admin")
    me = models.Account.get(models.Account.login == "admin")
    response = post(client, f"/admin/accounts/{me.id}/active", {"active": "0"})
    assert "不能停用当前登录的账号" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert models.Account.get_by_id(me.id).active


def test_reset_password(app, auth):
    from tests.conftest import AuthActions
    person_client = app.test_client()
    AuthActions(person_client).person("150122199001011236")
    account = models.Account.get(models.Account.login == "150122199001011236")
    models.Account.update(failed_logins=3).where(models.Account.id == account.id).execute()
    auth.staff("rsj150100")
    auth.pick_role("管理员")
    path = f"/admin/accounts/{account.id}/password"
    weak = auth.client.post(path, data={"password": "abc", "password2": "abc",
                                        "csrf_token": csrf_token(auth.client, path)})
    assert weak.status_code == 422 and "密码至少8位" in weak.get_data(as_text=True)
    response = auth.client.post(path, data={"password": "New@Pass2025", "password2": "New@Pass2025",
                                            "csrf_token": csrf_token(auth.client, path)})
    assert response.status_code == 303
    assert person_client.get("/talent/").status_code == 302
    assert models.Account.get_by_id(account.id).failed_logins == 0
    assert AuthActions(app.test_client()).person("150122199001011236").status_code == 422
    assert AuthActions(app.test_client()).person("150122199001011236", "New@Pass2025").status_code == 303
    assert admin_events("重置密码")[-1].detail["账号"] == "150122199001011236"


def test_city_admin_cannot_reset_another_citys_account(client, auth):
    account = models.Account.get(models.Account.login == "rsj150200")
    city_admin(auth)
    assert client.get(f"/admin/accounts/{account.id}/password").status_code == 404
    assert post(client, f"/admin/accounts/{account.id}/password",
                {"password": "New@Pass2025", "password2": "New@Pass2025"}).status_code == 404
    assert post(client, f"/admin/accounts/{account.id}/active", {"active": "0"}).status_code == 404
    assert models.Account.get_by_id(account.id).active


def test_create_committee_and_bureau_accounts(client, auth):
    committee = models.Committee.get(models.Committee.name == "呼和浩特市中小学教师职称评审委员会")
    city_admin(auth)
    data = {"owner": f"c{committee.id}", "login": "pwh_hhht_jy", "display_name": "", "password": "Pwh@2025x",
            "password2": "Pwh@2025x"}
    response = post(client, "/admin/accounts/new", data)
    assert response.status_code == 303
    account = models.Account.get(models.Account.login == "pwh_hhht_jy")
    assert account.committee_id == committee.id and account.kind == "用户名"
    assert account.roles() == [models.ROLE_COMMITTEE]
    again = post(client, "/admin/accounts/new", data)
    assert again.status_code == 422 and "该用户名已被使用" in again.get_data(as_text=True)
    # A bureau outside the 盟市 is not even offered.
    baotou = models.Agency.get(models.Agency.name == "包头市教育局")
    outside = post(client, "/admin/accounts/new", {**data, "login": "x_baotou", "owner": f"a{baotou.id}"})
    assert outside.status_code == 422
    assert not models.Account.select().where(models.Account.login == "x_baotou").exists()
    assert admin_events("新增账号")[-1].detail["所属单位"] == committee.name


def test_create_an_industry_bureau(client, auth):
    city_admin(auth)
    response = post(client, "/admin/agencies/new", {"name": "托克托县卫健委", "kind": "卫健委", "level": "旗县",
                                                    "region": "150122", "credit_code": ""})
    assert response.status_code == 303
    agency = models.Agency.get(models.Agency.name == "托克托县卫健委")
    assert agency.level == "旗县" and agency.region_id == "150122"
    wrong = post(client, "/admin/agencies/new", {"name": "包头某局", "kind": "其他局", "level": "盟市",
                                                 "region": "150200"})
    assert wrong.status_code == 422


# ---- 计划管理 ----------------------------------------------------------------------------------

def plan_data(**overrides):
    data = {"name": "2026年测试社会化计划", "plan_type": "社会化", "review_scope": "测试范围",
            "starts_at": "2026-01-01T00:00", "ends_at": "2026-12-31T23:59", "series": ["工程技术"],
            "levels": ["中级", "初级"]}
    data.update(overrides)
    return data


def test_province_admin_publishes_a_social_plan(client, auth):
    auth.staff("admin")
    response = post(client, "/admin/plans/new", plan_data())
    assert response.status_code == 303
    plan = models.Plan.get(models.Plan.name == "2026年测试社会化计划")
    assert plan.plan_type == "社会化" and plan.region_id == "150000" and plan.publisher.kind == "人社厅"
    assert {(s.series, s.level) for s in plan.scopes} == {("工程技术", "中级"), ("工程技术", "初级")}
    assert "2026年测试社会化计划" in client.get("/admin/plans").get_data(as_text=True)
    assert admin_events("发布申报计划")


def test_plan_validation_keeps_input(client, auth):
    auth.staff("admin")
    response = post(client, "/admin/plans/new", plan_data(ends_at="2025-12-01T00:00", levels=[]))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "申报结束时间应晚于开始时间" in body and "请至少选择一个等级" in body
    assert 'value="2026年测试社会化计划"' in body
    assert not models.Plan.select().where(models.Plan.name == "2026年测试社会化计划").exists()


def test_city_admin_publishes_only_its_plan_types(client, auth):
    city_admin(auth)
    refused = post(client, "/admin/plans/new", plan_data())
    assert refused.status_code == 422
    ok = post(client, "/admin/plans/new", plan_data(name="2026年呼和浩特市农牧民计划", plan_type="农牧民"))
    assert ok.status_code == 303
    plan = models.Plan.get(models.Plan.name == "2026年呼和浩特市农牧民计划")
    assert plan.region_id == "150100" and plan.publisher.name == "呼和浩特市人社局"


def test_open_close_and_extend_a_plan(client, auth):
    plan = models.Plan.get(models.Plan.plan_type == "认定")
    city_admin(auth)
    assert post(client, f"/admin/plans/{plan.id}/open", {"open": "0"}).status_code == 303
    assert not models.Plan.get_by_id(plan.id).is_open
    post(client, f"/admin/plans/{plan.id}/open", {"open": "1"})
    assert models.Plan.get_by_id(plan.id).is_open
    earlier = (plan.ends_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = post(client, f"/admin/plans/{plan.id}/extend", {"ends_at": earlier})
    assert refused.status_code == 422 and "新的申报结束时间应晚于当前的" in refused.get_data(as_text=True)
    later = plan.ends_at + timedelta(days=10)
    assert post(client, f"/admin/plans/{plan.id}/extend", {"ends_at": later.strftime("%Y-%m-%dT%H:%M")}).status_code == 303
    assert models.Plan.get_by_id(plan.id).ends_at == later.replace(second=0)
    assert [e.action for e in admin_events("延长申报结束时间")]


def test_city_admin_cannot_touch_a_province_plan(client, auth):
    plan = models.Plan.get(models.Plan.plan_type == "社会化")
    city_admin(auth)
    assert plan.name not in client.get("/admin/plans").get_data(as_text=True)
    assert client.get(f"/admin/plans/{plan.id}/edit").status_code == 404
    assert post(client, f"/admin/plans/{plan.id}/open", {"open": "0"}).status_code == 404
    assert post(client, f"/admin/plans/{plan.id}/delete").status_code == 404
    assert models.Plan.get_by_id(plan.id).is_open


def test_a_plan_with_records_cannot_be_deleted(client, auth):
    application = make_application()
    plan = application.plan
    auth.staff("admin")
    response = post(client, f"/admin/plans/{plan.id}/delete")
    assert response.status_code == 303
    assert "已有申报记录,不能删除" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert models.Plan.get_or_none(models.Plan.id == plan.id) is not None
    # Nor can its scope change; its end time only moves later.
    edit = post(client, f"/admin/plans/{plan.id}/edit", plan_data(name=plan.name, levels=["中级"]))
    assert edit.status_code == 422 and "不能修改申报范围" in edit.get_data(as_text=True)


def test_a_plan_without_records_is_deleted(client, auth):
    auth.staff("admin")
    post(client, "/admin/plans/new", plan_data())
    plan = models.Plan.get(models.Plan.name == "2026年测试社会化计划")
    assert post(client, f"/admin/plans/{plan.id}/delete").status_code == 303
    assert models.Plan.get_or_none(models.Plan.id == plan.id) is None
    assert not models.PlanScope.select().where(models.PlanScope.plan == plan.id).exists()
    assert admin_events("删除申报计划")


def test_edit_a_plan(client, auth):
    plan = models.Plan.get(models.Plan.plan_type == "农牧民")
    city_admin(auth)
    form = client.get(f"/admin/plans/{plan.id}/edit").get_data(as_text=True)
    assert plan.name in form
    response = post(client, f"/admin/plans/{plan.id}/edit", plan_data(
        name="呼和浩特市农牧民计划(修订)", plan_type="农牧民", series=["农业技术"], levels=["中级"]))
    assert response.status_code == 303
    plan = models.Plan.get_by_id(plan.id)
    assert plan.name == "呼和浩特市农牧民计划(修订)"
    assert [(s.series, s.level) for s in plan.scopes] == [("农业技术", "中级")]


# ---- 评委会管理 --------------------------------------------------------------------------------

def test_coverage_check_lists_missing_and_duplicate_committees(client, auth):
    auth.staff("admin")
    body = client.get("/admin/committees").get_data(as_text=True)
    # The demo has a committee for 工程技术 中级 only in 呼和浩特市: every other 盟市 lacks one.
    assert "评委会覆盖检查" in body and "没有评委会" in body
    problems = _coverage(client)
    row = next(r for r in problems if r["series"] == "工程技术" and "中级" in r["levels"])
    assert "包头市" in row["regions"] and "呼和浩特市" not in row["regions"]

    data = {"name": "内蒙古自治区工程技术系列中初级职称评审委员会", "region": "150000", "series": "工程技术",
            "specialty": "", "levels": ["中级", "初级", "员级"]}
    assert post(client, "/admin/committees/new", data).status_code == 303
    committee = models.Committee.get(models.Committee.name == data["name"])
    assert {s.level for s in committee.scopes} == {"中级", "初级", "员级"}
    problems = _coverage(client)
    # Now 呼和浩特市 has two (its own and the 自治区 one); the other 盟市 have exactly one.
    dup = [r for r in problems if r["series"] == "工程技术" and r["problem"] == "找到多个评委会"]
    assert dup and dup[0]["regions"] == ["呼和浩特市"]
    assert not [r for r in problems if r["series"] == "工程技术" and r["problem"] == "没有评委会"
                and "中级" in r["levels"]]
    assert "找到多个评委会" in client.get("/admin/committees").get_data(as_text=True)


def _coverage(client):
    from blueprints import admin
    with client.application.test_request_context():
        from flask import g
        g.account = models.Account.get(models.Account.login == "admin")
        return admin.coverage_problems()


def test_committee_form_checks_specialty_and_scope(client, auth):
    city_admin(auth)
    bad = post(client, "/admin/committees/new", {"name": "某评委会", "region": "150100", "series": "工程技术",
                                                 "specialty": "不存在的专业", "levels": ["中级"]})
    assert bad.status_code == 422 and "系列下没有「不存在的专业」专业" in bad.get_data(as_text=True)
    outside = post(client, "/admin/committees/new", {"name": "某评委会", "region": "150000", "series": "工程技术",
                                                     "specialty": "", "levels": ["中级"]})
    assert outside.status_code == 422
    province = models.Committee.get(models.Committee.region == "150000")
    assert client.get(f"/admin/committees/{province.id}/edit").status_code == 404
    assert post(client, f"/admin/committees/{province.id}/active", {"active": "0"}).status_code == 404


def test_edit_and_stop_a_committee(client, auth):
    committee = models.Committee.get(models.Committee.name == "呼和浩特市工程技术系列中初级职称评审委员会")
    city_admin(auth)
    response = post(client, f"/admin/committees/{committee.id}/edit", {
        "name": committee.name, "region": "150100", "series": "工程技术", "specialty": "建设工程",
        "levels": ["中级"]})
    assert response.status_code == 303
    assert [(s.specialty, s.level) for s in committee.scopes] == [("建设工程", "中级")]
    post(client, f"/admin/committees/{committee.id}/active", {"active": "0"})
    assert not models.Committee.get_by_id(committee.id).active
    assert admin_events("停用评委会")


# ---- 操作日志 ----------------------------------------------------------------------------------

def test_log_lists_changes_within_scope(client, auth):
    baotou = make_org(name="包头测试单位", region=BAOTOU_COUNTY, nature="机关")
    auth.staff("admin")
    post(client, f"/admin/orgs/{baotou.id}/supervisor", {"grant": "1"})
    post(client, f"/admin/orgs/{demo_org().id}/supervisor", {"grant": "1"})
    body = client.get("/admin/log").get_data(as_text=True)
    assert "授予主管单位角色" in body and "包头测试单位" in body and "托克托县建设工程有限公司" in body
    assert "包头测试单位" in client.get("/admin/log?q=包头").get_data(as_text=True)
    assert "托克托县建设工程有限公司" not in client.get("/admin/log?q=包头").get_data(as_text=True)
    auth.logout()
    city_admin(auth)
    body = client.get("/admin/log").get_data(as_text=True)
    assert "托克托县建设工程有限公司" in body and "包头测试单位" not in body
