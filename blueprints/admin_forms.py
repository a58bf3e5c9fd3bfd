"""Forms of 用户管理, 计划管理 and 评委会管理; choices that depend on the admin's scope are set by the view."""
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.forms import CreditCodeField, PasswordPairMixin, required, strip
from models import LEVELS, Account, Agency, Committee

DATETIME = "%Y-%m-%dT%H:%M"


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes, each with its own label."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ResetPasswordForm(PasswordPairMixin, FlaskForm):
    password = PasswordField("新密码", validators=[required("新密码")])
    password2 = PasswordField("确认新密码", validators=[required("确认新密码")])


class AccountForm(PasswordPairMixin, FlaskForm):
    owner = SelectField("所属单位", validators=[DataRequired(message="请选择所属单位")])
    login = StringField("用户名", filters=[strip], validators=[
        required("用户名"), Length(min=3, max=40, message="用户名长度应为3到40个字符"),
        Regexp(r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$", message="用户名只能包含字母、数字、汉字、下划线和短横线")])
    display_name = StringField("姓名或名称", filters=[strip], validators=[Length(max=60)])
    password = PasswordField("初始密码", validators=[required("初始密码")])
    password2 = PasswordField("确认密码", validators=[required("确认密码")])

    def validate_login(self, field):
        if Account.select().where(Account.login == field.data).exists():
            raise ValidationError("该用户名已被使用")


class AgencyForm(FlaskForm):
    name = StringField("单位名称", filters=[strip], validators=[required("单位名称"), Length(max=60)])
    kind = SelectField("类别", choices=[(k, k) for k in ("教育局", "卫健委", "其他局", "人社局")])
    level = SelectField("级别", choices=[("盟市", "盟市"), ("旗县", "旗县")])
    region = SelectField("所在地区", validators=[DataRequired(message="请选择所在地区")])
    credit_code = CreditCodeField("统一社会信用代码", required_field=False)

    def validate_name(self, field):
        if Agency.select().where(Agency.name == field.data).exists():
            raise ValidationError("已存在同名的单位")

    def validate_credit_code(self, field):
        if field.data and Agency.select().where(Agency.credit_code == field.data).exists():
            raise ValidationError("该统一社会信用代码已被其他局使用")


def _ends_after_start(form, field):
    if field.data and form.starts_at.data and field.data <= form.starts_at.data:
        raise ValidationError("申报结束时间应晚于开始时间")


class PlanForm(FlaskForm):
    name = StringField("计划名称", filters=[strip], validators=[required("计划名称"), Length(max=120)])
    plan_type = SelectField("申报类型")
    review_scope = TextAreaField("评审范围", filters=[strip], validators=[required("评审范围"), Length(max=2000)])
    starts_at = DateTimeLocalField("开始时间", format=DATETIME, validators=[DataRequired(message="请选择开始时间")])
    ends_at = DateTimeLocalField("申报结束时间", format=DATETIME,
                                 validators=[DataRequired(message="请选择申报结束时间"), _ends_after_start])
    series = MultiCheckboxField("申报职称系列", validators=[DataRequired(message="请至少选择一个系列")])
    levels = MultiCheckboxField("申报职称等级", choices=[(v, v) for v in LEVELS],
                                validators=[DataRequired(message="请至少选择一个等级")])


class ExtendForm(FlaskForm):
    ends_at = DateTimeLocalField("新的申报结束时间", format=DATETIME,
                                 validators=[DataRequired(message="请选择新的申报结束时间")])


class CommitteeForm(FlaskForm):
    name = StringField("评委会名称", filters=[strip], validators=[required("评委会名称"), Length(max=80)])
    region = SelectField("评审地区", validators=[DataRequired(message="请选择评审地区")])
    series = SelectField("评审系列", validators=[DataRequired(message="请选择评审系列")])
    specialty = StringField("评审专业", filters=[strip], validators=[Optional(), Length(max=60)])
    levels = MultiCheckboxField("评审等级", choices=[(v, v) for v in LEVELS],
                                validators=[DataRequired(message="请至少选择一个等级")])

    def __init__(self, *args, committee=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.committee = committee

    def validate_name(self, field):
        query = Committee.select().where(Committee.name == field.data)
        if self.committee is not None:
            query = query.where(Committee.id != self.committee.id)
        if query.exists():
            raise ValidationError("已存在同名的评委会")

    def validate_specialty(self, field):
        from models import TitleSeries, TitleSpecialty
        if field.data and not (TitleSpecialty.select().join(TitleSeries)
                               .where((TitleSeries.name == self.series.data) & (TitleSpecialty.name == field.data))
                               .exists()):
            raise ValidationError(f"「{self.series.data}」系列下没有「{field.data}」专业;留空表示全部专业")
