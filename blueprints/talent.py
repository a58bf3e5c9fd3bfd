"""人才库 for 个人: home with the entry gate, profile, 业绩档案 and 证书认领."""
import io

from flask import Blueprint, abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_wtf import FlaskForm

from blueprints.access import render, role_required
from blueprints.talent_forms import (
    ARCHIVE_FIELDS, EVIDENCE_KINDS, NONE_KINDS, NONE_TEXT, ClaimForm, ProfileForm, TitleFieldsMixin,
    archive_form_class, fill_form, form_data, item_summary, title_fields, validate_archive,
)
from models import (
    ARCHIVE_KINDS, ITEM_APPROVED, ITEM_PENDING, ITEM_STATUSES, ROLE_PERSON, ROLE_UNIT, ArchiveItem, AuditEvent,
    CertificateClaim, Person, StoredFile, db, fn, now,
)
from storage import UploadError, check_upload, read, save_bytes

bp = Blueprint("talent", __name__, url_prefix="/talent")

LIMIT_ONE = "数量仅限1个"
PHOTO_MAX = 2 * 1024 * 1024
EVIDENCE_MAX = 10 * 1024 * 1024


def entry_gate(person):
    """What still blocks the 「职称申报入口」: one approved 学习经历 and one approved 工作经历 are needed.

    Returns a list of sentences, empty when the person may enter. The declaration blueprint calls this
    too (server-side), and can send a blocked person to `talent.entry`, which explains it.
    """
    rows = (ArchiveItem.select(ArchiveItem.kind, ArchiveItem.status)
            .where((ArchiveItem.person == person) & ArchiveItem.kind.in_(("学习经历", "工作经历"))).tuples())
    statuses = {}
    for kind, status in rows:
        statuses.setdefault(kind, set()).add(status)
    org_name = person.org.name if person.org_id else "工作单位"
    missing = []
    for kind in ("学习经历", "工作经历"):
        seen = statuses.get(kind, set())
        if ITEM_APPROVED in seen:
            continue
        if ITEM_PENDING in seen:
            missing.append(f"业绩档案中还没有审核通过的{kind}:已填写的{kind}正在等待审核,"
                           f"请联系{org_name}在「业绩档案审核」中审核通过")
        elif seen:
            missing.append(f"业绩档案中还没有审核通过的{kind}:{kind}审核不通过,请按{org_name}填写的原因修改后"
                           f"重新提交,并联系{org_name}在「业绩档案审核」中审核通过")
        else:
            missing.append(f"业绩档案中还没有审核通过的{kind}:请先填写{kind}(没有可填写「无」),"
                           f"并联系{org_name}在「业绩档案审核」中审核通过")
    return missing


def entry_label():
    """「2025职称申报入口」 with the configured year."""
    return f"{current_app.config['DECLARATION_YEAR']}职称申报入口"


def photo_file(person):
    """The StoredFile of a person's 证件照, or None."""
    if not person.photo:
        return None
    return StoredFile.get_or_none(StoredFile.storage_key == person.photo)


def _person():
    return g.account.person


def _own_item(item_id):
    """An archive item of the logged-in person, else 404."""
    item = ArchiveItem.get_or_none((ArchiveItem.id == item_id) & (ArchiveItem.person == _person()))
    if item is None:
        abort(404)
    return item


def _may_see_files_of(person):
    """The person themself, or their work unit acting as 工作单位."""
    if g.role == ROLE_PERSON:
        return g.account.person_id == person.id
    return g.role == ROLE_UNIT and person.org_id is not None and person.org_id == g.account.org_id


