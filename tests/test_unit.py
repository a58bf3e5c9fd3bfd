"""人才库 for 单位 over HTTP: registration, 单位信息修改 and its route, 业绩档案审核, 行业汇总展示, 证书认领审核,
and that every list and action stays inside the unit."""
import re

import models
import seed
from models import Account, Agency, ArchiveItem, AuditEvent, CertificateClaim, Org, Person, UserSession
from tests.conftest import csrf_token, demo_org, demo_person, make_org, make_person

WORK = {"start": "2012-08", "end": "至今", "unit": "某单位", "post": "技术员"}


def body(response):
    return response.get_data(as_text=True)


def post(client, path, data, form_path=None, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path or path)}, **kwargs)


def hr(region):
    return Agency.get((Agency.region == region) & (Agency.kind == "人社局"))


def profile_data(org, **changes):
    """The 单位信息修改 form as the browser would post it for `org`."""
    data = {"name": org.name, "nature": org.nature, "legal_person": "王建国", "leader": "王建国", "contact": "刘敏",
            "phone": "13904710001", "email": "hr@example.cn", "region": org.region_id,
            "hr_agency": str(org.hr_agency_id), "supervisor": str(org.supervisor_id or ""),
            "address": "内蒙古自治区呼和浩特市", "demand_contact": "", "demand_phone": "",
            "title_reviewer_name": "刘敏", "title_reviewer_phone": "13904710001",
            "title_reviewer_id": seed.make_id_number("150122", "19850312", 22)}
    data.update(changes)
    return data


# ---- registration -------------------------------------------------------------------------------

def test_unit_registers_with_its_credit_code_and_lands_on_its_profile(client):
    code = seed.make_credit_code("91", "150122", "MA0REG001")
    response = post(client, "/unit/register", {
        "credit_code": code, "name": "托克托县新单位有限公司", "nature": "国有企业", "region": "150122",
        "contact": "李明", "phone": "13904719999", "password": "Unit@2025", "password2": "Unit@2025"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/unit/profile")
    org = Org.get(Org.credit_code == code)
    assert org.hr_agency.name == "托克托县人社局" and org.nature == "国有企业"
    assert Account.get(Account.login == code).kind == "单位"
    assert "托克托县新单位有限公司" in body(client.get("/unit/profile"))


def test_unit_registration_checks_the_credit_code(client):
    taken = demo_org().credit_code
    response = post(client, "/unit/register", {
        "credit_code": taken, "name": "X", "nature": "其他", "region": "150122", "contact": "李明",
        "phone": "13904719999", "password": "Unit@2025", "password2": "Unit@2025"})
    assert response.status_code == 422 and "该统一社会信用代码已注册" in body(response)
    response = post(client, "/unit/register", {
        "credit_code": taken[:-1] + ("0" if taken[-1] != "0" else "1"), "name": "X", "nature": "其他",
        "region": "150122", "contact": "李明", "phone": "13904719999", "password": "Unit@2025",
        "password2": "Unit@2025"})
    assert response.status_code == 422 and "校验位错误" in body(response)
    assert 'value="李明"' in body(response)


def test_login_page_links_unit_registration(client):
    assert "/unit/register" in body(client.get("/login?tab=单位"))


# ---- 单位信息修改 ---------------------------------------------------------------------------------

def test_profile_shows_every_field_and_the_code_cannot_change(client, auth):
    org = demo_org()
    auth.unit(org.credit_code)
    page = body(client.get("/unit/profile"))
    for label in ("统一社会信用代码", "单位名称", "单位性质", "法人", "负责人/总经理", "联系人", "手机号", "电子邮箱",
                  "上级人社主管部门", "上级主管单位", "单位地址", "需求目录报送联系人", "联系人电话", "职称审核人姓名",
                  "职称审核人电话", "职称审核人身份证号", "查询主管单位", "组织机构代码不能修改",
                  "上级人社主管部门一般为当地人社局"):
        assert label in page, label
    other_code = seed.make_credit_code("91", "150122", "MA0CHG001")
    response = post(client, "/unit/profile", {**profile_data(org), "credit_code": other_code})
    assert response.status_code == 303
    assert Org.get_by_id(org.id).credit_code == org.credit_code


def test_saving_shows_the_route_and_nature_without_supervisor_clears_it(client, auth):
    org = demo_org()  # 国有企业 under 托克托县住房和城乡建设局, HR 托克托县人社局
    auth.unit(org.credit_code)
    page = body(client.get("/unit/profile"))
    route = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split('data-testid="route-chain"')[1].split("</p>")[0]))
    assert re.search(r"托克托县建设工程有限公司 → .*托克托县住房和城乡建设局 → .*托克托县人社局 → .*呼和浩特市人社局 → "
                     r".*评委会", route), route
    response = post(client, "/unit/profile", profile_data(org, nature="非公有制无主管单位"))
    assert response.status_code == 303 and response.headers["Location"].endswith("/unit/profile#route")
    saved = Org.get_by_id(org.id)
    assert saved.nature == "非公有制无主管单位" and saved.supervisor_id is None
    page = body(client.get("/unit/profile"))
    assert "保存成功" in page
    assert "托克托县住房和城乡建设局" not in page.split('data-testid="route-chain"')[1].split("</p>")[0]
    event = AuditEvent.select().where(AuditEvent.action == "单位信息修改").order_by(AuditEvent.id.desc()).first()
    assert event.detail["before"]["supervisor"] == "托克托县住房和城乡建设局" and event.detail["after"]["supervisor"] == ""


