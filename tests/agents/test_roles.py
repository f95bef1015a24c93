"""The staff roles the data migration creates, and the console's gate."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from agents.roles import ADMINS, AGENTS, EDITORS, roles_sync

pytestmark = pytest.mark.django_db


def _codenames(name: str) -> set[str]:
    return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))


def test_the_migration_creates_the_three_roles_with_their_permissions():
    assert ("tickets", "change_ticket") in _codenames(AGENTS)
    assert not any(app == "kb" for app, _code in _codenames(AGENTS))
    assert ("kb", "change_article") in _codenames(EDITORS)
    assert not any(app == "tickets" for app, _code in _codenames(EDITORS))
    portal_permissions = Permission.objects.filter(content_type__app_label__in=["auth", "kb", "tickets"])
    assert set(portal_permissions.values_list("content_type__app_label", "codename")) <= _codenames(ADMINS)


def test_syncing_again_grants_new_permissions_and_duplicates_nothing():
    Group.objects.get(name=AGENTS).permissions.clear()
    roles_sync()
    roles_sync()

    assert ("tickets", "view_ticket") in _codenames(AGENTS)
    assert Group.objects.filter(name=AGENTS).count() == 1


def test_a_user_in_the_agents_group_is_an_agent_and_a_merchant_is_not():
    from tickets.access import is_agent, may_change_tickets

    user = get_user_model().objects.create_user(username="a1", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=AGENTS))
    merchant = get_user_model().objects.create_user(username="m1", password="x")

    assert is_agent(user) and may_change_tickets(user)
    assert not is_agent(merchant)
