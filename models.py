"""Every table of the domain (SPEC §2), the database proxy and query helpers.

One `DATABASE_URL` picks the engine: SQLite (default, WAL) or PostgreSQL. Nothing else differs.
Status, role and kind values are the guide's Chinese words, defined once in this module.
"""
import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

from peewee import (
    BooleanField, CharField, Check, DatabaseProxy, DateField, DateTimeField, ForeignKeyField,
    IntegerField, Model, SqliteDatabase, TextField, fn,
)
from playhouse.db_url import connect as connect_url

CHINA = ZoneInfo("Asia/Shanghai")

db = DatabaseProxy()


def now():
    """Current wall-clock time in China, naive, as stored in every timestamp column."""
    return datetime.now(CHINA).replace(tzinfo=None, microsecond=0)


# ---- Constants: the guide's words -------------------------------------------------------------

# Roles of the declaration system. `STEP_*` are the names used in statuses and timelines
# (「主管单位审核中」); `PICK_LABELS` are the names shown in 「选择角色」.
ROLE_PERSON = "个人"
ROLE_UNIT = "工作单位"
ROLE_SUPERVISOR = "主管单位"
ROLE_COUNTY = "旗县人社局"
ROLE_CITY = "盟市人社局"
ROLE_COMMITTEE = "评委会"
ROLE_ADMIN = "管理员"
ROUTE_ROLES = (ROLE_UNIT, ROLE_SUPERVISOR, ROLE_COUNTY, ROLE_CITY, ROLE_COMMITTEE)
PICK_LABELS = {
    ROLE_PERSON: "个人",
    ROLE_UNIT: "工作单位",
    ROLE_SUPERVISOR: "主管部门",
    ROLE_COUNTY: "旗县人社局/其他局",
    ROLE_CITY: "盟市人社局/其他局",
    ROLE_COMMITTEE: "评委会",
    ROLE_ADMIN: "管理员",
}

REGION_LEVELS = ("自治区", "盟市", "旗县市区", "功能区")

ORG_NATURES = ("机关", "国有企业", "事业单位", "非公有制有主管单位", "非公有制无主管单位",
               "社会团体", "其他")
# Only these natures may name a 上级主管单位 (guide 二(一), 单位信息修改).
NATURES_WITH_SUPERVISOR = ("机关", "国有企业", "事业单位", "非公有制有主管单位")

AGENCY_KINDS = ("人社局", "人社厅", "教育局", "卫健委", "其他局")
AGENCY_LEVELS = ("自治区", "盟市", "旗县")

LEVELS = ("正高级", "副高级", "中级", "初级", "员级")
# 正高级 and 副高级 are one level group: one declaration per group per year (guide 四(十四)).
LEVEL_GROUP = {"正高级": "高级", "副高级": "高级", "中级": "中级", "初级": "初级", "员级": "初级"}
LEVEL_RANK = {"员级": 1, "初级": 2, "中级": 3, "副高级": 4, "正高级": 5}

# Choices of the personal information fields, shared by the talent pool and the wizard.
ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族",
    "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族",
    "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族",
    "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族", "其他",
)
POLITICAL = ("中共党员", "中共预备党员", "共青团员", "民革党员", "民盟盟员", "民建会员", "民进会员", "农工党党员",
             "致公党党员", "九三学社社员", "台盟盟员", "无党派人士", "群众")
EDUCATIONS = ("博士研究生", "硕士研究生", "本科", "大专", "中专", "高中及以下", "其他")
DEGREES = ("博士", "硕士", "学士", "无")

PLAN_TYPES = ("社会化", "基层定向评价(双定向)", "认定", "绿色通道", "高校教师", "农牧民")
OFFLINE_PLAN_TYPES = ("高校教师", "农牧民")

ARCHIVE_KINDS = ("学习经历", "工作经历", "专业技术资格", "执业(职业)资格", "论文", "著作", "获奖",
                 "项目", "专利")
ITEM_PENDING = "待审核"
ITEM_APPROVED = "审核通过"
ITEM_REJECTED = "审核不通过"
ITEM_STATUSES = (ITEM_PENDING, ITEM_APPROVED, ITEM_REJECTED)

# Application statuses. Route-dependent ones are built from the role: 「{角色}审核中」, 「{角色}待签章」.
STATUS_DRAFT = "草稿"
STATUS_OFFLINE = "已提交(线下审核)"
STATUS_PASSED = "审核通过"
STATUS_REJECTED = "审核不通过"
STATUS_RETURNED = "已退回"
STATUS_REDECLARED = "已重新申报"


