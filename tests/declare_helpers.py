"""Shared helpers of the declaration tests: drive the wizard over HTTP as a browser would."""
import io
import re

from PIL import Image

import models
from tests.conftest import csrf_token

SOCIAL_MIDDLE = "社会化中级、初级职称申报计划(试运行)"
SOCIAL_HIGH = "社会化正高级、副高级职称申报计划"


def plan_named(fragment, year=None):
    """The demo plan whose name contains `fragment` (this year's, unless told)."""
    year = year or models.now().year
    return models.Plan.get(models.Plan.name.contains(fragment) & (models.Plan.year == year))


def image_bytes(size=(330, 440), fmt="JPEG", color=(67, 142, 219)):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def person_pdf(person, blind=False):
    """A 评审表 PDF printed with the person's 姓名/身份证号/手机号/单位名称 (or its desensitized version)."""
    import pdfgen
    data = pdfgen.sample_record(n_items=4)
    data.update(name=person.name, id_number=person.id_number, phone=person.phone, unit_name=person.org.name)
    return (pdfgen.blind_review_form if blind else pdfgen.review_form)(data)


def start(client, plan):
    token = csrf_token(client, f"/declare/plans/{plan.id}")
    response = client.post(f"/declare/plans/{plan.id}/start", data={"csrf_token": token})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(re.search(r"/declare/(\d+)/step/1", response.headers["Location"]).group(1))


def post_step(client, app_id, n, data=None, files=None):
    token = csrf_token(client, f"/declare/{app_id}/step/{n}")
    payload = {"csrf_token": token, **(data or {})}
    for key, (content, name) in (files or {}).items():
        payload[key] = (io.BytesIO(content), name)
    return client.post(f"/declare/{app_id}/step/{n}", data=payload, content_type="multipart/form-data")


def info_data(series="工程技术", specialty="建设工程", level="中级", title="工程师", **extra):
    data = {
        "series": series, "specialty": specialty, "level": level, "title_name": title,
        "practice_specialty": specialty, "practice_other": "", "former_name": "", "ethnicity": "汉族",
        "political_status": "群众", "phone": "13800471001", "education": "本科",
        "education_cert_no": "101261201205001234", "degree": "学士", "school": "内蒙古大学", "major": "土木工程",
        "graduation": "2012-07", "work_start": "2012-08", "cur_series": "工程技术", "cur_specialty": "建设工程",
        "cur_level": "初级", "cur_name": "助理工程师", "cur_obtained": "2019-12",
        "achievements_text": "主持托克托县多项市政工程的施工技术管理工作。", "summary": "",
    }
    data.update(extra)
    return data


def fill_to_step6(client, app_id, **info):
    """Steps ①–⑤ with valid input; returns the last response."""
    assert post_step(client, app_id, 1, files={"photo": (image_bytes(), "photo.jpg")}).status_code == 303
    assert post_step(client, app_id, 2, {"agree": "y"}).status_code == 303
    response = post_step(client, app_id, 3, info_data(**info))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert post_step(client, app_id, 4, {"item": [str(i.id) for i in models.ArchiveItem.select()]}).status_code == 303
    response = post_step(client, app_id, 5)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def download_both(client, app_id):
    for form in ("review", "submission"):
        response = client.get(f"/declare/{app_id}/forms/{form}.pdf")
        assert response.status_code == 200 and response.data[:5] == b"%PDF-"


def submit(client, app_id, confirmed=True):
    token = csrf_token(client, f"/declare/{app_id}/step/6")
    data = {"csrf_token": token}
    if confirmed:
        data["confirmed"] = "y"
    return client.post(f"/declare/{app_id}/submit", data=data)
