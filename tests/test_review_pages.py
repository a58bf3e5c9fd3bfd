"""The console pages a long queue: 50 rows a page, the filters kept from page to page."""
import re

from tests.conftest import demo_org, make_person
from tests.test_review_console import login_as
from tests.test_review_factory import make_submitted


def _rows(html):
    return len(re.findall(r'<tr id="row-\d+"', html)) or html.count('class="row-actions"')


def test_a_long_queue_is_paged_and_keeps_its_filters(client, auth, app):
    with app.app_context():
        org = demo_org()
        for _ in range(60):
            make_submitted(person=make_person(org=org), org=org, forms=False)
    login_as(auth, "工作单位")
    first = client.get("/review/?scope=todo&level=中级").get_data(as_text=True)
    assert "共 60 条" in first and "第 1/2 页" in first and _rows(first) == 50
    assert "下一页" in first and "上一页" not in first
    assert "page=2" in first and "level=%E4%B8%AD%E7%BA%A7" in first  # the filter travels with the pager
    second = client.get("/review/?scope=todo&level=中级&page=2", headers={"HX-Request": "true"})
    html = second.get_data(as_text=True)
    assert "<html" not in html and _rows(html) == 10 and "第 2/2 页" in html and "上一页" in html
    # A page past the end shows the last page rather than an empty list.
    assert _rows(client.get("/review/?scope=todo&level=中级&page=9").get_data(as_text=True)) == 10
