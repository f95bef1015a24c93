"""Making an agent or an editor: `manage.py staff_role` and the user admin's actions, both through the service."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from infra.models import AuditEvent
from tests.admin_text import ALLOWED, english_labels, known_english, read

pytestmark = pytest.mark.django_db


@pytest.fixture
def wang(db):
    return get_user_model().objects.create_user("wang.fang", password="wang-pass-123")


@pytest.fixture
def root_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123"))
    return client


def test_the_command_makes_an_agent_who_then_opens_the_console(client, wang):
    call_command("staff_role", "wang.fang", "agent")
    wang.refresh_from_db()
    assert wang.is_staff
    client.force_login(wang)
    assert client.get("/agent/").status_code == 200
    record = AuditEvent.objects.get(model="auth.user", object_id=str(wang.pk))
    assert record.actor is None
    assert "Support agents" in str(record.changes)


def test_the_command_makes_an_editor_who_does_not_open_the_console(client, wang):
    call_command("staff_role", "wang.fang", "editor")
    client.force_login(wang)
    assert client.get("/agent/").status_code == 404
    assert wang.has_perm("kb.change_article")


def test_the_command_takes_a_role_back(client, wang):
    call_command("staff_role", "wang.fang", "agent")
    call_command("staff_role", "wang.fang", "agent", "--remove")
    client.force_login(wang)
    assert client.get("/agent/").status_code == 404


def test_the_command_names_an_unknown_user_and_refuses_an_unknown_role(wang):
    with pytest.raises(CommandError, match="nobody"):
        call_command("staff_role", "nobody", "agent")
    with pytest.raises(CommandError):
        call_command("staff_role", "wang.fang", "boss")


def test_the_command_refuses_a_deactivated_account(wang):
    wang.is_active = False
    wang.save()
    with pytest.raises(CommandError, match="已停用"):
        call_command("staff_role", "wang.fang", "agent")


def test_the_admin_action_makes_the_selected_users_agents_with_the_admins_name_recorded(root_client, wang):
    response = root_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "make_agents", "_selected_action": [wang.pk]},
        follow=True,
    )
    assert "已将 1 个用户设为客服坐席" in response.content.decode()
    wang.refresh_from_db()
    assert wang.is_staff and wang.groups.filter(name="Support agents").exists()
    assert AuditEvent.objects.get(model="auth.user", object_id=str(wang.pk)).actor_username == "root"


def test_the_admin_action_is_refused_to_staff_who_may_not_change_users(client, agent, wang):
    client.force_login(agent)
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "make_agents", "_selected_action": [wang.pk]}
    )
    assert response.status_code == 403
    wang.refresh_from_db()
    assert not wang.is_staff


def test_the_admin_index_names_every_model_in_chinese(root_client):
    html = root_client.get("/admin/").content.decode()
    words = {word for text in read(html).texts for word in re.findall(r"[A-Za-z]{2,}", text)}
    assert words - ALLOWED - {"root"} == set()
    assert "[zh-hans]" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accessfailurelog/",
        "/admin/tickets/team/add/",
        "/admin/tickets/routingrule/add/",
    ],
)
def test_the_user_lockout_and_team_pages_are_in_chinese(root_client, url):
    html = root_client.get(url).content.decode()
    assert english_labels(html, data={"root"}) == [], url
    assert known_english(html) == [], url
    assert not re.search(r"<h1>[^<]*[A-Za-z]{3,}", html), url


def test_the_user_page_names_the_roles_in_chinese(root_client, wang):
    call_command("staff_role", "wang.fang", "agent")
    html = root_client.get(reverse("admin:auth_user_change", args=[wang.pk])).content.decode()
    assert "客服坐席" in html
    assert ">Support agents<" not in html


def test_article_headings_in_the_admin_name_the_language_not_its_code(root_client, loaded_kb):
    from kb.models import Article

    article = Article.objects.filter(language="zh-hans").first()
    for url in ("/admin/kb/article/", reverse("admin:kb_article_change", args=[article.pk])):
        html = root_client.get(url).content.decode()
        assert "[zh-hans]" not in html, url
    assert f"{article.title}（简体中文）" in html
