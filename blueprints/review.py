"""Review consoles of 工作单位, 主管单位, 旗县/盟市 bureaus and 评委会: queue, actions, materials, history, lookup."""
import io
import json

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, request, send_file, url_for

import storage
import workflow
from blueprints.access import is_htmx, render, role_required
from blueprints.review_forms import CommitteeForm, LocateForm, OpinionForm, SearchForm
from models import (
    ROLE_CITY, ROLE_COMMITTEE, ROLE_COUNTY, ROLE_PERSON, ROLE_SUPERVISOR, ROLE_UNIT, STATUS_DRAFT, STATUS_PASSED,
    Account, Application, Attachment, AuditEvent, FormFile, Person, Plan, RouteStep, fn, is_returned,
    mask_id, status_reviewing, status_to_seal,
)

bp = Blueprint("review", __name__, url_prefix="/review")

REVIEW_ROLES = (ROLE_UNIT, ROLE_SUPERVISOR, ROLE_COUNTY, ROLE_CITY, ROLE_COMMITTEE)
# Who may read a record's 申报进度 and its sealed forms: every reviewer on its route and the applicant.
READER_ROLES = REVIEW_ROLES + (ROLE_PERSON,)
DIALOG_LABELS = {
    workflow.APPROVE: ("审核", "审核意见", "确定"),
    workflow.SEAL: ("签章", None, "确认签章"),
    workflow.RETURN_BEFORE_SEAL: ("签章前退回", "退回原因", "确认退回"),
    workflow.FORCE_REJECT: ("强制驳回", "驳回原因", "确认驳回"),
}
EXPORT_COLUMNS = ("姓名", "身份证号", "申报类型", "申报计划", "申报系列", "申报专业", "申报等级", "资格名称", "申报时间", "状态")


def scoped(role=None):
    """The records the actor may open in the active role."""
    role = role or g.role
    if role == ROLE_PERSON:
        return Application.of_person(g.account.person_id)
    return Application.visible_to(role, g.account)


def get_record(record_id):
    """One record in the actor's scope, else 404 (never 403: nothing is confirmed to exist)."""
    record = scoped().where(Application.id == record_id).first()
    if record is None:
        abort(404)
    return record


def _search(form):
    query = (scoped().select(Application, Person, Plan).join(Person).switch(Application).join(Plan)
             .where(Application.status != STATUS_DRAFT))
    if form.name.data:
        query = query.where(Person.name.contains(form.name.data))
    if form.id_number.data:
        query = query.where(Person.id_number.contains(form.id_number.data))
    if form.plan.data:
        query = query.where(Plan.name.contains(form.plan.data))
    if form.series.data:
        query = query.where(Application.series.contains(form.series.data))
    if form.level.data:
        query = query.where(Application.level == form.level.data)
    if form.status.data:
        query = query.where(Application.status == form.status.data)
    records = list(query.order_by(Application.submitted_at.desc(), Application.id.desc()))
    routes = {}
    if records:
        ids = query.clone().select(Application.id).order_by()
        for step in (RouteStep.select().where(RouteStep.application.in_(ids))
                     .order_by(RouteStep.application, RouteStep.seq)):
            routes.setdefault(step.application_id, []).append(step)
    rows = []
    for record in records:
        actions = workflow.actions_for(record, g.role, g.account, routes.get(record.id, []))
        if form.scope.data != "all" and not actions:
            continue
        rows.append((record, actions))
    return rows


def status_counts():
    """[(status, count)] of the records on this unit's routes, the unit's own queue first."""
    counts = dict(scoped().select(Application.status, fn.COUNT(Application.id))
                  .where(Application.status != STATUS_DRAFT).group_by(Application.status).tuples())
    mine = [status_reviewing(g.role)] + ([status_to_seal(g.role)] if g.role != ROLE_COMMITTEE else [])
    ordered = [(status, counts.pop(status, 0)) for status in mine]
    return ordered + sorted(counts.items())


def _search_form():
    form = SearchForm(request.args)
    form.status.choices = [("", "全部")] + [(status, status) for status, _count in status_counts()]
    if not request.args.get("scope"):
        form.scope.data = "todo"
    form.validate()
    return form


