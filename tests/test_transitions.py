"""Every (status, action, role) of the review workflow: allowed and applied, or refused with nothing changed."""
import pytest

import models
import workflow
from tests.test_review_factory import account_of, make_submitted, reload

ROUTE = ["工作单位", "主管单位", "旗县人社局", "盟市人社局", "评委会"]
GOOD = {"expected": 9, "present": 8, "agree": 6, "against": 1, "abstain": 1}
BAD = {"expected": 9, "present": 8, "agree": 4, "against": 3, "abstain": 1}


def _points():
    points = []
    for role in ROUTE:
        points.append(models.status_reviewing(role))
        if role != "评委会":
            points.append(models.status_to_seal(role))
    return points + ["审核通过", "工作单位审核不通过", "主管单位签章前退回", "旗县人社局强制驳回"]


POINTS = _points()


def bring_to(record, point):
    """Walk the record along its route with real transitions until its status is `point`."""
    if point.endswith(("审核不通过", "签章前退回", "强制驳回")):
        role = next(r for r in ROUTE if point.startswith(r))
        action = point[len(role):]
        if action == "强制驳回":
            record = bring_to(record, models.status_reviewing(ROUTE[ROUTE.index(role) + 1]))
        elif action == "签章前退回":
            record = bring_to(record, models.status_to_seal(role))
        else:
            record = bring_to(record, models.status_reviewing(role))
        return workflow.advance(record, action, account_of(role, record), role, reason="流程有误")
    while record.status != point:
        step = record.current_step()
        account = account_of(step.role, record)
        if step.role == "评委会":
            record = workflow.advance(record, "审核通过", account, step.role, tally=GOOD)
        elif record.status == models.status_reviewing(step.role):
            record = workflow.advance(record, "审核通过", account, step.role, reason="同意申请")
        else:
            record = workflow.advance(record, "签章", account, step.role)
    return record


def expected(point, action, role):
    """The SPEC §4 table: the new status when `role` may apply `action` at `point`, else None."""
    index = ROUTE.index(role)
    if point == models.status_reviewing(role):
        if action == "审核通过":
            return "审核通过" if role == "评委会" else models.status_to_seal(role)
        if action == "审核不通过":
            return f"{role}审核不通过"
    if point == models.status_to_seal(role) and role != "评委会":
        if action == "签章":
            return models.status_reviewing(ROUTE[index + 1])
        if action == "签章前退回":
            return f"{role}签章前退回"
    if action == "强制驳回" and index + 1 < len(ROUTE) and point == models.status_reviewing(ROUTE[index + 1]):
        return f"{role}强制驳回"
    return None


@pytest.mark.parametrize("role", ROUTE)
@pytest.mark.parametrize("action", workflow.ACTIONS)
@pytest.mark.parametrize("point", POINTS)
def test_transition_table(app, point, action, role):
    with app.app_context():
        record = bring_to(make_submitted(), point)
        assert record.status == point
        account = account_of(role, record)
        outcome = expected(point, action, role)
        tally = GOOD if action == "审核通过" else BAD
        assert (action in workflow.actions_for(record, role, account)) == (outcome is not None)
        events = models.AuditEvent.select().count()
        if outcome is None:
            with pytest.raises(workflow.TransitionError):
                workflow.advance(record, action, account, role, reason="原因", tally=tally)
            assert reload(record).status == point
            assert reload(record).version == record.version
            assert models.AuditEvent.select().count() == events
        else:
            after = workflow.advance(record, action, account, role, reason="原因", tally=tally)
            assert after.status == outcome == reload(record).status
            event = models.AuditEvent.select().order_by(models.AuditEvent.id.desc()).first()
            assert (event.action, event.role, event.from_status, event.to_status) == (action, role, point, outcome)
            assert event.unit_name == account.unit_name()


@pytest.mark.parametrize("action", ["审核不通过", "签章前退回", "强制驳回"])
def test_returns_need_a_reason(app, action):
    with app.app_context():
        point = {"审核不通过": "工作单位审核中", "签章前退回": "工作单位待签章", "强制驳回": "主管单位审核中"}[action]
        record = bring_to(make_submitted(), point)
        with pytest.raises(workflow.TransitionError, match="请填写"):
            workflow.advance(record, action, account_of("工作单位", record), "工作单位", reason="  ")
        assert reload(record).status == point