def status_reviewing(role):
    """「{角色}审核中」."""
    return f"{role}审核中"


def status_to_seal(role):
    """「{角色}待签章」."""
    return f"{role}待签章"


# The returned states name who returned the record and how; each of them offers 「重新申报」.
RETURN_ACTIONS = ("审核不通过", "签章前退回", "强制驳回")


def status_returned(role, action):
    """「{角色}审核不通过」, 「{角色}签章前退回」 or 「{角色}强制驳回」."""
    assert action in RETURN_ACTIONS
    return f"{role}{action}"


def is_returned(status):
    """True for a record sent back to the applicant (it may be declared again with 「重新申报」)."""
    return status.endswith(RETURN_ACTIONS)


# RouteStep.state values.
STEP_WAITING = "待审核"
STEP_APPROVED = "审核通过"
STEP_SEALED = "已签章"
STEP_RETURNED = "已退回"


SEAL_KINDS = ("职称专用章", "公章", "负责人签字", "审核人签字", "审核意见", "公示情况")
# 职称专用章 and 公章 share one slot: exactly one of the two is active.
SEAL_SLOT = {"职称专用章": "seal", "公章": "seal", "负责人签字": "leader_sign",
             "审核人签字": "reviewer_sign", "审核意见": "opinion", "公示情况": "publicity"}

FORM_KINDS = ("评审表", "送审表")


# ---- Check digits (reference/check_digits.md) --------------------------------------------------

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def id_check_char(first17):
    """The GB 11643 check character for the first 17 digits of a 身份证号码."""
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def id_number_error(value):
    """None when `value` is a valid 身份证号码, else the Chinese reason it is not."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return "身份证号码应为18位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "身份证号码格式不正确:前17位应为数字,最后一位为数字或X"
    try:
        born = datetime.strptime(value[6:14], "%Y%m%d").date()
    except ValueError:
        return "身份证号码中的出生日期不存在"
    if born > now().date():
        return "身份证号码中的出生日期晚于今天"
    if id_check_char(value[:17]) != value[17]:
        return "身份证号码校验位错误,请核对后重新输入"
    return None


def id_facts(value):
    """(出生日期, 性别) derived from a valid 身份证号码."""
    value = value.strip().upper()
    born = datetime.strptime(value[6:14], "%Y%m%d").date()
    return born, ("男" if int(value[16]) % 2 else "女")


def mask_id(number):
    """身份证号 as lists show it: 150122********1236 (the region and the last four only)."""
    number = number or ""
    return number[:6] + "*" * 8 + number[14:] if len(number) == 18 else number


def mask_name(name):
    """An applicant's name on public pages and statistics: 张三 → 张*."""
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def credit_check_char(first17):
    """The GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value):
    """None when `value` is a valid 统一社会信用代码, else the Chinese reason it is not."""
    value = (value or "").strip().upper()
    if len(value) != 18:
        return "统一社会信用代码应为18位"
    bad = sorted({c for c in value if c not in CREDIT_ALPHABET})
    if bad:
        return f"统一社会信用代码含有不允许的字符:{''.join(bad)}(不使用I、O、Z、S、V)"
    if credit_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误,请核对后重新输入"
    return None


class ImmutableError(Exception):
    """Raised when code tries to delete a seal or change an audit event."""


class JSONField(TextField):
    """JSON stored as text so SQLite and PostgreSQL behave the same."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


# ---- Regions, units, bureaus, committees ------------------------------------------------------

class Region(BaseModel):
    code = CharField(primary_key=True, max_length=6)
    name = CharField()
    parent = ForeignKeyField("self", null=True, backref="children", column_name="parent_code",
                             object_id_name="parent_id")
    level = CharField(constraints=[Check("level in ('自治区','盟市','旗县市区','功能区')")])

    def city(self):
        """The 盟市 this region belongs to (itself for a 盟市), None for the 自治区."""
        if self.level == "盟市":
            return self
        if self.level == "自治区":
            return None
        return self.parent

    def __str__(self):
        return self.name


