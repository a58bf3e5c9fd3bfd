"""帮助中心: every question of the guide, grouped as the guide groups them, searchable, with stable anchors."""
import re

from blueprints import help as help_bp


def test_every_question_of_the_guide_is_listed_with_its_anchor(client):
    body = client.get("/help/").get_data(as_text=True)
    for group in ("一、7月13日系统新功能介绍", "二、单位审核问题", "三、各职称类型申报方式", "四、个人申报问题"):
        assert group in body
    anchors = re.findall(r'<article class="help-q" id="([^"]+)"', body)
    assert len(anchors) == 41 and len(set(anchors)) == 41
    assert anchors[:3] == ["s1-1", "s1-2", "s2-1"]
    assert [a for a in anchors if a.startswith("s4-")] == [f"s4-{n}" for n in range(1, 28)]
    assert [a for a in anchors if a.startswith("s2-")] == [f"s2-{n}" for n in range(1, 12)]
    assert "(十)点击提交时提示「主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色」" in body
    assert "(二十七)绿色通道系统不能使用pageoffice插件" in body


def test_search_narrows_the_questions(client):
    body = client.get("/help/?q=评委会").get_data(as_text=True)
    assert 'id="s4-12"' in body and 'id="s2-3"' in body
    assert 'id="s4-20"' not in body
    assert "「评委会」共找到" in body
    nothing = client.get("/help/?q=不存在的问题词").get_data(as_text=True)
    assert "没有找到相关问题" in nothing


def test_search_answers_a_fragment_to_htmx(client):
    response = client.get("/help/?q=二维码", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and 'id="s2-7"' in body and 'id="s4-4"' in body and 'id="s4-10"' not in body


def test_error_messages_link_to_their_answer(app):
    with app.test_request_context():
        assert help_bp.help_for("主管部门没有账户,或者账号的角色没有配置为主管单位,请在用户管理配置角色") == "/help/#s4-10"
        assert help_bp.help_for("托克托县教育局没有权限。请联系…") == "/help/#s4-11"
        assert help_bp.help_for("没有评委会或找到多个评委会。请联系客服") == "/help/#s4-12"
        assert help_bp.help_for("一切正常") is None
        assert help_bp.help_link("s2-5") == "/help/#s2-5"


def test_pages_where_problems_appear_link_to_the_answer(client, auth):
    auth.staff("admin")
    assert "/help/#s4-10" in client.get("/admin/users?kind=单位").get_data(as_text=True)
    assert "/help/#s4-11" in client.get("/admin/users?kind=人社局/其他局").get_data(as_text=True)
    assert "/help/#s4-12" in client.get("/admin/committees").get_data(as_text=True)
    assert "/help/#s2-7" in client.get("/verify/").get_data(as_text=True)


def test_help_is_public_and_links_to_admin_pages_only_when_they_exist(client):
    body = client.get("/help/?q=教育局").get_data(as_text=True)
    assert 'href="/admin/users"' in body
