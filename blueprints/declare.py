"""职称申报系统 for 个人: 申报计划, the six-step wizard, 申报记录, 申报进度, 补充公示书面报告, 重新申报."""
import io
import os
import re
import shutil
import subprocess
import tempfile

from flask import Blueprint, abort, flash, g, redirect, request, send_file, url_for
from peewee import IntegrityError
from PIL import Image, UnidentifiedImageError

import pdfgen
import storage
import workflow
from blueprints.access import render, role_required
from blueprints.declare_forms import (
    OTHER, ActionForm, AttachmentForm, ConfirmForm, ExcelForm, InfoForm, ItemsForm, PhotoForm, PlanFilterForm,
    PledgeForm, PublicityForm,
)
from blueprints.talent import entry_gate
from models import (
    ITEM_APPROVED, LEVEL_GROUP, LEVEL_RANK, LEVELS, ROLE_PERSON, ROLE_SUPERVISOR, ROLE_UNIT, STATUS_DRAFT,
    Application, ArchiveItem, Attachment, AuditEvent, FormFile, Plan, PlanScope, Region, RouteStep, TitleName,
    TitleSeries, TitleSpecialty, db, is_returned, now, status_reviewing, write_tx,
)

bp = Blueprint("declare", __name__, url_prefix="/declare")

STEPS = ("上传证件照", "真实性保证书", "填写申报信息", "选择相关业绩", "上传相关附件", "预览确认提交")
PLEDGE = (
    "本人郑重承诺:",
    "一、本人所提交的个人信息、学历学位、工作经历、专业技术资格、业绩成果、论文著作、获奖、项目、专利等全部申报材料真实、准确、完整,"
    "不存在伪造、变造、冒用他人材料或弄虚作假的情况。",
    "二、本人已认真阅读申报计划的评审范围和申报条件,所申报的职称系列、专业、等级符合规定。",
    "三、如有不实,本人自愿承担取消申报资格、撤销已取得职称、记入诚信档案等一切后果及法律责任。",
)
LEVEL_RULE = "同系列可以往高的报,转系列只能报平级"
ONE_PER_GROUP = "同等级职称每年只能申报一次,每种等级只能新增一条申报记录"
LOCKED = "一旦提交不可修改,审核不通过后也不能修改"
PUBLICITY = "公示书面报告"
CATEGORIES = ("学历学位证书", "专业技术资格证书", "执业(职业)资格证书", "业绩成果材料", "论文著作(关键页面)",
              "获奖证书", "项目及专利证明", PUBLICITY, "其他材料")
PHOTO_MAX = 2 * 1024 * 1024
PHOTO_MIN_W, PHOTO_MIN_H, PHOTO_MAX_SIDE = 200, 250, 3000
FORMS = {"review": "评审表", "submission": "送审表"}
OCR_NOTE = "图片无法自动识别文字(系统未配置文字识别),请自行确认图片中已去除姓名、身份证号、手机号、单位名称等信息"
OCR_ON_NOTE = "图片和扫描件经文字识别检查;识别可能遗漏手写或模糊的内容,请自行再确认"
TALENT_KEYS = ("name", "former_name", "id_number", "gender", "birth_date", "ethnicity", "political_status", "phone",
               "education", "education_cert_no", "degree", "school", "major", "graduation", "work_start",
               "cur_series", "cur_specialty", "cur_level", "cur_name", "cur_obtained")


# ---- helpers -----------------------------------------------------------------------------------

def _person():
    return g.account.person


def _gate():
    """The talent-pool entry gate: a page listing what is missing, or None when the person may enter."""
    missing = entry_gate(_person())
    if missing:
        return render("declare/gate.html", missing=missing)
    return None


def _own(app_id):
    """The actor's own record, or 404 (another person's record is never confirmed to exist)."""
    record = Application.of_person(_person()).where(Application.id == app_id).first()
    if record is None:
        abort(404)
    return record


def _draft(app_id):
    """The actor's own never-submitted draft; a submitted record opens read-only instead."""
    record = _own(app_id)
    if record.status != STATUS_DRAFT:
        abort(redirect(url_for("declare.view", app_id=record.id), 303))
    return record


def talent_snapshot(person):
    """{"info": …, "unit": …} of the person and the unit as the talent pool holds them now."""
    edu = person.education or {}
    cur = person.current_title or {}
    work = (ArchiveItem.select().where((ArchiveItem.person == person) & (ArchiveItem.kind == "工作经历")
                                       & (ArchiveItem.status == ITEM_APPROVED)))
    starts = sorted(item.data.get("开始时间", "") for item in work if re.match(r"^\d{4}-\d{2}", item.data.get("开始时间", "")))
    info = {
        "name": person.name, "former_name": person.former_name, "id_number": person.id_number,
        "gender": person.gender, "birth_date": person.birth_date.strftime("%Y-%m-%d"),
        "ethnicity": person.ethnicity, "political_status": person.political_status, "phone": person.phone,
        "education": edu.get("学历", ""), "education_cert_no": edu.get("学历证书编号", ""),
        "degree": edu.get("学位", ""), "school": edu.get("毕业院校", ""), "major": edu.get("所学专业", ""),
        "graduation": edu.get("毕业时间", ""), "work_start": starts[0][:7] if starts else "",
        "cur_series": cur.get("series", ""), "cur_specialty": cur.get("specialty", ""),
        "cur_level": cur.get("level", ""), "cur_name": cur.get("name", ""),
        "cur_obtained": (cur.get("obtained") or "")[:7],
    }
    org = person.org
    unit = {}
    if org is not None:
        supervisor = org.supervisor if (org.supervisor_id and org.may_have_supervisor) else None
        hr = org.hr_agency
        unit = {"org_id": org.id, "name": org.name, "nature": org.nature, "credit_code": org.credit_code,
                "region": org.region_id, "supervisor_id": supervisor.id if supervisor else None,
                "supervisor_name": supervisor.name if supervisor else "",
                "hr_agency_id": hr.id if hr else None, "hr_name": hr.name if hr else ""}
    return {"info": info, "unit": unit, "synced_at": now().strftime("%Y-%m-%d %H:%M:%S")}