def test_supervisor_block_is_disabled_for_natures_without_one(client, auth):
    org = demo_org()
    auth.unit(org.credit_code)
    off = body(client.get("/unit/profile/supervisor?nature=社会团体", headers={"HX-Request": "true"}))
    assert "<html" not in off and "disabled" in off and "当前单位性质不可以选择主管单位" in off
    on = body(client.get(f"/unit/profile/supervisor?nature=事业单位&supervisor={org.supervisor_id}",
                         headers={"HX-Request": "true"}))
    assert 'id="supervisor_q" name="supervisor_q" value="">' in on and "托克托县住房和城乡建设局" in on


def test_query_supervisor_lists_only_units_with_the_supervisor_role(client, auth):
    org = demo_org()
    plain = make_org(name="托克托县某普通单位", nature="机关")
    auth.unit(org.credit_code)
    page = body(client.get("/unit/profile/supervisors?supervisor_q=托克托县", headers={"HX-Request": "true"}))
    assert "托克托县住房和城乡建设局" in page and plain.name not in page
    by_code = body(client.get(f"/unit/profile/supervisors?supervisor_q={Org.get(Org.name == '呼和浩特市文化旅游广电局').credit_code[:10]}",
                              headers={"HX-Request": "true"}))
    assert "呼和浩特市文化旅游广电局" in by_code
    none = body(client.get("/unit/profile/supervisors?supervisor_q=不存在的单位", headers={"HX-Request": "true"}))
    assert "没有找到" in none


def test_choose_supervisor_without_javascript_then_save_changes_the_route(client, auth):
    org = Org.get(Org.name == "内蒙职称申报有限公司")  # 非公有制无主管单位, 赛罕区人社局
    wlj = Org.get(Org.name == "呼和浩特市文化旅游广电局")
    auth.unit(org.credit_code)
    data = profile_data(org, nature="非公有制有主管单位", supervisor="", legal_person="赵法人")
    page = body(post(client, "/unit/profile", {**data, "action": "search", "supervisor_q": "文化旅游"}))
    assert wlj.credit_code in page and 'value="赵法人"' in page
    page = body(post(client, "/unit/profile", {**data, "pick_supervisor": str(wlj.id)}))
    assert f'name="supervisor" value="{wlj.id}"' in page and page.count('name="supervisor"') == 1
    response = post(client, "/unit/profile", {**data, "supervisor": str(wlj.id)})
    assert response.status_code == 303
    saved = Org.get_by_id(org.id)
    assert saved.supervisor_id == wlj.id and saved.legal_person == "赵法人"
    route = body(client.get("/unit/profile")).split('data-testid="route-chain"')[1].split("</p>")[0]
    assert "呼和浩特市文化旅游广电局" in route and "赛罕区人社局" in route
    # The 盟市 bureau as 上级人社主管部门 removes the 旗县 step.
    post(client, "/unit/profile", {**data, "supervisor": str(wlj.id), "hr_agency": str(hr("150100").id)})
    route = body(client.get("/unit/profile")).split('data-testid="route-chain"')[1].split("</p>")[0]
    assert "赛罕区人社局" not in route and "呼和浩特市人社局" in route


def test_a_unit_without_the_supervisor_role_cannot_be_chosen(client, auth):
    org = demo_org()
    plain = make_org(nature="机关")
    auth.unit(org.credit_code)
    response = post(client, "/unit/profile", profile_data(org, supervisor=str(plain.id)))
    assert response.status_code == 422 and "请通过「查询主管单位」选择具有主管单位角色的单位" in body(response)
    assert Org.get_by_id(org.id).supervisor_id == org.supervisor_id


