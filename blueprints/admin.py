"""Administration for 自治区人社厅 and 盟市 bureaus: 用户管理, 计划管理, 评委会管理, 统计 and 操作日志.

The admin of 自治区人社厅 sees everything; the admin of a 盟市 bureau acts only on units, persons, bureaus,
committees and plans whose region is that 盟市 or below it — anything else is a 404. Every change writes an
AuditEvent (no application) that the 操作日志 page lists.
"""
import io
from collections import Counter, defaultdict
from datetime import timedelta

from flask import Blueprint, abort, flash, g, redirect, request, send_file, url_for
from peewee import OP, Expression, Value

from blueprints.access import end_sessions, render, role_required
from blueprints.admin_forms import AccountForm, AgencyForm, CommitteeForm, ExtendForm, PlanForm, ResetPasswordForm
from blueprints.auth import hash_password
from blueprints.charts import bar_chart, line_chart
from models import (
    LEVELS, OFFLINE_PLAN_TYPES, ROLE_ADMIN, ROLE_CITY, Account, Agency, AgencySeries, Application, AuditEvent,
    Committee, CommitteeScope, Org, Person, Plan, PlanScope, Region, RouteStep, TitleSeries, fn, mask_id, mask_name,
    now, write_tx,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

PROVINCE = "150000"
PROVINCE_PLAN_TYPES = ("社会化", "绿色通道", "高校教师")
CITY_PLAN_TYPES = ("农牧民", "基层定向评价(双定向)", "认定")
# Plans whose records never reach a committee: offline plans and 绿色通道 (工作单位 → 主管部门 → 人社部门).
NO_COMMITTEE_TYPES = OFFLINE_PLAN_TYPES + ("绿色通道",)
USER_KINDS = ("单位", "个人", "人社局/其他局", "评委会")
PAGE_SIZE = 50


# ---- Scope -------------------------------------------------------------------------------------

def scope_region():
    """None for 自治区人社厅 (everything), else the Region (a 盟市) the actor's bureau governs."""
    if "scope_region" not in g:
        agency = g.account.agency
        if agency is None:
            abort(404)
        g.scope_region = None if agency.level == "自治区" else agency.region
    return g.scope_region


def scope_codes():
    """Region codes the actor may act on, or None for all of them."""
    if "scope_codes" not in g:
        region = scope_region()
        if region is None:
            g.scope_codes = None
        else:
            codes, frontier = {region.code}, [region.code]
            while frontier:
                frontier = [r.code for r in Region.select(Region.code).where(Region.parent.in_(frontier))]
                codes.update(frontier)
            g.scope_codes = codes
    return g.scope_codes


def in_scope(region_code):
    """True when a region code is inside the actor's scope."""
    codes = scope_codes()
    return codes is None or region_code in codes


def scoped(query, field):
    """`query` limited to rows whose region `field` is in scope."""
    codes = scope_codes()
    return query if codes is None else query.where(field.in_(list(codes)))


def scope_name():
    """The name of the actor's scope, for headings."""
    region = scope_region()
    return "全区" if region is None else region.name


def city_code(region_code):
    """The 盟市 code of a region (the 自治区 code for itself), kept in audit details for the log's scope."""
    region = Region.get_or_none(Region.code == region_code)
    if region is None or region.level == "自治区":
        return PROVINCE
    return region.code if region.level == "盟市" else region.parent_id


def get_scoped(model, object_id, region_of):
    """The row `object_id` of `model` when its region is in scope, else 404."""
    row = model.get_or_none(model.id == object_id)
    if row is None or not in_scope(region_of(row)):
        abort(404)
    return row


def account_region(account):
    """The region an account belongs to (through its person, unit, bureau or committee)."""
    if account.person_id:
        return account.person.org.region_id if account.person.org_id else PROVINCE
    for owner in (account.org, account.agency, account.committee):
        if owner is not None:
            return owner.region_id
    return PROVINCE


def audit(action, region_code, reason="", **detail):
    """Record an admin change; `region_code` files it under its 盟市 in the log."""
    AuditEvent.create(application=None, account=g.account, role=g.role or "", unit_name=g.account.unit_name(),
                      action=action, reason=reason, detail={**detail, "scope": city_code(region_code)})


def json_contains(field, text):
    """LIKE on the stored JSON text itself (a plain .contains() would JSON-encode the pattern)."""
    # Wildcards typed by the user are dropped rather than escaped: SQLite and PostgreSQL escape differently.
    plain = text.replace("%", "").replace("_", "")
    return Expression(field, OP.ILIKE, Value(f"%{plain}%", converter=False))


def back_to_users(kind, q):
    """Where a user-management action returns."""
    return redirect(url_for("admin.users", kind=kind, q=q), 303)


# ---- Home and log ------------------------------------------------------------------------------

@bp.get("/")
@role_required(ROLE_ADMIN)
def home():
    """管理首页: what the system holds within the admin's scope."""
    counts = [("单位", scoped(Org.select(), Org.region).count()),
              ("个人", scoped(Person.select().join(Org), Org.region).count()),
              ("人社局/其他局", scoped(Agency.select(), Agency.region).count()),
              ("评委会", scoped(Committee.select(), Committee.region).count()),
              ("申报计划", scoped(Plan.select(), Plan.region).count())]
    problems = coverage_problems()
    return render("admin/home.html", counts=counts, scope=scope_name(), problem_count=len(problems))


@bp.get("/log")
@role_required(ROLE_ADMIN)
def log():
    """操作日志: every change made in 用户管理, 计划管理 and 评委会管理, newest first."""
    q = request.args.get("q", "").strip()[:40]
    page = max(request.args.get("page", 1, type=int), 1)
    query = AuditEvent.select().where(AuditEvent.application.is_null() & (AuditEvent.role == ROLE_ADMIN))
    region = scope_region()
    if region is not None:
        query = query.where(json_contains(AuditEvent.detail, f'"scope": "{city_code(region.code)}"'))
    if q:
        query = query.where(AuditEvent.action.contains(q) | json_contains(AuditEvent.detail, q)
                            | AuditEvent.unit_name.contains(q))
    total = query.count()
    events = list(query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
                  .paginate(page, PAGE_SIZE).prefetch(Account))
    return render("admin/log.html", "admin/_log_rows.html", events=events, q=q, page_no=page, total=total,
                  pages=max(1, -(-total // PAGE_SIZE)))


# ---- 用户管理 ----------------------------------------------------------------------------------

def _search_orgs(q):
    query = scoped(Org.select(), Org.region)
    if q:
        query = query.where(Org.name.contains(q) | (Org.credit_code == q.upper()))
    return list(query.order_by(Org.is_supervisor.desc(), Org.name).limit(PAGE_SIZE))


def _search_persons(q):
    query = scoped(Person.select(Person, Org).join(Org), Org.region)
    if q:
        query = query.where(Person.name.contains(q) | (Person.id_number == q.upper()))
    return list(query.order_by(Person.name).limit(PAGE_SIZE))


def _search_agencies(q):
    query = scoped(Agency.select(), Agency.region)
    if q:
        query = query.where(Agency.name.contains(q) | (Agency.credit_code == q.upper()))
    return list(query.order_by(Agency.level.desc(), Agency.kind, Agency.name).limit(PAGE_SIZE))


def _search_committees(q):
    query = scoped(Committee.select(), Committee.region)
    if q:
        query = query.where(Committee.name.contains(q))
    return list(query.order_by(Committee.region, Committee.name).limit(PAGE_SIZE))


def _accounts_by(field, owners):
    found = defaultdict(list)
    if owners:
        for account in Account.select().where(field.in_([o.id for o in owners])).order_by(Account.login):
            found[getattr(account, field.name + "_id")].append(account)
    return found


@bp.get("/users")
@role_required(ROLE_ADMIN)
def users():
    """用户管理: search units, persons, bureaus and committees with their accounts."""
    kind = request.args.get("kind", "单位")
    if kind not in USER_KINDS:
        kind = "单位"
    q = request.args.get("q", "").strip()[:60]
    context = {"kind": kind, "q": q, "kinds": USER_KINDS, "scope": scope_name(), "mask_id": mask_id}
    if kind == "单位":
        rows = _search_orgs(q)
        context.update(rows=rows, accounts=_accounts_by(Account.org, rows),
                       subordinates=Counter(o.supervisor_id for o in Org.select(Org.supervisor)
                                            .where(Org.supervisor.in_([r.id for r in rows]))))
    elif kind == "个人":
        rows = _search_persons(q)
        context.update(rows=rows, accounts=_accounts_by(Account.person, rows))
    elif kind == "人社局/其他局":
        rows = _search_agencies(q)
        permissions = defaultdict(list)
        for perm in AgencySeries.select().where(AgencySeries.agency.in_([r.id for r in rows])):
            permissions[perm.agency_id].append(perm)
        context.update(rows=rows, accounts=_accounts_by(Account.agency, rows), permissions=permissions,
                       series=[s.name for s in TitleSeries.select().order_by(TitleSeries.sort)])
    else:
        rows = _search_committees(q)
        context.update(rows=rows, accounts=_accounts_by(Account.committee, rows))
    return render("admin/users.html", "admin/_users_results.html", **context)


@bp.post("/orgs/<int:org_id>/supervisor")
@role_required(ROLE_ADMIN)
def set_supervisor(org_id):
    """Grant or revoke the 主管单位 role of a unit (the fix for 「主管部门没有账户…」)."""
    grant = request.form.get("grant") == "1"
    with write_tx():
        org = get_scoped(Org, org_id, lambda o: o.region_id)
        if org.is_supervisor != grant:
            Org.update(is_supervisor=grant).where(Org.id == org.id).execute()
            audit("授予主管单位角色" if grant else "取消主管单位角色", org.region_id,
                  单位=org.name, 统一社会信用代码=org.credit_code)
    if grant:
        flash(f"已授予「{org.name}」主管单位角色,其下属单位人员可以重新提交申报", "success")
    else:
        count = Org.select().where(Org.supervisor == org).count()
        note = f";注意:仍有{count}个单位选择其为上级主管单位,这些单位人员提交时将被拒绝" if count else ""
        flash(f"已取消「{org.name}」的主管单位角色{note}", "warning" if count else "success")
    return back_to_users("单位", request.form.get("q", org.credit_code))


@bp.post("/agencies/<int:agency_id>/series")
@role_required(ROLE_ADMIN)
def set_series(agency_id):
    """Grant or revoke an industry bureau's permission to review a series (the fix for 「当地教育局没有权限」)."""
    grant = request.form.get("grant") == "1"
    series = request.form.get("series", "")
    with write_tx():
        agency = get_scoped(Agency, agency_id, lambda a: a.region_id)
        if agency.is_hr or not TitleSeries.select().where(TitleSeries.name == series).exists():
            abort(404)
        perm = AgencySeries.get_or_none((AgencySeries.agency == agency) & (AgencySeries.series == series))
        if perm is None or perm.granted != grant:
            if perm is None:
                AgencySeries.create(agency=agency, series=series, granted=grant)
            else:
                AgencySeries.update(granted=grant).where(AgencySeries.id == perm.id).execute()
            audit("授予系列审核权限" if grant else "撤销系列审核权限", agency.region_id, 单位=agency.name,
                  系列=series)
    flash(f"已{'授予' if grant else '撤销'}「{agency.name}」「{series}」系列的审核权限", "success")
    return back_to_users("人社局/其他局", request.form.get("q", agency.name))


def _get_account(account_id):
    account = Account.get_or_none(Account.id == account_id)
    if account is None or not in_scope(account_region(account)):
        abort(404)
    return account


def _account_kind(account):
    if account.person_id:
        return "个人"
    if account.org_id:
        return "单位"
    return "评委会" if account.committee_id else "人社局/其他局"


@bp.post("/accounts/<int:account_id>/active")
@role_required(ROLE_ADMIN)
def set_active(account_id):
    """停用 or 启用 an account; disabling ends its sessions at once."""
    active = request.form.get("active") == "1"
    account = _get_account(account_id)
    if account.id == g.account.id:
        flash("不能停用当前登录的账号", "error")
        return back_to_users(_account_kind(account), request.form.get("q", account.login))
    with write_tx():
        if account.active != active:
            Account.update(active=active, failed_logins=0, locked_until=None).where(
                Account.id == account.id).execute()
            ended = 0 if active else end_sessions(account, "disabled")
            audit("启用账号" if active else "停用账号", account_region(account), 账号=account.login,
                  名称=account.display_name or account.unit_name(), 结束会话数=ended)
    flash(f"账号「{account.login}」已{'启用' if active else '停用'}", "success")
    return back_to_users(_account_kind(account), request.form.get("q", account.login))


@bp.route("/accounts/<int:account_id>/password", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def reset_password(account_id):
    """重置密码 of any account in scope: the old sessions end and the lock is lifted."""
    account = _get_account(account_id)
    form = ResetPasswordForm()
    if request.method == "POST":
        if not form.validate():
            return render("admin/reset_password.html", form=form, account=account, status=422)
        with write_tx():
            Account.update(password_hash=hash_password(form.password.data), failed_logins=0,
                           locked_until=None).where(Account.id == account.id).execute()
            end_sessions(account, "password reset")
            audit("重置密码", account_region(account), 账号=account.login,
                  名称=account.display_name or account.unit_name())
        flash(f"账号「{account.login}」的密码已重置,请将新密码告知本人并提醒其登录后修改", "success")
        return back_to_users(_account_kind(account), account.login)
    return render("admin/reset_password.html", form=form, account=account)


def _owner_choices():
    agencies = scoped(Agency.select(), Agency.region).order_by(Agency.level.desc(), Agency.name)
    committees = scoped(Committee.select(), Committee.region).order_by(Committee.name)
    return ([(f"a{a.id}", f"{a.name}(人社局/其他局)") for a in agencies]
            + [(f"c{c.id}", f"{c.name}(评委会)") for c in committees])


@bp.route("/accounts/new", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def new_account():
    """新增账号 for a bureau or a committee in scope."""
    form = AccountForm()
    form.owner.choices = [("", "请选择")] + _owner_choices()
    if request.method == "GET" and request.args.get("owner"):
        form.owner.data = request.args["owner"]
    if request.method == "POST":
        if not form.validate():
            return render("admin/account_form.html", form=form, status=422)
        kind, owner_id = form.owner.data[0], int(form.owner.data[1:])
        with write_tx():
            if kind == "a":
                owner = get_scoped(Agency, owner_id, lambda a: a.region_id)
                fields = {"agency": owner}
            else:
                owner = get_scoped(Committee, owner_id, lambda c: c.region_id)
                fields = {"committee": owner}
            account = Account.create(login=form.login.data, kind="用户名", display_name=form.display_name.data
                                     or owner.name, password_hash=hash_password(form.password.data), **fields)
            audit("新增账号", owner.region_id, 账号=account.login, 所属单位=owner.name)
        flash(f"已为「{owner.name}」新增账号「{account.login}」", "success")
        return back_to_users("评委会" if kind == "c" else "人社局/其他局", owner.name)
    return render("admin/account_form.html", form=form)


def _region_choices(levels):
    query = scoped(Region.select(), Region.code).where(Region.level.in_(levels)).order_by(Region.code)
    return [(r.code, r.name if r.level == "盟市" else f"{r.parent.name}{r.name}") for r in query]


@bp.route("/agencies/new", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def new_agency():
    """新增其他局 (教育局, 卫健委 …) or a 人社局 at 盟市 or 旗县 level in scope."""
    form = AgencyForm()
    form.region.choices = [("", "请选择")] + _region_choices(("盟市", "旗县市区", "功能区"))
    if request.method == "POST":
        if form.validate():
            region = Region.get_by_id(form.region.data)
            if form.level.data == "盟市" and region.level != "盟市":
                form.region.errors.append("盟市级的局应选择盟市")
            elif form.level.data == "旗县" and region.level == "盟市":
                form.region.errors.append("旗县级的局应选择旗县市区")
            else:
                with write_tx():
                    agency = Agency.create(name=form.name.data, kind=form.kind.data, level=form.level.data,
                                           region=region, credit_code=form.credit_code.data or None)
                    audit("新增人社局/其他局", region.code, 单位=agency.name, 类别=agency.kind, 级别=agency.level)
                flash(f"已新增「{agency.name}」,可继续为其新增账号和授予系列权限", "success")
                return back_to_users("人社局/其他局", agency.name)
        return render("admin/agency_form.html", form=form, status=422)
    return render("admin/agency_form.html", form=form)


# ---- 计划管理 ----------------------------------------------------------------------------------

def publishable_types():
    """Plan types the actor publishes: 社会化 etc. for 自治区人社厅, 农牧民 etc. for a 盟市 bureau."""
    return PROVINCE_PLAN_TYPES if scope_region() is None else CITY_PLAN_TYPES


def _plan_form(plan=None):
    form = PlanForm(obj=plan) if request.method == "GET" and plan is not None else PlanForm()
    types = publishable_types()
    if plan is not None and plan.plan_type not in types:
        types = types + (plan.plan_type,)
    form.plan_type.choices = [(t, t) for t in types]
    form.series.choices = [(s.name, s.name) for s in TitleSeries.select().order_by(TitleSeries.sort)]
    if request.method == "GET" and plan is not None:
        scopes = list(plan.scopes)
        form.series.data = sorted({s.series for s in scopes})
        form.levels.data = [v for v in LEVELS if v in {s.level for s in scopes}]
    return form


def _get_plan(plan_id):
    return get_scoped(Plan, plan_id, lambda p: p.region_id)


def _plan_has_records(plan):
    return Application.select().where(Application.plan == plan).exists()


@bp.get("/plans")
@role_required(ROLE_ADMIN)
def plans():
    """计划管理: the plans in scope with their state and number of records."""
    rows = list(scoped(Plan.select(), Plan.region).order_by(Plan.year.desc(), Plan.created_at.desc(), Plan.id))
    counts = dict(Application.select(Application.plan, fn.COUNT(Application.id))
                  .where(Application.plan.in_([p.id for p in rows])).group_by(Application.plan).tuples())
    return render("admin/plans.html", rows=rows, counts=counts, at=now(), scope=scope_name(),
                  extend_form=ExtendForm(), types=publishable_types())


def _save_scopes(plan, series, levels):
    PlanScope.delete().where(PlanScope.plan == plan).execute()
    for name in series:
        for level in levels:
            PlanScope.create(plan=plan, series=name, level=level)


@bp.route("/plans/new", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def new_plan():
    """发布申报计划 of a type the actor publishes, for its region."""
    form = _plan_form()
    if request.method == "POST":
        if not form.validate():
            return render("admin/plan_form.html", form=form, plan=None, status=422)
        region = scope_region()
        publisher = g.account.agency
        with write_tx():
            plan = Plan.create(name=form.name.data, plan_type=form.plan_type.data, publisher=publisher,
                               region=region.code if region else PROVINCE, review_scope=form.review_scope.data,
                               starts_at=form.starts_at.data, ends_at=form.ends_at.data, year=form.starts_at.data.year,
                               is_open=True)
            _save_scopes(plan, form.series.data, form.levels.data)
            audit("发布申报计划", plan.region_id, 计划=plan.name, 申报类型=plan.plan_type,
                  申报结束时间=f"{plan.ends_at:%Y-%m-%d %H:%M}")
        flash(f"申报计划「{plan.name}」已发布", "success")
        return redirect(url_for("admin.plans"), 303)
    return render("admin/plan_form.html", form=form, plan=None)


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def edit_plan(plan_id):
    """修改申报计划; once it has records its scope and type stay as they are and the end time only moves later."""
    plan = _get_plan(plan_id)
    has_records = _plan_has_records(plan)
    form = _plan_form(plan)
    if request.method == "POST":
        ok = form.validate()
        if has_records:
            old = {(s.series, s.level) for s in plan.scopes}
            new = {(s, v) for s in form.series.data or [] for v in form.levels.data or []}
            if old != new:
                form.series.errors = list(form.series.errors) + ["该计划已有申报记录,不能修改申报范围"]
                ok = False
            if form.plan_type.data != plan.plan_type:
                form.plan_type.errors = list(form.plan_type.errors) + ["该计划已有申报记录,不能修改申报类型"]
                ok = False
            if form.ends_at.data and form.ends_at.data < plan.ends_at:
                form.ends_at.errors = list(form.ends_at.errors) + ["该计划已有申报记录,申报结束时间只能延后"]
                ok = False
        if not ok:
            return render("admin/plan_form.html", form=form, plan=plan, has_records=has_records, status=422)
        with write_tx():
            Plan.update(name=form.name.data, plan_type=form.plan_type.data, review_scope=form.review_scope.data,
                        starts_at=form.starts_at.data, ends_at=form.ends_at.data,
                        year=form.starts_at.data.year).where(Plan.id == plan.id).execute()
            if not has_records:
                _save_scopes(plan, form.series.data, form.levels.data)
            audit("修改申报计划", plan.region_id, 计划=form.name.data)
        flash("申报计划已保存", "success")
        return redirect(url_for("admin.plans"), 303)
    return render("admin/plan_form.html", form=form, plan=plan, has_records=has_records)


@bp.post("/plans/<int:plan_id>/open")
@role_required(ROLE_ADMIN)
def set_plan_open(plan_id):
    """开放 or 关闭 a plan: a closed plan accepts no new declaration and no submission."""
    is_open = request.form.get("open") == "1"
    with write_tx():
        plan = _get_plan(plan_id)
        Plan.update(is_open=is_open).where(Plan.id == plan.id).execute()
        audit("开放申报计划" if is_open else "关闭申报计划", plan.region_id, 计划=plan.name)
    flash(f"申报计划「{plan.name}」已{'开放' if is_open else '关闭'}", "success")
    return redirect(url_for("admin.plans"), 303)


@bp.post("/plans/<int:plan_id>/extend")
@role_required(ROLE_ADMIN)
def extend_plan(plan_id):
    """延长申报结束时间: the new end must be later than the current one."""
    plan = _get_plan(plan_id)
    form = ExtendForm()
    if form.validate() and form.ends_at.data <= plan.ends_at:
        form.ends_at.errors.append(f"新的申报结束时间应晚于当前的{plan.ends_at:%Y-%m-%d %H:%M}")
    if form.errors:
        return render("admin/extend.html", form=form, plan=plan, status=422)
    with write_tx():
        Plan.update(ends_at=form.ends_at.data).where(Plan.id == plan.id).execute()
        audit("延长申报结束时间", plan.region_id, 计划=plan.name, 原结束时间=f"{plan.ends_at:%Y-%m-%d %H:%M}",
              新结束时间=f"{form.ends_at.data:%Y-%m-%d %H:%M}")
    flash(f"「{plan.name}」的申报结束时间已延长至{form.ends_at.data:%Y-%m-%d %H:%M}", "success")
    return redirect(url_for("admin.plans"), 303)


@bp.get("/plans/<int:plan_id>/extend")
@role_required(ROLE_ADMIN)
def extend_form(plan_id):
    """The 延长申报结束时间 form of one plan."""
    plan = _get_plan(plan_id)
    form = ExtendForm(ends_at=plan.ends_at + timedelta(days=7))
    return render("admin/extend.html", form=form, plan=plan)


@bp.post("/plans/<int:plan_id>/delete")
@role_required(ROLE_ADMIN)
def delete_plan(plan_id):
    """删除 a plan that has no records; a plan with records can only be closed."""
    with write_tx():
        plan = _get_plan(plan_id)
        if _plan_has_records(plan):
            flash(f"「{plan.name}」已有申报记录,不能删除;如需停止申报,请关闭该计划", "error")
            return redirect(url_for("admin.plans"), 303)
        audit("删除申报计划", plan.region_id, 计划=plan.name, 申报类型=plan.plan_type)
        PlanScope.delete().where(PlanScope.plan == plan).execute()
        Plan.delete().where(Plan.id == plan.id).execute()
    flash(f"申报计划「{plan.name}」已删除", "success")
    return redirect(url_for("admin.plans"), 303)


# ---- 评委会管理 --------------------------------------------------------------------------------

def coverage_problems():
    """Every open-ended plan scope × 盟市 with no active committee or more than one, grouped for reading.

    A committee matches a plan scope when the series is equal, its 专业 is the same or '' (all), the level
    is equal and its region is the 自治区 or the 盟市 the declaration comes from. A 自治区-wide plan is
    checked for each 盟市; a 盟市 admin sees only its own 盟市.
    """
    region = scope_region()
    if region is None:
        cities = list(Region.select().where(Region.level == "盟市").order_by(Region.code))
    else:
        cities = [region if region.level == "盟市" else region.parent]
    city_codes = {c.code for c in cities}
    committee_scopes = defaultdict(list)
    for cs in (CommitteeScope.select(CommitteeScope, Committee).join(Committee)
               .where(Committee.active == True)):  # noqa: E712
        committee_scopes[(cs.series, cs.level)].append(cs)
    plans_query = (Plan.select().where((Plan.ends_at >= now()) & Plan.plan_type.not_in(NO_COMMITTEE_TYPES))
                   .order_by(Plan.id))
    grouped = {}
    for plan in plans_query:
        if plan.region_id == PROVINCE:
            plan_cities = cities
        else:
            plan_city = city_code(plan.region_id)
            if plan_city not in city_codes:
                continue
            plan_cities = [c for c in cities if c.code == plan_city]
        for scope in plan.scopes.order_by(PlanScope.series, PlanScope.level):
            candidates = [cs for cs in committee_scopes[(scope.series, scope.level)]
                          if cs.specialty in (scope.specialty, "")]
            for city in plan_cities:
                found = sorted({cs.committee.name for cs in candidates
                                if cs.committee.region_id in (PROVINCE, city.code)})
                if len(found) == 1:
                    continue
                key = (plan.id, scope.series, scope.specialty, tuple(found))
                entry = grouped.setdefault(key, {"plan": plan, "series": scope.series, "specialty": scope.specialty,
                                                 "committees": found, "levels": [], "regions": []})
                if scope.level not in entry["levels"]:
                    entry["levels"].append(scope.level)
                if city.name not in entry["regions"]:
                    entry["regions"].append(city.name)
    rows = list(grouped.values())
    for row in rows:
        row["levels"].sort(key=LEVELS.index)
        row["problem"] = "没有评委会" if not row["committees"] else "找到多个评委会"
        row["all_cities"] = len(cities) > 1 and len(row["regions"]) == len(cities)
    return rows


def _get_committee(committee_id):
    return get_scoped(Committee, committee_id, lambda c: c.region_id)


@bp.get("/committees")
@role_required(ROLE_ADMIN)
def committees():
    """评委会管理: the committees in scope and the 评委会覆盖检查."""
    rows = list(scoped(Committee.select(), Committee.region).order_by(Committee.region, Committee.name))
    scopes = defaultdict(list)
    for cs in CommitteeScope.select().where(CommitteeScope.committee.in_([r.id for r in rows])):
        scopes[cs.committee_id].append(cs)
    accounts = Counter(a.committee_id for a in Account.select(Account.committee)
                       .where(Account.committee.in_([r.id for r in rows])))
    return render("admin/committees.html", rows=rows, scopes=scopes, accounts=accounts,
                  problems=coverage_problems(), scope=scope_name())


def _committee_form(committee=None):
    form = CommitteeForm(committee=committee)
    region = scope_region()
    if region is None:
        form.region.choices = [(PROVINCE, "内蒙古自治区(全区)")] + [
            (r.code, r.name) for r in Region.select().where(Region.level == "盟市").order_by(Region.code)]
    else:
        form.region.choices = [(region.code, region.name)]
    form.series.choices = [("", "请选择")] + [(s.name, s.name) for s in TitleSeries.select().order_by(TitleSeries.sort)]
    if request.method == "GET" and committee is not None:
        scopes = list(committee.scopes)
        form.name.data = committee.name
        form.region.data = committee.region_id
        if scopes:
            form.series.data = scopes[0].series
            form.specialty.data = scopes[0].specialty
        form.levels.data = [v for v in LEVELS if v in {s.level for s in scopes}]
    return form


def _save_committee_scopes(committee, form):
    CommitteeScope.delete().where(CommitteeScope.committee == committee).execute()
    for level in form.levels.data:
        CommitteeScope.create(committee=committee, series=form.series.data, specialty=form.specialty.data or "",
                              level=level)


@bp.route("/committees/new", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def new_committee():
    """新增评委会 with its scope (系列, 专业, 等级, 地区)."""
    form = _committee_form()
    if request.method == "POST":
        if not form.validate():
            return render("admin/committee_form.html", form=form, committee=None, status=422)
        with write_tx():
            committee = Committee.create(name=form.name.data, region=form.region.data)
            _save_committee_scopes(committee, form)
            audit("新增评委会", committee.region_id, 评委会=committee.name, 系列=form.series.data,
                  专业=form.specialty.data or "全部", 等级="、".join(form.levels.data))
        flash(f"已新增评委会「{committee.name}」,可在用户管理中为其新增账号", "success")
        return redirect(url_for("admin.committees"), 303)
    return render("admin/committee_form.html", form=form, committee=None)


@bp.route("/committees/<int:committee_id>/edit", methods=["GET", "POST"])
@role_required(ROLE_ADMIN)
def edit_committee(committee_id):
    """修改评委会 name and scope."""
    committee = _get_committee(committee_id)
    form = _committee_form(committee)
    if request.method == "POST":
        if not form.validate():
            return render("admin/committee_form.html", form=form, committee=committee, status=422)
        with write_tx():
            Committee.update(name=form.name.data, region=form.region.data).where(
                Committee.id == committee.id).execute()
            _save_committee_scopes(committee, form)
            audit("修改评委会", form.region.data, 评委会=form.name.data, 系列=form.series.data,
                  专业=form.specialty.data or "全部", 等级="、".join(form.levels.data))
        flash(f"评委会「{form.name.data}」已保存", "success")
        return redirect(url_for("admin.committees"), 303)
    return render("admin/committee_form.html", form=form, committee=committee)


@bp.post("/committees/<int:committee_id>/active")
@role_required(ROLE_ADMIN)
def set_committee_active(committee_id):
    """停用 or 启用 a committee; a stopped committee matches no declaration."""
    active = request.form.get("active") == "1"
    with write_tx():
        committee = _get_committee(committee_id)
        Committee.update(active=active).where(Committee.id == committee.id).execute()
        audit("启用评委会" if active else "停用评委会", committee.region_id, 评委会=committee.name)
    flash(f"评委会「{committee.name}」已{'启用' if active else '停用'}", "success")
    return redirect(url_for("admin.committees"), 303)


# ---- 统计 --------------------------------------------------------------------------------------

STAT_TABLES = {
    "status": ("按状态", "状态"),
    "series": ("按系列", "职称系列"),
    "level": ("按等级", "申报等级"),
    "region": ("按地区", "地区"),
    "plan": ("按申报计划", "申报计划"),
    "daily": ("每日提交数", "日期"),
    "units": ("待审核单位(瓶颈)", "审核单位"),
    "waiting": ("等待最久的申报记录", "申报人"),
}
WAITING_SUFFIXES = ("审核中", "待签章")
MAX_DAYS = 60


def _submitted():
    """Submitted applications of applicants whose unit is in scope."""
    query = (Application.select(Application, Org, Plan).join(Org, on=(Application.org == Org.id))
             .switch(Application).join(Plan)
             .where(Application.submitted_at.is_null(False)))
    return scoped(query, Org.region)


def _count_rows(values, order=None):
    counts = Counter(values)
    keys = sorted(counts, key=order) if order else sorted(counts, key=lambda k: (-counts[k], k))
    return [(k, counts[k]) for k in keys]


def compute_stats():
    """Every statistics table of the actor's scope: {key: [(label, value, …)]}."""
    apps = list(_submitted())
    region = scope_region()
    names = {r.code: r for r in Region.select()}

    def place(app):
        code = app.org.region_id
        if region is None:
            city = city_code(code)
            return names[city].name if city in names and city != PROVINCE else "区直"
        return names[code].name if code in names else code

    stats = {
        "status": _count_rows(a.status for a in apps),
        "series": _count_rows(a.series or "未填写" for a in apps),
        "level": _count_rows((a.level or "未填写" for a in apps),
                             order=lambda v: LEVELS.index(v) if v in LEVELS else 99),
        "region": _count_rows(place(a) for a in apps),
        "plan": _count_rows(a.plan.name for a in apps),
    }
    days = Counter(a.submitted_at.date() for a in apps)
    daily = []
    if days:
        end = max(days)
        start = max(min(days), end - timedelta(days=MAX_DAYS - 1))
        day = start
        while day <= end:
            daily.append((f"{day:%m-%d}", days.get(day, 0)))
            day += timedelta(days=1)
    stats["daily"] = daily
    at = now()
    waiting = [a for a in apps if a.route_index is not None and a.status.endswith(WAITING_SUFFIXES)]
    steps = {}
    if waiting:
        for step in RouteStep.select().where(RouteStep.application.in_([a.id for a in waiting])):
            steps[(step.application_id, step.seq)] = step
    per_unit = defaultdict(list)
    records = []
    for app in waiting:
        step = steps.get((app.id, app.route_index))
        unit = f"{step.unit_name}({step.role})" if step else "未知"
        days_waited = round((at - app.updated_at).total_seconds() / 86400, 1)
        per_unit[unit].append(days_waited)
        records.append((mask_name(app.person.name), app.status, unit,
                        f"{app.updated_at:%Y-%m-%d %H:%M}", days_waited))
    stats["units"] = sorted(((u, len(d), max(d), round(sum(d) / len(d), 1)) for u, d in per_unit.items()),
                            key=lambda r: (-r[2], -r[1]))
    stats["waiting"] = sorted(records, key=lambda r: -r[4])[:20]
    stats["total"] = len(apps)
    return stats


def short_plan_name(name):
    """A plan's name without the words every plan shares, so chart labels differ."""
    for common in ("内蒙古自治区", "职称申报计划", "(试运行)"):
        name = name.replace(common, "")
    return name.lstrip("0123456789年") or name


@bp.get("/stats")
@role_required(ROLE_ADMIN, ROLE_CITY)
def stats():
    """统计: counts by status, series, level, region and plan, daily submissions and bottlenecks, with charts."""
    if g.role == ROLE_CITY:
        g.scope_region = g.account.agency.region
    data = compute_stats()
    charts = {
        "status": bar_chart(data["status"], "按状态统计"),
        "series": bar_chart(data["series"], "按系列统计"),
        "level": bar_chart(data["level"], "按等级统计"),
        "region": bar_chart(data["region"], "按地区统计"),
        "plan": bar_chart(data["plan"], "按申报计划统计", short=short_plan_name),
        "daily": line_chart(data["daily"], "每日提交数"),
        "units": bar_chart(sorted([(u, n) for u, n, _, _ in data["units"]], key=lambda r: -r[1])[:15],
                           "各审核单位待处理数", width=640),
    }
    return render("admin/stats.html", data=data, charts=charts, tables=STAT_TABLES, scope=scope_name(),
                  generated=now())


EXPORT_HEADERS = {
    "units": ("审核单位", "待处理数", "最长等待(天)", "平均等待(天)"),
    "waiting": ("申报人", "状态", "当前审核单位", "进入当前环节时间", "已等待(天)"),
}


@bp.get("/stats/export/<table>")
@role_required(ROLE_ADMIN, ROLE_CITY)
def export_stats(table):
    """One statistics table as an Excel file."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    if table not in STAT_TABLES:
        abort(404)
    if g.role == ROLE_CITY:
        g.scope_region = g.account.agency.region
    rows = compute_stats()[table]
    title, first = STAT_TABLES[table]
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([f"{scope_name()} · {title} · 统计时间 {now():%Y-%m-%d %H:%M}"])
    sheet.append(list(EXPORT_HEADERS.get(table, (first, "数量(条)"))))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 48
    for column in "BCDE":
        sheet.column_dimensions[column].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=f"统计-{title}-{now():%Y%m%d}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
