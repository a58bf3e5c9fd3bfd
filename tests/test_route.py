"""workflow.route_for / submit / redeclare: every route shape of SPEC §4 and each refusal."""
import pytest

import models
import workflow
from blueprints.declare import talent_snapshot
from tests.conftest import demo_org, make_org, make_person
from tests.declare_helpers import SOCIAL_HIGH, SOCIAL_MIDDLE, plan_named


@pytest.fixture
def ctx(app):
    """An application context: submission reads the form secret from the app config."""
    with app.app_context():
        yield app


def record(org, plan=SOCIAL_MIDDLE, series="工程技术", specialty="建设工程", level="中级", **fields):
    person = make_person(org)
    return models.Application.create(
        person=person, plan=plan_named(plan), org=org, series=series, specialty=specialty, level=level,
        title_name="工程师", level_group=models.LEVEL_GROUP[level], year=models.now().year,
        snapshot=talent_snapshot(person), **fields)


def city_org(**fields):
    org = make_org(region="150102", **fields)
    models.Org.update(hr_agency=agency("呼和浩特市人社局")).where(models.Org.id == org.id).execute()
    return models.Org.get_by_id(org.id)


def shape(stops):
    return [(s.role, s.unit_name) for s in stops]


def agency(name):
    return models.Agency.get(models.Agency.name == name)


def test_full_route_with_supervisor_and_county_bureau(app):
    stops = workflow.route_for(record(demo_org()))
    assert shape(stops) == [("工作单位", "托克托县建设工程有限公司"), ("主管单位", "托克托县住房和城乡建设局"),
                            ("旗县人社局", "托克托县人社局"), ("盟市人社局", "呼和浩特市人社局"),
                            ("评委会", "呼和浩特市工程技术系列中初级职称评审委员会")]


def test_no_supervisor_and_city_level_hr(app):
    org = city_org(nature="非公有制无主管单位")
    assert [s.role for s in workflow.route_for(record(org))] == ["工作单位", "盟市人社局", "评委会"]


def test_supervisor_ignored_when_nature_does_not_allow_one(app):
    org = make_org(nature="社会团体", supervisor=demo_org("托克托县住房和城乡建设局"))
    assert [s.role for s in workflow.route_for(record(org))] == ["工作单位", "旗县人社局", "盟市人社局", "评委会"]


def test_education_bureau_replaces_city_hr_for_its_series_when_granted(app):
    org = city_org(nature="事业单位")
    stops = workflow.route_for(record(org, series="中小学教师", specialty="中学", level="中级"))
    assert shape(stops)[1] == ("盟市人社局", "呼和浩特市教育局")
    assert stops[1].agency.kind == "教育局"
    # Other series stay with the 人社局.
    assert shape(workflow.route_for(record(org)))[1] == ("盟市人社局", "呼和浩特市人社局")


def test_education_bureau_without_permission_refuses_by_name(app):
    org = make_org(nature="事业单位", region="150122")
    with pytest.raises(workflow.RouteError) as error:
        workflow.route_for(record(org, series="中小学教师", specialty="中学", level="中级"))
    assert error.value.message == "托克托县教育局没有权限"
    assert "联系工作单位人才信息库的管理员" in str(error.value) and "配置" in error.value.contact


def test_green_channel_has_no_committee(app):
    stops = workflow.route_for(record(demo_org(), plan="绿色通道", level="副高级"))
    assert [s.role for s in stops] == ["工作单位", "主管单位", "旗县人社局", "盟市人社局"]


@pytest.mark.parametrize("plan", ["高校教师职称申报计划", "农牧民职称申报计划"])
def test_offline_types_have_no_route(app, plan):
    assert workflow.route_for(record(demo_org(), plan=plan)) == []


def test_supervisor_without_role_refuses(app):
    supervisor = make_org(nature="机关")
    org = make_org(nature="国有企业", supervisor=supervisor)
    with pytest.raises(workflow.RouteError) as error:
        workflow.route_for(record(org))
    assert error.value.message == "主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色"
    assert supervisor.credit_code in error.value.contact and "当地人社局或客服" in error.value.contact


