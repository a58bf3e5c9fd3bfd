"""The review consoles over HTTP: queues, row actions via htmx, scoping (404), export, history, lookup."""
import io
import json
import re

import pytest
from openpyxl import load_workbook

import models
import seed
from tests.conftest import csrf_token, demo_person, make_org, make_person
from tests.test_review_factory import make_submitted, reload

UNIT = "托克托县建设工程有限公司"
SUPERVISOR = "托克托县住房和城乡建设局"


def login_as(auth, role, record=None):
    """Log in as the unit of `role` on the demo route (张三's)."""
    if role == "工作单位":
        auth.unit(models.Org.get(models.Org.name == UNIT).credit_code)
    elif role == "主管单位":
        auth.unit(models.Org.get(models.Org.name == SUPERVISOR).credit_code)
        auth.pick_role("主管单位")
    elif role == "旗县人社局":
        auth.staff("rsj150122")
    elif role == "盟市人社局":
        auth.staff("rsj150100")
        auth.pick_role("盟市人社局")
    elif role == "评委会":
        auth.staff("pwh2")
    elif role == "个人":
        auth.person(demo_person().id_number)


def act(client, record, action, data=None, htmx=True):
    token = csrf_token(client, f"/review/{record.id}/act/{action}")
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/review/{record.id}/act/{action}", data={"csrf_token": token, **(data or {})},
                       headers=headers)


@pytest.fixture
def record(app):
    with app.app_context():
        return make_submitted()


def test_unit_console_lists_counts_and_actions(client, auth, record):
    login_as(auth, "工作单位")
    page = client.get("/review/").get_data(as_text=True)
    assert "职称审核 · 工作单位" in page
    assert "工作单位审核中</span> <strong>1</strong>" in page
    assert "张三" in page and "150122********1236" in page and demo_person().id_number not in page
    assert ">审核</a>" in page and "签章前退回" not in page
    fragment = client.get("/review/?name=张三", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True) and "张三" in fragment.get_data(as_text=True)
    assert "暂无" in client.get("/review/?name=李四").get_data(as_text=True)
    assert "暂无" in client.get("/review/?level=正高级").get_data(as_text=True)
    assert "张三" in client.get("/review/?status=工作单位审核中&series=工程").get_data(as_text=True)


