"""人才库 for 单位: registration, 业务办理, 单位信息修改, 业绩档案审核, 行业汇总展示 and 证书认领审核."""
import secrets

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for

from blueprints.access import end_sessions, render, role_required
from blueprints.auth import finish_login, hash_password
from blueprints.talent import entry_gate
from blueprints.talent_forms import (
    ReasonForm, UnitProfileForm, UnitRegisterForm, hr_choices, item_summary, region_choices,
)
from models import (
    ARCHIVE_KINDS, ITEM_APPROVED, ITEM_PENDING, ITEM_REJECTED, ITEM_STATUSES, NATURES_WITH_SUPERVISOR, ROLE_UNIT,
    Account, Agency, ArchiveItem, AuditEvent, CertificateClaim, Org, Person, Region, db, fn, now, write_tx,
)
from workflow import unit_chain

bp = Blueprint("unit", __name__, url_prefix="/unit")

ALL = "全部"
STALE_ITEM = "业绩档案已被申报人修改或已被审核,请刷新后重新审核"


def _org():
    return g.account.org


def _staff_item(item_id):
    """An archive item of one of this unit's staff, else 404."""
    item = (ArchiveItem.select(ArchiveItem, Person).join(Person)
            .where((ArchiveItem.id == item_id) & (Person.org == _org())).first())
    if item is None:
        abort(404)
    return item


def _staff_claim(claim_id):
    """A certificate claim of one of this unit's staff, else 404."""
    claim = (CertificateClaim.select(CertificateClaim, Person).join(Person)
             .where((CertificateClaim.id == claim_id) & (Person.org == _org())).first())
    if claim is None:
        abort(404)
    return claim


def _audit(action, **detail):
    AuditEvent.create(account=g.account, role=ROLE_UNIT, unit_name=_org().name, action=action, detail=detail)


@bp.get("/")
@role_required(ROLE_UNIT)
def home():
    """业务办理: the unit's facts, its staff waiting for archive approval and the review entry."""
    org = _org()
    pending = (ArchiveItem.select().join(Person)
               .where((Person.org == org) & (ArchiveItem.status == ITEM_PENDING)).count())
    claims = (CertificateClaim.select().join(Person)
              .where((Person.org == org) & (CertificateClaim.status == ITEM_PENDING)).count())
    staff = Person.select().where(Person.org == org).count()
    return render("unit/home.html", org=org, pending=pending, claims=claims, staff=staff, chain=unit_chain(org),
                  entry_label=f"{current_app.config['DECLARATION_YEAR']}年职称申报审核入口")


# ---- Registration -----------------------------------------------------------------------------

@bp.route("/register", methods=["GET", "POST"])
def register():
    """单位注册 with the 统一社会信用代码, which cannot be changed afterwards."""
    form = UnitRegisterForm()
    form.region.choices = region_choices()
    if request.method == "POST":
        if form.validate():
            region = Region.get_by_id(form.region.data)
            hr = Agency.get_or_none((Agency.region == region) & Agency.kind.in_(("人社局", "人社厅")))
            with db.atomic():
                org = Org.create(credit_code=form.credit_code.data, name=form.name.data, nature=form.nature.data,
                                 region=region, contact=form.contact.data, phone=form.phone.data, hr_agency=hr)
                account = Account.create(login=org.credit_code, kind="单位", org=org, display_name=org.name,
                                         password_hash=hash_password(form.password.data))
                AuditEvent.create(account=account, role=ROLE_UNIT, unit_name=org.name, action="单位注册")
            finish_login(account)
            flash("注册成功,请完善单位信息", "success")
            return redirect(url_for("unit.profile"), 303)
        return render("unit/register.html", form=form, status=422)
    return render("unit/register.html", form=form)


# ---- 单位信息修改 ---------------------------------------------------------------------------------

def _supervisor_matches(query, org):
    """Units holding the 主管单位 role whose name or credit code contains `query` (never the unit itself)."""
    query = (query or "").strip()
    if not query:
        return []
    rows = (Org.supervisors().where((Org.id != org.id) & (
        Org.name.contains(query) | Org.credit_code.contains(query.upper())))
        .order_by(Org.name).limit(20))
    return list(rows)


def _picked_supervisor(value):
    if value and str(value).isdigit():
        return Org.supervisors().where(Org.id == int(value)).first()
    return None


def _profile_page(form, org, status=200, results=None, query=""):
    nature = form.nature.data
    enabled = nature in NATURES_WITH_SUPERVISOR
    supervisor = _picked_supervisor(form.supervisor.data) if enabled else None
    return render("unit/profile.html", form=form, org=org, chain=unit_chain(org), enabled=enabled,
                  supervisor=supervisor, results=results, query=query, natures_with=NATURES_WITH_SUPERVISOR,
                  status=status)


