"""Login of the three kinds of account, registration, 「选择角色」, logout and password change."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from blueprints.access import (
    end_current_session, end_sessions, home_url, login_required, render, set_role, start_session,
)
from blueprints.forms import (
    ChangePasswordForm, PersonLoginForm, RegisterForm, SelectRoleForm, StaffLoginForm, UnitLoginForm,
    account_for_login,
)
from models import (
    PICK_LABELS, Account, AuditEvent, Org, Person, db, id_facts, id_number_error, now, write_tx,
)

bp = Blueprint("auth", __name__)

MAX_FAILURES = 5
LOCK_MINUTES = 15
BAD_LOGIN = "账号或密码错误"


def hash_password(password):
    """Hash a password with the configured method (scrypt in production)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _safe_next(target):
    """Only same-site relative paths are followed after login."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


def _locked_message(until):
    return f"密码连续错误{MAX_FAILURES}次,账号已锁定至{until:%Y-%m-%d %H:%M},请稍后再试或使用「忘记密码」"


def authenticate(kind, login, password):
    """(account, None) when the password is right, else (None, the Chinese reason)."""
    with write_tx():
        account = account_for_login(kind, login)
        if account is None:
            # Same answer as a wrong password, so logins cannot be probed.
            return None, BAD_LOGIN
        if not account.active:
            return None, "该账号已停用,请联系管理员"
        at = now()
        if account.locked_until and account.locked_until > at:
            return None, _locked_message(account.locked_until)
        if not check_password_hash(account.password_hash, password):
            failures = account.failed_logins + 1
            if failures >= MAX_FAILURES:
                until = at + timedelta(minutes=LOCK_MINUTES)
                Account.update(failed_logins=0, locked_until=until).where(Account.id == account.id).execute()
                return None, _locked_message(until)
            Account.update(failed_logins=failures).where(Account.id == account.id).execute()
            return None, f"{BAD_LOGIN},再错{MAX_FAILURES - failures}次账号将被锁定{LOCK_MINUTES}分钟"
        Account.update(failed_logins=0, locked_until=None).where(Account.id == account.id).execute()
        return account, None


def finish_login(account):
    """Start the session; one role goes straight home, several go to 「选择角色」."""
    roles = account.roles()
    start_session(account, roles[0] if len(roles) == 1 else None)
    target = _safe_next(request.args.get("next"))
    if len(roles) != 1:
        return redirect(url_for("auth.select_role", next=target or ""), 303)
    return redirect(target or home_url(roles[0]), 303)


@bp.get("/")
def index():
    """The 人才库 front page: logged-in users go home, others see the login."""
    if g.get("account") is not None and g.get("role"):
        return redirect(home_url(g.role))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """人才库 login: 个人 by 身份证号码, 单位 by 统一社会信用代码."""
    person_form = PersonLoginForm(prefix="p")
    unit_form = UnitLoginForm(prefix="u")
    active = request.args.get("tab", "个人")
    status = 200
    if request.method == "POST":
        active = "单位" if request.form.get("kind") == "单位" else "个人"
        form, field = (unit_form, unit_form.credit_code) if active == "单位" else \
            (person_form, person_form.id_number)
        if form.validate():
            account, problem = authenticate(active, field.data, form.password.data)
            if account is not None:
                return finish_login(account)
            form.password.errors.append(problem)
        status = 422
    return render("auth/login.html", person_form=person_form, unit_form=unit_form, active=active,
                  status=status)


@bp.route("/declare/login", methods=["GET", "POST"])
def staff_login():
    """职称申报系统 login for 人社局/其他局, 评委会 and admins: username + password."""
    form = StaffLoginForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            account, problem = authenticate("用户名", form.username.data, form.password.data)
            if account is not None:
                return finish_login(account)
            form.password.errors.append(problem)
        status = 422
    return render("auth/staff_login.html", form=form, status=status)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """个人注册 with 身份证号码 (出生日期 and 性别 derived from it)."""
    form = RegisterForm()
    if request.method == "POST":
        # 「查询」 and 「选择」 of the work unit also work without JavaScript: they redraw the form.
        if request.form.get("pick_org"):
            form.org_code.data = request.form["pick_org"]
            return _register_page(form)
        if request.form.get("action") == "search_org":
            return _register_page(form, results=_org_matches(request.form.get("org_q", "")),
                                  query=request.form.get("org_q", ""))
        if form.validate():
            born, gender = id_facts(form.id_number.data)
            with db.atomic():
                org = Org.get(Org.credit_code == form.org_code.data)
                person = Person.create(id_number=form.id_number.data, name=form.name.data, gender=gender,
                                       birth_date=born, phone=form.phone.data, org=org)
                account = Account.create(login=person.id_number, kind="个人", person=person,
                                         display_name=person.name,
                                         password_hash=hash_password(form.password.data))
                AuditEvent.create(account=account, role="个人", unit_name=org.name, action="注册")
            flash("注册成功", "success")
            return finish_login(account)
        return _register_page(form, status=422)
    return _register_page(form)


def _org_matches(query):
    """Units whose name or 统一社会信用代码 contains `query`, for choosing the work unit."""
    query = (query or "").strip()
    if not query:
        return []
    return list(Org.select().where(Org.name.contains(query) | Org.credit_code.contains(query.upper()))
                .order_by(Org.is_talent_center.desc(), Org.name).limit(20))


def _id_facts_of(value):
    """(出生日期, 性别, problem) for a typed 身份证号码."""
    value = (value or "").strip().upper()
    if not value:
        return None, None, None
    problem = id_number_error(value)
    if problem:
        return None, None, problem
    born, gender = id_facts(value)
    return born, gender, None


def _register_page(form, status=200, results=None, query=""):
    born, gender, _ = _id_facts_of(form.id_number.data)
    org = Org.get_or_none(Org.credit_code == (form.org_code.data or "").strip().upper())
    return render("auth/register.html", form=form, born=born, gender=gender, picked=org, results=results,
                  query=query, status=status)


@bp.get("/register/id-facts")
def id_facts_preview():
    """出生日期 and 性别 derived from the typed 身份证号码 (htmx fragment)."""
    born, gender, problem = _id_facts_of(request.args.get("id_number"))
    return render("auth/_id_facts.html", "auth/_id_facts.html", born=born, gender=gender, problem=problem)


@bp.get("/register/units")
def register_org_search():
    """Work units by name or 统一社会信用代码, for registration (htmx fragment)."""
    query = request.args.get("org_q", "")
    return render("auth/_org_results.html", "auth/_org_results.html", results=_org_matches(query), query=query)


@bp.get("/register/unit")
def register_org_pick():
    """The 工作单位 field filled with the chosen unit (htmx fragment)."""
    form = RegisterForm(meta={"csrf": False}, formdata=None)
    form.org_code.data = request.args.get("pick_org", "")
    org = Org.get_or_none(Org.credit_code == form.org_code.data)
    return render("auth/_org_pick.html", "auth/_org_pick.html", form=form, picked=org)


@bp.route("/select-role", methods=["GET", "POST"])
@login_required
def select_role():
    """「选择角色」 for an account that holds several roles; switching is one click."""
    roles = g.account.roles()
    form = SelectRoleForm()
    if form.validate_on_submit():
        if form.role.data not in roles:
            form.role.errors.append("没有该角色的权限")
        else:
            set_role(form.role.data)
            return redirect(_safe_next(form.next.data) or home_url(form.role.data), 303)
    form.next.data = form.next.data or request.args.get("next", "")
    return render("auth/select_role.html", form=form, roles=roles, labels=PICK_LABELS,
                  status=422 if request.method == "POST" else 200)


@bp.post("/logout")
def logout():
    """End the session on the server, not only in the browser."""
    staff = g.get("account") is not None and g.account.kind == "用户名"
    end_current_session("logout")
    flash("您已安全退出", "success")
    return redirect(url_for("auth.staff_login" if staff else "auth.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: every other session of the account ends; this browser gets a fresh one."""
    form = ChangePasswordForm()
    if request.method == "POST":
        if form.validate():
            if not check_password_hash(g.account.password_hash, form.old_password.data):
                form.old_password.errors.append("原密码不正确")
            else:
                role = g.role
                with db.atomic():
                    Account.update(password_hash=hash_password(form.password.data)).where(
                        Account.id == g.account.id).execute()
                    end_sessions(g.account, "password")
                    AuditEvent.create(account=g.account, role=role or "", unit_name=g.account.unit_name(),
                                      action="修改密码")
                start_session(g.account, role)
                flash("密码已修改,其他已登录的浏览器需重新登录", "success")
                return redirect(home_url(role) if role else url_for("auth.select_role"), 303)
        return render("auth/password.html", form=form, status=422)
    return render("auth/password.html", form=form)


