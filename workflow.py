"""The only module that changes an application's status: routes, transitions and seals.

Every transition is a conditional UPDATE on the record's version inside a write transaction, with its
audit event in the same transaction, so two reviewers acting at once leave exactly one outcome.
"""
from models import (
    ROLE_CITY, ROLE_COUNTY, ROLE_SUPERVISOR, ROLE_UNIT, Agency, Application, AuditEvent, now, write_tx,
)

STALE = "该申报记录已被其他操作更新,请刷新后重试"


class TransitionError(Exception):
    """A transition that is not allowed now; the message is shown to the user."""


def change_status(application, new_status, actor, role, unit_name, action, reason="", detail=None, **fields):
    """Move `application` to `new_status` if nobody changed it since it was read; log it; return it."""
    with write_tx():
        changed = (Application.update(status=new_status, version=Application.version + 1, updated_at=now(),
                                      **fields)
                   .where((Application.id == application.id) & (Application.version == application.version))
                   .execute())
        if changed != 1:
            raise TransitionError(STALE)
        AuditEvent.create(application=application, account=actor, role=role, unit_name=unit_name, action=action,
                          from_status=application.status, to_status=new_status, reason=reason, detail=detail or {})
    return Application.get_by_id(application.id)


def city_bureau_of(agency):
    """The 盟市 人社局 above a 旗县-level bureau."""
    city = agency.region.parent
    return Agency.get_or_none((Agency.region == city) & (Agency.kind == "人社局"))


def unit_chain(org):
    """[(role, unit)] of the units a staff member's declaration passes before the committee.

    工作单位 → 主管单位 (when the unit's nature allows one and it named one) → the 旗县 bureau (when the unit's
    上级人社主管部门 is at 旗县 level) → the 盟市 bureau. A 区直 unit (自治区人社厅) has no bureau step.
    Industry bureaus replacing the 人社局 for a series are resolved by route_for, which knows the series.
    """
    chain = [(ROLE_UNIT, org)]
    if org.supervisor_id and org.may_have_supervisor:
        chain.append((ROLE_SUPERVISOR, org.supervisor))
    hr = org.hr_agency
    if hr is not None and hr.level == "旗县":
        chain.append((ROLE_COUNTY, hr))
        city = city_bureau_of(hr)
        if city is not None:
            chain.append((ROLE_CITY, city))
    elif hr is not None and hr.level == "盟市":
        chain.append((ROLE_CITY, hr))
    return chain


# ---- Review transitions (SPEC §4): approve, reject, seal, 签章前退回, 强制驳回, committee decision ----------
# Imported here, beside the code that uses them, so edits to the module header by other work do not collide.
import hashlib  # noqa: E402
import io  # noqa: E402

from models import (  # noqa: E402
    LEVEL_GROUP, ROLE_COMMITTEE, SEAL_SLOT, STATUS_PASSED, STEP_APPROVED, STEP_RETURNED, STEP_SEALED,
    STEP_WAITING, FormFile, RouteStep, Seal, is_returned, status_returned, status_reviewing, status_to_seal,
)

APPROVE = "审核通过"
REJECT = "审核不通过"
SEAL = "签章"
RETURN_BEFORE_SEAL = "签章前退回"
FORCE_REJECT = "强制驳回"
ACTIONS = (APPROVE, REJECT, SEAL, RETURN_BEFORE_SEAL, FORCE_REJECT)
FORCE_WARNING = "此操作将影响申报人员的职称正常审核进度,务必谨慎操作。"
FORM_PDF_NAMES = {"评审表": "review", "送审表": "submission"}
TALLY_KEYS = ("expected", "present", "agree", "against", "abstain")
TALLY_LABELS = {"expected": "应到人数", "present": "实到人数", "agree": "同意", "against": "反对", "abstain": "弃权"}
# SPEC §4 / guide 二(四): these declarations may only be sealed with every piece present.
STRICT_SPECIALTIES = ("电力", "大数据", "电子", "轻工", "纺织")
NOT_YOURS = "该申报记录当前不需要本单位处理"


def steps_of(application):
    """The route of a record, in order."""
    return list(RouteStep.select().where(RouteStep.application == application).order_by(RouteStep.seq))


