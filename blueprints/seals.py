"""印章管理 (SPEC §5, guide 二(十)): seals, signatures, opinions and 公示情况 of each reviewing role; 停用 only."""
import base64
import io
import secrets

from flask import Blueprint, abort, current_app, flash, g, redirect, request, send_file, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

import pdfgen
import storage
from blueprints.access import render, role_required
from blueprints.review_forms import GenerateSealForm, OpinionSealForm, PublicityForm, UploadSealForm
from models import (
    ROLE_CITY, ROLE_COUNTY, ROLE_SUPERVISOR, ROLE_UNIT, SEAL_KINDS, SEAL_SLOT, Agency, Org, Seal, now, write_tx,
)

bp = Blueprint("seals", __name__, url_prefix="/seals")

SEAL_ROLES = (ROLE_UNIT, ROLE_SUPERVISOR, ROLE_COUNTY, ROLE_CITY)
SIGN_KINDS = ("负责人签字", "审核人签字")
UPLOAD_KINDS = ("职称专用章", "公章", "负责人签字", "审核人签字", "审核意见")
PAD_MINUTES = 15
MAX_SEAL_BYTES = 2 * 1024 * 1024
HINTS = {
    "职称专用章": "职称专用章和公章只能启用一个。可「生成职称专用章」(填写单位名称即可),或「上传印章图片」。",
    "公章": "将实体章在空白纸盖章后扫描上传,支持 png、jpg 格式(尺寸164x164,对应实体章直径4.5厘米,印盘较小时可适当留白),透明背景会保留。",
    "负责人签字": "两种方式选其一:「二维码签字」(手机扫描二维码签字,保存),或「上传印章图片」。建议只维护一个,保证统一性。",
    "审核人签字": "两种方式选其一:「二维码签字」(手机扫描二维码签字,保存),或「上传印章图片」。建议只维护一个,保证统一性。",
    "审核意见": "「生成意见」:输入意见内容,自动生成;或「上传印章图片」上传审核意见章。",
    "公示情况": "选择「公示信息」,填写公示时间和公示意见。",
}


def kinds_for(role):
    """The kinds a role keeps: 工作单位 all of them, the others all but 公示情况."""
    return SEAL_KINDS if role == ROLE_UNIT else tuple(k for k in SEAL_KINDS if k != "公示情况")


def _owner_filter(role, org_id, agency_id):
    if role in (ROLE_UNIT, ROLE_SUPERVISOR):
        return (Seal.org == org_id) & (Seal.role == role)
    return (Seal.agency == agency_id) & (Seal.role == role)


def my_seals():
    """Every seal of the actor's unit in the active role, newest first."""
    return Seal.select().where(_owner_filter(g.role, g.account.org_id, g.account.agency_id)).order_by(Seal.id.desc())


def get_seal(seal_id):
    """A seal of the actor's unit in the active role, else 404."""
    seal = my_seals().where(Seal.id == seal_id).first()
    if seal is None:
        abort(404)
    return seal


def activate(role, org_id, agency_id, kind, **fields):
    """Create an active seal; the active one of the same slot (职称专用章/公章 share one) is 停用 first."""
    slot_kinds = [k for k, slot in SEAL_SLOT.items() if slot == SEAL_SLOT[kind]]
    with write_tx():
        replaced = (Seal.update(active=False, deactivated_at=now())
                    .where(_owner_filter(role, org_id, agency_id) & Seal.kind.in_(slot_kinds)
                           & (Seal.active == True))  # noqa: E712
                    .execute())
        seal = Seal.create(org=org_id if role in (ROLE_UNIT, ROLE_SUPERVISOR) else None,
                           agency=agency_id if role not in (ROLE_UNIT, ROLE_SUPERVISOR) else None,
                           role=role, kind=kind, **fields)
    return seal, replaced


def _created(kind, replaced):
    note = ",原启用的印章已自动停用" if replaced else ""
    flash(f"{kind}已保存并启用{note}", "success")
    return redirect(url_for("seals.index", _anchor=f"kind-{kinds_for(g.role).index(kind)}"), 303)


