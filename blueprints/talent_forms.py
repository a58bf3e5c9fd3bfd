"""Forms of the talent pool: personal profile, 业绩档案 items, 证书认领, unit registration and profile, 忘记密码."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField, DateField, HiddenField, PasswordField, SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from blueprints.forms import CreditCodeField, IdNumberField, PasswordPairMixin, required, strip
from models import (
    DEGREES, EDUCATIONS, ETHNICITIES, LEVELS, NATURES_WITH_SUPERVISOR, ORG_NATURES, POLITICAL, Agency, Org, Region,
    TitleName, TitleSeries, TitleSpecialty,
)


PHONE = Regexp(r"^1\d{10}$", message="手机号应为11位数字,以1开头")
MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_HINT = "格式:年-月,如 2012-07"
NONE_TEXT = "无"


def choices(values, blank=None):
    """(value, label) pairs, with an optional leading blank choice."""
    pairs = [SelectChoice(v, v) for v in values]
    return ([SelectChoice("", blank)] + pairs) if blank else pairs


def month(label, allow_now=False):
    """Validators of a 年-月 field; `allow_now` accepts 「至今」 for an end date."""
    pattern = r"^(\d{4}-(0[1-9]|1[0-2])|至今)$" if allow_now else MONTH_RE
    message = f"{label}格式应为 年-月,如 2012-07" + (",仍在进行的填「至今」" if allow_now else "")
    return [Regexp(pattern, message=message)]


# ---- 人才库: personal profile ------------------------------------------------------------------

class ProfileForm(FlaskForm):
    name = StringField("姓名", filters=[strip], validators=[required("姓名"), Length(max=50)])
    former_name = StringField("曾用名", filters=[strip], validators=[Length(max=50)])
    ethnicity = SelectField("民族", choices=choices(ETHNICITIES))
    political_status = SelectField("政治面貌", choices=choices(POLITICAL))
    phone = StringField("手机号", filters=[strip], validators=[required("手机号"), PHONE])
    photo = FileField("证件照")
    education = SelectField("参评学历", choices=choices(EDUCATIONS, "请选择"), validators=[required("参评学历")])
    education_cert_no = StringField("参评学历证书编号", filters=[strip], validators=[Length(max=50)])
    degree = SelectField("学位", choices=choices(DEGREES, "请选择"))
    school = StringField("毕业院校", filters=[strip], validators=[Length(max=100)])
    major = StringField("所学专业", filters=[strip], validators=[Length(max=100)])
    graduated = StringField("毕业时间", filters=[strip], validators=[Optional(), *month("毕业时间")])
    submit = SubmitField("保存")

    EDUCATION_KEYS = (("education", "学历"), ("education_cert_no", "学历证书编号"), ("degree", "学位"),
                      ("school", "毕业院校"), ("major", "所学专业"), ("graduated", "毕业时间"))


# ---- Title catalog selects (专业技术资格, 证书认领) -----------------------------------------------

def catalog_options(series=None, level=None):
    """(series, specialties, levels, names) of the catalog for the chosen series and level.

    Every list has options: an unknown or empty choice falls back to the first one, so the dependent
    selects never show 「无数据」 (guide 四(十八), 四(二十二)).
    """
    all_series = [s.name for s in TitleSeries.select().where(TitleSeries.active == True)  # noqa: E712
                  .order_by(TitleSeries.sort, TitleSeries.id)]
    series = series if series in all_series else (all_series[0] if all_series else "")
    specialties = [s.name for s in TitleSpecialty.select(TitleSpecialty.name).join(TitleSeries)
                   .where((TitleSeries.name == series) & (TitleSpecialty.active == True))  # noqa: E712
                   .order_by(TitleSpecialty.id)] or [series]
    names_by_level = {}
    for row in (TitleName.select(TitleName.level, TitleName.name).join(TitleSeries)
                .where(TitleSeries.name == series).order_by(TitleName.id)):
        names_by_level.setdefault(row.level, []).append(row.name)
    levels = [lv for lv in LEVELS if lv in names_by_level] or list(LEVELS)
    level = level if level in levels else levels[0]
    names = names_by_level.get(level) or [f"{level}{series}"]
    return all_series, specialties, levels, names


class TitleFieldsMixin:
    """系列 → 专业 → 等级 → 资格名称 as dependent selects filled from the catalog."""

    def fill_title_choices(self):
        """Load the options that fit the chosen series and level."""
        all_series, specialties, levels, names = catalog_options(self.series.data, self.level.data)
        self.series.choices = choices(all_series)
        self.specialty.choices = choices(specialties)
        self.level.choices = choices(levels)
        self.title_name.choices = choices(names)
        if self.series.data not in all_series:
            self.series.data = all_series[0] if all_series else ""
        if self.level.data not in levels:
            self.level.data = levels[0]
        return self


def title_fields(cls):
    """Add the four catalog selects to a form class."""
    cls.series = SelectField("系列", validate_choice=True, validators=[required("系列")])
    cls.specialty = SelectField("专业", validate_choice=True, validators=[required("专业")])
    cls.level = SelectField("等级", validate_choice=True, validators=[required("等级")])
    cls.title_name = SelectField("资格名称", validate_choice=True, validators=[required("资格名称")])
    return cls


# ---- 业绩档案 items ------------------------------------------------------------------------------

TEXT, MONTH, MONTH_OR_NOW, SELECT, AREA = "text", "month", "month_or_now", "select", "area"

# kind -> [(field name, data key / label, input type, required, select values)]
ARCHIVE_FIELDS = {
    "学习经历": [("start", "开始时间", MONTH, True, None), ("end", "结束时间", MONTH, True, None),
             ("school", "学校", TEXT, True, None), ("major", "专业", TEXT, True, None),
             ("education", "学历", SELECT, True, EDUCATIONS), ("degree", "学位", SELECT, False, DEGREES)],
    "工作经历": [("start", "开始时间", MONTH, True, None), ("end", "结束时间", MONTH_OR_NOW, True, None),
             ("unit", "单位", TEXT, True, None), ("post", "职务", TEXT, True, None),
             ("work", "从事专业技术工作", AREA, False, None)],
    "专业技术资格": [("obtained", "取得时间", MONTH, True, None), ("cert_no", "证书编号", TEXT, True, None),
               ("issuer", "评审机构", TEXT, False, None)],
    "执业(职业)资格": [("name", "资格名称", TEXT, True, None), ("obtained", "取得时间", MONTH, True, None),
                  ("cert_no", "证书编号", TEXT, True, None), ("issuer", "发证机关", TEXT, False, None)],
    "论文": [("title", "论文题目", TEXT, True, None), ("journal", "刊物名称", TEXT, True, None),
           ("issue", "刊号(ISSN/CN)", TEXT, False, None), ("published", "发表时间", MONTH, True, None),
           ("rank", "本人排名", TEXT, True, None)],
    "著作": [("title", "著作名称", TEXT, True, None), ("publisher", "出版社", TEXT, True, None),
           ("isbn", "ISBN", TEXT, False, None), ("published", "出版时间", MONTH, True, None),
           ("part", "本人承担部分", TEXT, True, None)],
    "获奖": [("title", "奖项名称", TEXT, True, None), ("grade", "获奖等级", TEXT, True, None),
           ("issuer", "授奖单位", TEXT, True, None), ("awarded", "获奖时间", MONTH, True, None),
           ("rank", "本人排名", TEXT, False, None)],
    "项目": [("title", "项目名称", TEXT, True, None), ("source", "项目来源", TEXT, True, None),
           ("start", "开始时间", MONTH, True, None), ("end", "结束时间", MONTH_OR_NOW, True, None),
           ("role", "本人角色", TEXT, True, None)],
    "专利": [("title", "专利名称", TEXT, True, None), ("number", "专利号", TEXT, True, None),
           ("patent_type", "专利类型", SELECT, True, ("发明专利", "实用新型专利", "外观设计专利")),
           ("granted", "授权时间", MONTH, True, None), ("rank", "本人排名", TEXT, False, None)],
}
# Kinds that may carry one file: the 学习经历 佐证材料 (guide 四(二十)), and the key pages of 论文/著作 (四(十九)).
EVIDENCE_KINDS = {"学习经历": "佐证材料", "论文": "关键页面", "著作": "关键页面"}
# An entry reading 「无」 is allowed for these (guide 四(十七)).
NONE_KINDS = ("学习经历", "工作经历")
TITLE_KEYS = (("series", "系列"), ("specialty", "专业"), ("level", "等级"), ("title_name", "资格名称"))


class ArchiveBase(FlaskForm):
    submit = SubmitField("保存")


def archive_form_class(kind):
    """The form class of one archive kind, built from ARCHIVE_FIELDS."""
    attrs = {"kind": kind}
    if kind in NONE_KINDS:
        attrs["none"] = BooleanField(f"无{kind}(填写「无」)")
    for name, label, kind_of_input, needed, values in ARCHIVE_FIELDS[kind]:
        checks = [DataRequired(message=f"请输入{label}")] if needed else [Optional()]
        if kind_of_input == MONTH:
            checks += month(label)
        elif kind_of_input == MONTH_OR_NOW:
            checks += month(label, allow_now=True)
        if kind_of_input == SELECT:
            select_checks = [DataRequired(message=f"请选择{label}")] if needed else []
            attrs[name] = SelectField(label, choices=choices(values, "请选择"), validators=select_checks)
        elif kind_of_input == AREA:
            attrs[name] = TextAreaField(label, filters=[strip], validators=checks + [Length(max=1000)])
        else:
            attrs[name] = StringField(label, filters=[strip], validators=checks + [Length(max=200)])
    if kind in EVIDENCE_KINDS:
        attrs["evidence"] = FileField(EVIDENCE_KINDS[kind])
    cls = type(f"ArchiveForm_{abs(hash(kind))}", (TitleFieldsMixin, ArchiveBase) if kind == "专业技术资格"
               else (ArchiveBase,), attrs)
    if kind == "专业技术资格":
        title_fields(cls)
    return cls


def data_fields(form):
    """The (field, data key) pairs of an archive form, in display order."""
    pairs = []
    if form.kind == "专业技术资格":
        pairs += [(getattr(form, name), key) for name, key in TITLE_KEYS]
    pairs += [(getattr(form, name), label) for name, label, *_ in ARCHIVE_FIELDS[form.kind]]
    return pairs


def validate_archive(form):
    """Validate an archive form; a ticked 「无」 needs nothing else."""
    if getattr(form, "none", None) is not None and form.none.data:
        return form.csrf_token.validate(form) if "csrf_token" in form else True
    return form.validate()


def form_data(form):
    """The JSON the item stores: Chinese keys, as the declaration snapshot and the forms read them."""
    if getattr(form, "none", None) is not None and form.none.data:
        return {"内容": NONE_TEXT}
    return {key: (field.data or "").strip() for field, key in data_fields(form)}


def fill_form(form, data):
    """Put an item's stored data back into its form."""
    if data.get("内容") == NONE_TEXT and getattr(form, "none", None) is not None:
        form.none.data = True
        return
    for field, key in data_fields(form):
        field.data = data.get(key, "")


