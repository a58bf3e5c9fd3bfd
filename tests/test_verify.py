"""编码核验: public, masks the name, names the form version and seals, matches uploads by hash, rate-limited."""
import io

import pytest

import models
import pdfgen
from tests.conftest import make_org, make_person
from tests.test_admin_factory import make_application


@pytest.fixture
def sealed(app):
    """A record whose forms were sealed by its 工作单位 (stored versions 1 and 2)."""
    org = make_org(name="托克托县测试公司")
    person = make_person(org, name="张晓明")
    # Only the factory runs in an app context: requests must push their own (and their own `g`).
    with app.app_context():
        return make_application(person=person, org=org, sealed=1, waiting_at=1, forms=True)


FILES_DIR = []


@pytest.fixture(autouse=True)
def files_dir(app):
    FILES_DIR[:] = [app.config["FILES_DIR"]]


def check(client, code="", pdf=None, filename="form.pdf"):
    from tests.conftest import csrf_token
    data = {"code": code, "csrf_token": csrf_token(client, "/verify/")}
    if pdf is not None:
        data["pdf"] = (io.BytesIO(pdf), filename)
    return client.post("/verify/", data=data, content_type="multipart/form-data")


def stored_pdf(application, form, version):
    """The bytes of one stored version, straight from the files folder."""
    import os
    row = models.FormFile.get((models.FormFile.application == application) & (models.FormFile.form == form)
                              & (models.FormFile.version == version))
    key = row.file.storage_key
    with open(os.path.join(FILES_DIR[0], key[:2], key), "rb") as handle:
        return handle.read()


def test_a_code_shows_the_record_masked(client, sealed):
    response = check(client, sealed.code.lower())
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "相符" in body and "张**" in body and "张晓明" not in body
    assert sealed.plan.name in body and "评审表" in body and "(内容版本 1)" in body
    assert "共 2 版,最新为第 2 版" in body
    assert "工作单位</strong> 托克托县测试公司:职称专用章或公章、审核人签字、负责人签字、审核意见、日期、公示情况" in body
    assert "尚未签章的审核单位:旗县人社局(托克托县人社局)" in body


def test_the_printed_form_of_a_code_is_accepted(client, sealed):
    body = check(client, pdfgen.pretty_code(sealed.code)).get_data(as_text=True)
    assert "张**" in body


def test_a_wrong_code_matches_nothing(client, sealed):
    wrong = sealed.code[:-1] + ("A" if sealed.code[-1] != "A" else "B")
    body = check(client, wrong).get_data(as_text=True)
    assert "不相符" in body and "张**" not in body


def test_the_exact_sealed_file_matches_by_hash(client, sealed):
    body = check(client, sealed.code, stored_pdf(sealed, "评审表", 2)).get_data(as_text=True)
    assert "文件一致" in body and "第 2 版完全一致" in body and "是最新签章版本" in body
    older = check(client, sealed.code, stored_pdf(sealed, "评审表", 1)).get_data(as_text=True)
    assert "第 1 版完全一致" in older and "不是最新版本" in older and "该文件未盖章" in older


def test_a_modified_file_does_not_match(client, sealed):
    changed = stored_pdf(sealed, "评审表", 2) + b"\n% edited\n"
    body = check(client, sealed.code, changed).get_data(as_text=True)
    assert "文件不一致" in body
    alone = check(client, "", changed).get_data(as_text=True)
    assert "没有找到与上传文件完全一致的签章版本" in alone


def test_a_file_alone_finds_its_record(client, sealed):
    body = check(client, "", stored_pdf(sealed, "送审表", 2)).get_data(as_text=True)
    assert "张**" in body and "送审表" in body and "第 2 版完全一致" in body


def test_input_is_required_and_uploads_are_checked(client):
    response = check(client)
    assert response.status_code == 422 and "请输入表上打印的编码,或上传PDF文件" in response.get_data(as_text=True)
    response = check(client, "", b"not a pdf at all", "fake.pdf")
    assert response.status_code == 422 and "文件内容不是PDF格式" in response.get_data(as_text=True)


def test_lookups_are_rate_limited_in_the_database(app, client, sealed):
    app.config["VERIFY_RATE_LIMIT"] = (3, 600)
    for _ in range(3):
        assert check(client, sealed.code).status_code == 200
    response = check(client, sealed.code)
    assert response.status_code == 429 and "核验过于频繁,请稍后再试" in response.get_data(as_text=True)
    # The count lives in the DB, so a fresh client from the same address (another worker) is limited too.
    assert check(app.test_client(), sealed.code).status_code == 429
    row = models.RateLimit.get(models.RateLimit.key == "verify:127.0.0.1")
    assert row.count == 5


def test_the_page_needs_no_login(client):
    body = client.get("/verify/").get_data(as_text=True)
    assert "编码核验" in body and 'for="code"' in body and 'for="pdf"' in body
