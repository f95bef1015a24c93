"""Saved personal views: the filters under a name, checked when saved, visible and deletable only by their owner."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from agents.models import SavedView

pytestmark = pytest.mark.django_db


def test_an_agent_saves_the_current_filters_and_sees_them_listed(agent_client, agent):
    response = agent_client.post(
        reverse("agents:view_save"), {"name": "紧急", "query": "priority=urgent&page=3&bogus=1&view=all"}
    )
    saved = SavedView.objects.get(owner=agent)
    assert (saved.name, saved.query) == ("紧急", "view=all&priority=urgent")
    assert response["Location"] == reverse("agents:queue") + "?view=all&priority=urgent"
    assert "紧急" in agent_client.get(reverse("agents:queue")).text


def test_saving_the_same_name_again_replaces_its_filters(agent_client, agent):
    agent_client.post(reverse("agents:view_save"), {"name": "mine", "query": "view=mine"})
    agent_client.post(reverse("agents:view_save"), {"name": "mine", "query": "view=waiting"})
    assert list(SavedView.objects.values_list("query", flat=True)) == ["view=waiting"]


def test_a_view_with_bad_filters_or_no_name_is_not_saved(agent_client):
    agent_client.post(reverse("agents:view_save"), {"name": "x", "query": "status=bogus"})
    agent_client.post(reverse("agents:view_save"), {"name": "", "query": "view=mine"})
    assert not SavedView.objects.exists()


def _other_agent(django_user_model):
    other = django_user_model.objects.create_user(username="agent2", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="Support agents"))
    return other


def test_an_agent_sees_and_deletes_only_their_own_views(agent_client, agent, django_user_model):
    theirs = SavedView.objects.create(owner=_other_agent(django_user_model), name="别人的视图", query="view=mine")
    mine = SavedView.objects.create(owner=agent, name="我的视图", query="view=mine")
    page = agent_client.get(reverse("agents:queue")).text
    assert "我的视图" in page and "别人的视图" not in page

    assert agent_client.post(reverse("agents:view_delete", args=[theirs.pk])).status_code == 404
    assert agent_client.post(reverse("agents:view_delete", args=[mine.pk])).status_code == 302
    assert list(SavedView.objects.all()) == [theirs]