def test_hr_department_is_chosen_among_the_regions_bureaus(client, auth):
    org = demo_org()
    auth.unit(org.credit_code)
    page = body(client.get("/unit/profile/hr?region=150122", headers={"HX-Request": "true"}))
    assert "托克托县人社局" in page and "呼和浩特市人社局" in page and "包头市人社局" not in page
    response = post(client, "/unit/profile", profile_data(org, hr_agency=str(hr("150200").id)))
    assert response.status_code == 422 and Org.get_by_id(org.id).hr_agency_id == org.hr_agency_id


def test_profile_validation_keeps_input(client, auth):
    org = demo_org()
    auth.unit(org.credit_code)
    response = post(client, "/unit/profile", profile_data(org, phone="123", leader="", contact="新联系人",
                                                          title_reviewer_id="150122198503120221"))
    page = body(response)
    assert response.status_code == 422
    assert "手机号应为11位数字" in page and "请输入负责人/总经理" in page and 'value="新联系人"' in page
    assert "校验位错误" in page
    assert Org.get_by_id(org.id).contact == org.contact


# ---- 业绩档案审核 ---------------------------------------------------------------------------------

def pending_item(person, kind="工作经历"):
    return ArchiveItem.create(person=person, kind=kind, data=WORK)


def test_review_list_shows_only_this_units_staff(client, auth):
    mine = pending_item(demo_person("张三"))
    theirs = pending_item(demo_person("李四"))
    auth.unit(demo_org().credit_code)
    page = body(client.get("/unit/archive"))
    assert f'name="ids" value="{mine.id}"' in page and f'value="{theirs.id}"' not in page
    assert "李四" not in page and "150122********1236" in page


def test_review_filters_by_status_kind_and_name(client, auth):
    org = demo_org()
    other = make_person(org, name="周八")
    pending_item(other, "学习经历")
    pending_item(demo_person("张三"), "工作经历")
    auth.unit(org.credit_code)
    for path in ("/unit/archive", "/unit/archive?status=审核不通过", "/unit/claims", "/unit/claims?status=全部"):
        assert client.get(path).status_code == 200
    page = body(client.get("/unit/archive?q=周八"))
    assert "周八" in page and "张三" not in page
    page = body(client.get("/unit/archive?kind=工作经历"))
    assert "张三" in page and "周八" not in page
    page = body(client.get("/unit/archive?status=审核通过"))
    assert "张三" in page and 'name="ids"' not in page
    fragment = body(client.get("/unit/archive?status=全部", headers={"HX-Request": "true"}))
    assert "<html" not in fragment and "周八" in fragment and "张三" in fragment


def test_approve_one_and_batch_approve(client, auth):
    org = demo_org()
    items = [pending_item(demo_person("张三"), kind) for kind in ("论文", "获奖", "项目")]
    auth.unit(org.credit_code)
    token = csrf_token(client, "/unit/archive")
    versions = {f"v{i.id}": "1" for i in items}
    response = client.post("/unit/archive/approve", data={"only": items[0].id, "ids": [items[1].id], **versions,
                                                          "csrf_token": token})
    assert response.status_code == 303
    assert [ArchiveItem.get_by_id(i.id).status for i in items] == ["审核通过", "待审核", "待审核"]
    assert ArchiveItem.get_by_id(items[0].id).reviewed_by_id == org.id
    client.post("/unit/archive/approve", data={"ids": [items[1].id, items[2].id], **versions, "csrf_token": token})
    assert [ArchiveItem.get_by_id(i.id).status for i in items] == ["审核通过"] * 3
    assert "已审核通过2项业绩档案" in body(client.get("/unit/archive"))


def test_approval_of_an_item_edited_meanwhile_is_refused(client, auth):
    item = pending_item(demo_person("张三"))
    auth.unit(demo_org().credit_code)
    token = csrf_token(client, "/unit/archive")
    ArchiveItem.update(version=2, data={**WORK, "post": "改过"}).where(ArchiveItem.id == item.id).execute()
    client.post("/unit/archive/approve", data={"only": item.id, f"v{item.id}": "1", "csrf_token": token})
    assert ArchiveItem.get_by_id(item.id).status == "待审核"
    assert "已被申报人修改或已被审核" in body(client.get("/unit/archive"))


def test_reject_needs_a_reason_which_the_person_sees(client, auth):
    person = demo_person("张三")
    item = pending_item(person)
    auth.unit(demo_org().credit_code)
    path = f"/unit/archive/{item.id}/reject"
    assert "审核不通过原因" in body(client.get(path))
    response = post(client, path, {"reason": ""})
    assert response.status_code == 422 and "请填写审核不通过原因" in body(response)
    assert ArchiveItem.get_by_id(item.id).status == "待审核"
    assert post(client, path, {"reason": "工作时间与劳动合同不符"}).status_code == 303
    item = ArchiveItem.get_by_id(item.id)
    assert (item.status, item.reason) == ("审核不通过", "工作时间与劳动合同不符")
    auth.logout()
    auth.person(person.id_number)
    assert "工作时间与劳动合同不符" in body(client.get("/talent/archive?kind=工作经历"))


