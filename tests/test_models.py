"""Model constraints and the seeded reference data."""
import pytest
from peewee import IntegrityError

import models
from models import (
    Account, Agency, Application, AuditEvent, Committee, ImmutableError, Org, Person, Plan, Region, Seal, TitleName,
    TitleSeries, credit_code_error, db, id_number_error,
)
from tests.conftest import demo_org, demo_person, make_org, make_person


def test_all_121_regions_with_a_bureau_for_every_city_and_county(app):
    assert Region.select().count() == 121
    assert Region.select().where(Region.level == "盟市").count() == 12
    for region in Region.select().where(Region.level.in_(("盟市", "旗县市区"))):
        assert Agency.select().where((Agency.region == region) & (Agency.kind == "人社局")).count() == 1, region.name
    assert Agency.get(Agency.name == "托克托县人社局").level == "旗县"
    assert Agency.get(Agency.name == "呼和浩特市人社局").level == "盟市"
    # Cities that receive the region's documents directly review at 盟市 level.
    assert Agency.get(Agency.name == "满洲里市人社局").level == "盟市"
    assert Agency.get(Agency.kind == "人社厅").level == "自治区"
    assert Agency.select().where(Agency.kind == "教育局").count() >= 2


def test_title_catalog(app):
    engineering = TitleSeries.get(TitleSeries.name == "工程技术")
    names = {t.level: t.name for t in TitleName.select().where(TitleName.series == engineering)}
    assert names == {"正高级": "正高级工程师", "副高级": "高级工程师", "中级": "工程师", "初级": "助理工程师",
                     "员级": "技术员"}
    assert {s.name for s in engineering.specialties} >= {"建设工程", "电力", "大数据"}
    research = TitleSeries.get(TitleSeries.name == "社会科学研究")
    assert TitleName.get(TitleName.series == research, TitleName.level == "初级").name == "研究实习员"


def test_every_seeded_code_passes_its_check_digit(app):
    for person in Person.select():
        assert id_number_error(person.id_number) is None, person.id_number
    for org in Org.select():
        assert credit_code_error(org.credit_code) is None, org.credit_code
        if org.title_reviewer_id:
            assert id_number_error(org.title_reviewer_id) is None
    for agency in Agency.select().where(Agency.credit_code.is_null(False)):
        assert credit_code_error(agency.credit_code) is None


def test_demo_orgs_cover_the_route_shapes(app):
    with_supervisor = demo_org("托克托县建设工程有限公司")
    assert with_supervisor.supervisor.is_supervisor and with_supervisor.hr_agency.level == "旗县"
    assert demo_org("内蒙职称申报有限公司").supervisor is None
    assert demo_org("呼和浩特博物院").hr_agency.level == "盟市"
    assert Org.select().where(Org.is_talent_center == True).count() == 1  # noqa: E712


def test_demo_plans_named_as_in_the_guide(app):
    names = [p.name for p in Plan.select()]
    assert "2025年内蒙古自治区社会化中级、初级职称申报计划(试运行)" in names
    assert any(n.endswith("年内蒙古自治区社会化正高级、副高级职称申报计划(除会计、卫生,经济副高级等考评结合系列外)(试运行)")
               for n in names)
    assert {p.plan_type for p in Plan.select()} == set(models.PLAN_TYPES)
    assert Committee.select().count() >= 5


def test_id_number_and_credit_code_are_unique(app):
    person = demo_person()
    with pytest.raises(IntegrityError), db.atomic():
        Person.create(id_number=person.id_number, name="重复", gender="男", birth_date=person.birth_date,
                      phone="13900000000")
    org = demo_org()
    with pytest.raises(IntegrityError), db.atomic():
        Org.create(credit_code=org.credit_code, name="重复单位", region="150122")
    with pytest.raises(IntegrityError), db.atomic():
        Account.create(login=person.id_number, kind="个人", password_hash="x")


def _application(person, plan, level, **fields):
    return Application.create(person=person, plan=plan, level=level, level_group=models.LEVEL_GROUP[level],
                              year=plan.year, series="工程技术", **fields)


def test_one_live_application_per_person_level_group_and_year(app):
    person = make_person()
    plan = Plan.select().where(Plan.plan_type == "社会化").first()
    other_plan = Plan.select().where(Plan.plan_type == "认定").first()
    first = _application(person, plan, "正高级")
    # 副高级 is the same level group as 正高级, and another plan type does not help.
    with pytest.raises(IntegrityError), db.atomic():
        _application(person, other_plan, "副高级")
    # Another level group is fine.
    _application(person, plan, "中级")
    # Once the first record is superseded (live = NULL) a new one may be made, and old ones never collide.
    Application.update(live=None).where(Application.id == first.id).execute()
    second = _application(person, other_plan, "副高级")
    Application.update(live=None).where(Application.id == second.id).execute()
    _application(person, plan, "正高级")
    assert Application.select().where((Application.person == person) & (Application.level_group == "高级")).count() == 3


def test_seals_are_never_deleted(app):
    org = make_org()
    seal = Seal.create(org=org, role="工作单位", kind="审核意见", text="同意申报")
    with pytest.raises(ImmutableError):
        seal.delete_instance()
    with pytest.raises(ImmutableError):
        Seal.delete()
    # Even raw SQL is refused by the database.
    with pytest.raises(Exception), db.atomic():
        db.execute_sql("DELETE FROM seal")
    assert Seal.select().count() == 1
    Seal.update(active=False).where(Seal.id == seal.id).execute()
    assert Seal.get_by_id(seal.id).active is False


def test_audit_events_are_append_only(app):
    event = AuditEvent.create(action="注册", role="个人")
    event.reason = "changed"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete_instance()
    with pytest.raises(Exception), db.atomic():
        db.execute_sql("UPDATE audit_event SET reason = 'x'")
    assert AuditEvent.get_by_id(event.id).reason == ""
