"""Pages where a guide problem appears link to its answer in the 帮助中心."""
from tests.conftest import demo_person
from tests.test_review_console import login_as


def test_blocked_entry_links_to_its_answer(client, auth):
    auth.person(demo_person("赵六").id_number)
    page = client.get("/talent/entry").get_data(as_text=True)
    assert "/help/#s4-21" in page


def test_archive_hints_link_to_their_answers(client, auth):
    auth.person(demo_person().id_number)
    assert "/help/#s4-20" in client.get("/talent/archive?kind=学习经历").get_data(as_text=True)
    assert "/help/#s4-18" in client.get("/talent/archive?kind=专业技术资格").get_data(as_text=True)


def test_review_pages_link_to_their_answers(client, auth):
    login_as(auth, "旗县人社局")
    assert "/help/#s2-1" in client.get("/review/locate").get_data(as_text=True)
    assert "/help/#s2-10" in client.get("/seals/").get_data(as_text=True)