def is_own_step(step, role, account):
    """True when `step` names the actor's unit in `role`."""
    if step is None or step.role != role:
        return False
    if role in (ROLE_UNIT, ROLE_SUPERVISOR):
        return step.org_id is not None and step.org_id == account.org_id
    if role in (ROLE_COUNTY, ROLE_CITY):
        return step.agency_id is not None and step.agency_id == account.agency_id
    if role == ROLE_COMMITTEE:
        return step.committee_id is not None and step.committee_id == account.committee_id
    return False


def strict_seal_scope(application):
    """True for the blind-review scope where 签章 needs every piece (经济正高级; 技工院校教师、工艺美术高级; 工程 电力…高级)."""
    high = LEVEL_GROUP.get(application.level) == "高级"
    if application.series == "经济":
        return application.level == "正高级"
    if application.series in ("技工院校教师", "工艺美术"):
        return high
    if application.series == "工程技术":
        return high and any(application.specialty.startswith(s) for s in STRICT_SPECIALTIES)
    return False


def actions_for(application, role, account, steps=None):
    """The transitions the actor may apply to `application` now, in the order of the guide's buttons.

    `steps` may carry the record's route already loaded (a console lists hundreds of rows with one query).
    """
    if application.route_index is None or is_returned(application.status) or application.status == STATUS_PASSED:
        return []
    steps = steps if steps is not None else steps_of(application)
    index = application.route_index
    current = steps[index] if 0 <= index < len(steps) else None
    actions = []
    if is_own_step(current, role, account):
        if application.status == status_reviewing(role) and current.state == STEP_WAITING:
            actions += [APPROVE, REJECT]
        elif role != ROLE_COMMITTEE and application.status == status_to_seal(role) and current.state == STEP_APPROVED:
            actions += [SEAL, RETURN_BEFORE_SEAL]
    previous = steps[index - 1] if 0 < index <= len(steps) else None
    if (is_own_step(previous, role, account) and previous.state == STEP_SEALED and current is not None
            and current.state == STEP_WAITING and application.status == status_reviewing(current.role)):
        actions.append(FORCE_REJECT)
    return actions


def tally_passes(tally):
    """True when the meeting may pass a declaration: 实到 ≥ 2/3 of 应到 and 同意 ≥ 2/3 of 实到."""
    return tally["present"] * 3 >= tally["expected"] * 2 and tally["agree"] * 3 >= tally["present"] * 2


def check_tally(tally, result):
    """The tally as ints, or TransitionError naming what is wrong with it or with `result`."""
    try:
        numbers = {key: int(tally.get(key)) for key in TALLY_KEYS}
    except (TypeError, ValueError):
        raise TransitionError("请填写应到人数、实到人数、同意、反对、弃权(整数)") from None
    if any(value < 0 for value in numbers.values()) or numbers["expected"] < 1:
        raise TransitionError("应到人数至少为1,各项人数不能为负数")
    if numbers["present"] > numbers["expected"]:
        raise TransitionError("实到人数不能多于应到人数")
    if numbers["agree"] + numbers["against"] + numbers["abstain"] != numbers["present"]:
        raise TransitionError("同意、反对、弃权人数之和应等于实到人数")
    passes = tally_passes(numbers)
    if result == APPROVE and not passes:
        raise TransitionError("表决结果与审核通过不符:实到人数须不少于应到人数的2/3,同意人数须不少于实到人数的2/3")
    if result == REJECT and passes:
        raise TransitionError("表决结果已达到通过条件(实到≥应到的2/3且同意≥实到的2/3),不能审核不通过")
    return numbers


def active_seals(role, account):
    """{kind: Seal} of the actor's active seals in `role`."""
    query = Seal.select().where((Seal.role == role) & (Seal.active == True))  # noqa: E712
    if role in (ROLE_UNIT, ROLE_SUPERVISOR):
        query = query.where(Seal.org == account.org_id)
    else:
        query = query.where(Seal.agency == account.agency_id)
    return {seal.kind: seal for seal in query.order_by(Seal.id)}


def seal_pieces(role, account):
    """The `seals` dict of pdfgen.stamp from the actor's active seals."""
    import storage
    pieces = {}
    for kind, seal in active_seals(role, account).items():
        slot = SEAL_SLOT[kind]
        if kind == "公示情况":
            pieces[slot] = {"time": seal.data.get("time", ""), "opinion": seal.data.get("opinion", "")}
        elif kind == "审核意见" and seal.source == "生成" and seal.text:
            # Text, not the preview image: stamp() sizes it to each form's cell.
            pieces[slot] = seal.text
        elif seal.image_id:
            pieces[slot] = storage.read(seal.image)
    return pieces


