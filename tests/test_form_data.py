"""The forms read the talent pool's archive fields: what the applicant typed reaches the 评审表 data."""
import models
import workflow
from tests.conftest import make_person


def _application(items):
    person = make_person()
    plan = models.Plan.select().where(models.Plan.plan_type == "社会化").first()
    return models.Application.create(person=person, plan=plan, level="中级", level_group="中级", year=plan.year,
                                     series="工程技术", snapshot={"info": {"name": person.name}, "unit": {},
                                                                 "items": items})


def test_archive_fields_reach_the_form_rows(app):
    application = _application([
        {"kind": "学习经历", "data": {"内容": "无"}},
        {"kind": "著作", "data": {"著作名称": "草原建筑结构", "出版社": "内蒙古人民出版社", "出版时间": "2020-05",
                                "本人承担部分": "第三章"}},
        {"kind": "项目", "data": {"项目名称": "托县污水厂", "项目来源": "县政府", "开始时间": "2019-01",
                                "结束时间": "2020-12", "本人角色": "负责人"}},
        {"kind": "专利", "data": {"专利名称": "一种模板", "专利号": "ZL2020", "授权时间": "2021-03", "本人排名": "1"}},
        {"kind": "专业技术资格", "data": {"系列": "工程技术", "等级": "初级", "资格名称": "助理工程师",
                                    "取得时间": "2015-12", "证书编号": "A1", "评审机构": "托县职改办"}},
    ])
    with app.app_context():
        data = workflow.form_data(application)
    assert data["education_history"][0]["start"] == "无"
    assert data["books"] == [{"title": "草原建筑结构", "publisher": "内蒙古人民出版社", "date": "2020-05",
                              "role": "第三章"}]
    assert data["projects"][0]["date"] == "2019-01—2020-12"
    assert data["patents"][0]["role"] == "1"
    assert data["qualifications"][0]["issuer"] == "托县职改办"