class Agency(BaseModel):
    """A bureau: 人社局 or an industry bureau (教育局 …) at 旗县 or 盟市 level, or 自治区人社厅."""
    name = CharField(unique=True)
    kind = CharField()
    level = CharField(constraints=[Check("level in ('自治区','盟市','旗县')")])
    region = ForeignKeyField(Region, backref="agencies")
    credit_code = CharField(null=True, unique=True)
    active = BooleanField(default=True)

    @property
    def is_hr(self):
        return self.kind in ("人社局", "人社厅")

    @property
    def review_role(self):
        """The route role this bureau reviews as (旗县 or 盟市 level)."""
        return ROLE_COUNTY if self.level == "旗县" else ROLE_CITY

    def __str__(self):
        return self.name


class AgencySeries(BaseModel):
    """An industry bureau's permission to review a series instead of the 人社局 (granted by an admin)."""
    agency = ForeignKeyField(Agency, backref="series_permissions", on_delete="CASCADE")
    series = CharField()
    granted = BooleanField(default=False)

    class Meta:
        indexes = ((("agency", "series"), True),)


class Org(BaseModel):
    """A 单位: always a 工作单位; a 主管单位 too when an admin granted that role."""
    credit_code = CharField(unique=True, max_length=18)
    name = CharField()
    nature = CharField(default="其他")
    region = ForeignKeyField(Region, backref="orgs")
    legal_person = CharField(default="")
    leader = CharField(default="")
    contact = CharField(default="")
    phone = CharField(default="")
    email = CharField(default="")
    hr_agency = ForeignKeyField(Agency, null=True, backref="orgs")
    supervisor = ForeignKeyField("self", null=True, backref="subordinates")
    address = CharField(default="")
    demand_contact = CharField(default="")
    demand_phone = CharField(default="")
    title_reviewer_name = CharField(default="")
    title_reviewer_phone = CharField(default="")
    title_reviewer_id = CharField(default="")
    is_supervisor = BooleanField(default=False)
    is_talent_center = BooleanField(default=False)
    created_at = DateTimeField(default=now)

    @classmethod
    def supervisors(cls):
        """Units that hold the 主管单位 role."""
        return cls.select().where(cls.is_supervisor == True)  # noqa: E712

    @property
    def may_have_supervisor(self):
        return self.nature in NATURES_WITH_SUPERVISOR

    def __str__(self):
        return self.name


class Committee(BaseModel):
    """A 评委会: the final reviewer of the declarations in its scope; never seals."""
    name = CharField(unique=True)
    region = ForeignKeyField(Region, backref="committees")
    active = BooleanField(default=True)

    def __str__(self):
        return self.name


class CommitteeScope(BaseModel):
    """One (series, specialty, level) a committee judges; specialty '' means every specialty."""
    committee = ForeignKeyField(Committee, backref="scopes", on_delete="CASCADE")
    series = CharField()
    specialty = CharField(default="")
    level = CharField()

    class Meta:
        indexes = ((("committee", "series", "specialty", "level"), True),)


# ---- Title catalog ----------------------------------------------------------------------------

class TitleSeries(BaseModel):
    code = CharField(unique=True)
    name = CharField(unique=True)
    sort = IntegerField(default=0)
    active = BooleanField(default=True)

    def __str__(self):
        return self.name


class TitleSpecialty(BaseModel):
    series = ForeignKeyField(TitleSeries, backref="specialties", on_delete="CASCADE")
    name = CharField()
    active = BooleanField(default=True)

    class Meta:
        indexes = ((("series", "name"), True),)


class TitleName(BaseModel):
    """资格名称 of one level of a series (sub-ladders such as 医/药/护/技 hold several per level)."""
    series = ForeignKeyField(TitleSeries, backref="titles", on_delete="CASCADE")
    level = CharField()
    name = CharField()
    ladder = CharField(default="")

    class Meta:
        indexes = ((("series", "level", "name"), True),)


# ---- People and accounts ----------------------------------------------------------------------

class Person(BaseModel):
    id_number = CharField(unique=True, max_length=18)
    name = CharField()
    former_name = CharField(default="")
    gender = CharField()
    birth_date = DateField()
    phone = CharField()
    ethnicity = CharField(default="汉族")
    political_status = CharField(default="群众")
    org = ForeignKeyField(Org, null=True, backref="staff")
    photo = CharField(null=True)
    education = JSONField(default=dict)
    current_title = JSONField(null=True)
    created_at = DateTimeField(default=now)

    def __str__(self):
        return self.name