def _store(record, snapshot=None, keep_downloads=False, **fields):
    """Save draft fields; any change of content means the PDFs must be downloaded and checked again."""
    snap = dict(snapshot if snapshot is not None else (record.snapshot or {}))
    if not keep_downloads:
        snap["downloaded"] = []
    fields.update(snapshot=snap, updated_at=now())
    with db.atomic():
        Application.update(**fields).where((Application.id == record.id)
                                           & (Application.status == STATUS_DRAFT)).execute()
    return Application.get_by_id(record.id)


def _advance(record, step):
    """Remember the furthest step reached and go to the next one."""
    if record.wizard_step < step + 1:
        Application.update(wizard_step=step + 1).where(Application.id == record.id).execute()
    return redirect(url_for("declare.step", app_id=record.id, n=step + 1), 303)


def _plan_series(plan):
    return sorted({s.series for s in plan.scopes},
                  key=lambda name: (TitleSeries.get_or_none(TitleSeries.name == name) or TitleSeries(sort=999)).sort)


def _specialties(series):
    names = [s.name for s in TitleSpecialty.select().join(TitleSeries)
             .where((TitleSeries.name == series) & (TitleSpecialty.active == True))  # noqa: E712
             .order_by(TitleSpecialty.id)]
    return names or [series]


def _titled_levels(series):
    names = {lv for (lv,) in TitleName.select(TitleName.level).join(TitleSeries)
             .where(TitleSeries.name == series).tuples()}
    return [lv for lv in LEVELS if lv in names]


def _title_names(series, level):
    return [n for (n,) in TitleName.select(TitleName.name).join(TitleSeries)
            .where((TitleSeries.name == series) & (TitleName.level == level)).order_by(TitleName.id).tuples()]


def title_choices(plan, values):
    """The options of the dependent selects 系列 → 专业 → 等级 → 资格名称 (and 现职称), never empty."""
    pick = [("", "请选择")]
    series = _plan_series(plan)
    chosen = values.get("series") if values.get("series") in series else ""
    scopes = [s for s in plan.scopes if s.series == chosen]
    if any(s.specialty == "" for s in scopes):
        specialties = _specialties(chosen)
    else:
        specialties = sorted({s.specialty for s in scopes})
    specialty = values.get("specialty") if values.get("specialty") in specialties else ""
    levels = [lv for lv in _titled_levels(chosen)
              if any(s.level == lv and s.specialty in ("", specialty) for s in scopes)]
    level = values.get("level") if values.get("level") in levels else ""
    titles = _title_names(chosen, level) if level else []
    practice = (_specialties(chosen) if chosen else []) + [OTHER]
    all_series = [s.name for s in TitleSeries.select().where(TitleSeries.active == True)  # noqa: E712
                  .order_by(TitleSeries.sort)]
    cur_series = values.get("cur_series") if values.get("cur_series") in all_series else ""
    cur_levels = _titled_levels(cur_series) if cur_series else []
    cur_level = values.get("cur_level") if values.get("cur_level") in cur_levels else ""
    return {
        "series": pick + [(s, s) for s in series],
        "specialty": pick + [(s, s) for s in specialties] if chosen else pick,
        "level": pick + [(lv, lv) for lv in levels],
        "title_name": pick + [(t, t) for t in titles],
        "practice_specialty": pick + [(p, p) for p in practice],
        "cur_series": [("", "无")] + [(s, s) for s in all_series],
        "cur_specialty": [("", "无")] + ([(s, s) for s in _specialties(cur_series)] if cur_series else []),
        "cur_level": [("", "无")] + [(lv, lv) for lv in cur_levels],
        "cur_name": [("", "无")] + ([(t, t) for t in _title_names(cur_series, cur_level)] if cur_level else []),
    }


def _set_choices(form, plan, values, locked=None):
    choices = title_choices(plan, values)
    if locked:
        for key in ("series", "specialty", "level"):
            choices[key] = [(locked[key], locked[key])]
    for key, options in choices.items():
        getattr(form, key).choices = options


def level_problem(cur_series, cur_level, series, level):
    """None when 「同系列可以往高的报,转系列只能报平级」 allows the declaration, else why not."""
    if not cur_series or not cur_level or cur_level not in LEVEL_RANK:
        return None
    if cur_series == series and LEVEL_RANK[level] <= LEVEL_RANK[cur_level]:
        return f"{LEVEL_RULE}:您的现职称为{cur_series}{cur_level},同系列只能申报高于{cur_level}的等级"
    if cur_series != series and LEVEL_RANK[level] != LEVEL_RANK[cur_level]:
        return f"{LEVEL_RULE}:您的现职称为{cur_series}{cur_level},转到{series}系列只能申报{cur_level}"
    return None