def _forms():
    forms = {"generate": GenerateSealForm(prefix="gen"), "opinion": OpinionSealForm(prefix="op"),
             "publicity": PublicityForm(prefix="pub"), "upload": {}}
    for index, kind in enumerate(UPLOAD_KINDS):
        form = UploadSealForm(prefix=f"up{index}")
        form.image.label.text = f"上传{kind}图片"
        forms["upload"][kind] = form
    if request.method == "GET":
        forms["generate"].unit_name.data = g.account.unit_name()
    return forms


def _index(forms, status=200, upload_errors=None):
    seals = list(my_seals())
    by_kind = {kind: [s for s in seals if s.kind == kind] for kind in kinds_for(g.role)}
    return render("seals/index.html", status=status, by_kind=by_kind, forms=forms, hints=HINTS,
                  upload_errors=upload_errors or {}, sign_kinds=SIGN_KINDS, upload_kinds=UPLOAD_KINDS)


@bp.get("/")
@role_required(*SEAL_ROLES)
def index():
    """印章管理: each kind with its active seal, previews, the ways to add one and the 停用 ones."""
    return _index(_forms())


def _kind_arg():
    kind = request.view_args.get("kind") or ""
    if kind not in kinds_for(g.role):
        abort(404)
    return kind


@bp.post("/generate")
@role_required(*SEAL_ROLES)
def generate():
    """「生成职称专用章」 from the unit name: a round red seal with the name on the arc and a star."""
    forms = _forms()
    form = forms["generate"]
    if not form.validate_on_submit():
        return _index(forms, 422)
    try:
        png = pdfgen.generate_title_seal(form.unit_name.data)
    except pdfgen.FormError as error:
        form.unit_name.errors.append(str(error))
        return _index(forms, 422)
    stored = storage.save_bytes(png, "职称专用章.png", "png")
    _seal, replaced = activate(g.role, g.account.org_id, g.account.agency_id, "职称专用章", source="生成",
                               image=stored, text=form.unit_name.data)
    return _created("职称专用章", replaced)


@bp.post("/upload/<kind>")
@role_required(*SEAL_ROLES)
def upload(kind):
    """「上传印章图片」: PNG or JPG, checked by content; white paper becomes transparent, alpha is kept."""
    kind = _kind_arg()
    if kind not in UPLOAD_KINDS:
        abort(404)
    forms = _forms()
    form = forms["upload"][kind]
    if not form.validate_on_submit():
        return _index(forms, 422)
    try:
        data, _type = storage.check_upload(form.image.data, allowed=("png", "jpg"), max_bytes=MAX_SEAL_BYTES,
                                           label=f"{kind}图片")
        png = pdfgen.normalise_seal_image(data)
    except (storage.UploadError, pdfgen.FormError) as error:
        form.image.errors = [str(error)]
        return _index(forms, 422)
    stored = storage.save_bytes(png, f"{kind}.png", "png")
    _seal, replaced = activate(g.role, g.account.org_id, g.account.agency_id, kind, source="上传", image=stored)
    return _created(kind, replaced)


@bp.post("/opinion")
@role_required(*SEAL_ROLES)
def opinion():
    """「生成意见」: the 审核意见 text, stamped into each cell at the size that fits it."""
    forms = _forms()
    form = forms["opinion"]
    if not form.validate_on_submit():
        return _index(forms, 422)
    png = pdfgen.opinion_image(form.text.data, 48.0, 20.0)
    stored = storage.save_bytes(png, "审核意见.png", "png")
    _seal, replaced = activate(g.role, g.account.org_id, g.account.agency_id, "审核意见", source="生成",
                               image=stored, text=form.text.data)
    return _created("审核意见", replaced)


@bp.post("/publicity")
@role_required(ROLE_UNIT)
def publicity():
    """「公示信息」 of a 工作单位: 公示时间 and 公示意见."""
    forms = _forms()
    form = forms["publicity"]
    if not form.validate_on_submit():
        return _index(forms, 422)
    _seal, replaced = activate(g.role, g.account.org_id, g.account.agency_id, "公示情况", source="公示信息",
                               text=f"公示时间:{form.time.data}\n公示意见:{form.opinion.data}",
                               data={"time": form.time.data, "opinion": form.opinion.data})
    return _created("公示情况", replaced)


@bp.post("/<int:seal_id>/deactivate")
@role_required(*SEAL_ROLES)
def deactivate(seal_id):
    """停用 a seal (印章一旦建立,只能停用不能删除)."""
    seal = get_seal(seal_id)
    Seal.update(active=False, deactivated_at=now()).where((Seal.id == seal.id) & (Seal.active == True)).execute()  # noqa: E712
    flash(f"{seal.kind}已停用", "success")
    return redirect(url_for("seals.index"), 303)