@bp.get("/")
@role_required(*REVIEW_ROLES)
def home():
    """The console of the active role: counts per status, search and the list with its row actions."""
    form = _search_form()
    rows = _search(form)
    size = current_app.config.get("REVIEW_PAGE_SIZE", 50)
    pages = max(1, -(-len(rows) // size))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    pager_args = {key: value for key, value in request.args.items() if key != "page"}
    return render("review/home.html", "review/_table.html", form=form, rows=rows[(page - 1) * size:page * size],
                  total=len(rows), page_no=page, pages=pages, pager_args=pager_args,
                  counts=status_counts(), mask_id=mask_id)


@bp.get("/counts")
@role_required(*REVIEW_ROLES)
def counts():
    """The counters, refreshed after every row action."""
    return render("review/home.html", "review/_counts.html", counts=status_counts(), form=_search_form(),
                  rows=[], mask_id=mask_id)


def _xlsx(title, header, rows, filename):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max(len(str(cell.value or "")) for cell in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width * 2))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name=filename,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/export")
@role_required(*REVIEW_ROLES)
def export():
    """The current list (same search) as an Excel file."""
    form = _search_form()
    rows = [(r.person.name, mask_id(r.person.id_number), r.plan.plan_type, r.plan.name, r.series, r.specialty,
             r.level, r.title_name, r.submitted_at.strftime("%Y-%m-%d") if r.submitted_at else "", r.status)
            for r, _actions in _search(form)]
    return _xlsx("申报记录", EXPORT_COLUMNS, rows, "申报记录.xlsx")


def _row_response(record, message, category="success"):
    """After an action: the new row for htmx (counters and the dialog listen), or back to the list."""
    record = Application.get_by_id(record.id)
    if is_htmx():
        response = render("review/home.html", "review/_row.html", record=record, mask_id=mask_id,
                          actions=workflow.actions_for(record, g.role, g.account), message=message)
        # Escaped JSON: header values must be Latin-1 on the wire, and gunicorn refuses anything else.
        response.headers["HX-Trigger"] = json.dumps({"queueChanged": True, "closeDialog": message})
        return response
    flash(message, category)
    return redirect(url_for("review.home"), 303)


def _dialog_form(action):
    form = CommitteeForm() if g.role == ROLE_COMMITTEE and action == workflow.APPROVE else OpinionForm()
    label = DIALOG_LABELS[action][1]
    if label:
        form.opinion.label.text = label
    return form


def _dialog(record, action, form, error=None, status=200):
    title, _label, button = DIALOG_LABELS[action]
    missing, strict = workflow.seal_check(record, g.role, g.account) if action == workflow.SEAL else ([], False)
    # A refused submit re-renders only the dialog's body, in place; opening the dialog renders all of it.
    fragment = "review/_dialog_body.html" if status != 200 else "review/_dialog.html"
    response = render("review/dialog.html", fragment, status=status, record=record, action=action,
                      form=form, title=title, button=button, error=error, missing=missing, strict=strict,
                      committee=g.role == ROLE_COMMITTEE, warning=workflow.FORCE_WARNING, mask_id=mask_id)
    if is_htmx() and status != 200:
        response.headers["HX-Retarget"] = "#dialog-body"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


@bp.get("/<int:record_id>/act/<action>")
@role_required(*REVIEW_ROLES)
def dialog(record_id, action):
    """The dialog of one row action: opinion or reason, the tally, or what sealing will stamp."""
    record = get_record(record_id)
    if action not in DIALOG_LABELS:
        abort(404)
    return _dialog(record, action, _dialog_form(action))


@bp.post("/<int:record_id>/act/<action>")
@role_required(*REVIEW_ROLES)
def act(record_id, action):
    """Apply a row action through workflow.advance; the row comes back with the counters refreshed."""
    record = get_record(record_id)
    if action not in DIALOG_LABELS:
        abort(404)
    form = _dialog_form(action)
    if not form.validate_on_submit():
        return _dialog(record, action, form, status=422)
    chosen = action
    if action == workflow.APPROVE:
        chosen = request.form.get("decision", workflow.APPROVE)
        if chosen not in (workflow.APPROVE, workflow.REJECT):
            abort(400)
    extra = {}
    if isinstance(form, CommitteeForm):
        extra["tally"] = {key: getattr(form, key).data for key in workflow.TALLY_KEYS}
    try:
        updated = workflow.advance(record, chosen, g.account, g.role, reason=form.opinion.data or "", **extra)
    except workflow.TransitionError as error:
        stale = str(error) in (workflow.STALE, workflow.NOT_YOURS)
        if not is_htmx():
            if stale:
                flash(str(error), "error")
                return redirect(url_for("review.home"), 303)
        return _dialog(Application.get_by_id(record.id), action, form, error=str(error), status=409 if stale else 422)
    message = f"{updated.person.name}:{chosen}成功,当前状态「{updated.status}」"
    missing = getattr(updated, "seal_missing", [])
    if missing:
        message += f"。签章不完整(缺少{'、'.join(missing)}),请后续通过线下材料补盖印章、补签"
    return _row_response(updated, message, "warning" if missing else "success")


def _timeline(record):
    events = list(AuditEvent.select().where(AuditEvent.application == record).order_by(AuditEvent.id))
    steps = workflow.steps_of(record)
    waiting = None
    current = record.current_step()
    if current is not None and not is_returned(record.status) and record.status != STATUS_PASSED:
        if record.status == status_reviewing(current.role):
            waiting = current
    return events, steps, waiting


@bp.get("/<int:record_id>/progress")
@role_required(*READER_ROLES)
def progress(record_id):
    """申报进度: every action on the record, and the unit it waits for."""
    record = get_record(record_id)
    events, steps, waiting = _timeline(record)
    return render("review/progress.html", "review/_progress.html", record=record, events=events, steps=steps,
                  waiting=waiting, returned=workflow.last_return(record))


@bp.get("/<int:record_id>/materials")
@role_required(*READER_ROLES)
def materials(record_id):
    """材料: the declaration's facts, its route and every version of its forms."""
    record = get_record(record_id)
    forms = (FormFile.select().where(FormFile.application == record)
             .order_by(FormFile.form, FormFile.version.desc()))
    return render("review/materials.html", record=record, forms=forms, steps=workflow.steps_of(record),
                  mask_id=mask_id, current=workflow.current_forms(record))


@bp.get("/<int:record_id>/attachments")
@role_required(*READER_ROLES)
def attachments(record_id):
    """附件: the uploaded files by category."""
    record = get_record(record_id)
    files = Attachment.select().where(Attachment.application == record).order_by(Attachment.category, Attachment.id)
    return render("review/attachments.html", record=record, files=files)


@bp.get("/<int:record_id>/forms/<int:file_id>")
@role_required(*READER_ROLES)
def form_file(record_id, file_id):
    """Download one version of a form of a record in scope."""
    record = get_record(record_id)
    row = FormFile.get_or_none((FormFile.id == file_id) & (FormFile.application == record))
    if row is None:
        abort(404)
    name = f"{row.form}-{record.person.name}-v{row.version}.{row.fmt}"
    return send_file(io.BytesIO(storage.read(row.file)), mimetype=row.file.content_type, download_name=name,
                     as_attachment=request.args.get("download") == "1")


@bp.get("/<int:record_id>/attachments/<int:attachment_id>")
@role_required(*READER_ROLES)
def attachment_file(record_id, attachment_id):
    """Download one attachment of a record in scope."""
    record = get_record(record_id)
    row = Attachment.get_or_none((Attachment.id == attachment_id) & (Attachment.application == record))
    if row is None:
        abort(404)
    return send_file(io.BytesIO(storage.read(row.file)), mimetype=row.file.content_type,
                     download_name=row.file.filename)


def _my_events():
    """Audit events this unit performed in the active role."""
    owner = {ROLE_UNIT: Account.org, ROLE_SUPERVISOR: Account.org, ROLE_COUNTY: Account.agency,
             ROLE_CITY: Account.agency, ROLE_COMMITTEE: Account.committee}[g.role]
    mine = getattr(g.account, owner.name + "_id")
    return (AuditEvent.select(AuditEvent, Application, Person).join(Account).switch(AuditEvent)
            .join(Application).join(Person)
            .where((AuditEvent.role == g.role) & (owner == mine)).order_by(AuditEvent.id.desc()))


@bp.get("/history")
@role_required(*REVIEW_ROLES)
def history():
    """历史记录: what this unit did, newest first; `?format=xlsx` exports it."""
    events = list(_my_events().limit(1000))
    if request.args.get("format") == "xlsx":
        rows = [(e.created_at.strftime("%Y-%m-%d %H:%M:%S"), e.application.person.name,
                 mask_id(e.application.person.id_number), e.application.series, e.application.level, e.action,
                 e.from_status, e.to_status, e.reason) for e in events]
        return _xlsx("历史记录", ("时间", "姓名", "身份证号", "申报系列", "申报等级", "操作", "操作前状态", "操作后状态",
                              "意见/原因"), rows, "历史记录.xlsx")
    return render("review/history.html", events=events, mask_id=mask_id)


def _related(record):
    """True when this unit may learn where `record` is: it is on the route or the applicant's unit reports to it."""
    if scoped().where(Application.id == record.id).exists():
        return True
    org = record.org or record.person.org
    if org is None:
        return False
    if g.role == ROLE_UNIT:
        return org.id == g.account.org_id or record.person.org_id == g.account.org_id
    if g.role == ROLE_SUPERVISOR:
        return org.supervisor_id == g.account.org_id
    if g.role in (ROLE_COUNTY, ROLE_CITY):
        agency = g.account.agency
        hr = org.hr_agency
        if hr is None:
            return False
        if hr.id == agency.id:
            return True
        return g.role == ROLE_CITY and hr.region.parent_id == agency.region_id
    return False


def advice(record, steps):
    """(where it is, who must act, what to do) for 「找不到申报记录」, after guide 二(一)."""
    if record.status == STATUS_DRAFT:
        return "申报人员尚未提交", "申报人员", "请申报人员完成第六步「预览确认提交」后提交,提交后记录才会到达工作单位。"
    if record.status == STATUS_PASSED:
        return "已审核通过", "无", "该申报记录已完成全部审核。"
    if is_returned(record.status):
        event = workflow.last_return(record)
        who = f"{event.role}「{event.unit_name}」" if event else "审核单位"
        why = f",原因:{event.reason}" if event and event.reason else ""
        return (f"已退回申报人员({record.status})", "申报人员",
                f"{who}已退回该记录{why}。请申报人员点击「重新申报」,在新记录第三步点击「同步人才库信息」核实上级主管单位和"
                "上级人社主管部门后再提交。")
    current = record.current_step()
    done = [s for s in steps if s.seq < record.route_index]
    last = done[-1] if done else None
    mine_on_route = any(workflow.is_own_step(s, g.role, g.account) for s in steps)
    if record.status == status_to_seal(current.role):
        where = f"{current.role}「{current.unit_name}」已审核通过,尚未签章"
        what = (f"请联系{current.unit_name}进行签章,签章成功后才会出现下一个待审核单位。若流程有误,请该单位进行「签章前退回」。")
        return where, f"{current.role}「{current.unit_name}」", what
    where = f"{current.role}「{current.unit_name}」待审核"
    if workflow.is_own_step(current, g.role, g.account):
        return where, "本单位", "该记录正在等待本单位审核,请在「待本单位处理」列表中找到它进行审核。"
    if not mine_on_route:
        back = f"最近审核通过的单位「{last.unit_name}」" if last else "工作单位"
        return where, f"{current.role}「{current.unit_name}」", (
            f"本单位不在该记录的审核流程中,审核流程可能走错(主管单位错误或人社部门错误)。请联系{back}对该记录进行「强制驳回」;"
            "工作单位在人才库「单位信息修改」中修改正确的上级主管单位和上级人社主管部门;申报人员「重新申报」并「同步人才库信息」后再提交。")
    return where, f"{current.role}「{current.unit_name}」", (
        f"记录尚未到达本单位,请等待{current.unit_name}审核并签章;如待审核单位不正确,请联系最近审核通过的单位「强制驳回」。")


@bp.get("/locate")
@role_required(*REVIEW_ROLES)
def locate():
    """「找不到申报记录」: where an applicant's record is now, who must act and what to do."""
    form = LocateForm(request.args)
    results = []
    searched = bool(request.args.get("id_number"))
    if searched and form.validate():
        person = Person.get_or_none(Person.id_number == form.id_number.data)
        if person is not None:
            records = (Application.select().where(Application.person == person)
                       .order_by(Application.created_at.desc()))
            for record in records:
                if _related(record):
                    steps = workflow.steps_of(record)
                    results.append((record, steps, advice(record, steps)))
    return render("review/locate.html", "review/_locate.html", status=422 if searched and form.errors else 200,
                  form=form, results=results, searched=searched, mask_id=mask_id)
