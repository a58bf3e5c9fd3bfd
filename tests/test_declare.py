"""HTTP tests of the applicant side: plans, the six steps, submission, records, 重新申报."""
import models
from tests.conftest import csrf_token, demo_person, make_org, make_person
from tests.declare_helpers import (
    SOCIAL_HIGH, SOCIAL_MIDDLE, download_both, fill_to_step6, image_bytes, info_data, person_pdf, plan_named,
    post_step, start, submit,
)


def login(auth, name="张三"):
    person = demo_person(name)
    auth.person(person.id_number)
    return person


def test_complete_declaration_is_submitted_with_route_and_forms(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    page = client.get(f"/declare/{app_id}/step/6").get_data(as_text=True)
    for unit in ("托克托县建设工程有限公司", "托克托县住房和城乡建设局", "托克托县人社局", "呼和浩特市人社局",
                 "呼和浩特市工程技术系列中初级职称评审委员会"):
        assert unit in page
    download_both(client, app_id)
    response = submit(client, app_id)
    assert response.status_code == 303 and response.headers["Location"].endswith("/declare/")
    record = models.Application.get_by_id(app_id)
    assert record.status == "工作单位审核中" and record.route_index == 0 and record.submitted_at
    steps = list(record.route_steps.order_by(models.RouteStep.seq))
    assert [s.role for s in steps] == ["工作单位", "主管单位", "旗县人社局", "盟市人社局", "评委会"]
    assert all(s.state == models.STEP_WAITING for s in steps)
    forms = {(f.form, f.fmt, f.version) for f in record.form_files}
    assert forms == {("评审表", "pdf", 1), ("送审表", "pdf", 1)}
    assert models.AuditEvent.get(models.AuditEvent.application == record).action == "提交"
    listing = client.get("/declare/").get_data(as_text=True)
    assert "工作单位审核中" in listing and "申报进度" in listing and "补充公示书面报告" in listing
    assert "取消申报" not in listing
    progress = client.get(f"/declare/{app_id}/progress").get_data(as_text=True)
    assert "待审核" in progress and "托克托县建设工程有限公司" in progress
    # Submitted: the wizard no longer opens, the stored PDF downloads.
    assert client.get(f"/declare/{app_id}/step/3").status_code == 303
    assert client.get(f"/declare/{app_id}/forms/review.pdf").data[:5] == b"%PDF-"


def test_submit_needs_confirmation_and_both_downloads(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    response = submit(client, app_id, confirmed=False)
    assert response.status_code == 422 and "我已下载并确认评审表和送审表内容无误" in response.get_data(as_text=True)
    response = submit(client, app_id)
    assert response.status_code == 422 and "请先下载评审表PDF和送审表PDF" in response.get_data(as_text=True)
    assert models.Application.get_by_id(app_id).status == models.STATUS_DRAFT


def test_photo_step_checks_content_size_and_dimensions(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    response = post_step(client, app_id, 1, files={"photo": (b"%PDF-1.4 fake", "photo.jpg")})
    assert response.status_code == 422 and "文件内容不是JPG、PNG格式" in response.get_data(as_text=True)
    response = post_step(client, app_id, 1, files={"photo": (image_bytes((100, 120)), "small.png")})
    assert response.status_code == 422 and "100×120" in response.get_data(as_text=True)
    response = post_step(client, app_id, 1, files={"photo": (image_bytes((600, 400)), "wide.jpg")})
    assert response.status_code == 422 and "竖版" in response.get_data(as_text=True)
    response = post_step(client, app_id, 1)
    assert response.status_code == 422 and "请选择要上传的证件照" in response.get_data(as_text=True)
    assert models.Application.get_by_id(app_id).photo is None
    response = post_step(client, app_id, 1, files={"photo": (image_bytes(fmt="PNG"), "ok.png")})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/declare/{app_id}/step/2")
    assert client.get(f"/declare/{app_id}/photo").data[:8] == b"\x89PNG\r\n\x1a\n"


def test_pledge_needs_explicit_check_and_records_time(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    post_step(client, app_id, 1, files={"photo": (image_bytes(), "p.jpg")})
    response = post_step(client, app_id, 2)
    assert response.status_code == 422 and "请阅读真实性保证书并勾选「本人承诺」" in response.get_data(as_text=True)
    assert post_step(client, app_id, 2, {"agree": "y"}).status_code == 303
    assert models.Application.get_by_id(app_id).pledge_at is not None


def test_steps_cannot_be_skipped(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    response = client.get(f"/declare/{app_id}/step/5")
    assert response.status_code == 302 and response.headers["Location"].endswith("/step/1")
    assert post_step(client, app_id, 1).status_code == 422
    assert client.post(f"/declare/{app_id}/step/3", data={"csrf_token": csrf_token(client, f"/declare/{app_id}/step/1")}
                       ).status_code == 404


def _to_step3(client, auth, plan=SOCIAL_MIDDLE, name="张三"):
    login(auth, name)
    app_id = start(client, plan_named(plan))
    post_step(client, app_id, 1, files={"photo": (image_bytes(), "p.jpg")})
    post_step(client, app_id, 2, {"agree": "y"})
    return app_id


def test_info_step_reports_each_missing_field_and_keeps_input(client, auth):
    app_id = _to_step3(client, auth)
    data = info_data(phone="12345", school="", graduation="2012/7", practice_specialty="其他", practice_other="")
    response = post_step(client, app_id, 3, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("手机号应为11位数字", "请填写毕业院校", "毕业时间格式为 年-月", "选择「其他」时请填写其他从事专业名称"):
        assert message in body
    assert 'value="土木工程"' in body
    assert models.Application.get_by_id(app_id).series == ""


def test_level_rules(client, auth):
    app_id = _to_step3(client, auth)
    # 现职称 工程技术 初级: the same series only upwards.
    response = post_step(client, app_id, 3, info_data(level="初级", title="助理工程师"))
    assert response.status_code == 422 and "同系列可以往高的报,转系列只能报平级" in response.get_data(as_text=True)
    # Another series only at the same level.
    response = post_step(client, app_id, 3, info_data(series="社会科学研究", specialty="哲学", level="中级",
                                                      title="助理研究员"))
    assert response.status_code == 422 and "转到社会科学研究系列只能申报初级" in response.get_data(as_text=True)
    response = post_step(client, app_id, 3, info_data(series="社会科学研究", specialty="哲学", level="初级",
                                                      title="研究实习员", practice_specialty="哲学"))
    assert response.status_code == 303


def test_one_record_per_level_group_per_year_across_plans(client, auth):
    app_id = _to_step3(client, auth)
    assert post_step(client, app_id, 3, info_data()).status_code == 303
    # 认定 is another plan type; 中级 again in the same year is refused.
    other = start(client, plan_named("职称认定申报计划"))
    post_step(client, other, 1, files={"photo": (image_bytes(), "p.jpg")})
    post_step(client, other, 2, {"agree": "y"})
    response = post_step(client, other, 3, info_data())
    assert response.status_code == 422
    assert "同等级职称每年只能申报一次,每种等级只能新增一条申报记录" in response.get_data(as_text=True)
    # 正高级 and 副高级 are one group too.
    high = start(client, plan_named(SOCIAL_HIGH))
    post_step(client, high, 1, files={"photo": (image_bytes(), "p.jpg")})
    post_step(client, high, 2, {"agree": "y"})
    assert post_step(client, high, 3, info_data(level="副高级", title="高级工程师")).status_code == 303
    high2 = start(client, plan_named("绿色通道"))
    post_step(client, high2, 1, files={"photo": (image_bytes(), "p.jpg")})
    post_step(client, high2, 2, {"agree": "y"})
    response = post_step(client, high2, 3, info_data(level="正高级", title="正高级工程师"))
    assert response.status_code == 422 and "每种等级只能新增一条申报记录" in response.get_data(as_text=True)


def test_dependent_selects_always_have_options(client, auth):
    app_id = _to_step3(client, auth)
    page = client.get(f"/declare/{app_id}/step/3").get_data(as_text=True)
    assert '<option value="工程技术">' in page
    fragment = client.get(f"/declare/{app_id}/title-fields?series=工程技术&specialty=电力&level=中级",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment
    assert '<option selected value="电力">' in fragment and '<option value="工程师">' in fragment
    # Switching series resets the dependent choices instead of leaving them empty (guide 四(十三), 四(二十二)).
    fragment = client.get(f"/declare/{app_id}/title-fields?series=社会科学研究&specialty=电力&level=中级",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<option value="哲学">' in fragment and 'value="电力"' not in fragment
    assert '<option selected value="中级">' in fragment and '<option value="助理研究员">' in fragment
    current = client.get(f"/declare/{app_id}/title-fields?part=current&cur_series=文物博物&cur_level=副高级",
                         headers={"HX-Request": "true"}).get_data(as_text=True)
    assert '<option value="副研究馆员">' in current


def test_autosave_keeps_typed_input(client, auth):
    app_id = _to_step3(client, auth)
    token = csrf_token(client, f"/declare/{app_id}/step/3")
    response = client.post(f"/declare/{app_id}/autosave", data={"school": "内蒙古工业大学", "major": "结构工程"},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200 and "已自动保存" in response.get_data(as_text=True)
    page = client.get(f"/declare/{app_id}/step/3").get_data(as_text=True)
    assert 'value="内蒙古工业大学"' in page and 'value="结构工程"' in page


def test_sync_refreshes_unit_and_shows_changes(client, auth):
    app_id = _to_step3(client, auth)
    org = demo_person().org
    models.Org.update(supervisor=None).where(models.Org.id == org.id).execute()
    token = csrf_token(client, f"/declare/{app_id}/step/3")
    response = client.post(f"/declare/{app_id}/sync", data={"csrf_token": token}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "上级主管单位由「托克托县住房和城乡建设局」改为「无」" in body
    assert models.Application.get_by_id(app_id).snapshot["unit"]["supervisor_id"] is None


def test_items_step_lists_each_item_once(client, auth):
    person = login(auth)
    first = models.ArchiveItem.get(models.ArchiveItem.person == person, models.ArchiveItem.kind == "学习经历")
    models.ArchiveItem.create(person=person, kind="学习经历", status=models.ITEM_APPROVED, data=first.data)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    post_step(client, app_id, 1, files={"photo": (image_bytes(), "p.jpg")})
    post_step(client, app_id, 2, {"agree": "y"})
    post_step(client, app_id, 3, info_data())
    page = client.get(f"/declare/{app_id}/step/4").get_data(as_text=True)
    assert page.count('name="item"') == 2
    assert page.count("内蒙古大学") == 1


def _attach(client, app_id, category, file, twin=None):
    token = csrf_token(client, f"/declare/{app_id}/step/5")
    import io
    data = {"csrf_token": token, "category": category, "file": (io.BytesIO(file[0]), file[1])}
    if twin:
        data["twin"] = (io.BytesIO(twin[0]), twin[1])
    return client.post(f"/declare/{app_id}/attachments", data=data, content_type="multipart/form-data")


def _to_step5(client, auth, name, plan, **info):
    app_id = _to_step3(client, auth, plan, name)
    response = post_step(client, app_id, 3, info_data(**info))
    assert response.status_code == 303, response.get_data(as_text=True)
    post_step(client, app_id, 4)
    return app_id


def test_attachments_checked_by_content(client, auth):
    app_id = _to_step5(client, auth, "张三", SOCIAL_MIDDLE)
    response = _attach(client, app_id, "获奖证书", (b"MZ\x90\x00 not a pdf", "award.pdf"))
    assert response.status_code == 422 and "award.pdf:文件内容不是PDF、JPG、PNG格式" in response.get_data(as_text=True)
    response = _attach(client, app_id, "获奖证书", (image_bytes(), "award.jpg"))
    assert response.status_code == 303
    assert models.Attachment.select().where(models.Attachment.application == app_id).count() == 1


def test_blind_review_needs_twin_and_refuses_leaks(client, auth):
    person = demo_person("李四")
    # 李四 is 文物博物 副高级: 转系列 to 工程技术 电力 副高级 is the same level, and blind-review scope.
    app_id = _to_step5(client, auth, "李四", SOCIAL_HIGH, specialty="电力", level="副高级", title="高级工程师",
                       practice_specialty="电力", cur_series="文物博物", cur_specialty="文博", cur_level="副高级",
                       cur_name="副研究馆员", phone=person.phone)
    original = (person_pdf(person), "业绩材料.pdf")
    response = _attach(client, app_id, "业绩成果材料", original)
    assert response.status_code == 422 and "一一对应上传脱敏申报材料" in response.get_data(as_text=True)
    response = _attach(client, app_id, "业绩成果材料", original, (person_pdf(person), "业绩材料-脱敏.pdf"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "脱敏申报材料「业绩材料-脱敏.pdf」中仍含有:姓名、身份证号、手机号、单位名称" in body
    response = _attach(client, app_id, "业绩成果材料", original, (person_pdf(person, blind=True), "业绩材料-脱敏.pdf"))
    assert response.status_code == 303
    rows = list(models.Attachment.select().where(models.Attachment.application == app_id))
    assert len(rows) == 2 and rows[1].twin_id == rows[0].id and rows[1].desensitized
    assert post_step(client, app_id, 5).status_code == 303


def test_another_persons_record_is_404(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    auth.logout()
    login(auth, "李四")
    for path in (f"/declare/{app_id}/step/1", f"/declare/{app_id}", f"/declare/{app_id}/progress",
                 f"/declare/{app_id}/forms/review.pdf", f"/declare/{app_id}/photo"):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/declare/")
    assert client.post(f"/declare/{app_id}/delete", data={"csrf_token": token}).status_code == 404
    assert client.post(f"/declare/{app_id}/step/1", data={"csrf_token": token}).status_code == 404


def test_entry_gate_blocks_the_declaration_system(client, auth):
    login(auth, "赵六")
    page = client.get("/declare/plans").get_data(as_text=True)
    assert "暂时不能进入职称申报系统" in page and "学习经历" in page
    token = csrf_token(client, "/declare/")
    plan = plan_named(SOCIAL_MIDDLE)
    client.post(f"/declare/plans/{plan.id}/start", data={"csrf_token": token})
    assert models.Application.select().count() == 0


def test_plan_filters_and_deadline(client, auth):
    login(auth)
    page = client.get("/declare/plans?plan_type=农牧民", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in page and "农牧民职称申报计划" in page and "社会化中级" not in page
    page = client.get("/declare/plans?series=高等学校教师").get_data(as_text=True)
    assert "高校教师职称申报计划" in page and "农牧民职称申报计划" not in page
    closed = models.Plan.get(models.Plan.year == 2025)
    page = client.get(f"/declare/plans/{closed.id}").get_data(as_text=True)
    assert "申报结束时间" in page and "已超过申报结束时间" in page and 'action="/declare/plans/' not in page
    token = csrf_token(client, "/declare/")
    response = client.post(f"/declare/plans/{closed.id}/start", data={"csrf_token": token})
    assert response.status_code == 303 and models.Application.select().count() == 0


def test_deadline_enforced_on_submit(client, auth):
    login(auth)
    plan = plan_named(SOCIAL_MIDDLE)
    app_id = start(client, plan)
    fill_to_step6(client, app_id)
    download_both(client, app_id)
    models.Plan.update(ends_at=models.now().replace(year=2020)).where(models.Plan.id == plan.id).execute()
    response = submit(client, app_id)
    assert response.status_code == 422 and "已超过申报结束时间" in response.get_data(as_text=True)
    assert models.Application.get_by_id(app_id).status == models.STATUS_DRAFT


def test_missing_supervisor_role_refuses_with_contact(client, auth):
    person = login(auth)
    models.Org.update(is_supervisor=False).where(models.Org.id == person.org.supervisor_id).execute()
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    page = client.get(f"/declare/{app_id}/step/6").get_data(as_text=True)
    assert "主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色" in page
    download_both(client, app_id)
    response = submit(client, app_id)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色" in body and "联系" in body
    assert models.Application.get_by_id(app_id).status == models.STATUS_DRAFT
    assert models.RouteStep.select().count() == 0


def test_offline_plan_type_submits_without_route(client, auth):
    login(auth)
    app_id = start(client, plan_named("农牧民职称申报计划"))
    fill_to_step6(client, app_id, series="农业技术", specialty="农艺", level="中级", title="农艺师",
                  practice_specialty="农艺", cur_series="", cur_specialty="", cur_level="", cur_name="",
                  cur_obtained="")
    download_both(client, app_id)
    assert submit(client, app_id).status_code == 303
    record = models.Application.get_by_id(app_id)
    assert record.status == "已提交(线下审核)" and record.route_index is None
    assert record.route_steps.count() == 0 and record.form_files.count() == 2


def test_delete_only_never_submitted_drafts(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    token = csrf_token(client, "/declare/")
    assert client.post(f"/declare/{app_id}/delete", data={"csrf_token": token}).status_code == 303
    assert models.Application.get_or_none(models.Application.id == app_id) is None
    assert models.AuditEvent.get(models.AuditEvent.action == "删除申报记录").detail["application_id"] == app_id
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    download_both(client, app_id)
    submit(client, app_id)
    client.post(f"/declare/{app_id}/delete", data={"csrf_token": token})
    assert models.Application.get_by_id(app_id).status == "工作单位审核中"
    assert client.post(f"/declare/{app_id}/cancel", data={"csrf_token": token}).status_code == 404


def _returned_record(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    download_both(client, app_id)
    submit(client, app_id)
    record = models.Application.get_by_id(app_id)
    models.Application.update(status=models.status_returned("工作单位", "审核不通过"), route_index=None).where(
        models.Application.id == app_id).execute()
    return record


def test_redeclare_copies_everything_and_locks_series(client, auth):
    old = _returned_record(client, auth)
    listing = client.get("/declare/").get_data(as_text=True)
    assert "重新申报" in listing
    token = csrf_token(client, "/declare/")
    response = client.post(f"/declare/{old.id}/redeclare", data={"csrf_token": token})
    assert response.status_code == 303
    new = models.Application.select().where(models.Application.previous == old.id).get()
    old = models.Application.get_by_id(old.id)
    assert old.status == models.STATUS_REDECLARED and old.live is None
    assert new.status == models.STATUS_DRAFT and new.live == 1
    assert (new.series, new.specialty, new.level, new.title_name) == ("工程技术", "建设工程", "中级", "工程师")
    assert new.photo_id == old.photo_id and new.snapshot["info"]["school"] == "内蒙古大学"
    assert response.headers["Location"].endswith(f"/declare/{new.id}/step/3")
    response = post_step(client, new.id, 3, info_data(specialty="电力", practice_specialty="电力"))
    assert response.status_code == 422 and "一旦提交不可修改,审核不通过后也不能修改" in response.get_data(as_text=True)
    assert post_step(client, new.id, 3, info_data(school="内蒙古工业大学")).status_code == 303
    # The old record is read-only history: no second 重新申报, no wizard.
    assert client.get(f"/declare/{old.id}/step/3").status_code == 303
    client.post(f"/declare/{old.id}/redeclare", data={"csrf_token": token})
    assert models.Application.select().where(models.Application.previous == old.id).count() == 1


def test_publicity_report_until_unit_or_supervisor_approves(client, auth):
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    download_both(client, app_id)
    submit(client, app_id)
    token = csrf_token(client, f"/declare/{app_id}/publicity")
    import io
    response = client.post(f"/declare/{app_id}/publicity", data={
        "csrf_token": token, "file": (io.BytesIO(image_bytes()), "公示报告.jpg")}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert models.Attachment.get(models.Attachment.application == app_id).category == "公示书面报告"
    models.Application.update(status="旗县人社局审核中").where(models.Application.id == app_id).execute()
    assert client.get(f"/declare/{app_id}/publicity").status_code == 404


def test_excel_upload_with_protected_change_is_refused_naming_the_cell(client, auth):
    import io

    import openpyxl
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    body = client.get(f"/declare/{app_id}/forms/submission.xlsx").data
    book = openpyxl.load_workbook(io.BytesIO(body))
    sheet = book.worksheets[0]
    locked = next(c for row in sheet.iter_rows() for c in row
                  if c.value and c.protection.locked is not False and isinstance(c.value, str))
    locked.value = "篡改"
    out = io.BytesIO()
    book.save(out)
    token = csrf_token(client, f"/declare/{app_id}/step/6")
    response = client.post(f"/declare/{app_id}/forms/upload", data={
        "csrf_token": token, "form": "submission", "file": (io.BytesIO(out.getvalue()), "送审表.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 422 and f"单元格 {locked.coordinate}" in response.get_data(as_text=True)


def test_excel_upload_edits_regenerate_pdf(client, auth):
    import io

    import openpyxl
    login(auth)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    fill_to_step6(client, app_id)
    download_both(client, app_id)
    body = client.get(f"/declare/{app_id}/forms/review.xlsx").data
    book = openpyxl.load_workbook(io.BytesIO(body))
    name = book.defined_names.get("field_achievements_text")
    sheet_name, ref = next(iter(name.destinations))
    book[sheet_name][ref.replace("$", "")].value = "从Excel补充的业绩内容"
    out = io.BytesIO()
    book.save(out)
    token = csrf_token(client, f"/declare/{app_id}/step/6")
    response = client.post(f"/declare/{app_id}/forms/upload", data={
        "csrf_token": token, "form": "review", "file": (io.BytesIO(out.getvalue()), "评审表.xlsx")},
        content_type="multipart/form-data")
    assert response.status_code == 303
    record = models.Application.get_by_id(app_id)
    assert record.snapshot["edits"]["achievements_text"] == "从Excel补充的业绩内容"
    assert record.snapshot["downloaded"] == []


def test_unit_without_supervisor_nature_skips_it(client, auth):
    org = make_org(nature="非公有制无主管单位")
    person = make_person(org)
    for kind in ("学习经历", "工作经历"):
        models.ArchiveItem.create(person=person, kind=kind, status=models.ITEM_APPROVED, data={"开始时间": "2010-09"})
    auth.person(person.id_number)
    app_id = start(client, plan_named(SOCIAL_MIDDLE))
    post_step(client, app_id, 1, files={"photo": (image_bytes(), "p.jpg")})
    post_step(client, app_id, 2, {"agree": "y"})
    assert post_step(client, app_id, 3, info_data(phone=person.phone)).status_code == 303
    page = client.get(f"/declare/{app_id}/step/6")
    assert page.status_code in (200, 302)