def _add_error(field, message):
    field.errors = list(field.errors) + [message]


def _masked_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}"


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """忘记密码: 身份证号码 + 手机号 + a verification code sent by SMS, then a new password."""
    from blueprints.sms import SmsError, allow, check_code, send_code
    from blueprints.talent_forms import ForgotPasswordForm

    form = ForgotPasswordForm()
    if request.method == "GET":
        return render("auth/forgot_password.html", form=form, sent_to=None)
    sending = bool(form.send.data)
    fields = (form.csrf_token, form.id_number, form.phone)
    valid = all([field.validate(form) for field in fields]) if sending else form.validate()
    if not sending and valid:
        if not form.code.data:
            _add_error(form.code, "请输入验证码")
        if not form.password.data:
            _add_error(form.password, "请输入新密码")
        valid = not (form.code.errors or form.password.errors)
    account = None
    if valid:
        if not allow(f"forgot:{request.remote_addr}", timedelta(hours=1), 30):
            _add_error(form.phone, "操作过于频繁,请1小时后再试")
            valid = False
        else:
            account = (Account.select().join(Person, on=(Account.person == Person.id))
                       .where((Account.kind == "个人") & (Account.login == form.id_number.data)
                              & (Person.phone == form.phone.data)).first())
            if account is None:
                _add_error(form.phone, "身份证号码与手机号不匹配,请核对;如收不到验证码,可联系工作单位在「行业汇总展示」"
                                         "中初始化密码,或联系当地盟市、旗县人社部门重置密码")
                valid = False
    if valid and sending:
        try:
            send_code(form.phone.data)
        except SmsError as error:
            _add_error(form.code, str(error))
            return render("auth/forgot_password.html", form=form, sent_to=None, status=422)
        return render("auth/forgot_password.html", form=form, sent_to=_masked_phone(form.phone.data))
    if valid:
        try:
            check_code(form.phone.data, form.code.data)
        except SmsError as error:
            _add_error(form.code, str(error))
            valid = False
    if not valid:
        return render("auth/forgot_password.html", form=form, sent_to=None, status=422)
    with db.atomic():
        Account.update(password_hash=hash_password(form.password.data), failed_logins=0, locked_until=None).where(
            Account.id == account.id).execute()
        end_sessions(account, "password_reset")
        AuditEvent.create(account=account, role="个人", unit_name=account.unit_name(), action="忘记密码重置")
    flash("密码已重置,请使用新密码登录", "success")
    return redirect(url_for("auth.login"), 303)