def test_approve_then_seal_via_htmx_rows(client, auth, record):
    login_as(auth, "工作单位")
    response = act(client, record, "审核通过", {"decision": "审核通过", "opinion": "同意推荐"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.startswith(f'<tr id="row-{record.id}"') and "工作单位待签章" in body and ">签章</a>" in body
    assert json.loads(response.headers["HX-Trigger"])["queueChanged"] is True
    counts = client.get("/review/counts", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "工作单位待签章</span> <strong>1</strong>" in counts and "<html" not in counts
    dialog = client.get(f"/review/{record.id}/act/签章", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "签章信息不完整" in dialog and "公章或职称专用章" in dialog and "确认签章" in dialog
    response = act(client, record, "签章")
    assert "主管单位审核中" in response.get_data(as_text=True)
    assert "强制驳回" in response.get_data(as_text=True)
    assert reload(record).status == "主管单位审核中"
    step = models.RouteStep.get((models.RouteStep.application == record) & (models.RouteStep.seq == 0))
    assert (step.state, step.opinion) == ("已签章", "同意推荐")


def test_without_javascript_the_action_redirects_with_a_message(client, auth, record):
    login_as(auth, "工作单位")
    assert "<dialog" not in client.get(f"/review/{record.id}/act/审核通过").get_data(as_text=True)
    response = act(client, record, "审核通过", {"decision": "审核不通过", "opinion": "学历材料不清晰"}, htmx=False)
    assert response.status_code == 303 and response.headers["Location"].endswith("/review/")
    assert "审核不通过成功" in client.get("/review/").get_data(as_text=True)
    assert reload(record).status == "工作单位审核不通过"


def test_missing_reason_is_422_in_the_dialog(client, auth, record):
    login_as(auth, "工作单位")
    act(client, record, "审核通过", {"decision": "审核通过"})
    response = act(client, record, "签章前退回", {"opinion": ""})
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#dialog-body"
    assert "请填写退回原因" in response.get_data(as_text=True)
    assert reload(record).status == "工作单位待签章"


def test_a_stale_action_tells_the_loser(client, auth, record):
    login_as(auth, "工作单位")
    act(client, record, "审核通过", {"decision": "审核通过"})
    response = act(client, record, "审核通过", {"decision": "审核通过"})
    assert response.status_code == 409
    assert "该申报记录当前不需要本单位处理" in response.get_data(as_text=True)


def test_committee_enters_the_tally(client, auth, app, record):
    from tests.test_transitions import bring_to
    with app.app_context():
        record = bring_to(record, "评委会审核中")
    login_as(auth, "评委会")
    assert "评委会审核中</span> <strong>1</strong>" in client.get("/review/").get_data(as_text=True)
    dialog = client.get(f"/review/{record.id}/act/审核通过").get_data(as_text=True)
    assert "应到人数" in dialog and "签章" not in dialog.split("<main")[1].split("</main>")[0].replace("签章前", "")
    tally = {"expected": "9", "present": "9", "agree": "5", "against": "4", "abstain": "0"}
    response = act(client, record, "审核通过", {"decision": "审核通过", **tally})
    assert response.status_code == 422 and "2/3" in response.get_data(as_text=True)
    tally["agree"], tally["against"] = "6", "3"
    assert act(client, record, "审核通过", {"decision": "审核通过", **tally}).status_code == 200
    assert reload(record).status == "审核通过"


@pytest.mark.parametrize("path", [
    "/review/{id}/progress", "/review/{id}/materials", "/review/{id}/attachments", "/review/{id}/act/审核通过",
    "/review/{id}/forms/{form}",
])
def test_another_units_record_is_404(client, auth, app, path):
    with app.app_context():
        other_org = make_org(nature="事业单位")
        other = make_submitted(person=make_person(org=other_org), org=other_org)
        form = models.FormFile.get(models.FormFile.application == other).id
    login_as(auth, "工作单位")
    url = path.format(id=other.id, form=form)
    assert client.get(url).status_code == 404
    assert client.get(url, headers={"HX-Request": "true"}).status_code == 404
    assert "测试人" not in client.get("/review/?scope=all").get_data(as_text=True)


def test_another_units_record_cannot_be_acted_on(client, auth, app):
    with app.app_context():
        other_org = make_org(nature="事业单位")
        other = make_submitted(person=make_person(org=other_org), org=other_org)
    login_as(auth, "工作单位")
    token = csrf_token(client, "/review/")
    response = client.post(f"/review/{other.id}/act/审核通过", data={"csrf_token": token, "decision": "审核通过"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert reload(other).status == "工作单位审核中"


def test_bureau_sees_the_record_only_once_on_its_route_and_the_pdf_is_the_sealed_one(client, auth, app, record):
    from tests.test_transitions import bring_to
    login_as(auth, "旗县人社局")
    assert "张三" in client.get("/review/?scope=all").get_data(as_text=True)
    assert "张三" not in client.get("/review/").get_data(as_text=True)  # not its turn yet
    with app.app_context():
        record = bring_to(record, "旗县人社局审核中")
    page = client.get("/review/").get_data(as_text=True)
    assert "张三" in page
    materials = client.get(f"/review/{record.id}/materials").get_data(as_text=True)
    assert "主管单位签章后" in materials
    latest = models.FormFile.select().where(models.FormFile.application == record).order_by(
        models.FormFile.version.desc()).first()
    pdf = client.get(f"/review/{record.id}/forms/{latest.id}")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-" and latest.version == 3


def test_export_and_history(client, auth, record):
    login_as(auth, "工作单位")
    act(client, record, "审核通过", {"decision": "审核通过", "opinion": "同意推荐"})
    response = client.get("/review/export?scope=all")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("姓名", "身份证号", "申报类型")
    assert rows[1][0] == "张三" and rows[1][-1] == "工作单位待签章"
    history = client.get("/review/history").get_data(as_text=True)
    assert "同意推荐" in history and "工作单位待签章" in history
    sheet = load_workbook(io.BytesIO(client.get("/review/history?format=xlsx").data)).active
    assert list(sheet.values)[1][5] == "审核通过"


def test_history_shows_only_this_units_actions(client, auth, record):
    login_as(auth, "旗县人社局")
    assert "本单位暂无审核记录" in client.get("/review/history").get_data(as_text=True)


def test_locate_tells_where_the_record_is(client, auth, app, record):
    from tests.test_transitions import bring_to
    with app.app_context():
        record = bring_to(record, "主管单位待签章")
    login_as(auth, "旗县人社局")
    page = client.get(f"/review/locate?id_number={demo_person().id_number}").get_data(as_text=True)
    assert "主管单位「托克托县住房和城乡建设局」已审核通过,尚未签章" in page
    assert "请联系托克托县住房和城乡建设局进行签章" in page
    bad = client.get("/review/locate?id_number=150122199001011235")
    assert bad.status_code == 422 and "校验位错误" in bad.get_data(as_text=True)


def test_locate_explains_a_wrong_route_and_hides_unrelated_records(client, auth, app):
    with app.app_context():
        hohhot = models.Agency.get(models.Agency.name == "呼和浩特市人社局")
        org = make_org(nature="事业单位", region="150122")
        person = make_person(org=org)
        record = make_submitted(person=person, org=org)  # route: unit → 托克托县人社局 → 呼和浩特市人社局
        # The unit has since corrected its HR department; the record still travels the old route.
        models.Org.update(supervisor=models.Org.get(models.Org.name == SUPERVISOR)).where(
            models.Org.id == org.id).execute()
    login_as(auth, "主管单位")
    page = client.get(f"/review/locate?id_number={person.id_number}").get_data(as_text=True)
    assert "本单位不在该记录的审核流程中" in page and "强制驳回" in page
    other = make_person(org=make_org())
    page = client.get(f"/review/locate?id_number={other.id_number}").get_data(as_text=True)
    assert "未找到与本单位相关的申报记录" in page
    assert hohhot.name and record.id


def test_applicant_sees_progress_and_the_return(client, auth, app, record):
    from tests.test_transitions import bring_to
    with app.app_context():
        record = bring_to(record, "主管单位签章前退回")
    login_as(auth, "个人")
    page = client.get(f"/review/{record.id}/progress").get_data(as_text=True)
    assert "主管单位「托克托县住房和城乡建设局」" in page and "签章前退回" in page and "流程有误" in page
    assert page.count('class="tl-') >= 5
    assert client.get(f"/review/{record.id}/materials").status_code == 200
    with app.app_context():
        stranger = make_submitted(person=make_person())
    assert client.get(f"/review/{stranger.id}/progress").status_code == 404
    assert client.get("/review/").status_code == 404