def duplicate_of(person, level_group, year, exclude_id):
    """The person's other live record of this level group and year, if any."""
    return (Application.select().where((Application.person == person) & (Application.level_group == level_group)
                                       & (Application.year == year) & (Application.live == 1)
                                       & (Application.id != exclude_id)).first())


def _locked(record):
    """Series/专业/等级 of a 重新申报 copy: fixed since the first submission."""
    if record.previous_id:
        return {"series": record.series, "specialty": record.specialty, "level": record.level}
    return None


def _archive_for(person):
    """Approved archive items, each shown once (an item repeated with the same content appears once)."""
    seen, items = set(), []
    for item in ArchiveItem.approved_for(person):
        key = (item.kind, tuple(sorted((k, str(v).strip()) for k, v in (item.data or {}).items())))
        if key in seen:
            continue
        seen.add(key)
        items.append(item)
    return items


def _pdf_text(data):
    try:
        result = subprocess.run(["pdftotext", "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                                timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.decode("utf-8", "replace")


def ocr_available():
    """True when tesseract with its Chinese data is installed (images and scans can then be read)."""
    return shutil.which("tesseract") is not None


def _image_text(data):
    """Text recognised in an image by tesseract (chi_sim+eng), None when OCR is not available."""
    if not ocr_available():
        return None
    try:
        result = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim+eng", "--psm", "6"], input=data,
                                capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


def _scan_text(data, pages=3):
    """Text of a scanned PDF (no text layer): its first pages rendered with pdftoppm, then recognised."""
    if not ocr_available():
        return None
    with tempfile.TemporaryDirectory() as workdir:
        try:
            subprocess.run(["pdftoppm", "-q", "-r", "150", "-png", "-f", "1", "-l", str(pages), "-",
                            os.path.join(workdir, "page")], input=data, capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        texts = []
        for name in sorted(os.listdir(workdir)):
            with open(os.path.join(workdir, name), "rb") as handle:
                texts.append(_image_text(handle.read()) or "")
    return "\n".join(texts)


def leaks(data, kind, record):
    """[what leaks] of a 脱敏 file: the applicant's 姓名/身份证号/手机号/单位名称 found in its text.

    PDFs are read by their text layer; images and scanned PDFs by OCR when tesseract is installed.
    """
    if kind == "pdf":
        text = _pdf_text(data)
        if text is not None and not text.strip():
            text = _scan_text(data)
    else:
        text = _image_text(data)
    if text is None:
        return []
    flat = re.sub(r"\s+", "", text).upper()
    info = (record.snapshot or {}).get("info") or {}
    unit = (record.snapshot or {}).get("unit") or {}
    person = record.person
    checks = (("姓名", info.get("name") or person.name), ("身份证号", info.get("id_number") or person.id_number),
              ("手机号", info.get("phone") or person.phone), ("单位名称", unit.get("name", "")))
    return [label for label, value in checks if value and re.sub(r"\s+", "", value).upper() in flat]


def missing_twins(record):
    """Originals without their 脱敏 twin (盲审盲评 scope only)."""
    if not workflow.needs_desensitized(record.series, record.specialty, record.level):
        return []
    twins = {a.twin_id for a in record.attachments if a.desensitized}
    return [a for a in record.attachments if not a.desensitized and a.id not in twins]


def readiness(record):
    """What still blocks 「提交」, in the wizard's order."""
    problems = []
    if not record.photo_id:
        problems.append("第一步:请上传证件照")
    if not record.pledge_at:
        problems.append("第二步:请阅读真实性保证书并勾选「本人承诺」")
    if not (record.series and record.level and record.title_name):
        problems.append("第三步:请填写申报信息并点击「下一步」保存")
    if record.wizard_step < 5:
        problems.append("第四步:请选择相关业绩并点击「下一步」保存")
    for attachment in missing_twins(record):
        problems.append(f"第五步:「{attachment.file.filename}」还没有对应的脱敏申报材料")
    return problems


def _route_view(record):
    """(stops, error) for showing the route before submission."""
    try:
        return workflow.route_for(record), None
    except workflow.RouteError as error:
        return [], error


def _selected_items(record):
    return (record.snapshot or {}).get("items", [])


# ---- 申报计划 -----------------------------------------------------------------------------------

@bp.get("/plans")
@role_required(ROLE_PERSON)
def plans():
    """申报计划: filter by 类型 → 地区 → 系列/专业/等级 (htmx swaps the list only)."""
    blocked = _gate()
    if blocked:
        return blocked
    form = PlanFilterForm(request.args)
    form.region.choices = [("", "全部地区")] + [(r.code, r.name) for r in Region.select().where(
        Region.level.in_(("自治区", "盟市"))).order_by(Region.code)]
    series = [s.name for s in TitleSeries.select().order_by(TitleSeries.sort)]
    form.series.choices = [("", "全部系列")] + [(s, s) for s in series]
    form.specialty.choices = [("", "全部专业")] + (
        [(s, s) for s in _specialties(form.series.data)] if form.series.data in series else [])
    query = Plan.select().order_by(Plan.ends_at.desc(), Plan.id)
    if form.plan_type.data:
        query = query.where(Plan.plan_type == form.plan_type.data)
    if form.region.data:
        top = Region.get(Region.level == "自治区").code
        query = query.where(Plan.region.in_((form.region.data, top)))
    if form.series.data or form.level.data:
        scope = PlanScope.select(PlanScope.plan)
        if form.series.data:
            scope = scope.where(PlanScope.series == form.series.data)
        if form.specialty.data:
            scope = scope.where(PlanScope.specialty.in_((form.specialty.data, "")))
        if form.level.data:
            scope = scope.where(PlanScope.level == form.level.data)
        query = query.where(Plan.id.in_(scope))
    found = list(query)
    return render("declare/plans.html", "declare/_plans.html", form=form, plans=found, now=now(),
                  scope_text=scope_text)


def scope_text(plan):
    """「工程技术:中级、初级」 lines of a plan's scope."""
    by_series = {}
    for scope in plan.scopes:
        label = scope.series + (f"({scope.specialty})" if scope.specialty else "")
        by_series.setdefault(label, set()).add(scope.level)
    return [f"{label}:{'、'.join(lv for lv in LEVELS if lv in levels)}" for label, levels in by_series.items()]


@bp.get("/plans/<int:plan_id>")
@role_required(ROLE_PERSON)
def plan(plan_id):
    """A plan page: 评审范围, scope and 申报结束时间, with 「开始申报」 while the plan is open."""
    blocked = _gate()
    if blocked:
        return blocked
    found = Plan.get_or_none(Plan.id == plan_id) or abort(404)
    return render("declare/plan.html", plan=found, lines=scope_text(found), open=found.accepting(),
                  form=ActionForm())


@bp.post("/plans/<int:plan_id>/start")
@role_required(ROLE_PERSON)
def start(plan_id):
    """「开始申报」: a new draft for this plan, filled from the talent pool."""
    blocked = _gate()
    if blocked:
        return blocked
    found = Plan.get_or_none(Plan.id == plan_id) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not found.accepting():
        flash(workflow.MSG_DEADLINE, "error")
        return redirect(url_for("declare.plan", plan_id=found.id), 303)
    person = _person()
    # No level yet: live stays NULL until step ③ fixes the level group, then the unique index applies.
    record = Application.create(person=person, plan=found, org=person.org, level_group="", year=found.year,
                                live=None, snapshot=talent_snapshot(person))
    return redirect(url_for("declare.step", app_id=record.id, n=1), 303)


# ---- the wizard ---------------------------------------------------------------------------------

def _wizard(record, n, status=200, **context):
    return render("declare/wizard.html", status=status, record=record, n=n, steps=STEPS, **context)


@bp.get("/<int:app_id>/step/<int:n>")
@role_required(ROLE_PERSON)
def step(app_id, n):
    """One step of the six-step wizard."""
    blocked = _gate()
    if blocked:
        return blocked
    record = _draft(app_id)
    if not 1 <= n <= 6:
        abort(404)
    if n > record.wizard_step:
        return redirect(url_for("declare.step", app_id=record.id, n=record.wizard_step))
    return _render_step(record, n)


def _render_step(record, n, status=200, form=None, **context):
    if n == 1:
        return _wizard(record, 1, status, form=form or PhotoForm(), **context)
    if n == 2:
        return _wizard(record, 2, status, form=form or PledgeForm(agree=bool(record.pledge_at)), pledge=PLEDGE,
                       **context)
    if n == 3:
        if form is None:
            values = _info_values(record)
            form = InfoForm(formdata=None, data=values)
            _set_choices(form, record.plan, values, _locked(record))
        return _wizard(record, 3, status, form=form, locked=_locked(record), sync=ActionForm(), **context)
    if n == 4:
        chosen = {item["id"] for item in _selected_items(record)}
        items = _archive_for(record.person)
        if not record.selected_items and record.wizard_step <= 4:
            chosen = {item.id for item in items}
        return _wizard(record, 4, status, form=form or ItemsForm(), items=items, chosen=chosen, **context)
    if n == 5:
        upload = form or AttachmentForm()
        upload.category.choices = [("", "请选择")] + [(c, c) for c in CATEGORIES]
        blind = workflow.needs_desensitized(record.series, record.specialty, record.level)
        return _wizard(record, 5, status, form=upload, next_form=ItemsForm(), blind=blind,
                       attachments=list(record.attachments.order_by(Attachment.category, Attachment.id)),
                       missing=missing_twins(record), ocr_note=OCR_ON_NOTE if ocr_available() else OCR_NOTE, remove=ActionForm(), **context)
    stops, route_error = _route_view(record)
    return _wizard(record, 6, status, form=form or ConfirmForm(), stops=stops, route_error=route_error,
                   problems=readiness(record), excel=ExcelForm(), dedupe_form=ActionForm(),
                   items=_selected_items(record), downloaded=(record.snapshot or {}).get("downloaded", []),
                   attachments=list(record.attachments.order_by(Attachment.category, Attachment.id)),
                   info=(record.snapshot or {}).get("info", {}), unit=(record.snapshot or {}).get("unit", {}),
                   **context)


def _info_values(record):
    snap = record.snapshot or {}
    values = dict(snap.get("info") or {})
    unit = snap.get("unit") or {}
    values.update({"unit_name": unit.get("name", ""), "unit_nature": unit.get("nature", ""),
                   "supervisor_name": unit.get("supervisor_name", "") or "无", "hr_name": unit.get("hr_name", "")})
    values.update({"series": record.series or values.get("series", ""),
                   "specialty": record.specialty or values.get("specialty", ""),
                   "level": record.level or values.get("level", ""),
                   "title_name": record.title_name or values.get("title_name", "")})
    values.update(snap.get("autosave") or {})
    return values


@bp.post("/<int:app_id>/step/<int:n>")
@role_required(ROLE_PERSON)
def save_step(app_id, n):
    """Save a step on 「下一步」 and move on; 422 with the errors under each field otherwise."""
    blocked = _gate()
    if blocked:
        return blocked
    record = _draft(app_id)
    if not 1 <= n <= 5 or n > record.wizard_step:
        abort(404)
    return (_save_photo, _save_pledge, _save_info, _save_items, _save_attachments)[n - 1](record)


def _save_photo(record):
    form = PhotoForm()
    if not form.validate_on_submit():
        return _render_step(record, 1, 422, form)
    upload = request.files.get("photo")
    if (upload is None or not upload.filename) and record.photo_id:
        return _advance(record, 1)
    try:
        data, kind = storage.check_upload(upload, ("jpg", "png"), PHOTO_MAX, "证件照")
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except storage.UploadError as error:
        form.photo.errors = [str(error)]
        return _render_step(record, 1, 422, form)
    except (UnidentifiedImageError, OSError):
        form.photo.errors = [f"{upload.filename}:图片已损坏,无法打开"]
        return _render_step(record, 1, 422, form)
    if width < PHOTO_MIN_W or height < PHOTO_MIN_H or max(width, height) > PHOTO_MAX_SIDE:
        form.photo.errors = [f"{upload.filename}:证件照尺寸为{width}×{height}像素,应不小于{PHOTO_MIN_W}×{PHOTO_MIN_H}、"
                             f"不大于{PHOTO_MAX_SIDE}像素"]
        return _render_step(record, 1, 422, form)
    if width > height:
        form.photo.errors = [f"{upload.filename}:证件照应为竖版(高大于宽),当前为{width}×{height}像素"]
        return _render_step(record, 1, 422, form)
    with db.atomic():
        stored = storage.save_bytes(data, upload.filename, kind)
        record = _store(record, photo=stored)
    return _advance(record, 1)


def _save_pledge(record):
    form = PledgeForm()
    if not form.validate_on_submit():
        return _render_step(record, 2, 422, form)
    if not record.pledge_at:
        record = _store(record, pledge_at=now())
    return _advance(record, 2)


def _save_info(record):
    form = InfoForm()
    locked = _locked(record)
    values = {key: request.form.get(key, "") for key in ("series", "specialty", "level", "cur_series", "cur_level")}
    _set_choices(form, record.plan, values, locked)
    # The read-only facts come from the talent pool snapshot, whatever the browser sent.
    for key, value in _info_values(record).items():
        if key in ("name", "id_number", "gender", "birth_date", "unit_name", "unit_nature", "supervisor_name",
                   "hr_name"):
            getattr(form, key).data = value
    valid = form.validate_on_submit()
    if locked:
        for key in ("series", "specialty", "level"):
            if request.form.get(key, locked[key]) != locked[key]:
                getattr(form, key).errors = [f"申报职称系列、专业、等级{LOCKED}"]
                valid = False
    if valid:
        problem = level_problem(form.cur_series.data, form.cur_level.data, form.series.data, form.level.data)
        if problem:
            form.level.errors = [problem]
            valid = False
    group = LEVEL_GROUP.get(form.level.data, "")
    if valid:
        other = duplicate_of(record.person, group, record.year, record.id)
        if other is not None:
            form.level.errors = [f"{ONE_PER_GROUP}(已有{other.plan.name}的{other.level}申报记录)"]
            valid = False
    if not valid:
        return _render_step(record, 3, 422, form)
    snap = dict(record.snapshot or {})
    info = dict(snap.get("info") or {})
    for key in ("practice_specialty", "practice_other", "former_name", "ethnicity", "political_status", "phone",
                "education", "education_cert_no", "degree", "school", "major", "graduation", "work_start",
                "cur_series", "cur_specialty", "cur_level", "cur_name", "cur_obtained", "achievements_text",
                "summary"):
        info[key] = getattr(form, key).data or ""
    snap["info"] = info
    snap.pop("autosave", None)
    try:
        with db.atomic():
            record = _store(record, snapshot=snap, series=form.series.data, specialty=form.specialty.data,
                            level=form.level.data, title_name=form.title_name.data, level_group=group, live=1)
    except IntegrityError:
        form.level.errors = [ONE_PER_GROUP]
        return _render_step(record, 3, 422, form)
    return _advance(record, 3)


def _save_items(record):
    form = ItemsForm()
    if not form.validate_on_submit():
        return _render_step(record, 4, 422, form)
    wanted = {int(v) for v in request.form.getlist("item") if v.isdigit()}
    items = [item for item in _archive_for(record.person) if item.id in wanted]
    snap = dict(record.snapshot or {})
    snap["items"] = [{"id": item.id, "kind": item.kind, "data": item.data} for item in items]
    record = _store(record, snapshot=snap, selected_items=[item.id for item in items])
    return _advance(record, 4)


def _save_attachments(record):
    form = ItemsForm()
    if not form.validate_on_submit():
        return _render_step(record, 5, 422)
    if missing_twins(record):
        names = "、".join(f"「{a.file.filename}」" for a in missing_twins(record))
        return _render_step(record, 5, 422, error=f"盲审盲评范围的申报需要为每份申报材料上传一一对应的脱敏申报材料:{names}还没有脱敏材料")
    return _advance(record, 5)


@bp.post("/<int:app_id>/autosave")
@role_required(ROLE_PERSON)
def autosave(app_id):
    """Keep what was typed in step ③ as a draft, so an idle logout loses nothing."""
    record = _draft(app_id)
    keys = [f.name for f in InfoForm(meta={"csrf": False}) if f.name not in ("submit", "csrf_token")]
    snap = dict(record.snapshot or {})
    snap["autosave"] = {key: request.form.get(key, "")[:20000] for key in keys if key in request.form}
    _store(record, snapshot=snap)
    return render("declare/_autosaved.html", "declare/_autosaved.html", at=now())


@bp.get("/<int:app_id>/title-fields")
@role_required(ROLE_PERSON)
def title_fields(app_id):
    """The dependent selects 系列 → 专业 → 等级 → 资格名称 (and 现职称) for the values chosen so far."""
    record = _draft(app_id)
    values = {key: request.args.get(key, "") for key in ("series", "specialty", "level", "title_name",
                                                        "practice_specialty", "practice_other", "cur_series",
                                                        "cur_specialty", "cur_level", "cur_name")}
    form = InfoForm(formdata=None, data=values, meta={"csrf": False})
    _set_choices(form, record.plan, values, _locked(record))
    part = request.args.get("part", "declared")
    template = "declare/_current_fields.html" if part == "current" else "declare/_title_fields.html"
    return render(template, template, form=form, record=record, locked=_locked(record))


@bp.post("/<int:app_id>/sync")
@role_required(ROLE_PERSON)
def sync(app_id):
    """「同步人才库信息」: refresh the snapshot (incl. 上级主管单位 and 人社部门) and say what changed."""
    record = _draft(app_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    fresh = talent_snapshot(record.person)
    snap = dict(record.snapshot or {})
    old_info, old_unit = snap.get("info") or {}, snap.get("unit") or {}
    labels = {f.name: str(f.label.text) for f in InfoForm(meta={"csrf": False})}
    changes = []
    for key in TALENT_KEYS:
        before, after = old_info.get(key, "") or "", fresh["info"].get(key, "") or ""
        if before != after:
            changes.append((labels.get(key, key), before, after))
    for key, label in (("name", "工作单位"), ("nature", "工作单位性质"), ("supervisor_name", "上级主管单位"),
                       ("hr_name", "单位所在人社部门")):
        before, after = old_unit.get(key, "") or "", fresh["unit"].get(key, "") or ""
        if before != after:
            changes.append((label, before, after))
    info = dict(old_info)
    info.update(fresh["info"])
    snap.update(info=info, unit=fresh["unit"], synced_at=fresh["synced_at"])
    snap.pop("autosave", None)
    person = record.person
    _store(record, snapshot=snap, org=person.org)
    if changes:
        flash("已同步人才库信息。变化:" + ";".join(f"{label}由「{a or '无'}」改为「{b or '无'}」"
                                            for label, a, b in changes), "success")
    else:
        flash("已同步人才库信息,与人才库一致,没有变化", "success")
    return redirect(url_for("declare.step", app_id=record.id, n=3), 303)


@bp.get("/<int:app_id>/photo")
@role_required(ROLE_PERSON)
def photo(app_id):
    """The record's 证件照 (own records only)."""
    record = _own(app_id)
    if not record.photo_id:
        abort(404)
    return send_file(io.BytesIO(storage.read(record.photo)), mimetype=record.photo.content_type)


@bp.post("/<int:app_id>/attachments")
@role_required(ROLE_PERSON)
def upload(app_id):
    """Upload one attachment (and, for 盲审盲评, its 脱敏 twin in the same step)."""
    record = _draft(app_id)
    form = AttachmentForm()
    form.category.choices = [("", "请选择")] + [(c, c) for c in CATEGORIES]
    if not form.validate_on_submit():
        return _render_step(record, 5, 422, form)
    blind = workflow.needs_desensitized(record.series, record.specialty, record.level)
    try:
        data, kind = storage.check_upload(request.files.get("file"), label="申报材料")
    except storage.UploadError as error:
        form.file.errors = [str(error)]
        return _render_step(record, 5, 422, form)
    twin = None
    if blind:
        try:
            twin = storage.check_upload(request.files.get("twin"), label="脱敏申报材料")
        except storage.UploadError as error:
            form.twin.errors = [f"{error}(盲审盲评范围需一一对应上传脱敏申报材料)"]
            return _render_step(record, 5, 422, form)
        found = leaks(twin[0], twin[1], record)
        if found:
            form.twin.errors = [f"脱敏申报材料「{request.files['twin'].filename}」中仍含有:{'、'.join(found)},"
                                f"请脱敏后重新上传"]
            return _render_step(record, 5, 422, form)
    with db.atomic():
        stored = storage.save_bytes(data, request.files["file"].filename, kind)
        original = Attachment.create(application=record, category=form.category.data, file=stored)
        if twin is not None:
            twin_file = storage.save_bytes(twin[0], request.files["twin"].filename, twin[1])
            Attachment.create(application=record, category=form.category.data, file=twin_file, desensitized=True,
                              twin=original)
        _store(record)
    note = f";{OCR_NOTE}" if twin is not None and twin[1] != "pdf" else ""
    flash(f"已上传「{request.files['file'].filename}」{note}", "success")
    return redirect(url_for("declare.step", app_id=record.id, n=5), 303)


@bp.post("/<int:app_id>/attachments/<int:att_id>/delete")
@role_required(ROLE_PERSON)
def remove_attachment(app_id, att_id):
    """Remove an attachment of a draft, with its 脱敏 twin."""
    record = _draft(app_id)
    attachment = Attachment.get_or_none((Attachment.id == att_id) & (Attachment.application == record)) or abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with db.atomic():
        Attachment.delete().where((Attachment.twin == attachment.id) & (Attachment.application == record)).execute()
        Attachment.delete().where(Attachment.id == attachment.id).execute()
        if attachment.twin_id:
            Attachment.delete().where(Attachment.id == attachment.twin_id).execute()
        _store(record)
    flash(f"已删除「{attachment.file.filename}」及其对应材料", "success")
    return redirect(url_for("declare.step", app_id=record.id, n=5), 303)


@bp.get("/<int:app_id>/attachments/<int:att_id>")
@role_required(ROLE_PERSON)
def attachment(app_id, att_id):
    """Download one of the record's attachments."""
    record = _own(app_id)
    found = Attachment.get_or_none((Attachment.id == att_id) & (Attachment.application == record)) or abort(404)
    return send_file(io.BytesIO(storage.read(found.file)), mimetype=found.file.content_type,
                     download_name=found.file.filename, as_attachment=True)


# ---- step ⑥: forms, Excel round trip, 提交 -------------------------------------------------------

@bp.get("/<int:app_id>/forms/<form>.<fmt>")
@role_required(ROLE_PERSON)
def download(app_id, form, fmt):
    """评审表/送审表 as PDF or Excel: generated from the draft, or the stored version once submitted."""
    record = _own(app_id)
    if form not in FORMS or fmt not in ("pdf", "xlsx"):
        abort(404)
    name = FORMS[form]
    filename = f"{name}-{record.snapshot.get('info', {}).get('name', '')}.{fmt}"
    if record.status != STATUS_DRAFT and fmt == "pdf":
        stored = workflow.current_forms(record).get(name) or abort(404)
        return send_file(io.BytesIO(storage.read(stored.file)), mimetype="application/pdf",
                         download_name=filename, as_attachment=True)
    data = workflow.form_data(record)
    if fmt == "pdf":
        body = (pdfgen.review_form if form == "review" else pdfgen.submission_form)(data)
        if record.status == STATUS_DRAFT:
            snap = dict(record.snapshot or {})
            snap["downloaded"] = sorted(set(snap.get("downloaded") or []) | {name})
            _store(record, snapshot=snap, keep_downloads=True)
        return send_file(io.BytesIO(body), mimetype="application/pdf", download_name=filename, as_attachment=True)
    body = (pdfgen.review_form_xlsx if form == "review" else pdfgen.submission_form_xlsx)(data)
    return send_file(io.BytesIO(body), mimetype=storage.KINDS["xlsx"][0], download_name=filename, as_attachment=True)


@bp.post("/<int:app_id>/forms/upload")
@role_required(ROLE_PERSON)
def upload_form(app_id):
    """Upload an edited Excel; a changed protected cell, row height or column width is refused by name."""
    record = _draft(app_id)
    form = ExcelForm()
    if not form.validate_on_submit() or form.form.data not in FORMS:
        abort(400)
    name = FORMS[form.form.data]
    try:
        data, _kind = storage.check_upload(request.files.get("file"), ("xlsx",), label=f"{name}Excel")
        template = (pdfgen.review_form_xlsx if form.form.data == "review" else pdfgen.submission_form_xlsx)(
            workflow.form_data(record))
        edits = pdfgen.read_form_xlsx(template, data)
    except (storage.UploadError, pdfgen.FormError) as error:
        problems = getattr(error, "problems", None) or [str(error)]
        return _render_step(record, 6, 422, excel_error=(name, problems))
    snap = dict(record.snapshot or {})
    snap["edits"] = {**(snap.get("edits") or {}), **edits}
    _store(record, snapshot=snap)
    flash(f"已上传{name}Excel,PDF已按上传内容重新生成,请重新下载评审表和送审表PDF并检查", "success")
    return redirect(url_for("declare.step", app_id=record.id, n=6), 303)


@bp.post("/<int:app_id>/dedupe")
@role_required(ROLE_PERSON)
def toggle_dedupe(app_id):
    """「去除重复业绩」: keep repeated experience rows out of the forms."""
    record = _draft(app_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    _store(record, dedupe=request.form.get("dedupe") == "1")
    return redirect(url_for("declare.step", app_id=record.id, n=6), 303)


@bp.post("/<int:app_id>/submit")
@role_required(ROLE_PERSON)
def submit(app_id):
    """「提交」: route resolution, forms generated once, the record goes to its first reviewer."""
    blocked = _gate()
    if blocked:
        return blocked
    record = _draft(app_id)
    form = ConfirmForm()
    valid = form.validate_on_submit()
    problems = readiness(record)
    downloaded = set((record.snapshot or {}).get("downloaded") or [])
    if valid and not {"评审表", "送审表"} <= downloaded:
        form.confirmed.errors = ["请先下载评审表PDF和送审表PDF,确认内容无误后再提交"]
        valid = False
    if not valid or problems:
        return _render_step(record, 6, 422, form)
    try:
        done = workflow.submit(record, g.account)
    except workflow.TransitionError as error:
        return _render_step(record, 6, 422, form, submit_error=error)
    flash("已提交" if done.route_index is not None else "已提交(线下审核):请下载评审表、送审表PDF,打印后线下审核",
          "success")
    return redirect(url_for("declare.home"), 303)


# ---- 申报记录 -----------------------------------------------------------------------------------

@bp.get("/")
@role_required(ROLE_PERSON)
def home():
    """申报记录: the person's declarations, newest first, with the actions each allows."""
    records = list(Application.of_person(_person()).order_by(Application.created_at.desc(), Application.id.desc()))
    return render("declare/home.html", records=records, action=ActionForm(), may_publicize=may_publicize,
                  is_returned=is_returned, missing=entry_gate(_person()))


def may_publicize(record):
    """「补充公示书面报告」 is open after submission until the 工作单位/主管单位 approves."""
    return record.status in (status_reviewing(ROLE_UNIT), status_reviewing(ROLE_SUPERVISOR))


@bp.get("/<int:app_id>")
@role_required(ROLE_PERSON)
def view(app_id):
    """查看: the whole declaration, read-only."""
    record = _own(app_id)
    snap = record.snapshot or {}
    steps = list(record.route_steps.order_by(RouteStep.seq))
    return render("declare/view.html", record=record, info=snap.get("info", {}), unit=snap.get("unit", {}),
                  items=_selected_items(record), stops=steps,
                  attachments=list(record.attachments.order_by(Attachment.category, Attachment.id)),
                  forms=workflow.current_forms(record) if record.status != STATUS_DRAFT else {})


@bp.get("/<int:app_id>/progress")
@role_required(ROLE_PERSON)
def progress(app_id):
    """申报进度: a timeline of every step (role, unit, time, opinion) and the unit it waits for."""
    record = _own(app_id)
    steps = list(record.route_steps.order_by(RouteStep.seq))
    events = list(AuditEvent.select().where(AuditEvent.application == record).order_by(AuditEvent.id))
    return render("declare/progress.html", "declare/_progress.html", record=record, steps=steps, events=events,
                  returned=is_returned(record.status))


@bp.get("/<int:app_id>/publicity")
@role_required(ROLE_PERSON)
def publicity(app_id):
    """补充公示书面报告: the upload form."""
    record = _own(app_id)
    if not may_publicize(record):
        abort(404)
    return render("declare/publicity.html", record=record, form=PublicityForm(),
                  existing=list(record.attachments.where(Attachment.category == PUBLICITY)))


@bp.post("/<int:app_id>/publicity")
@role_required(ROLE_PERSON)
def add_publicity(app_id):
    """Add the 公示书面报告 to a submitted record before the 工作单位/主管单位 approves."""
    record = _own(app_id)
    if not may_publicize(record):
        abort(404)
    form = PublicityForm()
    existing = list(record.attachments.where(Attachment.category == PUBLICITY))
    if not form.validate_on_submit():
        return render("declare/publicity.html", status=422, record=record, form=form, existing=existing)
    try:
        data, kind = storage.check_upload(request.files.get("file"), label=PUBLICITY)
    except storage.UploadError as error:
        form.file.errors = [str(error)]
        return render("declare/publicity.html", status=422, record=record, form=form, existing=existing)
    with write_tx():
        current = Application.get_by_id(record.id)
        if not may_publicize(current):
            abort(404)
        stored = storage.save_bytes(data, request.files["file"].filename, kind)
        Attachment.create(application=record, category=PUBLICITY, file=stored)
        AuditEvent.create(application=record, account=g.account, role=ROLE_PERSON, action="补充公示书面报告",
                          from_status=current.status, to_status=current.status,
                          detail={"file": request.files["file"].filename})
    flash("已补充公示书面报告", "success")
    return redirect(url_for("declare.home"), 303)


@bp.post("/<int:app_id>/redeclare")
@role_required(ROLE_PERSON)
def redeclare(app_id):
    """「重新申报」: a new record copying everything (系列/专业/等级 locked); the returned one stays read-only."""
    blocked = _gate()
    if blocked:
        return blocked
    record = _own(app_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        new = workflow.redeclare(record, g.account)
    except workflow.TransitionError as error:
        flash(str(error), "error")
        return redirect(url_for("declare.home"), 303)
    flash("已生成新的申报记录(无需重新填写):请在第三步点击「同步人才库信息」核实上级主管单位和人社部门后再提交", "success")
    return redirect(url_for("declare.step", app_id=new.id, n=3), 303)


@bp.post("/<int:app_id>/delete")
@role_required(ROLE_PERSON)
def delete(app_id):
    """删除 a never-submitted draft."""
    record = _own(app_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if record.status != STATUS_DRAFT or record.submitted_at is not None:
        flash("已提交的申报记录不能删除", "error")
        return redirect(url_for("declare.home"), 303)
    with write_tx():
        Attachment.delete().where((Attachment.application == record) & Attachment.twin.is_null(False)).execute()
        Attachment.delete().where(Attachment.application == record).execute()
        FormFile.delete().where(FormFile.application == record).execute()
        Application.delete().where((Application.id == record.id) & (Application.status == STATUS_DRAFT)).execute()
        AuditEvent.create(account=g.account, role=ROLE_PERSON, action="删除申报记录", from_status=STATUS_DRAFT,
                          detail={"application_id": record.id, "plan": record.plan.name, "level": record.level})
    flash("已删除申报记录", "success")
    return redirect(url_for("declare.home"), 303)