def test_supervisor_without_account_refuses(app):
    supervisor = make_org(nature="机关", is_supervisor=True)
    models.Account.delete().where(models.Account.org == supervisor).execute()
    org = make_org(nature="国有企业", supervisor=supervisor)
    with pytest.raises(workflow.RouteError, match="主管部门没有账户"):
        workflow.route_for(record(org))


def test_no_committee_refuses(app):
    with pytest.raises(workflow.RouteError) as error:
        workflow.route_for(record(demo_org(), series="档案", specialty="档案", level="中级"))
    assert error.value.message == "没有评委会或找到多个评委会"
    assert "联系客服" in error.value.contact and "档案" in error.value.contact and "托克托县人社局" in error.value.contact


def test_several_committees_refuse(app):
    other = models.Committee.create(name="内蒙古自治区工程技术系列中初级评委会(重复)", region="150000")
    models.CommitteeScope.create(committee=other, series="工程技术", level="中级")
    with pytest.raises(workflow.RouteError, match="没有评委会或找到多个评委会"):
        workflow.route_for(record(demo_org()))


def test_city_committee_only_for_units_of_its_city(app):
    baotou = make_org(nature="非公有制无主管单位", region="150202")
    with pytest.raises(workflow.RouteError, match="没有评委会或找到多个评委会"):
        workflow.route_for(record(baotou))


def test_route_uses_the_snapshot_until_synced(app):
    org = demo_org()
    application = record(org)
    models.Org.update(supervisor=None).where(models.Org.id == org.id).execute()
    assert "主管单位" in [s.role for s in workflow.route_for(application)]
    application.snapshot = talent_snapshot(models.Person.get_by_id(application.person_id))
    assert "主管单位" not in [s.role for s in workflow.route_for(application)]


def test_needs_desensitized_scope():
    assert workflow.needs_desensitized("经济", "金融", "副高级")
    assert workflow.needs_desensitized("工程技术", "电力", "正高级")
    assert not workflow.needs_desensitized("工程技术", "建设工程", "正高级")
    assert not workflow.needs_desensitized("会计", "会计", "中级")


def test_submit_snapshots_route_and_is_not_repeatable(ctx):
    application = record(demo_org())
    actor = models.Account.get(models.Account.person == application.person)
    done = workflow.submit(application, actor)
    assert done.status == "工作单位审核中" and done.version == application.version + 1 and done.code
    assert [s.seq for s in done.route_steps.order_by(models.RouteStep.seq)] == [0, 1, 2, 3, 4]
    with pytest.raises(workflow.TransitionError, match="不能重复提交"):
        workflow.submit(application, actor)
    assert models.FormFile.select().where(models.FormFile.application == done).count() == 2


def test_redeclare_only_returned_and_keeps_one_live(ctx):
    application = record(demo_org(), live=1)
    actor = models.Account.get(models.Account.person == application.person)
    with pytest.raises(workflow.TransitionError):
        workflow.redeclare(application, actor)
    done = workflow.submit(application, actor)
    models.Application.update(status=models.status_returned("主管单位", "强制驳回")).where(
        models.Application.id == done.id).execute()
    new = workflow.redeclare(done, actor)
    assert new.previous_id == done.id and new.live == 1 and new.status == models.STATUS_DRAFT
    old = models.Application.get_by_id(done.id)
    assert old.live is None and old.status == models.STATUS_REDECLARED
    assert models.AuditEvent.select().where(models.AuditEvent.application == old,
                                            models.AuditEvent.action == "重新申报").count() == 1


def test_high_plan_committee(app):
    stops = workflow.route_for(record(demo_org(), plan=SOCIAL_HIGH, specialty="电力", level="副高级"))
    assert stops[-1].unit_name == "内蒙古自治区工程技术系列高级职称评审委员会"