@bp.route("/profile", methods=["GET", "POST"])
@role_required(ROLE_UNIT)
def profile():
    """单位信息修改: every field of the unit; saving shows the review route it implies for the staff."""
    org = _org()
    if request.method == "GET":
        form = UnitProfileForm(obj=org)
        form.region.data = org.region_id
        form.hr_agency.data = str(org.hr_agency_id or "")
        form.supervisor.data = str(org.supervisor_id or "")
        form.fill_choices()
        return _profile_page(form, org)
    form = UnitProfileForm()
    form.fill_choices()
    # 「查询主管单位」 and 「选择」 work without JavaScript too: they redraw the form, keeping the input.
    if request.form.get("pick_supervisor"):
        form.supervisor.data = request.form["pick_supervisor"]
        return _profile_page(form, org)
    if request.form.get("action") == "clear_supervisor":
        form.supervisor.data = ""
        return _profile_page(form, org)
    if request.form.get("action") == "search":
        query = request.form.get("supervisor_q", "")
        return _profile_page(form, org, results=_supervisor_matches(query, org), query=query)
    if not form.validate():
        return _profile_page(form, org, status=422)
    supervisor = None
    if form.nature.data in NATURES_WITH_SUPERVISOR:
        supervisor = _picked_supervisor(form.supervisor.data)
    before = {"nature": org.nature, "supervisor": org.supervisor.name if org.supervisor_id else "",
              "hr_agency": org.hr_agency.name if org.hr_agency_id else ""}
    with write_tx():
        # The 统一社会信用代码 is not a field of this form: 「组织机构代码不能修改」.
        Org.update(name=form.name.data, nature=form.nature.data, legal_person=form.legal_person.data,
                   leader=form.leader.data, contact=form.contact.data, phone=form.phone.data,
                   email=form.email.data or "", region=form.region.data, hr_agency=int(form.hr_agency.data),
                   supervisor=supervisor, address=form.address.data, demand_contact=form.demand_contact.data or "",
                   demand_phone=form.demand_phone.data or "", title_reviewer_name=form.title_reviewer_name.data,
                   title_reviewer_phone=form.title_reviewer_phone.data,
                   title_reviewer_id=form.title_reviewer_id.data).where(Org.id == org.id).execute()
        after = Org.get_by_id(org.id)
        _audit("单位信息修改", before=before, after={
            "nature": after.nature, "supervisor": after.supervisor.name if after.supervisor_id else "",
            "hr_agency": after.hr_agency.name if after.hr_agency_id else ""})
    flash("保存成功。本单位人员的申报审核流程见下方;已在申报中的人员请在第三步点击「同步人才库信息」", "success")
    return redirect(url_for("unit.profile", _anchor="route"), 303)


@bp.get("/profile/supervisor")
@role_required(ROLE_UNIT)
def supervisor_block():
    """The 上级主管单位 block for the chosen 单位性质 and pick (htmx fragment)."""
    form = UnitProfileForm(request.args, meta={"csrf": False})
    if request.args.get("pick_supervisor"):
        form.supervisor.data = request.args["pick_supervisor"]
    if request.args.get("action") == "clear_supervisor":
        form.supervisor.data = ""
    enabled = form.nature.data in NATURES_WITH_SUPERVISOR
    return render("unit/_supervisor.html", "unit/_supervisor.html", form=form, enabled=enabled,
                  supervisor=_picked_supervisor(form.supervisor.data) if enabled else None, results=None,
                  query="")


@bp.get("/profile/supervisors")
@role_required(ROLE_UNIT)
def supervisor_search():
    """「查询主管单位」: units holding the 主管单位 role, by name or credit code (htmx fragment)."""
    query = request.args.get("supervisor_q", "")
    return render("unit/_supervisor_results.html", "unit/_supervisor_results.html",
                  results=_supervisor_matches(query, _org()), query=query)


@bp.get("/profile/hr")
@role_required(ROLE_UNIT)
def hr_options():
    """The 上级人社主管部门 select for the chosen region (htmx fragment)."""
    form = UnitProfileForm(request.args, meta={"csrf": False})
    form.fill_choices()
    return render("unit/_hr_select.html", "unit/_hr_select.html", form=form)


# ---- 业绩档案审核 ---------------------------------------------------------------------------------

