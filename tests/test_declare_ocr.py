"""脱敏 copies that are images or scans are read by OCR (tesseract), so a leak in a scan is named too."""
import io
import shutil

import pytest
from PIL import Image, ImageDraw, ImageFont

import models
from pdfgen.fonts import SANS, font_path
from tests.conftest import demo_person
from tests.declare_helpers import SOCIAL_HIGH, person_pdf
from tests.test_declare import _attach, _to_step5

# make test installs tesseract; without it the check is documented as unavailable, not silently passed.
pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")


def _scan(lines, fmt="PNG"):
    """A page of printed text as a scanner would deliver it: an image without any text layer."""
    font = ImageFont.truetype(font_path(SANS), 36)
    page = Image.new("RGB", (1240, 120 + 80 * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((60, 60 + 80 * i), line, font=font, fill="black")
    buf = io.BytesIO()
    page.save(buf, fmt, **({"resolution": 150} if fmt == "PDF" else {}))
    return buf.getvalue()


def _blind_record(client, auth):
    person = demo_person("李四")
    app_id = _to_step5(client, auth, "李四", SOCIAL_HIGH, specialty="电力", level="副高级", title="高级工程师",
                       practice_specialty="电力", cur_series="文物博物", cur_specialty="文博", cur_level="副高级",
                       cur_name="副研究馆员", phone=person.phone)
    return person, app_id


@pytest.mark.parametrize("fmt, name", [("PNG", "证书-脱敏.png"), ("PDF", "证书-脱敏.pdf")])
def test_a_scanned_copy_that_still_shows_the_applicant_is_refused(client, auth, fmt, name):
    person, app_id = _blind_record(client, auth)
    leaking = _scan([f"姓名:{person.name}", f"身份证号:{person.id_number}", f"工作单位:{person.org.name}"], fmt)
    response = _attach(client, app_id, "业绩成果材料", (person_pdf(person), "证书.pdf"), (leaking, name))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"脱敏申报材料「{name}」中仍含有:" in body
    for what in ("姓名", "身份证号", "单位名称"):
        assert what in body.split(f"「{name}」中仍含有:")[1].split("<")[0]
    assert models.Attachment.select().where(models.Attachment.application == app_id).count() == 0


def test_a_clean_scan_is_accepted(client, auth):
    person, app_id = _blind_record(client, auth)
    clean = _scan(["姓名:***", "工作单位:***", "获奖项目:草原城市道路工程"])
    response = _attach(client, app_id, "业绩成果材料", (person_pdf(person), "证书.pdf"), (clean, "证书-脱敏.png"))
    assert response.status_code == 303
    assert models.Attachment.select().where(models.Attachment.application == app_id).count() == 2