@bp.get("/<int:seal_id>/image")
@role_required(*SEAL_ROLES)
def image(seal_id):
    """The PNG of one of the unit's seals (preview)."""
    seal = get_seal(seal_id)
    if not seal.image_id:
        abort(404)
    return send_file(io.BytesIO(storage.read(seal.image)), mimetype="image/png")


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="seals.signpad")


def _pad_claims(token):
    try:
        return _serializer().loads(token, max_age=PAD_MINUTES * 60)
    except SignatureExpired:
        return None
    except BadSignature:
        abort(404)


def _pad_used(claims):
    return Seal.select().where(Seal.data == {"nonce": claims["n"]}).exists()


@bp.get("/qr/<kind>")
@role_required(*SEAL_ROLES)
def qr(kind):
    """「二维码签字」: a QR code that opens the phone signature pad for this unit, role and kind."""
    import segno
    kind = _kind_arg()
    if kind not in SIGN_KINDS:
        abort(404)
    token = _serializer().dumps({"o": g.account.org_id, "a": g.account.agency_id, "r": g.role, "k": kind,
                                 "n": secrets.token_hex(8)})
    link = url_for("seals.pad", token=token, _external=True)
    svg = segno.make(link, error="m").svg_inline(scale=5, title=f"{kind}二维码", dark="#1f2329")
    return render("seals/qr.html", kind=kind, svg=svg, link=link, token=token, minutes=PAD_MINUTES)


@bp.get("/qr/status/<token>")
@role_required(*SEAL_ROLES)
def qr_status(token):
    """Polled by the QR page: has the phone saved the signature yet?"""
    claims = _pad_claims(token)
    if claims is not None and (claims["o"] != g.account.org_id or claims["a"] != g.account.agency_id):
        abort(404)
    saved = claims is not None and _pad_used(claims)
    return render("seals/qr.html", "seals/_qr_status.html", saved=saved, expired=claims is None, token=token,
                  kind=claims["k"] if claims else "", svg="", link="", minutes=PAD_MINUTES)


# The phone that scans the QR code has no session: the signed, short-lived token is its authority
# (one unit, one role, one kind, one use), so these two views carry no role_required on purpose.
@bp.get("/pad/<token>")
def pad(token):
    """The phone-sized signature pad the QR code opens."""
    claims = _pad_claims(token)
    used = claims is not None and _pad_used(claims)
    return render("seals/pad.html", claims=claims, token=token, used=used, error=None,
                  unit=_pad_unit(claims) if claims else "")


def _pad_unit(claims):
    if claims["o"]:
        return Org.get_by_id(claims["o"]).name
    return Agency.get_by_id(claims["a"]).name


@bp.post("/pad/<token>")
def pad_save(token):
    """Save the drawn signature as the unit's active 负责人签字/审核人签字."""
    claims = _pad_claims(token)
    if claims is None or _pad_used(claims):
        return render("seals/pad.html", status=409, claims=claims, token=token, used=claims is not None,
                      error="二维码已失效,请在电脑上重新打开「二维码签字」", unit="")
    data_url = request.form.get("signature", "")
    error = None
    png = None
    if not data_url.startswith("data:image/png;base64,"):
        error = "请先在签字板上签字"
    else:
        try:
            raw = base64.b64decode(data_url.split(",", 1)[1], validate=True)
            if len(raw) > MAX_SEAL_BYTES or storage.sniff(raw) != "png":
                raise ValueError
            png = pdfgen.normalise_seal_image(raw)
        except (ValueError, pdfgen.FormError):
            error = "签字无法识别,请清除后重新签字"
    if error:
        return render("seals/pad.html", status=422, claims=claims, token=token, used=False, error=error,
                      unit=_pad_unit(claims))
    stored = storage.save_bytes(png, f"{claims['k']}.png", "png")
    activate(claims["r"], claims["o"], claims["a"], claims["k"], source="二维码签字", image=stored,
             data={"nonce": claims["n"]})
    return render("seals/pad.html", claims=claims, token=token, used=True, error=None, saved=True,
                  unit=_pad_unit(claims))