def _review_query(org, status, kind, query):
    items = (ArchiveItem.select(ArchiveItem, Person).join(Person).where(Person.org == org)
             .order_by(ArchiveItem.updated_at.desc(), ArchiveItem.id.desc()))
    if status in ITEM_STATUSES:
        items = items.where(ArchiveItem.status == status)
    if kind in ARCHIVE_KINDS:
        items = items.where(ArchiveItem.kind == kind)
    if query:
        items = items.where(Person.name.contains(query) | (Person.id_number == query.upper()))
    return items


@bp.get("/archive")
@role_required(ROLE_UNIT)
def archive_review():
    """业绩档案审核: the staff's archive items, 待审核 first by default, with filters."""
    org = _org()
    status = request.args.get("status", ITEM_PENDING)
    kind = request.args.get("kind", ALL)
    query = request.args.get("q", "").strip()
    items = list(_review_query(org, status, kind, query).limit(500))
    counts = dict(ArchiveItem.select(ArchiveItem.status, fn.COUNT(ArchiveItem.id)).join(Person)
                  .where(Person.org == org).group_by(ArchiveItem.status).tuples())
    return render("unit/archive_review.html", "unit/_archive_rows.html", items=items, chosen_status=status,
                  kind=kind, query=query, counts=counts, statuses=ITEM_STATUSES, kinds=ARCHIVE_KINDS, all=ALL,
                  summary=item_summary)


@bp.post("/archive/approve")
@role_required(ROLE_UNIT)
def approve_items():
    """审核通过 one row, or the selected rows (批量审核通过)."""
    org = _org()
    only = request.form.get("only")
    ids = [only] if only else request.form.getlist("ids")
    ids = [int(i) for i in ids if str(i).isdigit()]
    if not ids:
        flash("请先勾选要审核的业绩档案", "warning")
        return redirect(request.referrer or url_for("unit.archive_review"), 303)
    done = stale = 0
    at = now()
    with write_tx():
        staff = Person.select(Person.id).where(Person.org == org)
        for item_id in ids:
            version = request.form.get(f"v{item_id}", "")
            query = ArchiveItem.update(status=ITEM_APPROVED, reason="", reviewed_by=org, reviewed_at=at).where(
                (ArchiveItem.id == item_id) & ArchiveItem.person.in_(staff) & (ArchiveItem.status == ITEM_PENDING))
            if version.isdigit():
                query = query.where(ArchiveItem.version == int(version))
            if query.execute() == 1:
                done += 1
            else:
                stale += 1
        if done:
            _audit("业绩档案审核通过", items=ids, count=done)
    if done:
        flash(f"已审核通过{done}项业绩档案", "success")
    if stale:
        flash(f"{stale}项未处理:{STALE_ITEM}", "warning")
    return redirect(_back_to_review(), 303)


def _back_to_review():
    target = request.form.get("back", "")
    if target.startswith("/unit/archive"):
        return target
    return url_for("unit.archive_review")


@bp.route("/archive/<int:item_id>/reject", methods=["GET", "POST"])
@role_required(ROLE_UNIT)
def reject_item(item_id):
    """审核不通过 with the reason the applicant will read."""
    item = _staff_item(item_id)
    form = ReasonForm()
    if request.method == "POST":
        if form.validate():
            with write_tx():
                changed = ArchiveItem.update(status=ITEM_REJECTED, reason=form.reason.data, reviewed_by=_org(),
                                             reviewed_at=now()).where(
                    (ArchiveItem.id == item.id) & (ArchiveItem.status == ITEM_PENDING)
                    & (ArchiveItem.version == int(request.form.get("version") or item.version))).execute()
                if changed:
                    _audit("业绩档案审核不通过", item=item.id, reason=form.reason.data)
            if changed:
                flash(f"已将{item.person.name}的{item.kind}审核不通过", "success")
            else:
                flash(STALE_ITEM, "warning")
            return redirect(url_for("unit.archive_review"), 303)
        return render("unit/reject.html", "unit/_reject_form.html", form=form, item=item, summary=item_summary,
                      action=url_for("unit.reject_item", item_id=item.id), status=422)
    return render("unit/reject.html", "unit/_reject_form.html", form=form, item=item, summary=item_summary,
                  action=url_for("unit.reject_item", item_id=item.id))


# ---- 行业汇总展示 ---------------------------------------------------------------------------------

