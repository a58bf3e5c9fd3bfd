"""Reference data (regions, bureaus, title catalog) and the demo data of `make run`.

Regions and titles come from data/ (copied from shared/reference so a clone needs nothing beside it).
Every 身份证号码 and 统一社会信用代码 here is built with its check digit.
"""
import csv
import os
from datetime import datetime

from werkzeug.security import generate_password_hash

from models import (
    ITEM_APPROVED, Account, Agency, AgencySeries, ArchiveItem, Committee, CommitteeScope, Org, Person, Plan,
    PlanScope, Region, TitleName, TitleSeries, TitleSpecialty, credit_check_char, db, id_check_char, id_facts,
    now,
)

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
DEMO_PASSWORD = "Demo@2025"
PROVINCE_HR = "内蒙古自治区人力资源和社会保障厅"
# These two county-level cities receive the region's documents directly: their bureaus review at 盟市 level.
CITY_LEVEL_COUNTIES = ("150781", "152501")


def make_credit_code(head, region_code, org_code):
    """A 统一社会信用代码 from its parts, with the GB 32100 check character."""
    first17 = f"{head}{region_code}{org_code}"
    return first17 + credit_check_char(first17)


def make_id_number(region_code, born, seq):
    """A 身份证号码 from its parts, with the GB 11643 check digit."""
    first17 = f"{region_code}{born}{seq:03d}"
    return first17 + id_check_char(first17)


def bureau_name(region):
    return f"{region.name}人社局"