class Account(BaseModel):
    """A login. Its kind fixes how one logs in: 个人 by 身份证号码, 单位 by 统一社会信用代码, 用户名 otherwise."""
    login = CharField(unique=True)
    kind = CharField(constraints=[Check("kind in ('个人','单位','用户名')")])
    password_hash = CharField()
    display_name = CharField(default="")
    person = ForeignKeyField(Person, null=True, unique=True, backref="accounts")
    org = ForeignKeyField(Org, null=True, unique=True, backref="accounts")
    agency = ForeignKeyField(Agency, null=True, backref="accounts")
    committee = ForeignKeyField(Committee, null=True, backref="accounts")
    is_admin = BooleanField(default=False)
    active = BooleanField(default=True)
    failed_logins = IntegerField(default=0)
    locked_until = DateTimeField(null=True)
    created_at = DateTimeField(default=now)

    def roles(self):
        """The roles this account may act as, in the order of 「选择角色」."""
        roles = []
        if self.person_id:
            roles.append(ROLE_PERSON)
        if self.org_id:
            roles.append(ROLE_UNIT)
            if self.org.is_supervisor:
                roles.append(ROLE_SUPERVISOR)
        if self.agency_id and self.agency.level != "自治区":
            roles.append(self.agency.review_role)
        if self.committee_id:
            roles.append(ROLE_COMMITTEE)
        if self.is_admin:
            roles.append(ROLE_ADMIN)
        return roles

    def unit_name(self):
        """The unit this account speaks for."""
        if self.person_id:
            return self.person.org.name if self.person.org_id else ""
        for owner in (self.org, self.agency, self.committee):
            if owner is not None:
                return owner.name
        return ""


class UserSession(BaseModel):
    """Server-side session: the cookie holds only its random token, so ending it here ends it everywhere."""
    token_hash = CharField(unique=True)
    account = ForeignKeyField(Account, backref="sessions", on_delete="CASCADE")
    role = CharField(null=True)
    created_at = DateTimeField(default=now)
    last_seen = DateTimeField(default=now)
    ended_at = DateTimeField(null=True)
    end_reason = CharField(default="")


class SmsCode(BaseModel):
    """A verification code for 「忘记密码」; only its hash is stored."""
    phone = CharField(index=True)
    purpose = CharField(default="reset")
    code_hash = CharField()
    created_at = DateTimeField(default=now)
    expires_at = DateTimeField()
    attempts = IntegerField(default=0)
    used = BooleanField(default=False)


class RateLimit(BaseModel):
    """A counter per key and window, in the DB so every worker shares it."""
    key = CharField()
    window_start = DateTimeField()
    count = IntegerField(default=0)

    class Meta:
        indexes = ((("key", "window_start"), True),)


# ---- Files ------------------------------------------------------------------------------------

class StoredFile(BaseModel):
    """A file kept through the storage interface (folder or object store), never under static/."""
    storage_key = CharField(unique=True)
    filename = CharField()
    content_type = CharField()
    size = IntegerField()
    sha256 = CharField(index=True)
    created_at = DateTimeField(default=now)


# ---- Talent pool ------------------------------------------------------------------------------

class ArchiveItem(BaseModel):
    """One 业绩档案 entry; approved by the person's work unit."""
    person = ForeignKeyField(Person, backref="archive_items", on_delete="CASCADE")
    kind = CharField()
    data = JSONField(default=dict)
    evidence = ForeignKeyField(StoredFile, null=True)
    status = CharField(default=ITEM_PENDING)
    reason = CharField(default="")
    reviewed_by = ForeignKeyField(Org, null=True)
    reviewed_at = DateTimeField(null=True)
    version = IntegerField(default=1)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)

    @classmethod
    def approved_for(cls, person):
        """Approved items of a person, oldest first."""
        return (cls.select().where((cls.person == person) & (cls.status == ITEM_APPROVED))
                .order_by(cls.kind, cls.created_at, cls.id))


class CertificateClaim(BaseModel):
    """证书认领: a person claims an existing title certificate; the unit approves it."""
    person = ForeignKeyField(Person, backref="claims", on_delete="CASCADE")
    series = CharField()
    specialty = CharField(default="")
    level = CharField()
    title_name = CharField()
    cert_no = CharField()
    obtained_on = DateField()
    status = CharField(default=ITEM_PENDING)
    reason = CharField(default="")
    reviewed_at = DateTimeField(null=True)
    created_at = DateTimeField(default=now)


# ---- Plans and applications -------------------------------------------------------------------

