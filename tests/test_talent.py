"""人才库 for 个人 over HTTP: registration helpers, profile, 业绩档案, 证书认领, the entry gate and 忘记密码."""
import io
from datetime import timedelta

import pytest

import models
from blueprints.sms import get_sender
from models import ArchiveItem, CertificateClaim, Person, SmsCode, TitleSeries, now
from tests.conftest import csrf_token, demo_org, demo_person, make_org, make_person

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def body(response):
    return response.get_data(as_text=True)


def login_person(auth, person):
    response = auth.person(person.id_number)
    assert response.status_code == 303
    return person


def post(client, path, data, form_path=None, **kwargs):
    """POST a form the way a browser does, with the CSRF token of the page that shows it."""
    data = {**data, "csrf_token": csrf_token(client, form_path or path)}
    return client.post(path, data=data, **kwargs)


STUDY = {"start": "2008-09", "end": "2012-07", "school": "内蒙古大学", "major": "土木工程", "education": "本科",
         "degree": "学士"}
WORK = {"start": "2012-08", "end": "至今", "unit": "托克托县建设工程有限公司", "post": "技术员"}


def add_item(client, kind, data, **kwargs):
    return post(client, f"/talent/archive/{kind}/new", data, **kwargs)


# ---- registration -------------------------------------------------------------------------------

def test_register_shows_derived_birth_date_and_gender(client):
    page = body(client.get("/register/id-facts?id_number=150102199001011230", headers={"HX-Request": "true"}))
    assert "1990-01-01" in page and "男" in page and "<html" not in page
    bad = body(client.get("/register/id-facts?id_number=150102199001011231", headers={"HX-Request": "true"}))
    assert "校验位错误" in bad


def test_register_finds_the_work_unit_by_name_and_fills_its_code(client):
    org = demo_org()
    page = body(client.get("/register/units?org_q=建设工程", headers={"HX-Request": "true"}))
    assert org.name in page and org.credit_code in page and "<html" not in page
    picked = body(client.get(f"/register/unit?pick_org={org.credit_code}", headers={"HX-Request": "true"}))
    assert f'value="{org.credit_code}"' in picked and f"已选择工作单位:<strong>{org.name}" in picked


def test_register_search_without_javascript_keeps_the_input(client):
    org = demo_org()
    token = csrf_token(client, "/register")
    data = {"id_number": "150102199001011230", "name": "孙七", "phone": "13912345678", "org_code": "",
            "org_q": "建设工程", "action": "search_org", "csrf_token": token}
    page = body(client.post("/register", data=data))
    assert org.credit_code in page and 'value="孙七"' in page and "1990-01-01" in page
    page = body(client.post("/register", data={**data, "action": "", "pick_org": org.credit_code}))
    assert f'value="{org.credit_code}"' in page and "已选择工作单位" in page
    response = client.post("/register", data={**data, "action": "", "org_code": org.credit_code,
                                              "password": "Reg@2025x", "password2": "Reg@2025x"})
    assert response.status_code == 303
    assert Person.get(Person.id_number == "150102199001011230").org_id == org.id


# ---- profile ------------------------------------------------------------------------------------

def test_profile_saves_fields_and_photo(client, auth):
    person = login_person(auth, demo_person("王五"))
    response = post(client, "/talent/profile", {
        "name": "王五", "former_name": "王武", "ethnicity": "蒙古族", "political_status": "中共党员",
        "phone": "13800471009", "education": "硕士研究生", "education_cert_no": "X123", "degree": "硕士",
        "school": "内蒙古工业大学", "major": "结构工程", "graduated": "2020-07",
        "photo": (io.BytesIO(PNG), "me.png")}, content_type="multipart/form-data")
    assert response.status_code == 303
    person = Person.get_by_id(person.id)
    assert (person.former_name, person.ethnicity, person.political_status, person.phone) == \
        ("王武", "蒙古族", "中共党员", "13800471009")
    assert person.education["学历"] == "硕士研究生" and person.education["毕业时间"] == "2020-07"
    photo = client.get(f"/talent/photo/{person.id}")
    assert photo.status_code == 200 and photo.data == PNG