@bp.get("/staff")
@role_required(ROLE_UNIT)
def staff():
    """行业汇总展示: the unit's staff with their archive status, and 「初始化密码」."""
    org = _org()
    query = request.args.get("q", "").strip()
    people = Person.select().where(Person.org == org).order_by(Person.name, Person.id)
    if query:
        people = people.where(Person.name.contains(query) | (Person.id_number == query.upper()))
    people = list(people)
    counts = {}
    for person_id, status, n in (ArchiveItem.select(ArchiveItem.person, ArchiveItem.status, fn.COUNT(ArchiveItem.id))
                                 .where(ArchiveItem.person.in_([p.id for p in people]))
                                 .group_by(ArchiveItem.person, ArchiveItem.status).tuples()):
        counts.setdefault(person_id, {})[status] = n
    gates = {p.id: entry_gate(p) for p in people}
    return render("unit/staff.html", people=people, counts=counts, gates=gates, statuses=ITEM_STATUSES,
                  query=query)


def _initial_password():
    """A random password that satisfies the policy (upper, lower, digit, symbol)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz"
    return ("Zc" + "".join(secrets.choice(alphabet) for _ in range(3)) + "@"
            + "".join(secrets.choice("23456789") for _ in range(4)))


@bp.post("/staff/<int:person_id>/reset-password")
@role_required(ROLE_UNIT)
def reset_password(person_id):
    """初始化密码 of a staff member: a new random password shown once; their sessions end."""
    person = Person.get_or_none((Person.id == person_id) & (Person.org == _org()))
    account = Account.get_or_none(Account.person == person) if person else None
    if account is None:
        abort(404)
    password = _initial_password()
    with db.atomic():
        Account.update(password_hash=hash_password(password), failed_logins=0, locked_until=None).where(
            Account.id == account.id).execute()
        end_sessions(account, "password_reset")
        _audit("初始化密码", person=person.id)
    flash(f"已将{person.name}的密码初始化为 {password} ,请告知本人登录后及时修改密码", "success")
    return redirect(url_for("unit.staff"), 303)


# ---- 证书认领审核 ---------------------------------------------------------------------------------

@bp.get("/claims")
@role_required(ROLE_UNIT)
def claims():
    """证书认领审核: the staff's certificate claims, 待审核 first by default."""
    status = request.args.get("status", ITEM_PENDING)
    rows = (CertificateClaim.select(CertificateClaim, Person).join(Person).where(Person.org == _org())
            .order_by(CertificateClaim.created_at.desc(), CertificateClaim.id.desc()))
    if status in ITEM_STATUSES:
        rows = rows.where(CertificateClaim.status == status)
    return render("unit/claims.html", rows=list(rows), chosen_status=status, statuses=ITEM_STATUSES, all=ALL)


@bp.post("/claims/<int:claim_id>/approve")
@role_required(ROLE_UNIT)
def approve_claim(claim_id):
    """审核通过 a claim: the certificate becomes the person's current title."""
    claim = _staff_claim(claim_id)
    title = {"series": claim.series, "specialty": claim.specialty, "level": claim.level, "name": claim.title_name,
             "obtained": claim.obtained_on.isoformat(), "cert_no": claim.cert_no}
    with write_tx():
        changed = CertificateClaim.update(status=ITEM_APPROVED, reason="", reviewed_at=now()).where(
            (CertificateClaim.id == claim.id) & (CertificateClaim.status == ITEM_PENDING)).execute()
        if changed:
            Person.update(current_title=title).where(Person.id == claim.person_id).execute()
            _audit("证书认领审核通过", claim=claim.id)
    if changed:
        flash(f"已审核通过{claim.person.name}的证书认领,{claim.title_name}已作为其现职称", "success")
    else:
        flash("该证书认领已被审核,请刷新", "warning")
    return redirect(url_for("unit.claims"), 303)


@bp.route("/claims/<int:claim_id>/reject", methods=["GET", "POST"])
@role_required(ROLE_UNIT)
def reject_claim(claim_id):
    """审核不通过 a claim, with the reason."""
    claim = _staff_claim(claim_id)
    form = ReasonForm()
    if request.method == "POST":
        if form.validate():
            with write_tx():
                changed = CertificateClaim.update(status=ITEM_REJECTED, reason=form.reason.data,
                                                  reviewed_at=now()).where(
                    (CertificateClaim.id == claim.id) & (CertificateClaim.status == ITEM_PENDING)).execute()
                if changed:
                    _audit("证书认领审核不通过", claim=claim.id, reason=form.reason.data)
            flash(f"已将{claim.person.name}的证书认领审核不通过" if changed else "该证书认领已被审核,请刷新",
                  "success" if changed else "warning")
            return redirect(url_for("unit.claims"), 303)
        return render("unit/reject.html", "unit/_reject_form.html", form=form, claim=claim,
                      action=url_for("unit.reject_claim", claim_id=claim.id), status=422)
    return render("unit/reject.html", "unit/_reject_form.html", form=form, claim=claim,
                  action=url_for("unit.reject_claim", claim_id=claim.id))
