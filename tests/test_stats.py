"""统计 for bureaus: counts by status, series, level, region and plan, daily submissions, bottlenecks,
SVG charts drawn on the server and Excel exports — each scoped to the bureau's region."""
import io

import pytest
from openpyxl import load_workbook

import models
from tests.conftest import make_org, make_person
from tests.test_admin_factory import make_application


@pytest.fixture
def records(app):
    """Three submissions in 呼和浩特市 (托克托县) and one in 包头市."""
    hohhot = make_org(name="托克托县统计测试公司")
    baotou = make_org(name="包头统计测试公司", region="150203")
    make_application(person=make_person(hohhot, name="王小红"), org=hohhot, level="中级", submitted_days_ago=3,
                     waited_days=3)
    make_application(person=make_person(hohhot, name="李大伟"), org=hohhot, level="初级", submitted_days_ago=1,
                     waiting_at=1, sealed=1, waited_days=1)
    make_application(person=make_person(hohhot, name="赵刚"), org=hohhot, level="中级", submitted_days_ago=0)
    make_application(person=make_person(baotou, name="钱多多"), org=baotou, level="副高级", submitted_days_ago=2,
                     waited_days=8)


def test_province_admin_sees_every_region(client, auth, records):
    auth.staff("admin")
    body = client.get("/admin/stats").get_data(as_text=True)
    assert 'data-testid="stats-total">4<' in body
    for label in ("按状态", "按系列", "按等级", "按地区", "按申报计划", "每日提交数", "待审核单位(瓶颈)"):
        assert label in body
    assert "包头市" in body and "呼和浩特市" in body
    assert "工作单位审核中" in body and "旗县人社局审核中" in body
    # Charts are inline SVG with axis labels, no script.
    assert body.count('<svg class="chart"') == 7
    assert "数量(条)" in body and "<script" not in body.split("</head>")[1]
    # Bottleneck: the 包头 record has waited longest; names are masked.
    assert "钱**" in body and "钱多多" not in body
    assert "包头统计测试公司(工作单位)" in body


def test_city_bureau_sees_only_its_city(client, auth, records):
    auth.staff("rsj150100")
    auth.pick_role("管理员")
    body = client.get("/admin/stats").get_data(as_text=True)
    assert 'data-testid="stats-total">3<' in body
    assert "包头统计测试公司" not in body and "钱**" not in body
    assert "托克托县" in body


def test_city_review_role_has_statistics_too(client, auth, records):
    auth.staff("rsj150200")
    body = client.get("/admin/stats").get_data(as_text=True)
    assert 'data-testid="stats-total">1<' in body and "包头统计测试公司(工作单位)" in body
    auth.logout()
    auth.staff("rsj150122")
    assert client.get("/admin/stats").status_code == 404


def test_counts_by_level_and_daily_series(app, client, auth, records):
    auth.staff("admin")
    with app.test_request_context():
        from flask import g
        from blueprints import admin
        g.account = models.Account.get(models.Account.login == "admin")
        g.role = models.ROLE_ADMIN
        stats = admin.compute_stats()
    assert stats["level"] == [("副高级", 1), ("中级", 2), ("初级", 1)]
    assert [v for _, v in stats["daily"]] == [1, 1, 1, 1]
    assert stats["region"] == [("呼和浩特市", 3), ("包头市", 1)]
    units = {u: n for u, n, _, _ in stats["units"]}
    assert units["托克托县统计测试公司(工作单位)"] == 2 and units["托克托县人社局(旗县人社局)"] == 1
    assert stats["waiting"][0][0] == "钱**" and stats["waiting"][0][4] == 8.0


@pytest.mark.parametrize("table,header,first", [("status", "状态", "工作单位审核中"), ("level", "申报等级", "副高级"),
                                                ("units", "审核单位", None), ("daily", "日期", None)])
def test_each_table_exports_to_excel(client, auth, records, table, header, first):
    auth.staff("admin")
    response = client.get(f"/admin/stats/export/{table}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A2"].value == header
    if first:
        assert sheet["A3"].value == first
    assert sheet.max_row >= 3


def test_export_is_scoped_and_unknown_tables_are_404(client, auth, records):
    auth.staff("rsj150100")
    auth.pick_role("管理员")
    sheet = load_workbook(io.BytesIO(client.get("/admin/stats/export/waiting").data)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=3)]
    assert "钱**" not in names and "王**" in names
    assert client.get("/admin/stats/export/nothing").status_code == 404


def test_empty_statistics_render(client, auth):
    auth.staff("admin")
    body = client.get("/admin/stats").get_data(as_text=True)
    assert "暂无数据" in body and 'data-testid="stats-total">0<' in body
