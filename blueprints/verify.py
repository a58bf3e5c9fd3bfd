"""编码核验: a public page (no login) that checks the 编码 printed on a 评审表/送审表, or an uploaded PDF.

A code decodes (pdfgen.verify_code, keyed with workflow.form_secret(): FORM_CODE_SECRET, else SECRET_KEY) to a record, a form and a form version. An uploaded
PDF matches when its SHA-256 equals a stored version's, which tells whether it is the exact sealed file.
Lookups are rate-limited per client address in the database, so every worker shares the count.
"""
import hashlib
from datetime import timedelta

from flask import Blueprint, current_app, request
from flask_wtf import FlaskForm
from peewee import IntegrityError
from wtforms import FileField, StringField
from wtforms.validators import Length

from blueprints.access import render
from blueprints.forms import strip
from models import (
    ROLE_COMMITTEE, ROLE_UNIT, Application, FormFile, RateLimit, RouteStep, StoredFile, mask_name, now, write_tx,
)
from pdfgen import pretty_code, verify_code
from storage import UploadError, check_upload
from workflow import form_secret

bp = Blueprint("verify", __name__, url_prefix="/verify")

FORM_NAMES = {"review": "评审表", "submission": "送审表", "blind": "脱敏评审表"}
SEAL_ITEMS = ("职称专用章或公章", "审核人签字", "负责人签字", "审核意见", "日期")
TOO_MANY = "核验过于频繁,请稍后再试"


class VerifyForm(FlaskForm):
    code = StringField("编码", filters=[strip], validators=[Length(max=40, message="编码过长")])
    pdf = FileField("上传PDF文件")


def allow(key, limit, seconds):
    """Count one hit for `key` in the current window; False once the window's limit is passed."""
    at = now()
    start = at - timedelta(seconds=int(at.timestamp()) % seconds)
    for _ in range(2):
        try:
            with write_tx():
                (RateLimit.insert(key=key, window_start=start, count=1)
                 .on_conflict(conflict_target=[RateLimit.key, RateLimit.window_start],
                              update={RateLimit.count: RateLimit.count + 1})
                 .execute())
                row = RateLimit.get((RateLimit.key == key) & (RateLimit.window_start == start))
            return row.count <= limit
        except IntegrityError:
            continue
    return False


def _files(application, form_name):
    return list(FormFile.select(FormFile, StoredFile).join(StoredFile)
                .where((FormFile.application == application) & (FormFile.form == form_name)
                       & (FormFile.fmt == "pdf"))
                .order_by(FormFile.version))


def _seals_up_to(files, steps, version):
    """[(role, unit, seal items)] stamped on the stored versions up to `version`, in sealing order."""
    sealed = []
    for stored in files:
        if stored.version <= version and stored.sealed_by and stored.sealed_by not in [r for r, _, _ in sealed]:
            step = steps.get(stored.sealed_by)
            items = SEAL_ITEMS + (("公示情况",) if stored.sealed_by == ROLE_UNIT else ())
            sealed.append((stored.sealed_by, step.unit_name if step else "", items))
    return sealed


def describe(application, form, code_version, file_version=None):
    """What the public may know about a form of a record: the printed content version, the stored
    (sealed) versions, the seals the newest one carries and, for an uploaded file, which version it is.

    The 编码 is printed when the form is generated and stamping never re-renders the page, so every sealed
    version of a form carries the same code; each sealing stores one more FormFile version.
    """
    form_name = FORM_NAMES[form]
    files = _files(application, form_name)
    steps = {s.role: s for s in RouteStep.select().where(RouteStep.application == application)}
    latest = files[-1].version if files else None
    sealed = _seals_up_to(files, steps, latest or 0)
    pending = [s for s in sorted(steps.values(), key=lambda s: s.seq)
               if s.role != ROLE_COMMITTEE and s.role not in [r for r, _, _ in sealed]]
    return {
        "application": application, "name": mask_name(application.person.name), "plan": application.plan,
        "form_name": form_name, "code_version": code_version, "latest": latest, "stored_count": len(files),
        "sealed": sealed, "pending": pending, "file_version": file_version,
        "file_seals": _seals_up_to(files, steps, file_version) if file_version is not None else None,
        "declared": " ".join(filter(None, (application.series, application.specialty, application.level,
                                           application.title_name))),
    }


def _by_code(code):
    decoded = verify_code(code, form_secret())
    if decoded is None:
        return None
    record_id, form, version = decoded
    application = Application.get_or_none(Application.id == record_id)
    if application is None:
        return None
    return describe(application, form, version)


def _by_hash(digest):
    """(application, form name, stored version) of the PDF whose SHA-256 is `digest`, or None."""
    stored = (FormFile.select(FormFile, StoredFile).join(StoredFile)
              .where((StoredFile.sha256 == digest) & (FormFile.fmt == "pdf"))
              .order_by(FormFile.version.desc()).first())
    if stored is None:
        return None
    return stored.application, stored.form, stored.version


@bp.get("/")
def index():
    """The 编码核验 page."""
    return render("verify/index.html", form=VerifyForm(), result=None)


@bp.post("/")
def check():
    """Check a 编码 and/or an uploaded PDF against the stored records."""
    form = VerifyForm()
    limit, seconds = current_app.config.get("VERIFY_RATE_LIMIT", (30, 600))
    if not allow(f"verify:{request.remote_addr}", limit, seconds):
        form.code.errors = [TOO_MANY]
        return render("verify/index.html", form=form, result=None, status=429)
    upload = request.files.get(form.pdf.name)
    has_file = upload is not None and bool(upload.filename)
    if not form.validate():
        return render("verify/index.html", form=form, result=None, status=422)
    if not form.code.data and not has_file:
        form.code.errors = ["请输入表上打印的编码,或上传PDF文件"]
        return render("verify/index.html", form=form, result=None, status=422)
    digest = None
    if has_file:
        try:
            data, _ = check_upload(upload, allowed=("pdf",), max_bytes=20 * 1024 * 1024, label="PDF文件")
        except UploadError as problem:
            form.pdf.errors = [str(problem)]
            return render("verify/index.html", form=form, result=None, status=422)
        digest = hashlib.sha256(data).hexdigest()
    result = {"code": pretty_code(form.code.data.upper().replace("-", "").replace(" ", "")) if form.code.data else "",
              "found": None, "file": None}
    if form.code.data:
        result["found"] = _by_code(form.code.data)
    if digest:
        match = _by_hash(digest)
        found = result["found"]
        if match is None:
            result["file"] = "unknown" if found is None else "mismatch"
        elif found is None and not form.code.data:
            application, form_name, version = match
            form_key = next((k for k, v in FORM_NAMES.items() if v == form_name), "review")
            result["found"] = describe(application, form_key, None, file_version=version)
            result["file"] = "exact"
        elif found is not None and match[0].id == found["application"].id and match[1] == found["form_name"]:
            result["found"] = describe(match[0], next(k for k, v in FORM_NAMES.items() if v == match[1]),
                                       found["code_version"], file_version=match[2])
            result["file"] = "exact"
        else:
            result["file"] = "mismatch"
    return render("verify/index.html", form=form, result=result)