class Plan(BaseModel):
    name = CharField()
    plan_type = CharField()
    publisher = ForeignKeyField(Agency, backref="plans")
    region = ForeignKeyField(Region, backref="plans")
    review_scope = TextField(default="")
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    is_open = BooleanField(default=True)
    year = IntegerField()
    created_at = DateTimeField(default=now)

    def accepting(self, at=None):
        """True while 「开始申报」 and 「提交」 are allowed."""
        at = at or now()
        return self.is_open and self.starts_at <= at <= self.ends_at


class PlanScope(BaseModel):
    """One (series, specialty, level) a plan accepts; specialty '' means every specialty."""
    plan = ForeignKeyField(Plan, backref="scopes", on_delete="CASCADE")
    series = CharField()
    specialty = CharField(default="")
    level = CharField()

    class Meta:
        indexes = ((("plan", "series", "specialty", "level"), True),)


class Application(BaseModel):
    """A 申报记录. `status` is written by workflow.py only."""
    person = ForeignKeyField(Person, backref="applications")
    plan = ForeignKeyField(Plan, backref="applications")
    org = ForeignKeyField(Org, null=True, backref="applications")
    series = CharField(default="")
    specialty = CharField(default="")
    level = CharField(default="")
    title_name = CharField(default="")
    level_group = CharField()
    year = IntegerField()
    # 1 while live, NULL once superseded or deleted: the unique index then allows one live record
    # per person, level group and year (NULLs never collide, on SQLite and PostgreSQL alike).
    live = IntegerField(null=True, default=1)
    snapshot = JSONField(default=dict)
    selected_items = JSONField(default=list)
    photo = ForeignKeyField(StoredFile, null=True)
    pledge_at = DateTimeField(null=True)
    wizard_step = IntegerField(default=1)
    dedupe = BooleanField(default=True)
    forms_confirmed = BooleanField(default=False)
    status = CharField(default=STATUS_DRAFT, index=True)
    route_index = IntegerField(null=True)
    version = IntegerField(default=1)
    code = CharField(null=True, unique=True)
    previous = ForeignKeyField("self", null=True, backref="redeclarations")
    submitted_at = DateTimeField(null=True)
    created_at = DateTimeField(default=now)
    updated_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("person", "level_group", "year", "live"), True),)

    @classmethod
    def visible_to(cls, role, account):
        """Applications whose route names the actor's unit in `role`; everything else is a 404 for them."""
        step = RouteStep.select(RouteStep.application).where(RouteStep.role == role)
        if role in (ROLE_UNIT, ROLE_SUPERVISOR):
            step = step.where(RouteStep.org == account.org_id)
        elif role in (ROLE_COUNTY, ROLE_CITY):
            step = step.where(RouteStep.agency == account.agency_id)
        elif role == ROLE_COMMITTEE:
            step = step.where(RouteStep.committee == account.committee_id)
        else:
            return cls.select().where(cls.id.is_null())
        return cls.select().where(cls.id.in_(step))

    @classmethod
    def of_person(cls, person):
        """The applicant's own records."""
        return cls.select().where(cls.person == person)

    def current_step(self):
        """The RouteStep that must act now, or None."""
        if self.route_index is None:
            return None
        return RouteStep.get_or_none((RouteStep.application == self) & (RouteStep.seq == self.route_index))


class RouteStep(BaseModel):
    """One unit on an application's route, fixed at submission."""
    application = ForeignKeyField(Application, backref="route_steps", on_delete="CASCADE")
    seq = IntegerField()
    role = CharField()
    org = ForeignKeyField(Org, null=True)
    agency = ForeignKeyField(Agency, null=True)
    committee = ForeignKeyField(Committee, null=True)
    unit_name = CharField()
    state = CharField(default="待审核")
    acted_at = DateTimeField(null=True)
    opinion = TextField(default="")

    class Meta:
        indexes = ((("application", "seq"), True),)


class Attachment(BaseModel):
    """An application's uploaded file, by category; a 脱敏 copy points at its original."""
    application = ForeignKeyField(Application, backref="attachments", on_delete="CASCADE")
    category = CharField()
    file = ForeignKeyField(StoredFile)
    desensitized = BooleanField(default=False)
    twin = ForeignKeyField("self", null=True, backref="twins")
    created_at = DateTimeField(default=now)


