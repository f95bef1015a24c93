"""Permissions are read once and shared, yet any change to someone's rights applies on their next request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agents import selectors
from infra import permissions

QUEUE = "/agent/"


def _fresh(user):
    """The user as the next request loads them (no per-request permission cache)."""
    return get_user_model().objects.get(pk=user.pk)


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agents_pages_ask_the_database_for_their_rights_once(agent):
    client = _signed_in(agent)
    assert client.get(QUEUE).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(QUEUE).status_code == 200
    asked = [q["sql"] for q in queries.captured_queries if "auth_permission" in q["sql"] or "DISTINCT" in q["sql"]]
    assert asked == []


def test_an_agent_taken_out_of_their_group_loses_the_console_on_the_next_request(agent):
    client = _signed_in(agent)
    assert client.get(QUEUE).status_code == 200
    agent.groups.clear()
    assert client.get(QUEUE).status_code == 404


def test_a_group_that_loses_a_permission_loses_it_for_every_member_at_once(agent):
    assert _fresh(agent).has_perm("tickets.change_ticket")
    Group.objects.get(name="Support agents").permissions.remove(Permission.objects.get(codename="change_ticket"))
    assert not _fresh(agent).has_perm("tickets.change_ticket") and _fresh(agent).has_perm("tickets.view_ticket")


def test_deleting_the_group_or_the_permission_takes_the_rights_with_it(agent, editor):
    assert _fresh(agent).has_perm("tickets.view_ticket") and _fresh(editor).has_perm("kb.change_article")
    Group.objects.get(name="Support agents").delete()  # its memberships go without an m2m signal
    Permission.objects.get(codename="change_article").delete()
    assert not _fresh(agent).has_perm("tickets.view_ticket") and not _fresh(editor).has_perm("kb.change_article")


def test_rights_given_directly_or_by_making_a_superuser_apply_at_once(outsider):
    assert not _fresh(outsider).has_perm("kb.view_article")
    outsider.user_permissions.add(Permission.objects.get(codename="view_article"))
    assert _fresh(outsider).has_perm("kb.view_article") and not _fresh(outsider).has_perm("tickets.view_ticket")
    outsider.is_superuser = True
    outsider.save()
    assert _fresh(outsider).has_perm("tickets.view_ticket")


def test_a_new_agent_can_be_assigned_tickets_at_once(agent, outsider):
    assert [user.username for user in selectors.assignable_agents()] == ["agent"]
    outsider.is_staff = True
    outsider.save()
    outsider.groups.add(Group.objects.get(name="Support agents"))
    assert [user.username for user in selectors.assignable_agents()] == ["agent", "outsider"]


def test_signing_in_does_not_throw_away_everyones_kept_rights(agent):
    _fresh(agent).has_perm("tickets.view_ticket")
    before = cache.get(permissions.GENERATION_KEY)
    signed_in = Client().post(reverse("login"), {"username": "agent", "password": "agent-pass-123"})
    assert signed_in.status_code == 302 and _fresh(agent).last_login is not None
    assert cache.get(permissions.GENERATION_KEY) == before