def current_forms(application):
    """{form: FormFile} of the latest PDF version of each form of a record."""
    latest = {}
    for row in (FormFile.select().where((FormFile.application == application) & (FormFile.fmt == "pdf"))
                .order_by(FormFile.version)):
        latest[row.form] = row
    return latest


def _actor_unit(role, account):
    return account.unit_name()


def _step_update(step, state, opinion=None):
    fields = {"state": state, "acted_at": now()}
    if opinion is not None:
        fields["opinion"] = opinion
    RouteStep.update(**fields).where(RouteStep.id == step.id).execute()


def _require_reason(reason, action):
    reason = (reason or "").strip()
    if not reason:
        label = "审核意见" if action in (APPROVE, REJECT) else "退回原因" if action == RETURN_BEFORE_SEAL else "驳回原因"
        raise TransitionError(f"请填写{label}")
    if len(reason) > 500:
        raise TransitionError("意见或原因不能超过500字")
    return reason


def advance(application, action, actor_account, role, reason="", **extra):
    """Apply one review transition with its audit event, or raise TransitionError; return the updated record.

    `extra`: `tally` {expected, present, agree, against, abstain} for the committee's decision; `today` (a date)
    overrides the stamping date in tests.
    """
    if action not in ACTIONS:
        raise TransitionError(f"未知的操作「{action}」")
    if action not in actions_for(application, role, actor_account):
        raise TransitionError(NOT_YOURS if action != FORCE_REJECT else
                              "只有在本单位签章完成后、下一审核单位审核通过前,才能强制驳回")
    steps = steps_of(application)
    index = application.route_index
    unit = _actor_unit(role, actor_account)
    if action == SEAL:
        return _seal(application, steps[index], steps, actor_account, role, unit, extra.get("today"))
    if action == FORCE_REJECT:
        reason = _require_reason(reason, action)
        own = steps[index - 1]
        new = status_returned(role, FORCE_REJECT)
        with write_tx():
            updated = change_status(application, new, actor_account, role, unit, FORCE_REJECT, reason,
                                    {"step": own.seq, "next_unit": steps[index].unit_name, "warning": FORCE_WARNING},
                                    route_index=own.seq)
            _step_update(own, STEP_RETURNED, reason)
        return updated
    step = steps[index]
    if action == RETURN_BEFORE_SEAL:
        reason = _require_reason(reason, action)
        with write_tx():
            updated = change_status(application, status_returned(role, RETURN_BEFORE_SEAL), actor_account, role,
                                    unit, RETURN_BEFORE_SEAL, reason, {"step": step.seq})
            _step_update(step, STEP_RETURNED, reason)
        return updated
    if role == ROLE_COMMITTEE:
        return _decide(application, step, steps, action, actor_account, unit, reason, extra.get("tally") or {},
                       extra.get("today"))
    if action == REJECT:
        reason = _require_reason(reason, action)
        with write_tx():
            updated = change_status(application, status_returned(role, REJECT), actor_account, role, unit, REJECT,
                                    reason, {"step": step.seq})
            _step_update(step, STEP_RETURNED, reason)
        return updated
    opinion = (reason or "").strip() or "同意申请"
    if len(opinion) > 500:
        raise TransitionError("意见或原因不能超过500字")
    with write_tx():
        updated = change_status(application, status_to_seal(role), actor_account, role, unit, APPROVE, opinion,
                                {"step": step.seq})
        _step_update(step, STEP_APPROVED, opinion)
    return updated


def seal_check(application, role, account):
    """(missing pieces, strict) of sealing now with the actor's active seals; no side effects."""
    pieces = seal_pieces(role, account)
    names = {"seal": "公章或职称专用章", "reviewer_sign": "审核人签字", "leader_sign": "负责人签字", "opinion": "审核意见"}
    if role == ROLE_UNIT:
        names["publicity"] = "公示情况"
    return [name for slot, name in names.items() if not pieces.get(slot)], strict_seal_scope(application)


