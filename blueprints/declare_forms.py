"""WTForms of the declaration wizard (one per step) and the plan filter."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from models import DEGREES, EDUCATIONS, ETHNICITIES, LEVELS, PLAN_TYPES, POLITICAL

OTHER = "其他"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def required(label, verb="请填写"):
    return DataRequired(message=f"{verb}{label}")


def choose(label):
    return required(label, "请选择")


def month(label):
    return Regexp(MONTH, message=f"{label}格式为 年-月,例如 2012-07")


def strip(value):
    return value.strip() if isinstance(value, str) else value


class PlanFilterForm(FlaskForm):
    """The plan search (GET): 类型 → 地区 → 系列/专业/等级."""

    class Meta:
        csrf = False

    plan_type = SelectField("申报类型", choices=[("", "全部类型")] + [(t, t) for t in PLAN_TYPES], default="")
    region = SelectField("地区", choices=[], default="")
    series = SelectField("申报职称系列", choices=[], default="")
    specialty = SelectField("申报职称专业", choices=[], default="")
    level = SelectField("申报职称等级", choices=[("", "全部等级")] + [(lv, lv) for lv in LEVELS], default="")


class PhotoForm(FlaskForm):
    photo = FileField("证件照(JPG/PNG)")
    submit = SubmitField("下一步")


class PledgeForm(FlaskForm):
    agree = BooleanField("本人承诺")
    submit = SubmitField("下一步")

    def validate_agree(self, field):
        if not field.data:
            raise ValidationError("请阅读真实性保证书并勾选「本人承诺」")


class InfoForm(FlaskForm):
    """Step ③ 填写申报信息: every field of the guide's screenshot (SPEC §3)."""
    series = SelectField("申报职称系列", choices=[], validators=[choose("申报职称系列")])
    specialty = SelectField("申报职称专业", choices=[], validators=[choose("申报职称专业")])
    level = SelectField("申报职称等级", choices=[], validators=[choose("申报职称等级")])
    title_name = SelectField("申报资格名称", choices=[], validators=[choose("申报资格名称")])
    practice_specialty = SelectField("从事专业名称", choices=[], validators=[choose("从事专业名称")])
    practice_other = StringField("其他从事专业名称", filters=[strip], validators=[Length(max=60)])
    name = StringField("姓名", render_kw={"readonly": True})
    former_name = StringField("曾用名", filters=[strip], validators=[Length(max=50)])
    id_number = StringField("身份证号码", render_kw={"readonly": True})
    gender = StringField("性别", render_kw={"readonly": True})
    birth_date = StringField("出生日期", render_kw={"readonly": True})
    ethnicity = SelectField("民族", choices=[(e, e) for e in ETHNICITIES], validators=[choose("民族")])
    political_status = SelectField("政治面貌", choices=[(p, p) for p in POLITICAL], validators=[choose("政治面貌")])
    phone = StringField("申报人手机号码", filters=[strip], validators=[
        required("申报人手机号码"), Regexp(r"^1\d{10}$", message="手机号应为11位数字,以1开头")])
    education = SelectField("参评学历", choices=[("", "请选择")] + [(e, e) for e in EDUCATIONS],
                            validators=[choose("参评学历")])
    education_cert_no = StringField("参评学历证书编号", filters=[strip],
                                    validators=[required("参评学历证书编号"), Length(max=40)])
    degree = SelectField("学位", choices=[("", "请选择")] + [(d, d) for d in DEGREES], validators=[choose("学位")])
    school = StringField("毕业院校", filters=[strip], validators=[required("毕业院校"), Length(max=100)])
    major = StringField("所学专业", filters=[strip], validators=[required("所学专业"), Length(max=100)])
    graduation = StringField("毕业时间", filters=[strip], validators=[required("毕业时间"), month("毕业时间")],
                             render_kw={"placeholder": "2012-07", "inputmode": "numeric"})
    unit_name = StringField("工作单位", render_kw={"readonly": True})
    unit_nature = StringField("工作单位性质", render_kw={"readonly": True})
    supervisor_name = StringField("上级主管单位", render_kw={"readonly": True})
    hr_name = StringField("单位所在人社部门", render_kw={"readonly": True})
    work_start = StringField("参加工作时间", filters=[strip], validators=[required("参加工作时间"), month("参加工作时间")],
                             render_kw={"placeholder": "2012-08", "inputmode": "numeric"})
    cur_series = SelectField("现职称系列", choices=[], validators=[Optional()])
    cur_specialty = SelectField("现职称专业", choices=[], validators=[Optional()])
    cur_level = SelectField("现职称等级", choices=[], validators=[Optional()])
    cur_name = SelectField("现职称名称", choices=[], validators=[Optional()])
    cur_obtained = StringField("现职称取得时间", filters=[strip], validators=[Optional(), month("现职称取得时间")],
                               render_kw={"placeholder": "2019-12", "inputmode": "numeric"})
    achievements_text = TextAreaField("主要专业技术工作业绩", filters=[strip],
                                      validators=[required("主要专业技术工作业绩"), Length(max=20000)])
    summary = TextAreaField("业绩简介(送审表)", filters=[strip], validators=[Length(max=2000)])
    submit = SubmitField("下一步")

    def validate_practice_other(self, field):
        if self.practice_specialty.data == OTHER and not field.data:
            raise ValidationError("选择「其他」时请填写其他从事专业名称")

    def validate_cur_series(self, field):
        parts = (self.cur_series.data, self.cur_level.data, self.cur_name.data)
        if any(parts) and not all(parts):
            raise ValidationError("现职称的系列、等级、名称请填写完整;没有职称请全部留空")


class ItemsForm(FlaskForm):
    submit = SubmitField("下一步")


class AttachmentForm(FlaskForm):
    category = SelectField("材料类别", choices=[], validators=[choose("材料类别")])
    file = FileField("申报材料(PDF/JPG/PNG)")
    twin = FileField("脱敏申报材料(PDF/JPG/PNG)")
    upload = SubmitField("上传")


class PublicityForm(FlaskForm):
    file = FileField("公示书面报告(PDF/JPG/PNG)")
    upload = SubmitField("上传")


class ExcelForm(FlaskForm):
    form = HiddenField()
    file = FileField("上传修改后的Excel")
    upload = SubmitField("上传")


class ConfirmForm(FlaskForm):
    confirmed = BooleanField("我已下载并确认评审表和送审表内容无误")
    submit = SubmitField("提交")

    def validate_confirmed(self, field):
        if not field.data:
            raise ValidationError("请先下载评审表和送审表PDF,确认内容无误后勾选「我已下载并确认评审表和送审表内容无误」")


class ActionForm(FlaskForm):
    """A button-only POST (删除, 重新申报, 同步人才库信息, 去除重复业绩)."""
    submit = SubmitField("确定")