def load_reference():
    """Regions, a 人社局 for every 盟市 and 旗县, 自治区人社厅 and the title catalog."""
    with db.atomic():
        with open(os.path.join(DATA, "regions.csv"), encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            Region.create(code=row["code"], name=row["name"], parent=row["parent_code"] or None,
                          level=row["level"])
        for region in Region.select():
            if region.level == "自治区":
                Agency.create(name=PROVINCE_HR, kind="人社厅", level="自治区", region=region)
            else:
                level = "盟市" if region.level == "盟市" or region.code in CITY_LEVEL_COUNTIES else "旗县"
                Agency.create(name=bureau_name(region), kind="人社局", level=level, region=region)
        with open(os.path.join(DATA, "titles.csv"), encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                series, _ = TitleSeries.get_or_create(name=row["series"],
                                                      defaults={"code": row["code"], "sort": int(row["code"])})
                for specialty in filter(None, row["specialties"].split(";")):
                    TitleSpecialty.get_or_create(series=series, name=specialty)
                for level in ("正高级", "副高级", "中级", "初级", "员级"):
                    if row[level]:
                        TitleName.get_or_create(series=series, level=level, name=row[level],
                                                defaults={"ladder": row["ladder"]})


def _agency(region_code):
    return Agency.get(Agency.region == region_code, Agency.kind.in_(("人社局", "人社厅")))


def _account(login, kind, password_hash, **owner):
    return Account.create(login=login, kind=kind, password_hash=password_hash, **owner)


def load_demo(hash_method="scrypt"):
    """Demo bureaus, committees, plans, units and persons, one account per role."""
    # One hash serves every demo account: they share the demo password, and hashing 150 times is slow.
    pw = generate_password_hash(DEMO_PASSWORD, method=hash_method)
    with db.atomic():
        for code, name, granted in (("150100", "呼和浩特市教育局", True), ("150122", "托克托县教育局", False),
                                    ("150200", "包头市教育局", True)):
            level = "盟市" if code.endswith("00") else "旗县"
            bureau = Agency.create(name=name, kind="教育局", level=level, region=code,
                                   credit_code=make_credit_code("11", code, f"EDU0{code[2:]}0"))
            AgencySeries.create(agency=bureau, series="中小学教师", granted=granted)
            _account(f"jyj{code}", "用户名", pw, agency=bureau, display_name=name)
        for agency in Agency.select().where(Agency.kind.in_(("人社局",))):
            _account(f"rsj{agency.region_id}", "用户名", pw, agency=agency, display_name=agency.name,
                     is_admin=agency.region_id == "150100")
        _account("admin", "用户名", pw, agency=_agency("150000"), is_admin=True, display_name="自治区人社厅管理员")

        committees = (
            ("内蒙古自治区工程技术系列高级职称评审委员会", "150000", "工程技术", ("正高级", "副高级")),
            ("呼和浩特市工程技术系列中初级职称评审委员会", "150100", "工程技术", ("中级", "初级", "员级")),
            ("内蒙古自治区社会科学研究系列职称评审委员会", "150000", "社会科学研究", ("正高级", "副高级", "中级", "初级")),
            ("内蒙古自治区文物博物系列职称评审委员会", "150000", "文物博物", ("正高级", "副高级", "中级", "初级")),
            ("内蒙古自治区经济系列高级职称评审委员会", "150000", "经济", ("正高级", "副高级")),
            ("呼和浩特市中小学教师职称评审委员会", "150100", "中小学教师", ("副高级", "中级", "初级", "员级")),
        )
        for index, (name, region, series, levels) in enumerate(committees, start=1):
            committee = Committee.create(name=name, region=region)
            for level in levels:
                CommitteeScope.create(committee=committee, series=series, level=level)
            _account(f"pwh{index}", "用户名", pw, committee=committee, display_name=name)

        _demo_plans()
        orgs = _demo_orgs(pw)
        _demo_persons(pw, orgs)


def _plan(name, plan_type, publisher, region, scope_text, starts, ends, scopes):
    plan = Plan.create(name=name, plan_type=plan_type, publisher=publisher, region=region,
                       review_scope=scope_text, starts_at=starts, ends_at=ends, year=starts.year,
                       is_open=ends > now())
    for series, levels in scopes:
        for level in levels:
            PlanScope.create(plan=plan, series=series, level=level)
    return plan


def _demo_plans():
    year = now().year
    opens, closes = datetime(year, 1, 1), datetime(year + 1, 1, 31, 23, 59, 59)
    hr = _agency("150000")
    hohhot = _agency("150100")
    all_series = [s.name for s in TitleSeries.select().order_by(TitleSeries.sort)]
    middle = ("中级", "初级", "员级")
    _plan(f"{year}年内蒙古自治区社会化中级、初级职称申报计划(试运行)", "社会化", hr, "150000",
          "全区各类企事业单位及社会组织中从事专业技术工作的人员(高校教师、卫生系列除外)", opens, closes,
          [(s, middle) for s in all_series if s not in ("高等学校教师", "卫生技术")])
    _plan(f"{year}年内蒙古自治区社会化正高级、副高级职称申报计划(除会计、卫生,经济副高级等考评结合系列外)(试运行)",
          "社会化", hr, "150000", "全区各类企事业单位中从事专业技术工作的人员;会计、卫生系列及经济副高级实行考评结合,不在本计划内",
          opens, closes,
          [(s, ("正高级", "副高级")) for s in all_series if s not in ("会计", "卫生技术", "高等学校教师")])
    _plan(f"{year}年呼和浩特市基层定向评价(双定向)职称申报计划", "基层定向评价(双定向)", hohhot, "150100",
          "呼和浩特市旗县及以下基层单位专业技术人员,定向评价、定向使用", opens, closes,
          [("工程技术", middle), ("农业技术", middle), ("中小学教师", ("副高级", "中级", "初级"))])
    _plan(f"{year}年呼和浩特市农牧民职称申报计划", "农牧民", hohhot, "150100",
          "呼和浩特市从事农牧业生产、经营、服务的农牧民,农艺(农经)、畜牧(兽医)、工程(农机、水产)", opens, closes,
          [("农业技术", ("副高级", "中级", "初级"))])
    _plan(f"{year}年呼和浩特市职称认定申报计划", "认定", hohhot, "150100",
          "呼和浩特市符合直接认定条件的高校毕业生及引进人才", opens, closes,
          [(s, ("中级", "初级")) for s in ("工程技术", "经济", "社会科学研究")])
    _plan(f"{year}年内蒙古自治区绿色通道职称申报计划", "绿色通道", hr, "150000",
          "作出突出贡献、业绩特别显著的专业技术人才", opens, closes,
          [(s, ("正高级", "副高级")) for s in ("工程技术", "自然科学研究")])
    _plan(f"{year}年内蒙古自治区高校教师职称申报计划", "高校教师", hr, "150000",
          "区内普通高等学校教师(线上申报,线下审核)", opens, closes,
          [("高等学校教师", ("正高级", "副高级", "中级", "初级"))])
    _plan("2025年内蒙古自治区社会化中级、初级职称申报计划(试运行)", "社会化", hr, "150000",
          "2025年度计划,已结束", datetime(2025, 7, 1), datetime(2025, 9, 30, 23, 59, 59),
          [(s, middle) for s in ("工程技术", "社会科学研究")])


# (key, name, nature, region, head, org code, is_supervisor, supervisor key, talent centre)
DEMO_ORGS = (
    ("zjj", "托克托县住房和城乡建设局", "机关", "150122", "11", "01234567X", True, None, False),
    ("jsgc", "托克托县建设工程有限公司", "国有企业", "150122", "91", "MA0TKT001", False, "zjj", False),
    ("wlj", "呼和浩特市文化旅游广电局", "机关", "150100", "11", "012345670", True, None, False),
    ("bwy", "呼和浩特博物院", "事业单位", "150102", "12", "MB0HH0015", False, "wlj", False),
    ("nmzc", "内蒙职称申报有限公司", "非公有制无主管单位", "150105", "91", "MA0NM0021", False, None, False),
    ("rcfw", "呼和浩特市人才服务中心", "事业单位", "150100", "12", "MB0HH0099", False, None, True),
    # Guide 四(十): a unit whose named 主管部门 was never given the 主管单位 role, so 「提交」 is refused.
    ("jzxh", "呼和浩特市建筑业协会", "社会团体", "150102", "51", "MC0HH0031", False, None, False),
    ("xcsj", "呼和浩特鑫城建筑设计有限公司", "非公有制有主管单位", "150102", "91", "MA0HH0047", False, "jzxh", False),
)


def _demo_orgs(pw):
    orgs = {}
    for key, name, nature, region, head, code, is_sup, sup, centre in DEMO_ORGS:
        region_obj = Region.get_by_id(region)
        # 新城区 units report to the 呼和浩特市 bureau directly: the demo's unit with a 盟市 HR department.
        hr = _agency("150100") if key in ("bwy",) else _agency(region)
        org = Org.create(
            credit_code=make_credit_code(head, region, code), name=name, nature=nature, region=region_obj,
            legal_person="王建国", leader="王建国", contact="刘敏", phone="13904710001",
            email="hr@example.cn", hr_agency=hr, supervisor=orgs[sup] if sup else None,
            address=f"内蒙古自治区{region_obj.city().name if region_obj.city() else ''}{region_obj.name}",
            title_reviewer_name="刘敏", title_reviewer_phone="13904710001",
            title_reviewer_id=make_id_number(region, "19850312", 22),
            is_supervisor=is_sup, is_talent_center=centre)
        _account(org.credit_code, "单位", pw, org=org, display_name=name)
        orgs[key] = org
    return orgs


# (name, region of birth, birth date, sequence, phone, unit key, current title)
DEMO_PERSONS = (
    ("张三", "150122", "19900101", 123, "13800471001", "jsgc", ("工程技术", "建设工程", "初级", "助理工程师")),
    ("李四", "150102", "19820715", 246, "13800471002", "bwy", ("文物博物", "文博", "副高级", "副研究馆员")),
    ("王五", "150105", "19950520", 311, "13800471003", "nmzc", None),
    ("赵六", "150104", "19930908", 428, "13800471004", "rcfw", None),
    ("钱七", "150102", "19910304", 535, "13800471005", "xcsj", ("工程技术", "建设工程", "初级", "助理工程师")),
)


def _demo_persons(pw, orgs):
    for name, region, born, seq, phone, org_key, title in DEMO_PERSONS:
        id_number = make_id_number(region, born, seq)
        birth_date, gender = id_facts(id_number)
        current = None
        if title:
            current = {"series": title[0], "specialty": title[1], "level": title[2], "name": title[3],
                       "obtained": "2019-12-01"}
        person = Person.create(
            id_number=id_number, name=name, gender=gender, birth_date=birth_date, phone=phone,
            org=orgs[org_key], current_title=current,
            education={"学历": "本科", "学位": "学士", "毕业院校": "内蒙古大学", "所学专业": "土木工程",
                       "毕业时间": "2012-07", "学历证书编号": "101261201205001234"})
        _account(id_number, "个人", pw, person=person, display_name=name)
        if name == "赵六":
            continue  # left without an approved archive: shows what the entry gate says
        at = now()
        ArchiveItem.create(person=person, kind="学习经历", status=ITEM_APPROVED, reviewed_by=orgs[org_key],
                           reviewed_at=at, data={"开始时间": "2008-09", "结束时间": "2012-07",
                                                 "学校": "内蒙古大学", "专业": "土木工程", "学历": "本科"})
        ArchiveItem.create(person=person, kind="工作经历", status=ITEM_APPROVED, reviewed_by=orgs[org_key],
                           reviewed_at=at, data={"开始时间": "2012-08", "结束时间": "至今",
                                                 "单位": orgs[org_key].name, "职务": "技术员"})


def describe_demo_accounts():
    """The demo accounts, one per role, as `make run` prints them."""
    def person(name):
        return Person.get(Person.name == name).id_number

    def org(name):
        return Org.get(Org.name == name).credit_code

    lines = [
        f"演示账号(密码均为 {DEMO_PASSWORD}):",
        "  人才库 http://127.0.0.1:8000/login",
        f"    个人        身份证号码 {person('张三')}  (张三,托克托县建设工程有限公司)",
        f"    个人        身份证号码 {person('赵六')}  (赵六,业绩档案未审核)",
        f"    工作单位    统一社会信用代码 {org('托克托县建设工程有限公司')}",
        f"    主管部门    统一社会信用代码 {org('托克托县住房和城乡建设局')}  (兼工作单位,登录后选择角色)",
        "  职称申报系统 http://127.0.0.1:8000/declare/login",
        "    旗县人社局  用户名 rsj150122  (托克托县人社局)",
        "    盟市人社局  用户名 rsj150100  (呼和浩特市人社局,兼盟市管理员)",
        "    其他局      用户名 jyj150100  (呼和浩特市教育局)",
        "    评委会      用户名 pwh1  (内蒙古自治区工程技术系列高级职称评审委员会)",
        "    管理员      用户名 admin  (内蒙古自治区人力资源和社会保障厅)",
    ]
    return "\n".join(lines)


