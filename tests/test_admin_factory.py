"""Submitted declarations built directly in the DB for the statistics, 编码核验 and admin tests.

Submission belongs to the declaration wizard (another issue); these tests need records at given points
of the route, with given submission times, so they are built here the way submission leaves them.
"""
from datetime import timedelta

import models
import pdfgen
import storage
import workflow
from tests.conftest import make_org, make_person

TITLES = {"正高级": "正高级工程师", "副高级": "高级工程师", "中级": "工程师", "初级": "助理工程师", "员级": "技术员"}


def social_plan(level="中级"):
    """The open 自治区 社会化 plan that accepts 工程技术 at `level`."""
    return (models.Plan.select().join(models.PlanScope)
            .where((models.PlanScope.series == "工程技术") & (models.PlanScope.level == level)
                   & (models.Plan.plan_type == "社会化") & (models.Plan.is_open == True))  # noqa: E712
            .first())


def make_application(person=None, org=None, level="中级", series="工程技术", waiting_at=0, sealed=0,
                     submitted_days_ago=0, waited_days=0, plan=None, forms=False):
    """A submitted record: route steps from the unit chain, `sealed` steps done, waiting at step `waiting_at`.

    With `forms`, stores v1 of both forms and one sealed version per sealed step, as workflow does.
    """
    org = org or make_org()
    person = person or make_person(org)
    plan = plan or social_plan(level)
    at = models.now()
    submitted = at - timedelta(days=submitted_days_ago)
    chain = workflow.unit_chain(org)
    role = chain[waiting_at][0]
    application = models.Application.create(
        person=person, plan=plan, org=org, series=series, specialty="建设工程", level=level,
        title_name=TITLES[level], level_group=models.LEVEL_GROUP[level], year=plan.year,
        status=models.status_reviewing(role), route_index=waiting_at, submitted_at=submitted,
        updated_at=at - timedelta(days=waited_days), wizard_step=6)
    for seq, (step_role, unit) in enumerate(chain):
        field = "org" if step_role in (models.ROLE_UNIT, models.ROLE_SUPERVISOR) else "agency"
        models.RouteStep.create(application=application, seq=seq, role=step_role, unit_name=unit.name,
                                state=models.STEP_SEALED if seq < sealed else models.STEP_WAITING, **{field: unit})
    if forms:
        secret = "test-secret"
        for form, key, maker in (("评审表", "review", pdfgen.review_form), ("送审表", "submission",
                                                                          pdfgen.submission_form)):
            record = pdfgen.sample_record(n_items=2)
            record.update(name=person.name, record_id=application.id, version=1, secret=secret)
            record.pop("code", None)
            data = maker(record)
            for version in range(1, sealed + 2):
                content = data if version == 1 else data + f"\n% sealed by step {version - 2}\n".encode()
                stored = storage.save_bytes(content, f"{form}-v{version}.pdf", "pdf")
                models.FormFile.create(application=application, form=form, fmt="pdf", version=version, file=stored,
                                       sealed_by="" if version == 1 else chain[version - 2][0])
        application.code = pdfgen.form_code(application.id, "review", 1, secret)
        application.save()
    return application