def _seal(application, step, steps, account, role, unit, today):
    """Stamp both forms outside the transaction, then store them and move on if nobody acted meanwhile."""
    import pdfgen
    import storage
    from pdfgen.stamp import stamp as stamp_pdf
    forms = current_forms(application)
    absent = [form for form in FORM_PDF_NAMES if form not in forms]
    if absent:
        raise TransitionError(f"该申报记录缺少{'、'.join(absent)}PDF,无法签章,请签章前退回申报人员重新生成")
    pieces = seal_pieces(role, account)
    date = today or now().date()
    stamped = {}
    missing = []
    for form, row in forms.items():
        try:
            result = stamp_pdf(storage.read(row.file), FORM_PDF_NAMES[form], role, pieces, date)
        except pdfgen.FormError as error:
            raise TransitionError(f"{form}签章失败:{error}") from None
        stamped[form] = result.pdf
        missing = [name for name in result.missing if name not in missing] + missing
    missing = sorted(set(missing), key=missing.index)
    if missing and strict_seal_scope(application):
        raise TransitionError("该申报属于线上盲审盲评范围,签章信息必须完整,缺少:" + "、".join(missing)
                              + "。请先在「印章管理」中补全")
    later = steps[step.seq + 1] if step.seq + 1 < len(steps) else None
    new_status = status_reviewing(later.role) if later is not None else STATUS_PASSED
    hashes = {form: hashlib.sha256(data).hexdigest() for form, data in stamped.items()}
    versions = {form: forms[form].version + 1 for form in stamped}
    # The conditional update goes first: a concurrent loser blocks on the row and finds the version moved,
    # before it writes any FormFile row.
    with write_tx():
        updated = change_status(application, new_status, account, role, unit, SEAL, "",
                                {"step": step.seq, "sha256": hashes, "versions": versions, "missing": missing,
                                 "date": date.isoformat()},
                                route_index=step.seq + 1 if later is not None else step.seq)
        for form, data in stamped.items():
            stored = storage.save_bytes(data, f"{form}-{application.id}-{role}签章.pdf", "pdf")
            FormFile.create(application=application, form=form, fmt="pdf", version=versions[form], file=stored,
                            sealed_by=role)
        _step_update(step, STEP_SEALED)
    updated.seal_missing = missing
    return updated


def _decide(application, step, steps, action, account, unit, reason, tally, today):
    """The committee's decision with the meeting's tally, printed into the 评审表's committee cell."""
    import storage
    numbers = check_tally(tally, action)
    opinion = (reason or "").strip()
    if action == REJECT and not opinion:
        raise TransitionError("请填写审核意见")
    date = today or now().date()
    forms = current_forms(application)
    review = forms.get("评审表")
    printed = None
    if review is not None:
        printed = committee_overlay(storage.read(review.file), numbers, action, date)
    new_status = STATUS_PASSED if action == APPROVE else status_returned(ROLE_COMMITTEE, REJECT)
    detail = {"step": step.seq, "tally": numbers, "result": action}
    if printed is not None:
        detail["sha256"] = {"评审表": hashlib.sha256(printed).hexdigest()}
    with write_tx():
        updated = change_status(application, new_status, account, ROLE_COMMITTEE, unit, action,
                                opinion or "同意通过", detail)
        if printed is not None:
            stored = storage.save_bytes(printed, f"评审表-{application.id}-评委会.pdf", "pdf")
            FormFile.create(application=application, form="评审表", fmt="pdf", version=review.version + 1,
                            file=stored, sealed_by=ROLE_COMMITTEE)
        _step_update(step, STEP_APPROVED if action == APPROVE else STEP_RETURNED, opinion or "同意通过")
    return updated


