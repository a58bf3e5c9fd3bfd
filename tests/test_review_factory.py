"""A submitted declaration built directly in the DB (route + forms), for the review tests of issue 6.

Submission itself belongs to the declaration wizard; these tests need records at every point of the route
without walking through it, so they build them here the way submission leaves them.
"""
import functools

import models
import pdfgen
import storage
import workflow
from tests.conftest import demo_org, demo_person

TITLES = {"正高级": "正高级工程师", "副高级": "高级工程师", "中级": "工程师", "初级": "助理工程师"}


@functools.lru_cache(maxsize=4)
def form_pdfs(name="张三"):
    """(评审表, 送审表) PDF bytes of a small record; generated once per test session."""
    record = pdfgen.sample_record(n_items=6)
    record.update(name=name, record_id=1, version=1)
    return pdfgen.review_form(record), pdfgen.submission_form(record)


def committee_for(series, specialty, level, region="150100"):
    """The committee whose scope holds the declaration (its own region first, then the 自治区)."""
    scopes = (models.CommitteeScope.select().join(models.Committee)
              .where((models.CommitteeScope.series == series) & (models.CommitteeScope.level == level)
                     & (models.CommitteeScope.specialty.in_(("", specialty)))))
    found = sorted({s.committee for s in scopes}, key=lambda c: c.region_id != region)
    return found[0]


def make_submitted(person=None, org=None, series="工程技术", specialty="建设工程", level="中级", forms=True,
                   plan=None):
    """A record as submission leaves it: route steps 0..n-1 waiting, status 「工作单位审核中」, forms v1."""
    person = person or demo_person()
    org = org or person.org
    plan = plan or (models.Plan.select().join(models.PlanScope)
                    .where((models.PlanScope.series == series) & (models.PlanScope.level == level)
                           & (models.Plan.plan_type == "社会化") & (models.Plan.is_open == True))  # noqa: E712
                    .first())
    at = models.now()
    application = models.Application.create(
        person=person, plan=plan, org=org, series=series, specialty=specialty, level=level,
        title_name=TITLES.get(level, ""), level_group=models.LEVEL_GROUP[level], year=plan.year,
        status=models.status_reviewing(models.ROLE_UNIT), route_index=0, submitted_at=at, wizard_step=6,
        snapshot={"name": person.name, "id_number": person.id_number, "unit_name": org.name})
    chain = workflow.unit_chain(org)
    committee = committee_for(series, specialty, level)
    for seq, (role, unit) in enumerate(chain + [(models.ROLE_COMMITTEE, committee)]):
        field = {models.ROLE_UNIT: "org", models.ROLE_SUPERVISOR: "org", models.ROLE_COMMITTEE: "committee"}.get(
            role, "agency")
        models.RouteStep.create(application=application, seq=seq, role=role, unit_name=unit.name, **{field: unit})
    models.AuditEvent.create(application=application, account=models.Account.get(models.Account.person == person),
                             role=models.ROLE_PERSON, unit_name=org.name, action="提交",
                             from_status=models.STATUS_DRAFT, to_status=application.status)
    if forms:
        for form, data in zip(("评审表", "送审表"), form_pdfs()):
            stored = storage.save_bytes(data, f"{form}.pdf", "pdf")
            models.FormFile.create(application=application, form=form, fmt="pdf", version=1, file=stored)
    return application


def account_of(role, application):
    """The login account of the unit at `role` on the record's route."""
    step = models.RouteStep.get((models.RouteStep.application == application) & (models.RouteStep.role == role))
    if step.org_id:
        return models.Account.get(models.Account.org == step.org_id)
    if step.agency_id:
        return models.Account.get(models.Account.agency == step.agency_id)
    return models.Account.get(models.Account.committee == step.committee_id)


def reload(application):
    return models.Application.get_by_id(application.id)


def test_factory_builds_the_demo_route(app):
    with app.app_context():
        record = make_submitted()
        roles = [s.role for s in workflow.steps_of(record)]
        assert roles == ["工作单位", "主管单位", "旗县人社局", "盟市人社局", "评委会"]
        assert [s.unit_name for s in workflow.steps_of(record)][-1] == "呼和浩特市工程技术系列中初级职称评审委员会"
        assert record.status == "工作单位审核中"
        assert set(workflow.current_forms(record)) == {"评审表", "送审表"}
        assert demo_org().name == "托克托县建设工程有限公司"