def item_summary(kind, data):
    """One line describing an item, as lists show it."""
    if data.get("内容") == NONE_TEXT:
        return NONE_TEXT
    if kind == "专业技术资格":
        keys = ("系列", "专业", "等级", "资格名称", "取得时间")
    else:
        keys = [label for _, label, *_ in ARCHIVE_FIELDS.get(kind, [])][:5]
    return " · ".join(str(data[k]) for k in keys if data.get(k))


# ---- 证书认领 ----------------------------------------------------------------------------------

@title_fields
class ClaimForm(TitleFieldsMixin, FlaskForm):
    cert_no = StringField("证书编号", filters=[strip], validators=[required("证书编号"), Length(max=50)])
    obtained_on = DateField("取得时间", validators=[DataRequired(message="请选择取得时间")])
    submit = SubmitField("提交认领")


class ReasonForm(FlaskForm):
    reason = TextAreaField("审核不通过原因", filters=[strip],
                           validators=[DataRequired(message="请填写审核不通过原因"), Length(max=500)])
    submit = SubmitField("确定")


# ---- 单位: registration and 单位信息修改 ---------------------------------------------------------

def region_choices():
    """The 自治区 (区直), every 盟市 and 旗县 as options ('呼和浩特市 / 托克托县'), grouped by 盟市."""
    options = [SelectChoice("", "请选择")]
    for region in Region.select().order_by(Region.code):
        if region.level == "自治区":
            options.append(SelectChoice(region.code, f"{region.name}(区直单位)", optgroup="自治区"))
            continue
        city = region if region.level == "盟市" else region.parent
        label = region.name if region.level == "盟市" else f"{city.name} / {region.name}"
        options.append(SelectChoice(region.code, label, optgroup=city.name))
    return options


