"""印章管理 over HTTP: generate, upload, 公示信息, 停用 only, one active per slot, 二维码签字 pad, scoping."""
import base64
import io
import re

import pytest
from PIL import Image, ImageDraw

import models
from tests.conftest import csrf_token
from tests.test_review_console import login_as


def png(size=(164, 164), transparent=True, color=(200, 20, 20)):
    img = Image.new("RGBA" if transparent else "RGB", size, (0, 0, 0, 0) if transparent else (255, 255, 255))
    ImageDraw.Draw(img).ellipse((10, 10, size[0] - 10, size[1] - 10), outline=color + ((255,) if transparent else ()),
                                width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def post(client, url, data=None, files=None):
    token = csrf_token(client, "/seals/")
    payload = {"csrf_token": token, **(data or {})}
    for key, (content, name) in (files or {}).items():
        payload[key] = (io.BytesIO(content), name)
    return client.post(url, data=payload, content_type="multipart/form-data")


def seals_of(org_name, role="工作单位"):
    org = models.Org.get(models.Org.name == org_name)
    return list(models.Seal.select().where((models.Seal.org == org) & (models.Seal.role == role))
                .order_by(models.Seal.id))


def test_each_role_sees_its_kinds(client, auth):
    login_as(auth, "工作单位")
    page = client.get("/seals/").get_data(as_text=True)
    for kind in ("职称专用章", "公章", "负责人签字", "审核人签字", "审核意见", "公示情况"):
        assert f">{kind} <span" in page
    auth.logout()
    login_as(auth, "旗县人社局")
    page = client.get("/seals/").get_data(as_text=True)
    assert "公示情况 <span" not in page and "职称专用章 <span" in page
    auth.logout()
    login_as(auth, "评委会")
    assert client.get("/seals/").status_code == 404


def test_generate_title_seal_then_upload_public_seal_keeps_one_active(client, auth):
    login_as(auth, "工作单位")
    response = post(client, "/seals/generate", {"gen-unit_name": "托克托县建设工程有限公司"})
    assert response.status_code == 303
    [seal] = seals_of("托克托县建设工程有限公司")
    assert (seal.kind, seal.source, seal.active) == ("职称专用章", "生成", True)
    image = client.get(f"/seals/{seal.id}/image")
    assert image.mimetype == "image/png" and Image.open(io.BytesIO(image.data)).mode == "RGBA"
    response = post(client, "/seals/upload/公章", files={"up1-image": (png(), "gz.png")})
    assert response.status_code == 303
    assert "原启用的印章已自动停用" in client.get("/seals/").get_data(as_text=True)
    title, public = seals_of("托克托县建设工程有限公司")
    assert (title.active, public.active, public.kind) == (False, True, "公章")
    # Transparency of the uploaded seal is kept.
    stored = Image.open(io.BytesIO(client.get(f"/seals/{public.id}/image").data))
    assert stored.mode == "RGBA" and stored.getpixel((stored.width // 2, stored.height // 2))[3] == 0


def test_upload_is_checked_by_content(client, auth):
    login_as(auth, "工作单位")
    response = post(client, "/seals/upload/公章", files={"up1-image": (b"%PDF-1.4 not an image", "gz.png")})
    assert response.status_code == 422
    assert "文件内容不是PNG、JPG格式" in response.get_data(as_text=True)
    assert seals_of("托克托县建设工程有限公司") == []


def test_opinion_and_publicity_and_validation(client, auth):
    login_as(auth, "工作单位")
    response = post(client, "/seals/opinion", {"op-text": ""})
    assert response.status_code == 422 and "请填写意见内容" in response.get_data(as_text=True)
    assert post(client, "/seals/opinion", {"op-text": "经审核,材料真实,同意推荐。"}).status_code == 303
    response = post(client, "/seals/publicity", {"pub-time": "2025年7月1日至7月7日", "pub-opinion": ""})
    assert response.status_code == 422 and "请填写公示意见" in response.get_data(as_text=True)
    assert 'value="2025年7月1日至7月7日"' in response.get_data(as_text=True)
    assert post(client, "/seals/publicity", {"pub-time": "2025年7月1日至7月7日",
                                             "pub-opinion": "公示期内无异议"}).status_code == 303
    kinds = {s.kind: s for s in seals_of("托克托县建设工程有限公司")}
    assert kinds["公示情况"].data == {"time": "2025年7月1日至7月7日", "opinion": "公示期内无异议"}
    assert kinds["审核意见"].text == "经审核,材料真实,同意推荐。"


def test_publicity_is_for_the_work_unit_only(client, auth):
    login_as(auth, "主管单位")
    response = post(client, "/seals/publicity", {"pub-time": "x", "pub-opinion": "y"})
    assert response.status_code == 404


def test_deactivate_never_deletes(client, auth):
    login_as(auth, "工作单位")
    post(client, "/seals/generate", {"gen-unit_name": "托克托县建设工程有限公司"})
    [seal] = seals_of("托克托县建设工程有限公司")
    assert post(client, f"/seals/{seal.id}/deactivate").status_code == 303
    [seal] = seals_of("托克托县建设工程有限公司")
    assert seal.active is False and seal.deactivated_at is not None
    assert "已停用(1)" in client.get("/seals/").get_data(as_text=True)
    with pytest.raises(models.ImmutableError):
        seal.delete_instance()
    with pytest.raises(Exception):
        models.db.execute_sql(f"DELETE FROM seal WHERE id = {seal.id}")
    models.db.rollback() if models.db.in_transaction() else None


def test_another_units_seal_is_404(client, auth, app):
    login_as(auth, "工作单位")
    post(client, "/seals/generate", {"gen-unit_name": "托克托县建设工程有限公司"})
    [seal] = seals_of("托克托县建设工程有限公司")
    auth.logout()
    login_as(auth, "主管单位")  # same login family, another unit (and another role)
    assert client.get(f"/seals/{seal.id}/image").status_code == 404
    assert post(client, f"/seals/{seal.id}/deactivate").status_code == 404
    assert seals_of("托克托县建设工程有限公司")[0].active


def _signature_data_url():
    img = Image.new("RGBA", (700, 320), (0, 0, 0, 0))
    ImageDraw.Draw(img).line((40, 200, 200, 80, 360, 220, 600, 100), fill=(17, 17, 17, 255), width=6)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_qr_signature_pad_saves_the_drawing_once(client, auth, app):
    login_as(auth, "工作单位")
    page = client.get("/seals/qr/负责人签字").get_data(as_text=True)
    assert "<svg" in page and "等待手机签字" in page
    link = re.search(r'data-testid="pad-link">([^<]+)<', page).group(1)
    path = link.split("localhost", 1)[1]
    token = path.rsplit("/", 1)[1]
    phone = app.test_client()  # the phone has no session
    pad = phone.get(path).get_data(as_text=True)
    assert "签字板" in pad and "负责人签字" in pad and "托克托县建设工程有限公司" in pad
    phone_token = csrf_token(phone, path)
    empty = phone.post(path, data={"csrf_token": phone_token, "signature": ""})
    assert empty.status_code == 422 and "请先在签字板上签字" in empty.get_data(as_text=True)
    saved = phone.post(path, data={"csrf_token": phone_token, "signature": _signature_data_url()})
    assert saved.status_code == 200 and "已保存" in saved.get_data(as_text=True)
    [seal] = seals_of("托克托县建设工程有限公司")
    assert (seal.kind, seal.source, seal.active) == ("负责人签字", "二维码签字", True)
    status = client.get(f"/seals/qr/status/{token}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "手机签字已保存" in status and "<html" not in status
    again = phone.post(path, data={"csrf_token": phone_token, "signature": _signature_data_url()})
    assert again.status_code == 409
    assert phone.get(path.replace(token, token[:-2] + "xx")).status_code == 404


def test_a_full_seal_set_stamps_every_piece(client, auth, app):
    import workflow
    from tests.test_review_factory import account_of, make_submitted
    from tests.test_transitions import bring_to
    login_as(auth, "工作单位")
    post(client, "/seals/generate", {"gen-unit_name": "托克托县建设工程有限公司"})
    post(client, "/seals/upload/负责人签字", files={"up2-image": (png((300, 90)), "leader.png")})
    post(client, "/seals/upload/审核人签字", files={"up3-image": (png((300, 90)), "reviewer.png")})
    post(client, "/seals/opinion", {"op-text": "同意推荐"})
    post(client, "/seals/publicity", {"pub-time": "2025年7月1日至7月7日", "pub-opinion": "公示期内无异议"})
    with app.app_context():
        record = bring_to(make_submitted(specialty="电力", level="副高级"), "工作单位待签章")
        missing, strict = workflow.seal_check(record, "工作单位", account_of("工作单位", record))
        assert (missing, strict) == ([], True)
        after = workflow.advance(record, "签章", account_of("工作单位", record), "工作单位")
        assert after.status == "主管单位审核中" and after.seal_missing == []
