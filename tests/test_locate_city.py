"""「找不到申报记录」 for a 盟市 bureau: a record of a unit under one of its 旗县 bureaus is related to it."""
import models
from tests.conftest import make_org, make_person
from tests.test_review_console import login_as
from tests.test_review_factory import make_submitted


def test_city_bureau_locates_a_record_from_a_county_below_it(client, auth, app):
    with app.app_context():
        org = make_org(region="150122")  # 上级人社主管部门: 托克托县人社局, below 呼和浩特市人社局
        person = make_person(org=org)
        make_submitted(person=person, org=org)
    login_as(auth, "盟市人社局")
    response = client.get(f"/review/locate?id_number={person.id_number}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "工作单位" in page and org.name in page
    assert models.Region.get_by_id("150122").parent_id == "150100"