class FormFile(BaseModel):
    """A generated or sealed 评审表/送审表, PDF or Excel; each sealing adds a new version."""
    application = ForeignKeyField(Application, backref="form_files", on_delete="CASCADE")
    form = CharField()
    fmt = CharField(default="pdf")
    version = IntegerField()
    file = ForeignKeyField(StoredFile)
    sealed_by = CharField(default="")
    created_at = DateTimeField(default=now)

    class Meta:
        indexes = ((("application", "form", "fmt", "version"), True),)


# ---- Seals and audit --------------------------------------------------------------------------

class Seal(BaseModel):
    """An owner's seal, signature, opinion or 公示情况. 停用, never deleted."""
    org = ForeignKeyField(Org, null=True, backref="seals")
    agency = ForeignKeyField(Agency, null=True, backref="seals")
    role = CharField()
    kind = CharField()
    source = CharField(default="上传")
    image = ForeignKeyField(StoredFile, null=True)
    text = TextField(default="")
    data = JSONField(default=dict)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=now)
    deactivated_at = DateTimeField(null=True)

    def delete_instance(self, *args, **kwargs):
        raise ImmutableError("印章一旦建立,只能停用不能删除")

    @classmethod
    def delete(cls):
        raise ImmutableError("印章一旦建立,只能停用不能删除")


class AuditEvent(BaseModel):
    """Append-only log of every state change and seal; shown as 「申报进度」."""
    application = ForeignKeyField(Application, null=True, backref="events")
    account = ForeignKeyField(Account, null=True)
    role = CharField(default="")
    unit_name = CharField(default="")
    action = CharField()
    from_status = CharField(default="")
    to_status = CharField(default="")
    reason = TextField(default="")
    detail = JSONField(default=dict)
    created_at = DateTimeField(default=now, index=True)

    def save(self, *args, **kwargs):
        if self.id is not None and not kwargs.get("force_insert"):
            raise ImmutableError("审计记录不可修改")
        return super().save(*args, **kwargs)

    def delete_instance(self, *args, **kwargs):
        raise ImmutableError("审计记录不可删除")

    @classmethod
    def delete(cls):
        raise ImmutableError("审计记录不可删除")

    @classmethod
    def update(cls, *args, **kwargs):
        raise ImmutableError("审计记录不可修改")


TABLES = [Region, Agency, AgencySeries, Org, Committee, CommitteeScope, TitleSeries, TitleSpecialty,
          TitleName, Person, Account, UserSession, SmsCode, RateLimit, StoredFile, ArchiveItem,
          CertificateClaim, Plan, PlanScope, Application, RouteStep, Attachment, FormFile, Seal,
          AuditEvent]


def make_database(url):
    """A peewee database for a URL: sqlite:///path (WAL, foreign keys) or postgresql://…."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return SqliteDatabase(path, pragmas={
            "journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "full",
        })
    return connect_url(url)


def init_db(url):
    """Point the proxy at the database of `url`."""
    database = make_database(url)
    db.initialize(database)
    return database


def create_tables():
    """Create every table (idempotent) and the triggers that keep seals and audit events."""
    with db.connection_context():
        db.create_tables(TABLES, safe=True)
        _create_guards()


def _create_guards():
    """Database-level guards, so even raw SQL cannot delete a seal or rewrite the audit log."""
    if is_sqlite():
        for table, op in (("seal", "DELETE"), ("audit_event", "DELETE"), ("audit_event", "UPDATE")):
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS guard_{table}_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")
    else:
        db.execute_sql(
            "CREATE OR REPLACE FUNCTION guard_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '%% is append-only', TG_TABLE_NAME; END $$ LANGUAGE plpgsql")
        for table, op in (("seal", "DELETE"), ("audit_event", "DELETE"), ("audit_event", "UPDATE")):
            name = f"guard_{table}_{op.lower()}"
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            db.execute_sql(f"CREATE TRIGGER {name} BEFORE {op} ON {table} "
                           f"FOR EACH ROW EXECUTE FUNCTION guard_append_only()")


def is_sqlite():
    """True when the proxy points at SQLite."""
    return isinstance(db.obj, SqliteDatabase)


def write_tx():
    """A transaction for read-then-write work: IMMEDIATE on SQLite so it cannot fail with SQLITE_BUSY."""
    if is_sqlite():
        return db.atomic("IMMEDIATE")
    return db.atomic()


__all__ = [name for name in dir() if not name.startswith("_")] + ["fn"]
