"""Every queue URL: only agents get in (signed-in others 404, signed-out visitors to sign-in); writes are POST-only."""

import pytest
from django.urls import reverse

from agents.models import SavedView

pytestmark = pytest.mark.django_db

READS = ["agents:queue", "agents:queue_rows", "agents:queue_export"]
WRITES = ["agents:queue_bulk", "agents:view_save"]


def _urls(agent):
    saved = SavedView.objects.create(owner=agent, name="mine", query="view=mine")
    reads = [reverse(name) for name in READS]
    writes = [reverse(name) for name in WRITES] + [reverse("agents:view_delete", args=[saved.pk])]
    return reads, writes


@pytest.mark.parametrize("persona", ["merchant", "editor", "outsider"])
def test_a_non_agent_gets_404_on_every_queue_url(client, request, agent, persona):
    reads, writes = _urls(agent)
    client.force_login(request.getfixturevalue(persona))
    for url in reads + writes:
        assert client.get(url).status_code == 404, url
    for url in writes:
        assert client.post(url, {"action": "close", "ids": ["1"], "name": "x"}).status_code == 404, url
    assert SavedView.objects.count() == 1


def test_anonymous_visitors_are_asked_to_sign_in_and_change_nothing(client, agent):
    reads, writes = _urls(agent)
    for url in reads + writes:
        assert client.get(url)["Location"].endswith(f"/accounts/login/?next={url}"), url
        assert client.post(url, {"name": "x"}).status_code == 302, url
    assert SavedView.objects.count() == 1


def test_an_agent_reads_every_queue_page(client, agent):
    reads, _writes = _urls(agent)
    client.force_login(agent)
    for url in reads:
        assert client.get(url).status_code == 200, url


def test_every_state_change_refuses_get_with_405(client, agent):
    _reads, writes = _urls(agent)
    client.force_login(agent)
    for url in writes:
        assert client.get(url).status_code == 405, url
    assert SavedView.objects.count() == 1


def test_the_english_console_lives_under_en(client, agent):
    client.force_login(agent)
    response = client.get("/en/agent/")
    assert response.status_code == 200
    assert "Queue" in response.text


def test_the_console_is_chinese_by_default(client, agent):
    client.force_login(agent)
    response = client.get("/agent/")
    assert "全部工单" in response.text
    assert "All tickets" not in response.text