def committee_overlay(pdf_bytes, tally, result, date):
    """The 评审表 with the tally, result and date written over the blanks of the 评审委员会意见 cell."""
    import pikepdf
    from PIL import Image

    from pdfgen.layout import FORM_REVIEW, cell_rect
    from pdfgen.seals import text_image
    page_index, x, y, w, h = cell_rect(FORM_REVIEW, ROLE_COMMITTEE)
    line = "    ".join(f"{TALLY_LABELS[key]}:{tally[key]}" for key in TALLY_KEYS)
    blocks = [
        ((x + 1, y + 6.5, w - 2, 10), line, "left"),
        ((x + 1, y + 20.5, w - 2, 10), f"评审结果:{result}", "left"),
        ((x + w - 70, y + h - 13.5, 66, 9.5), f"{date.year}年{date.month}月{date.day}日", "right"),
    ]
    pt = 72 / 25.4
    px = 12  # pixels per mm of pdfgen's text images
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        page = pdf.pages[page_index]
        page_h = float(page.mediabox[3]) - float(page.mediabox[1])
        ops = []
        for number, ((bx, by, bw, bh), text, align) in enumerate(blocks):
            img = Image.open(io.BytesIO(text_image(text, round(bw, 1), round(bh, 1), max_char_mm=3.8,
                                                   align=align))).convert("RGBA")
            # An opaque white block the size of the blank row hides what was printed there (「____」, 「年 月 日」).
            flat = Image.new("RGB", (int(bw * px), int(bh * px)), (255, 255, 255))
            left = 0 if align == "left" else max(0, flat.width - img.width)
            flat.paste(img, (left, max(0, (flat.height - img.height) // 2)), mask=img.getchannel("A"))
            raw = io.BytesIO()
            flat.save(raw, "JPEG", quality=92)
            image = pikepdf.Stream(pdf, raw.getvalue())
            image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
            image.Width, image.Height = flat.width, flat.height
            image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
            image.Filter = pikepdf.Name.DCTDecode
            name = f"/Tally{number}"
            if "/XObject" not in page.obj.Resources:
                page.obj.Resources.XObject = pikepdf.Dictionary()
            page.obj.Resources.XObject[name] = image
            ops.append("q %.3f 0 0 %.3f %.3f %.3f cm %s Do Q" % (bw * pt, bh * pt, bx * pt, page_h - (by + bh) * pt,
                                                                 name))
        page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, ("Q\n" + "\n".join(ops) + "\n").encode()))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def last_return(application):
    """The audit event that returned a record (who, when, why), or None."""
    if not is_returned(application.status):
        return None
    return (AuditEvent.select().where((AuditEvent.application == application)
                                      & (AuditEvent.action.in_((REJECT, RETURN_BEFORE_SEAL, FORCE_REJECT))))
            .order_by(AuditEvent.id.desc()).first())


# ---- Declaration: route resolution, submission, 重新申报 (applicant side) ----------------------------
from models import (  # noqa: E402
    NATURES_WITH_SUPERVISOR, OFFLINE_PLAN_TYPES, ROLE_PERSON, STATUS_DRAFT, STATUS_OFFLINE, STATUS_REDECLARED,
    Account, AgencySeries, Attachment, Committee, CommitteeScope, Org, Region,
)

MSG_SUPERVISOR = "主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色"
MSG_COMMITTEE = "没有评委会或找到多个评委会"
MSG_DEADLINE = "已超过申报结束时间,不能再开始申报或提交"
PLAN_GREEN = "绿色通道"
# 盲审盲评 (guide 四(九)): these declarations need a 脱敏 twin of every attachment.
BLIND_SERIES = ("经济", "会计", "技工院校教师", "工艺美术")
BLIND_ENGINEERING = ("电力", "大数据", "电子", "轻工", "纺织")


class RouteError(TransitionError):
    """A route that cannot be resolved: the guide's message plus whom to contact."""

    def __init__(self, message, contact):
        super().__init__(f"{message}。{contact}")
        self.message = message
        self.contact = contact


class Stop:
    """One unit of a resolved route, before it is stored as a RouteStep."""

    def __init__(self, role, org=None, agency=None, committee=None):
        self.role, self.org, self.agency, self.committee = role, org, agency, committee
        self.unit_name = (org or agency or committee).name

    def __repr__(self):
        return f"Stop({self.role}, {self.unit_name})"


def needs_desensitized(series, specialty, level):
    """True for the 盲审盲评 scope, where every attachment needs its 脱敏 twin."""
    if LEVEL_GROUP.get(level) != "高级":
        return False
    return series in BLIND_SERIES or (series == "工程技术" and specialty in BLIND_ENGINEERING)


def form_secret():
    """The key of the 编码 printed on the forms (FORM_CODE_SECRET, else SECRET_KEY)."""
    from flask import current_app
    return current_app.config.get("FORM_CODE_SECRET") or current_app.config["SECRET_KEY"]


def _governing_bureau(hr, series):
    """The bureau that reviews `series` at `hr`'s level: an industry bureau granted it, else `hr`."""
    rows = (AgencySeries.select(AgencySeries, Agency).join(Agency)
            .where((Agency.region == hr.region_id) & (Agency.level == hr.level) & (Agency.active == True)  # noqa: E712
                   & Agency.kind.not_in(("人社局", "人社厅")) & (AgencySeries.series == series)))
    rows = list(rows)
    granted = [row.agency for row in rows if row.granted]
    if granted:
        return granted[0]
    if rows:
        bureau = rows[0].agency
        code = f"({bureau.credit_code})" if bureau.credit_code else ""
        raise RouteError(f"{bureau.name}没有权限",
                         f"请联系工作单位人才信息库的管理员,让工作单位联系{hr.name}或客服,"
                         f"提供{bureau.name}的统一社会信用代码{code},给{bureau.name}配置「{series}」的审核权限")
    return hr


def _committee(application, org, hr):
    """The one active committee whose scope covers the declaration and the unit's region."""
    city = org.region.city()
    regions = [Region.get(Region.level == "自治区").code] + ([city.code] if city else [])
    found = list(Committee.select().distinct().join(CommitteeScope).where(
        (Committee.active == True) & (Committee.region.in_(regions))  # noqa: E712
        & (CommitteeScope.series == application.series)
        & (CommitteeScope.specialty.in_((application.specialty, "")))
        & (CommitteeScope.level == application.level)))
    if len(found) != 1:
        raise RouteError(MSG_COMMITTEE, f"请联系客服,提供单位所在人社部门({hr.name if hr else '无'})、申报系列"
                                        f"({application.series})、专业({application.specialty})、等级({application.level})")
    return found[0]


def route_for(application):
    """The review route of SPEC §4 from the record's snapshot, as [Stop]; [] for offline plan types.

    Raises RouteError with the guide's message and whom to contact when a unit on it cannot act.
    """
    plan = application.plan
    if plan.plan_type in OFFLINE_PLAN_TYPES:
        return []
    unit = (application.snapshot or {}).get("unit") or {}
    org = Org.get_or_none(Org.id == unit["org_id"]) if unit.get("org_id") else application.org
    if org is None:
        raise RouteError("申报人没有工作单位", "请咨询当地人才服务中心或人社局,在人才库中选择人才服务中心作为工作单位")
    stops = [Stop(ROLE_UNIT, org=org)]
    nature = unit.get("nature", org.nature)
    supervisor_id = unit.get("supervisor_id") if "supervisor_id" in unit else org.supervisor_id
    if supervisor_id and nature in NATURES_WITH_SUPERVISOR:
        supervisor = Org.get_or_none(Org.id == supervisor_id)
        if (supervisor is None or not supervisor.is_supervisor
                or not Account.select().where((Account.org == supervisor) & (Account.active == True)).exists()):  # noqa: E712
            name = unit.get("supervisor_name") or (supervisor.name if supervisor else "")
            code = f"({supervisor.credit_code})" if supervisor else ""
            raise RouteError(MSG_SUPERVISOR,
                             f"请联系工作单位人才信息库的管理员,确认工作单位的主管部门「{name}」选择正确;如正确无误,"
                             f"请工作单位联系当地人社局或客服,提供主管部门统一社会信用代码{code},给主管部门配置权限")
        stops.append(Stop(ROLE_SUPERVISOR, org=supervisor))
    hr_id = unit.get("hr_agency_id") if "hr_agency_id" in unit else org.hr_agency_id
    hr = Agency.get_or_none(Agency.id == hr_id) if hr_id else None
    if hr is None:
        raise RouteError("工作单位没有上级人社主管部门",
                         "请联系工作单位在人才库「单位信息修改」中选择上级人社主管部门(一般为当地人社局),"
                         "然后在第三步点击「同步人才库信息」")
    bureaus = []
    if hr.level == "旗县":
        bureaus = [(ROLE_COUNTY, hr), (ROLE_CITY, city_bureau_of(hr))]
    elif hr.level == "盟市":
        bureaus = [(ROLE_CITY, hr)]
    for role, bureau in bureaus:
        if bureau is not None:
            stops.append(Stop(role, agency=_governing_bureau(bureau, application.series)))
    if plan.plan_type != PLAN_GREEN:
        stops.append(Stop(ROLE_COMMITTEE, committee=_committee(application, org, hr)))
    return stops


def _items_of(application, kind):
    return [_item_fields(item.get("data") or {}) for item in (application.snapshot or {}).get("items", [])
            if item.get("kind") == kind]


def _item_fields(data):
    """An archive item's data as the forms read it: 「无」 entries print as 无, a period as 起止时间."""
    if data.get("内容") == "无":
        return {"开始时间": "无", "学校": "无", "单位": "无"}
    if "起止时间" not in data and data.get("开始时间"):
        data = {**data, "起止时间": f"{data['开始时间']}—{data.get('结束时间', '')}"}
    return data


def _pick(data, *keys):
    for key in keys:
        if data.get(key):
            return data[key]
    return ""


def form_data(application, version=1):
    """The pdfgen record dict of an application, built from its snapshot only."""
    from storage import read
    snap = application.snapshot or {}
    info = snap.get("info") or {}
    unit = snap.get("unit") or {}
    plan = application.plan
    practice = info.get("practice_other") if info.get("practice_specialty") == "其他" else info.get("practice_specialty")

    def rows(kind, mapping):
        return [{key: _pick(data, *names) for key, names in mapping.items()} for data in _items_of(application, kind)]

    return {
        "record_id": application.id, "version": version, "secret": form_secret(),
        "plan_name": plan.name, "plan_type": plan.plan_type,
        "name": info.get("name", ""), "former_name": info.get("former_name", ""),
        "id_number": info.get("id_number", ""), "gender": info.get("gender", ""),
        "birth_date": info.get("birth_date", ""), "ethnicity": info.get("ethnicity", ""),
        "political_status": info.get("political_status", ""), "phone": info.get("phone", ""),
        "photo": read(application.photo) if application.photo_id else None,
        "unit_name": unit.get("name", ""), "unit_nature": unit.get("nature", ""),
        "supervisor_name": unit.get("supervisor_name", ""), "hr_dept_name": unit.get("hr_name", ""),
        "work_start": info.get("work_start", ""),
        "education": info.get("education", ""), "education_cert_no": info.get("education_cert_no", ""),
        "degree": info.get("degree", ""), "school": info.get("school", ""), "major": info.get("major", ""),
        "graduation": info.get("graduation", ""),
        "current_title": {"series": info.get("cur_series", ""), "specialty": info.get("cur_specialty", ""),
                          "level": info.get("cur_level", ""), "name": info.get("cur_name", ""),
                          "obtained": info.get("cur_obtained", "")},
        "declared": {"series": application.series, "specialty": application.specialty,
                     "level": application.level, "name": application.title_name},
        "practice_specialty": practice or "",
        "education_history": rows("学习经历", {"start": ("开始时间",), "end": ("结束时间",),
                                              "school": ("学校", "毕业院校", "院校"), "major": ("专业", "所学专业"),
                                              "degree": ("学位", "学历")}),
        "work_history": rows("工作经历", {"start": ("开始时间",), "end": ("结束时间",), "unit": ("单位", "工作单位"),
                                         "position": ("职务", "岗位", "职务(岗位)")}),
        "qualifications": rows("专业技术资格", {"name": ("资格名称", "名称"), "series": ("系列", "职称系列"),
                                               "level": ("等级", "级别"), "obtained": ("取得时间", "时间"),
                                               "issuer": ("评审机构", "发证机关", "颁发单位", "审批单位"),
                                               "cert_no": ("证书编号",)}),
        "certificates": rows("执业(职业)资格", {"name": ("资格名称", "名称"), "level": ("等级", "级别"),
                                               "obtained": ("取得时间", "时间"), "issuer": ("发证机关", "颁发单位"),
                                               "cert_no": ("证书编号",)}),
        "papers": rows("论文", {"title": ("题目", "论文题目", "名称"), "journal": ("期刊", "刊物名称", "发表刊物"),
                               "date": ("发表时间", "时间"), "role": ("本人排名", "作者排名", "本人角色", "角色")}),
        "books": rows("著作", {"title": ("著作名称", "书名", "名称", "题目"), "publisher": ("出版社",),
                              "date": ("出版时间", "时间"),
                              "role": ("本人承担部分", "本人角色", "角色", "作者排名")}),
        "awards": rows("获奖", {"name": ("奖项名称", "名称"), "level": ("等级", "获奖等级"),
                               "date": ("获奖时间", "时间"), "rank": ("排名", "本人排名")}),
        "projects": rows("项目", {"name": ("项目名称", "名称"), "source": ("项目来源", "来源"),
                                 "date": ("起止时间", "时间"), "role": ("本人角色", "角色")}),
        "patents": rows("专利", {"name": ("专利名称", "名称"), "number": ("专利号",),
                                "date": ("授权时间", "时间"), "role": ("本人排名", "本人角色", "排名", "角色")}),
        "achievements_text": info.get("achievements_text", ""),
        "summary": info.get("summary") or None,
        "dedupe": application.dedupe,
        "committee": None,
        "fill_date": (application.submitted_at or now()).strftime("%Y-%m-%d"),
        "edits": snap.get("edits") or {},
    }


def generate_forms(application, version=1):
    """{"评审表": pdf, "送审表": pdf} of the application (never call inside a write transaction)."""
    import pdfgen
    data = form_data(application, version)
    return {"评审表": pdfgen.review_form(data), "送审表": pdfgen.submission_form(data)}


def submit(application, actor):
    """Resolve the route, generate the forms once and hand the record to its first reviewer.

    Offline plan types (高校教师, 农牧民) get 「已提交(线下审核)」 and no route. Raises TransitionError
    (RouteError for an unresolvable route) with the guide's words.
    """
    import pdfgen
    from storage import save_bytes
    application = Application.get_by_id(application.id)
    if application.status != STATUS_DRAFT:
        raise TransitionError("该申报记录已提交,不能重复提交")
    if not application.plan.accepting():
        raise TransitionError(MSG_DEADLINE)
    stops = route_for(application)
    forms = generate_forms(application)
    offline = application.plan.plan_type in OFFLINE_PLAN_TYPES
    new_status = STATUS_OFFLINE if offline else status_reviewing(stops[0].role)
    code = pdfgen.form_code(application.id, "review", 1, form_secret())
    unit_name = ((application.snapshot or {}).get("unit") or {}).get("name", "")
    with write_tx():
        updated = change_status(application, new_status, actor, ROLE_PERSON, unit_name, "提交",
                                detail={"route": [[s.role, s.unit_name] for s in stops]},
                                route_index=None if offline else 0, submitted_at=now(), code=code,
                                forms_confirmed=True)
        for seq, stop in enumerate(stops):
            RouteStep.create(application=updated, seq=seq, role=stop.role, org=stop.org, agency=stop.agency,
                             committee=stop.committee, unit_name=stop.unit_name, state=STEP_WAITING)
        for form, pdf in forms.items():
            stored = save_bytes(pdf, f"{form}-{application.id}-v1.pdf", "pdf")
            FormFile.create(application=updated, form=form, fmt="pdf", version=1, file=stored)
    return updated


def redeclare(application, actor):
    """「重新申报」: a new draft copying everything; the returned record stays read-only as 「已重新申报」."""
    application = Application.get_by_id(application.id)
    if not is_returned(application.status):
        raise TransitionError("只有被退回的申报记录可以重新申报")
    snapshot = dict(application.snapshot or {})
    snapshot.pop("downloaded", None)
    with write_tx():
        old = change_status(application, STATUS_REDECLARED, actor, ROLE_PERSON,
                            (snapshot.get("unit") or {}).get("name", ""), "重新申报", live=None)
        new = Application.create(
            person=old.person, plan=old.plan, org=old.org, series=old.series, specialty=old.specialty,
            level=old.level, title_name=old.title_name, level_group=old.level_group, year=old.year, live=1,
            snapshot=snapshot, selected_items=old.selected_items, photo=old.photo, pledge_at=old.pledge_at,
            wizard_step=6, dedupe=old.dedupe, forms_confirmed=False, status=STATUS_DRAFT, previous=old)
        originals = {}
        for attachment in old.attachments.order_by(Attachment.desensitized, Attachment.id):
            copy = Attachment.create(application=new, category=attachment.category, file=attachment.file_id,
                                     desensitized=attachment.desensitized,
                                     twin=originals.get(attachment.twin_id))
            originals[attachment.id] = copy.id
        AuditEvent.create(application=old, account=actor, role=ROLE_PERSON, unit_name="", action="重新申报生成新记录",
                          from_status=STATUS_REDECLARED, to_status=STATUS_DRAFT, detail={"new_id": new.id})
    return new