def test_profile_refuses_a_photo_that_is_not_an_image_and_keeps_input(client, auth):
    person = login_person(auth, demo_person("王五"))
    response = post(client, "/talent/profile", {
        "name": "王五", "former_name": "王武", "ethnicity": "汉族", "political_status": "群众", "phone": "13800471003",
        "education": "本科", "photo": (io.BytesIO(PDF), "me.png")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "不是JPG、PNG格式" in body(response) and 'value="王武"' in body(response)
    assert Person.get_by_id(person.id).former_name == ""


def test_photo_is_served_only_to_the_owner_and_the_owners_unit(client, auth, app):
    person = demo_person("王五")
    stored = app_store(app, PNG, "p.png", "png")
    Person.update(photo=stored.storage_key).where(Person.id == person.id).execute()
    auth.unit(person.org.credit_code)
    assert client.get(f"/talent/photo/{person.id}").status_code == 200
    auth.logout()
    auth.unit(demo_org().credit_code)
    assert client.get(f"/talent/photo/{person.id}").status_code == 404
    auth.logout()
    auth.person(demo_person("张三").id_number)
    assert client.get(f"/talent/photo/{person.id}").status_code == 404


def app_store(app, data, name, kind):
    from storage import save_bytes
    with app.test_request_context():
        return save_bytes(data, name, kind)


# ---- 业绩档案 ------------------------------------------------------------------------------------

def test_study_item_with_one_evidence_file_is_pending(client, auth):
    person = login_person(auth, demo_person("赵六"))
    response = add_item(client, "学习经历", {**STUDY, "evidence": (io.BytesIO(PDF), "毕业证.pdf")},
                        content_type="multipart/form-data")
    assert response.status_code == 303
    item = ArchiveItem.get((ArchiveItem.person == person) & (ArchiveItem.kind == "学习经历"))
    assert item.status == "待审核" and item.data["学校"] == "内蒙古大学" and item.evidence.filename == "毕业证.pdf"
    page = body(client.get("/talent/archive?kind=学习经历"))
    assert "内蒙古大学" in page and "待审核" in page and "毕业证.pdf" in page
    assert client.get(f"/talent/archive/{item.id}/evidence").data == PDF


def test_a_second_evidence_file_is_refused(client, auth):
    person = login_person(auth, demo_person("赵六"))
    add_item(client, "学习经历", {**STUDY, "evidence": (io.BytesIO(PDF), "a.pdf")}, content_type="multipart/form-data")
    item = ArchiveItem.get(ArchiveItem.person == person)
    response = post(client, f"/talent/archive/{item.id}/edit", {**STUDY, "evidence": (io.BytesIO(PDF), "b.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 422 and "数量仅限1个" in body(response)
    assert ArchiveItem.get_by_id(item.id).evidence.filename == "a.pdf"
    two = add_item(client, "学习经历", {**STUDY, "evidence": [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]},
                   content_type="multipart/form-data")
    assert two.status_code == 422 and "数量仅限1个" in body(two)
    assert ArchiveItem.select().where(ArchiveItem.person == person).count() == 1
    # After deleting the file, another may be uploaded.
    post(client, f"/talent/archive/{item.id}/evidence/delete", {}, form_path=f"/talent/archive/{item.id}/edit")
    ok = post(client, f"/talent/archive/{item.id}/edit", {**STUDY, "evidence": (io.BytesIO(PDF), "b.pdf")},
              content_type="multipart/form-data")
    assert ok.status_code == 303 and ArchiveItem.get_by_id(item.id).evidence.filename == "b.pdf"


def test_none_entry_is_allowed_for_study_and_work(client, auth):
    person = login_person(auth, demo_person("赵六"))
    for kind in ("学习经历", "工作经历"):
        assert add_item(client, kind, {"none": "y"}).status_code == 303
    rows = {i.kind: i.data for i in ArchiveItem.select().where(ArchiveItem.person == person)}
    assert rows == {"学习经历": {"内容": "无"}, "工作经历": {"内容": "无"}}
    assert ">无<" in body(client.get("/talent/archive?kind=工作经历"))


def test_invalid_item_is_refused_with_reasons_and_nothing_saved(client, auth):
    person = login_person(auth, demo_person("赵六"))
    response = add_item(client, "工作经历", {**WORK, "start": "2012/8", "unit": ""})
    page = body(response)
    assert response.status_code == 422
    assert "开始时间格式应为 年-月" in page and "请输入单位" in page and 'value="技术员"' in page
    assert ArchiveItem.select().where(ArchiveItem.person == person).count() == 0


@pytest.mark.parametrize("kind, data, key, value", [
    ("执业(职业)资格", {"name": "一级建造师", "obtained": "2018-09", "cert_no": "JZS001"}, "资格名称", "一级建造师"),
    ("论文", {"title": "桥梁检测", "journal": "公路", "published": "2020-03", "rank": "1"}, "论文题目", "桥梁检测"),
    ("著作", {"title": "道路工程", "publisher": "人民交通出版社", "published": "2021-05", "part": "第3章"}, "出版社",
     "人民交通出版社"),
    ("获奖", {"title": "科技进步奖", "grade": "三等奖", "issuer": "呼和浩特市", "awarded": "2019-12"}, "获奖等级", "三等奖"),
    ("项目", {"title": "黄河大桥", "source": "自治区交通厅", "start": "2019-01", "end": "至今", "role": "负责人"},
     "本人角色", "负责人"),
    ("专利", {"title": "检测装置", "number": "ZL2020", "patent_type": "实用新型专利", "granted": "2021-01"}, "专利号",
     "ZL2020"),
])
def test_every_other_kind_can_be_added(client, auth, kind, data, key, value):
    person = login_person(auth, demo_person("王五"))
    assert add_item(client, kind, data).status_code == 303
    item = ArchiveItem.get((ArchiveItem.person == person) & (ArchiveItem.kind == kind))
    assert item.data[key] == value and item.status == "待审核"


def test_professional_title_uses_the_catalog(client, auth):
    person = login_person(auth, demo_person("王五"))
    data = {"series": "会计", "specialty": "会计", "level": "中级", "title_name": "会计师", "obtained": "2019-05",
            "cert_no": "KJ123"}
    assert add_item(client, "专业技术资格", data).status_code == 303
    item = ArchiveItem.get((ArchiveItem.person == person) & (ArchiveItem.kind == "专业技术资格"))
    assert (item.data["系列"], item.data["等级"], item.data["资格名称"]) == ("会计", "中级", "会计师")
    wrong = add_item(client, "专业技术资格", {**data, "title_name": "工程师"})
    assert wrong.status_code == 422


def test_dependent_title_selects_always_have_options(client, auth):
    login_person(auth, demo_person("王五"))
    page = body(client.get("/talent/titles?series=会计&level=中级", headers={"HX-Request": "true"}))
    assert '<option selected value="会计师">' in page or 'value="会计师"' in page
    for series in list(TitleSeries.select()):
        page = body(client.get(f"/talent/titles?series={series.name}", headers={"HX-Request": "true"}))
        assert page.count("<option") >= 3, series.name
    # An unknown series or level still answers with options, never an empty list.
    page = body(client.get("/talent/titles?series=不存在&level=x", headers={"HX-Request": "true"}))
    assert page.count("<option") >= 3


def test_editing_an_approved_item_sends_it_back_to_pending(client, auth):
    person = login_person(auth, demo_person("张三"))
    item = ArchiveItem.get((ArchiveItem.person == person) & (ArchiveItem.kind == "工作经历"))
    assert item.status == "审核通过"
    assert "审核通过" in body(client.get(f"/talent/archive/{item.id}/edit"))
    response = post(client, f"/talent/archive/{item.id}/edit", {**WORK, "post": "工程师"})
    assert response.status_code == 303
    item = ArchiveItem.get_by_id(item.id)
    assert (item.status, item.data["职务"], item.version) == ("待审核", "工程师", 2)


def test_rejected_item_shows_the_units_reason(client, auth):
    person = login_person(auth, demo_person("张三"))
    ArchiveItem.update(status="审核不通过", reason="毕业时间与证书不符").where(
        (ArchiveItem.person == person) & (ArchiveItem.kind == "学习经历")).execute()
    page = body(client.get("/talent/archive?kind=学习经历"))
    assert "审核不通过" in page and "毕业时间与证书不符" in page


def test_delete_item(client, auth):
    person = login_person(auth, demo_person("张三"))
    item = ArchiveItem.get((ArchiveItem.person == person) & (ArchiveItem.kind == "工作经历"))
    response = post(client, f"/talent/archive/{item.id}/delete", {}, form_path="/talent/archive?kind=工作经历")
    assert response.status_code == 303 and ArchiveItem.get_or_none(ArchiveItem.id == item.id) is None


def test_another_persons_item_is_a_404(client, auth):
    other = ArchiveItem.get(ArchiveItem.person == demo_person("李四"))
    login_person(auth, demo_person("张三"))
    token = csrf_token(client, "/talent/archive")
    assert client.get(f"/talent/archive/{other.id}/edit").status_code == 404
    assert client.post(f"/talent/archive/{other.id}/edit", data={**WORK, "csrf_token": token}).status_code == 404
    assert client.post(f"/talent/archive/{other.id}/delete", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/talent/archive/{other.id}/evidence").status_code == 404
    assert ArchiveItem.get_by_id(other.id).status == "审核通过"


def test_evidence_is_served_to_the_owners_unit_only(client, auth, app):
    person = demo_person("赵六")
    stored = app_store(app, PDF, "x.pdf", "pdf")
    item = ArchiveItem.create(person=person, kind="学习经历", data=STUDY, evidence=stored)
    auth.unit(person.org.credit_code)
    assert client.get(f"/talent/archive/{item.id}/evidence").data == PDF
    auth.logout()
    auth.unit(demo_org().credit_code)
    assert client.get(f"/talent/archive/{item.id}/evidence").status_code == 404


# ---- entry gate ---------------------------------------------------------------------------------

def test_entry_is_blocked_and_says_what_is_missing_and_who_approves(client, auth):
    login_person(auth, demo_person("赵六"))
    page = body(client.get("/talent/"))
    assert "暂时不能进入职称申报系统" in page and "学习经历" in page and "工作经历" in page
    assert "呼和浩特市人才服务中心" in page and "业绩档案审核" in page
    entry = client.get("/talent/entry")
    assert entry.status_code == 200 and "还没有审核通过的学习经历" in body(entry)


def test_entry_says_pending_items_wait_for_the_unit(client, auth):
    person = login_person(auth, demo_person("赵六"))
    add_item(client, "学习经历", {"none": "y"})
    ArchiveItem.create(person=person, kind="工作经历", data=WORK, status="审核通过")
    page = body(client.get("/talent/entry"))
    assert "学习经历正在等待审核" in page and "工作经历" not in page.split("暂时不能进入")[1].split("</ul>")[0]


def test_entry_opens_the_declaration_system_once_both_are_approved(client, auth):
    person = login_person(auth, demo_person("赵六"))
    for kind in ("学习经历", "工作经历"):
        ArchiveItem.create(person=person, kind=kind, data={"内容": "无"}, status="审核通过")
    response = client.get("/talent/entry")
    assert response.status_code == 302 and response.headers["Location"].endswith("/declare/")
    assert "职称申报入口" in body(client.get("/talent/")) and "暂时不能进入" not in body(client.get("/talent/"))


# ---- 证书认领 ----------------------------------------------------------------------------------

def test_claim_then_unit_approval_makes_it_the_current_title(client, auth):
    person = login_person(auth, demo_person("王五"))
    response = post(client, "/talent/claims", {"series": "工程技术", "specialty": "建设工程", "level": "中级",
                                               "title_name": "工程师", "cert_no": "GC2020001",
                                               "obtained_on": "2020-12-01"})
    assert response.status_code == 303
    claim = CertificateClaim.get(CertificateClaim.person == person)
    assert claim.status == "待审核" and "GC2020001" in body(client.get("/talent/claims"))
    auth.logout()
    auth.unit(person.org.credit_code)
    response = post(client, f"/unit/claims/{claim.id}/approve", {}, form_path="/unit/claims")
    assert response.status_code == 303
    person = Person.get_by_id(person.id)
    assert person.current_title["name"] == "工程师" and person.current_title["level"] == "中级"
    assert CertificateClaim.get_by_id(claim.id).status == "审核通过"


def test_claim_needs_a_certificate_number(client, auth):
    person = login_person(auth, demo_person("王五"))
    response = post(client, "/talent/claims", {"series": "工程技术", "specialty": "建设工程", "level": "中级",
                                               "title_name": "工程师", "cert_no": "", "obtained_on": "2020-12-01"})
    assert response.status_code == 422 and "请输入证书编号" in body(response)
    assert CertificateClaim.select().where(CertificateClaim.person == person).count() == 0


# ---- 忘记密码 ------------------------------------------------------------------------------------

def forgot(client, **data):
    return post(client, "/forgot-password", data)


def test_forgot_password_with_sms_code(client, auth, app):
    person = demo_person("张三")
    response = forgot(client, id_number=person.id_number, phone=person.phone, send="1")
    assert response.status_code == 200 and "验证码已发送至 138****1001" in body(response)
    code = get_sender(app).last_code(person.phone)
    assert code and len(code) == 6
    assert SmsCode.get(SmsCode.phone == person.phone).code_hash != code
    response = forgot(client, id_number=person.id_number, phone=person.phone, code=code, password="New@2025x",
                      password2="New@2025x", submit="1")
    assert response.status_code == 303 and response.headers["Location"].endswith("/login")
    assert auth.person(person.id_number, "New@2025x").status_code == 303
    # A code works once.
    again = forgot(client, id_number=person.id_number, phone=person.phone, code=code, password="New@2025y",
                   password2="New@2025y", submit="1")
    assert again.status_code == 422 and "请先获取验证码" in body(again)


def test_forgot_password_refuses_a_phone_that_does_not_match(client, app):
    person = demo_person("张三")
    response = forgot(client, id_number=person.id_number, phone="13900000000", send="1")
    assert response.status_code == 422 and "身份证号码与手机号不匹配" in body(response)
    assert get_sender(app).last_code() is None


def test_forgot_password_wrong_code_is_counted_and_limited(client, app):
    person = demo_person("张三")
    forgot(client, id_number=person.id_number, phone=person.phone, send="1")
    data = dict(id_number=person.id_number, phone=person.phone, code="000000", password="New@2025x",
                password2="New@2025x", submit="1")
    if get_sender(app).last_code(person.phone) == "000000":
        data["code"] = "111111"
    first = forgot(client, **data)
    assert first.status_code == 422 and "验证码不正确,还可尝试4次" in body(first)
    for _ in range(4):
        last = forgot(client, **data)
    assert "验证码错误次数过多,请重新获取" in body(last)
    right = forgot(client, **{**data, "code": get_sender(app).last_code(person.phone)})
    assert right.status_code == 422 and "错误次数过多" in body(right)


def test_forgot_password_code_expires(client, app):
    person = demo_person("张三")
    forgot(client, id_number=person.id_number, phone=person.phone, send="1")
    code = get_sender(app).last_code(person.phone)
    SmsCode.update(expires_at=now() - timedelta(seconds=1)).execute()
    response = forgot(client, id_number=person.id_number, phone=person.phone, code=code, password="New@2025x",
                      password2="New@2025x", submit="1")
    assert response.status_code == 422 and "验证码已过期" in body(response)


def test_forgot_password_sending_is_rate_limited(client, app):
    person = demo_person("张三")
    assert forgot(client, id_number=person.id_number, phone=person.phone, send="1").status_code == 200
    second = forgot(client, id_number=person.id_number, phone=person.phone, send="1")
    assert second.status_code == 422 and "验证码发送过于频繁,请1分钟后再试" in body(second)
    assert len([1 for to, _ in get_sender(app).sent if to == person.phone]) == 1


def test_login_page_links_forgot_password(client):
    assert "/forgot-password" in body(client.get("/login"))


def test_make_person_factory_still_works_with_new_fields(client, auth):
    person = make_person(make_org())
    login_person(auth, person)
    assert person.name in body(client.get("/talent/profile"))
    assert models.Person.get_by_id(person.id).photo is None