def hr_choices(region_code):
    """The HR bureaus a unit in `region_code` may name: its own, its 盟市's, and 自治区人社厅."""
    region = Region.get_or_none(Region.code == region_code)
    codes = []
    if region is not None:
        while region is not None:
            codes.append(region.code)
            region = region.parent
    agencies = {a.region_id: a for a in Agency.select().where(
        Agency.region.in_(codes) & Agency.kind.in_(("人社局", "人社厅")) & (Agency.active == True))}  # noqa: E712
    return [SelectChoice("", "请选择")] + [SelectChoice(str(agencies[c].id), agencies[c].name)
                                         for c in codes if c in agencies]


class UnitRegisterForm(PasswordPairMixin, FlaskForm):
    credit_code = CreditCodeField()
    name = StringField("单位名称", filters=[strip], validators=[required("单位名称"), Length(max=100)])
    nature = SelectField("单位性质", choices=choices(ORG_NATURES, "请选择"), validators=[required("单位性质")])
    region = SelectField("所在地区", validators=[required("所在地区")])
    contact = StringField("联系人", filters=[strip], validators=[required("联系人"), Length(max=50)])
    phone = StringField("手机号", filters=[strip], validators=[required("手机号"), PHONE])
    password = PasswordField("密码", validators=[required("密码")])
    password2 = PasswordField("确认密码", validators=[required("确认密码")])
    submit = SubmitField("注册")

    def validate_credit_code(self, field):
        if Org.select().where(Org.credit_code == field.data).exists():
            raise ValidationError("该统一社会信用代码已注册,请直接登录或联系当地人社局")