def test_another_unit_of_the_same_role_may_not_act(app):
    from tests.conftest import make_org
    with app.app_context():
        record = make_submitted()
        stranger = models.Account.get(models.Account.org == make_org())
        assert workflow.actions_for(record, "工作单位", stranger) == []
        with pytest.raises(workflow.TransitionError):
            workflow.advance(record, "审核通过", stranger, "工作单位")


def test_seal_stores_new_versions_with_their_hashes(app):
    import hashlib

    import storage
    with app.app_context():
        record = bring_to(make_submitted(), "工作单位待签章")
        after = workflow.advance(record, "签章", account_of("工作单位", record), "工作单位")
        assert after.status == "主管单位审核中"
        forms = workflow.current_forms(after)
        assert {f.version for f in forms.values()} == {2}
        assert {f.sealed_by for f in forms.values()} == {"工作单位"}
        event = models.AuditEvent.get((models.AuditEvent.application == record) & (models.AuditEvent.action == "签章"))
        for form, row in forms.items():
            assert event.detail["sha256"][form] == hashlib.sha256(storage.read(row.file)).hexdigest()
        # Nothing was set up in 印章管理: outside the strict scope it seals and records what was missing.
        assert "公章或职称专用章" in event.detail["missing"]


@pytest.mark.parametrize("series,specialty,level,strict", [
    ("工程技术", "电力", "副高级", True), ("工程技术", "大数据", "正高级", True),
    ("工程技术", "建设工程", "副高级", False), ("工程技术", "电力", "中级", False),
    ("经济", "金融", "正高级", True), ("经济", "金融", "副高级", False),
    ("工艺美术", "工艺美术", "副高级", True), ("技工院校教师", "理论课教师", "正高级", True),
])
def test_strict_scope(app, series, specialty, level, strict):
    record = models.Application(series=series, specialty=specialty, level=level)
    assert workflow.strict_seal_scope(record) is strict


def test_strict_scope_refuses_to_seal_and_lists_the_missing_pieces(app):
    with app.app_context():
        record = bring_to(make_submitted(specialty="电力", level="副高级"), "工作单位待签章")
        with pytest.raises(workflow.TransitionError) as error:
            workflow.advance(record, "签章", account_of("工作单位", record), "工作单位")
        for piece in ("公章或职称专用章", "审核人签字", "负责人签字", "审核意见", "公示情况"):
            assert piece in str(error.value)
        assert reload(record).status == "工作单位待签章"
        assert {f.version for f in workflow.current_forms(record).values()} == {1}


@pytest.mark.parametrize("tally,result,message", [
    ({"expected": 9, "present": 5, "agree": 5, "against": 0, "abstain": 0}, "审核通过", "2/3"),
    ({"expected": 9, "present": 9, "agree": 5, "against": 4, "abstain": 0}, "审核通过", "2/3"),
    ({"expected": 9, "present": 9, "agree": 9, "against": 0, "abstain": 0}, "审核不通过", "达到通过条件"),
    ({"expected": 9, "present": 9, "agree": 5, "against": 1, "abstain": 0}, "审核通过", "之和"),
    ({"expected": 9, "present": 10, "agree": 10, "against": 0, "abstain": 0}, "审核通过", "多于"),
    ({"expected": "", "present": 1, "agree": 1, "against": 0, "abstain": 0}, "审核通过", "整数"),
])
def test_committee_tally_must_match_the_result(app, tally, result, message):
    with app.app_context():
        record = bring_to(make_submitted(), "评委会审核中")
        with pytest.raises(workflow.TransitionError, match=message):
            workflow.advance(record, result, account_of("评委会", record), "评委会", reason="意见", tally=tally)
        assert reload(record).status == "评委会审核中"


def test_committee_tally_prints_in_the_review_form(app, tmp_path):
    import subprocess

    import storage
    with app.app_context():
        record = bring_to(make_submitted(), "审核通过")
        forms = workflow.current_forms(record)
        assert forms["评审表"].sealed_by == "评委会"
        path = tmp_path / "review.pdf"
        path.write_bytes(storage.read(forms["评审表"].file))
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        # The tally is an image overlay; the event keeps the numbers.
        event = models.AuditEvent.get((models.AuditEvent.application == record)
                                      & (models.AuditEvent.role == "评委会"))
        assert event.detail["tally"] == GOOD and event.detail["result"] == "审核通过"
        assert "评审委员会主任委员" in text