def test_another_units_item_is_a_404_and_cannot_be_approved(client, auth):
    theirs = pending_item(demo_person("李四"))
    auth.unit(demo_org().credit_code)
    assert client.get(f"/unit/archive/{theirs.id}/reject").status_code == 404
    token = csrf_token(client, "/unit/archive")
    assert client.post(f"/unit/archive/{theirs.id}/reject", data={"reason": "x", "csrf_token": token}).status_code == 404
    client.post("/unit/archive/approve", data={"ids": [theirs.id], "csrf_token": token})
    assert ArchiveItem.get_by_id(theirs.id).status == "待审核"


def test_person_role_cannot_open_unit_pages(client, auth):
    auth.person(demo_person("张三").id_number)
    for path in ("/unit/archive", "/unit/staff", "/unit/claims", "/unit/profile"):
        assert client.get(path).status_code == 404


# ---- 行业汇总展示 ---------------------------------------------------------------------------------

def test_staff_list_shows_archive_status_and_entry(client, auth):
    auth.unit(Org.get(Org.name == "呼和浩特市人才服务中心").credit_code)
    page = body(client.get("/unit/staff"))
    assert "赵六" in page and "不可进入" in page and "张三" not in page
    auth.logout()
    auth.unit(demo_org().credit_code)
    page = body(client.get("/unit/staff"))
    assert "张三" in page and "可进入" in page and "审核通过 2" in page


def test_initialise_password_of_a_staff_member(client, auth, app):
    person = demo_person("张三")
    other = app.test_client()
    from tests.conftest import AuthActions
    AuthActions(other).person(person.id_number)
    assert other.get("/talent/").status_code == 200
    auth.unit(demo_org().credit_code)
    response = post(client, f"/unit/staff/{person.id}/reset-password", {}, form_path="/unit/staff")
    assert response.status_code == 303
    page = body(client.get("/unit/staff"))
    password = re.search(r"密码初始化为 (\S+) ", page).group(1)
    assert other.get("/talent/").status_code == 302  # the staff member's session ended
    auth.logout()
    assert auth.person(person.id_number, password).status_code == 303
    assert AuditEvent.select().where(AuditEvent.action == "初始化密码").count() == 1


def test_initialise_password_of_another_units_person_is_a_404(client, auth):
    theirs = demo_person("李四")
    before = Account.get(Account.person == theirs).password_hash
    auth.unit(demo_org().credit_code)
    response = post(client, f"/unit/staff/{theirs.id}/reset-password", {}, form_path="/unit/staff")
    assert response.status_code == 404
    assert Account.get(Account.person == theirs).password_hash == before


# ---- 证书认领审核 ---------------------------------------------------------------------------------

def make_claim(person):
    return CertificateClaim.create(person=person, series="工程技术", specialty="建设工程", level="中级",
                                   title_name="工程师", cert_no="GC1", obtained_on="2021-12-01")


def test_claims_are_scoped_and_reject_keeps_the_title(client, auth):
    mine = make_claim(demo_person("张三"))
    theirs = make_claim(demo_person("李四"))
    auth.unit(demo_org().credit_code)
    page = body(client.get("/unit/claims"))
    assert "张三" in page and "李四" not in page
    token = csrf_token(client, "/unit/claims")
    assert client.post(f"/unit/claims/{theirs.id}/approve", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/unit/claims/{theirs.id}/reject").status_code == 404
    assert CertificateClaim.get_by_id(theirs.id).status == "待审核"
    before = Person.get_by_id(mine.person_id).current_title
    response = post(client, f"/unit/claims/{mine.id}/reject", {"reason": "证书编号不符"})
    assert response.status_code == 303
    claim = CertificateClaim.get_by_id(mine.id)
    assert (claim.status, claim.reason) == ("审核不通过", "证书编号不符")
    assert Person.get_by_id(mine.person_id).current_title == before


def test_unit_home_shows_the_route_and_counts(client, auth):
    pending_item(demo_person("张三"))
    auth.unit(demo_org().credit_code)
    page = body(client.get("/unit/"))
    assert "待审核的业绩档案 1 项" in page and "托克托县住房和城乡建设局" in page and "评委会" in page


def test_session_rows_exist_for_units(client, auth):
    auth.unit(demo_org().credit_code)
    assert UserSession.select().join(Account).where(Account.org == demo_org()).count() == 1
    assert models.ROLE_UNIT in Account.get(Account.org == demo_org()).roles()