class UnitProfileForm(FlaskForm):
    name = StringField("单位名称", filters=[strip], validators=[required("单位名称"), Length(max=100)])
    nature = SelectField("单位性质", choices=choices(ORG_NATURES), validators=[required("单位性质")])
    legal_person = StringField("法人", filters=[strip], validators=[required("法人"), Length(max=50)])
    leader = StringField("负责人/总经理", filters=[strip], validators=[required("负责人/总经理"), Length(max=50)])
    contact = StringField("联系人", filters=[strip], validators=[required("联系人"), Length(max=50)])
    phone = StringField("手机号", filters=[strip], validators=[required("手机号"), PHONE])
    email = StringField("电子邮箱", filters=[strip], validators=[
        Optional(), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="电子邮箱格式不正确"), Length(max=100)])
    region = SelectField("所在地区", validators=[required("所在地区")])
    hr_agency = SelectField("上级人社主管部门", validators=[required("上级人社主管部门")])
    supervisor = HiddenField("上级主管单位")
    address = StringField("单位地址", filters=[strip], validators=[required("单位地址"), Length(max=200)])
    demand_contact = StringField("需求目录报送联系人", filters=[strip], validators=[Length(max=50)])
    demand_phone = StringField("联系人电话", filters=[strip], validators=[Length(max=30)])
    title_reviewer_name = StringField("职称审核人姓名", filters=[strip],
                                      validators=[required("职称审核人姓名"), Length(max=50)])
    title_reviewer_phone = StringField("职称审核人电话", filters=[strip], validators=[required("职称审核人电话"), PHONE])
    title_reviewer_id = IdNumberField("职称审核人身份证号")
    submit = SubmitField("保存")

    def fill_choices(self):
        """Regions, and the HR bureaus of the chosen region."""
        self.region.choices = region_choices()
        self.hr_agency.choices = hr_choices(self.region.data)
        return self

    def validate_supervisor(self, field):
        if self.nature.data not in NATURES_WITH_SUPERVISOR or not field.data:
            return
        if not field.data.isdigit() or not Org.supervisors().where(Org.id == int(field.data)).exists():
            raise ValidationError("请通过「查询主管单位」选择具有主管单位角色的单位")


class ForgotPasswordForm(PasswordPairMixin, FlaskForm):
    id_number = IdNumberField()
    phone = StringField("手机号", filters=[strip], validators=[required("手机号"), PHONE])
    code = StringField("验证码", filters=[strip])
    password = PasswordField("新密码")
    password2 = PasswordField("确认新密码")
    send = SubmitField("获取验证码")
    submit = SubmitField("重置密码")