def _send(stored, inline=True):
    response = send_file(io.BytesIO(read(stored)), mimetype=stored.content_type, as_attachment=not inline,
                         download_name=stored.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/")
@role_required(ROLE_PERSON)
def home():
    """个人首页: profile summary, archive counts and the declaration entry."""
    person = _person()
    counts = dict(ArchiveItem.select(ArchiveItem.status, fn.COUNT(ArchiveItem.id))
                  .where(ArchiveItem.person == person).group_by(ArchiveItem.status).tuples())
    return render("talent/home.html", person=person, counts=counts, statuses=ITEM_STATUSES,
                  missing=entry_gate(person), entry_label=entry_label(), has_photo=bool(person.photo))


@bp.get("/entry")
@role_required(ROLE_PERSON)
def entry():
    """「职称申报入口」: into the declaration system with the same login, or what is still missing."""
    missing = entry_gate(_person())
    if not missing:
        return redirect(url_for("declare.home"))
    return render("talent/entry.html", missing=missing, entry_label=entry_label())


# ---- Profile ----------------------------------------------------------------------------------

@bp.route("/profile", methods=["GET", "POST"])
@role_required(ROLE_PERSON)
def profile():
    """个人信息: 姓名, 曾用名, 民族, 政治面貌, 手机号, 证件照 and the 参评学历 details."""
    person = _person()
    form = ProfileForm(obj=None if request.method == "POST" else person)
    if request.method == "GET":
        for name, key in ProfileForm.EDUCATION_KEYS:
            getattr(form, name).data = (person.education or {}).get(key, "")
    if request.method == "POST":
        photo = None
        upload = request.files.get("photo")
        valid = form.validate()
        if upload is not None and upload.filename:
            try:
                photo = check_upload(upload, allowed=("jpg", "png"), max_bytes=PHOTO_MAX, label="证件照")
            except UploadError as error:
                form.photo.errors = [str(error)]
                valid = False
        if valid:
            education = {key: getattr(form, name).data or "" for name, key in ProfileForm.EDUCATION_KEYS}
            with db.atomic():
                fields = dict(name=form.name.data, former_name=form.former_name.data or "",
                              ethnicity=form.ethnicity.data, political_status=form.political_status.data,
                              phone=form.phone.data, education=education)
                if photo is not None:
                    stored = save_bytes(photo[0], upload.filename, photo[1])
                    fields["photo"] = stored.storage_key
                Person.update(**fields).where(Person.id == person.id).execute()
                AuditEvent.create(account=g.account, role=ROLE_PERSON, unit_name=g.account.unit_name(),
                                  action="修改个人信息")
            flash("个人信息已保存", "success")
            return redirect(url_for("talent.profile"), 303)
        return render("talent/profile.html", form=form, person=person, status=422)
    return render("talent/profile.html", form=form, person=person)


@bp.get("/photo/<int:person_id>")
@role_required(ROLE_PERSON, ROLE_UNIT)
def photo(person_id):
    """The 证件照, for the person and their work unit only."""
    person = Person.get_or_none(Person.id == person_id)
    if person is None or not _may_see_files_of(person):
        abort(404)
    stored = photo_file(person)
    if stored is None:
        abort(404)
    return _send(stored)


# ---- 业绩档案 --------------------------------------------------------------------------------------

@bp.get("/archive")
@role_required(ROLE_PERSON)
def archive():
    """业绩档案: the items of one kind, with their status and the unit's reason."""
    kind = request.args.get("kind", ARCHIVE_KINDS[0])
    if kind not in ARCHIVE_KINDS:
        abort(404)
    person = _person()
    items = (ArchiveItem.select().where((ArchiveItem.person == person) & (ArchiveItem.kind == kind))
             .order_by(ArchiveItem.created_at, ArchiveItem.id))
    counts = dict(ArchiveItem.select(ArchiveItem.kind, fn.COUNT(ArchiveItem.id))
                  .where(ArchiveItem.person == person).group_by(ArchiveItem.kind).tuples())
    return render("talent/archive.html", kind=kind, kinds=ARCHIVE_KINDS, items=items, counts=counts,
                  columns=_columns(kind), summary=item_summary, evidence_label=EVIDENCE_KINDS.get(kind),
                  none_text=NONE_TEXT, missing=entry_gate(person))


def _columns(kind):
    if kind == "专业技术资格":
        return ["系列", "专业", "等级", "资格名称", "取得时间", "证书编号"]
    return [label for _, label, *_ in ARCHIVE_FIELDS[kind]][:5]


def _build_form(kind, item=None):
    form = archive_form_class(kind)()
    if request.method == "GET" and item is not None:
        fill_form(form, item.data)
    if isinstance(form, TitleFieldsMixin):
        form.fill_title_choices()
    return form


def _evidence_upload(form, item):
    """(bytes, kind, name) of an accepted evidence upload, None without one; form errors on refusal."""
    if form.kind not in EVIDENCE_KINDS:
        return None, True
    uploads = [u for u in request.files.getlist("evidence") if u and u.filename]
    if not uploads:
        return None, True
    if len(uploads) > 1 or (item is not None and item.evidence_id):
        form.evidence.errors = [f"{EVIDENCE_KINDS[form.kind]}{LIMIT_ONE},请先删除已上传的文件再上传"]
        return None, False
    try:
        data, sniffed = check_upload(uploads[0], max_bytes=EVIDENCE_MAX, label=EVIDENCE_KINDS[form.kind])
    except UploadError as error:
        form.evidence.errors = [str(error)]
        return None, False
    return (data, sniffed, uploads[0].filename), True


def _save_item(kind, item=None):
    """Create or update an item from the posted form; returns the response."""
    form = _build_form(kind, item)
    valid = validate_archive(form)
    upload, upload_ok = _evidence_upload(form, item)
    if not (valid and upload_ok):
        return render("talent/item_form.html", form=form, kind=kind, item=item, none_kinds=NONE_KINDS,
                      evidence_label=EVIDENCE_KINDS.get(kind), status=422)
    data = form_data(form)
    at = now()
    with db.atomic():
        evidence = save_bytes(upload[0], upload[2], upload[1]) if upload else None
        if item is None:
            item = ArchiveItem.create(person=_person(), kind=kind, data=data, evidence=evidence,
                                      created_at=at, updated_at=at)
            action = "新增业绩档案"
        else:
            # Any change sends the item back to the unit, even an approved one.
            fields = dict(data=data, status=ITEM_PENDING, reason="", reviewed_by=None, reviewed_at=None,
                          version=ArchiveItem.version + 1, updated_at=at)
            if evidence is not None:
                fields["evidence"] = evidence
            ArchiveItem.update(**fields).where(ArchiveItem.id == item.id).execute()
            action = "修改业绩档案"
        AuditEvent.create(account=g.account, role=ROLE_PERSON, unit_name=g.account.unit_name(), action=action,
                          detail={"item": item.id, "kind": kind})
    flash(f"{kind}已保存,等待工作单位审核", "success")
    return redirect(url_for("talent.archive", kind=kind), 303)


@bp.route("/archive/<kind>/new", methods=["GET", "POST"])
@role_required(ROLE_PERSON)
def new_item(kind):
    """新增 one archive item of a kind."""
    if kind not in ARCHIVE_KINDS:
        abort(404)
    if request.method == "POST":
        return _save_item(kind)
    return render("talent/item_form.html", form=_build_form(kind), kind=kind, item=None, none_kinds=NONE_KINDS,
                  evidence_label=EVIDENCE_KINDS.get(kind))


@bp.route("/archive/<int:item_id>/edit", methods=["GET", "POST"])
@role_required(ROLE_PERSON)
def edit_item(item_id):
    """编辑 an item; saving sends it back to 待审核."""
    item = _own_item(item_id)
    if request.method == "POST":
        return _save_item(item.kind, item)
    return render("talent/item_form.html", form=_build_form(item.kind, item), kind=item.kind, item=item,
                  none_kinds=NONE_KINDS, evidence_label=EVIDENCE_KINDS.get(item.kind))


@bp.post("/archive/<int:item_id>/delete")
@role_required(ROLE_PERSON)
def delete_item(item_id):
    """删除 an item of one's own archive."""
    item = _own_item(item_id)
    with db.atomic():
        ArchiveItem.delete().where(ArchiveItem.id == item.id).execute()
        AuditEvent.create(account=g.account, role=ROLE_PERSON, unit_name=g.account.unit_name(),
                          action="删除业绩档案", detail={"item": item.id, "kind": item.kind})
    flash(f"{item.kind}已删除", "success")
    return redirect(url_for("talent.archive", kind=item.kind), 303)


@bp.post("/archive/<int:item_id>/evidence/delete")
@role_required(ROLE_PERSON)
def delete_evidence(item_id):
    """删除 the uploaded file of an item, so another may be uploaded; the item returns to 待审核."""
    item = _own_item(item_id)
    with db.atomic():
        ArchiveItem.update(evidence=None, status=ITEM_PENDING, reason="", reviewed_by=None, reviewed_at=None,
                           version=ArchiveItem.version + 1, updated_at=now()).where(
            ArchiveItem.id == item.id).execute()
    flash("文件已删除,可重新上传", "success")
    return redirect(url_for("talent.edit_item", item_id=item.id), 303)


@bp.get("/archive/<int:item_id>/evidence")
@role_required(ROLE_PERSON, ROLE_UNIT)
def evidence(item_id):
    """The file of an item, for its owner and the owner's unit only."""
    item = ArchiveItem.get_or_none(ArchiveItem.id == item_id)
    if item is None or item.evidence_id is None or not _may_see_files_of(item.person):
        abort(404)
    return _send(item.evidence)


@title_fields
class TitleOnlyForm(TitleFieldsMixin, FlaskForm):
    class Meta:
        csrf = False


@bp.get("/titles")
@role_required(ROLE_PERSON, ROLE_UNIT)
def title_options():
    """The 专业/等级/资格名称 selects that fit the chosen 系列 and 等级 (htmx fragment)."""
    form = TitleOnlyForm(request.args).fill_title_choices()
    return render("talent/_title_selects.html", "talent/_title_selects.html", form=form)


# ---- 证书认领 ----------------------------------------------------------------------------------

@bp.route("/claims", methods=["GET", "POST"])
@role_required(ROLE_PERSON)
def claims():
    """证书认领: claim an existing title certificate; the unit's approval makes it the current title."""
    person = _person()
    form = ClaimForm()
    form.fill_title_choices()
    status = 200
    if request.method == "POST":
        if form.validate():
            with db.atomic():
                CertificateClaim.create(person=person, series=form.series.data, specialty=form.specialty.data,
                                        level=form.level.data, title_name=form.title_name.data,
                                        cert_no=form.cert_no.data, obtained_on=form.obtained_on.data)
                AuditEvent.create(account=g.account, role=ROLE_PERSON, unit_name=g.account.unit_name(),
                                  action="证书认领", detail={"cert_no": form.cert_no.data})
            flash("证书认领已提交,等待工作单位审核", "success")
            return redirect(url_for("talent.claims"), 303)
        status = 422
    rows = (CertificateClaim.select().where(CertificateClaim.person == person)
            .order_by(CertificateClaim.created_at.desc(), CertificateClaim.id.desc()))
    return render("talent/claims.html", form=form, rows=rows, person=person, status=status)
