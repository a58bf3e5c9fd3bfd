"""WTForms of every blueprint; cross-field and database checks live in `validate_<field>`."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from models import Account, Org, Person, credit_code_error, id_number_error

REQUIRED = "此项为必填项"


def required(label):
    """A DataRequired whose message names the field in Chinese."""
    return DataRequired(message=f"请输入{label}")


def strip_upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def strip(value):
    return value.strip() if isinstance(value, str) else value


def password_problem(password):
    """None when the password is strong enough (≥ 8 characters, 3 of 4 character classes)."""
    if len(password) < 8:
        return "密码至少8位"
    classes = sum((
        any(c.islower() for c in password), any(c.isupper() for c in password),
        any(c.isdigit() for c in password), any(not c.isalnum() for c in password),
    ))
    if classes < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    return None


class IdNumberField(StringField):
    """A 身份证号码 input that validates the GB 11643 check digit."""

    def __init__(self, label="身份证号码", **kwargs):
        super().__init__(label, filters=[strip_upper], validators=[required(label)], **kwargs)

    def pre_validate(self, form):
        if self.data:
            problem = id_number_error(self.data)
            if problem:
                raise ValidationError(problem)


class CreditCodeField(StringField):
    """A 统一社会信用代码 input that validates the GB 32100 check character."""

    def __init__(self, label="统一社会信用代码", required_field=True, **kwargs):
        validators = [required(label)] if required_field else []
        super().__init__(label, filters=[strip_upper], validators=validators, **kwargs)

    def pre_validate(self, form):
        if self.data:
            problem = credit_code_error(self.data)
            if problem:
                raise ValidationError(problem)


class PersonLoginForm(FlaskForm):
    id_number = IdNumberField()
    password = PasswordField("密码", validators=[required("密码")])
    submit = SubmitField("登录")


class UnitLoginForm(FlaskForm):
    credit_code = CreditCodeField()
    password = PasswordField("密码", validators=[required("密码")])
    submit = SubmitField("登录")


class StaffLoginForm(FlaskForm):
    username = StringField("用户名", filters=[strip], validators=[required("用户名")])
    password = PasswordField("密码", validators=[required("密码")])
    submit = SubmitField("登录")


class PasswordPairMixin:
    def validate_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_password2(self, field):
        if field.data != self.password.data:
            raise ValidationError("两次输入的密码不一致")


class RegisterForm(PasswordPairMixin, FlaskForm):
    id_number = IdNumberField()
    name = StringField("姓名", filters=[strip], validators=[required("姓名"), Length(max=50)])
    phone = StringField("手机号", filters=[strip], validators=[
        required("手机号"), Regexp(r"^1\d{10}$", message="手机号应为11位数字,以1开头")])
    org_code = CreditCodeField("工作单位统一社会信用代码")
    password = PasswordField("密码", validators=[required("密码")])
    password2 = PasswordField("确认密码", validators=[required("确认密码")])
    submit = SubmitField("注册")

    def validate_id_number(self, field):
        if Person.select().where(Person.id_number == field.data).exists():
            raise ValidationError("该身份证号码已注册,请直接登录或使用「忘记密码」")

    def validate_org_code(self, field):
        if not credit_code_error(field.data) and Org.get_or_none(Org.credit_code == field.data) is None:
            raise ValidationError("未找到该统一社会信用代码的单位,请核对;无工作单位请选择当地人才服务中心")


class ChangePasswordForm(PasswordPairMixin, FlaskForm):
    old_password = PasswordField("原密码", validators=[required("原密码")])
    password = PasswordField("新密码", validators=[required("新密码")])
    password2 = PasswordField("确认新密码", validators=[required("确认新密码")])
    submit = SubmitField("保存")


class SelectRoleForm(FlaskForm):
    role = HiddenField(validators=[DataRequired(message="请选择角色")])
    next = HiddenField()


def account_for_login(kind, login):
    """The account of a login name of a kind, or None."""
    return Account.get_or_none((Account.kind == kind) & (Account.login == login))
