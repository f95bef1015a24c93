"""An agent's language: chosen with the console header's switch, kept, and used for the emails they receive."""

import pytest
from django.core import mail

from agents.models import AgentPreference
from tests.agents.ticketpage import create_ticket, fast_passwords  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db


def test_the_header_switch_keeps_the_agent_s_language(client, agent):
    client.force_login(agent)
    response = client.post("/agent/language/", {"language": "en", "next": "/en/agent/"})
    assert response.status_code == 302
    assert AgentPreference.objects.get(user=agent).language == "en"
    assert client.get("/en/agent/language/").status_code == 405


def test_an_unknown_language_is_not_kept(client, agent):
    client.force_login(agent)
    client.post("/agent/language/", {"language": "fr", "next": "/agent/"})
    assert not AgentPreference.objects.filter(user=agent).exists()


def test_outsiders_cannot_reach_the_switch(client, outsider):
    client.force_login(outsider)
    assert client.post("/agent/language/", {"language": "en"}).status_code == 404


def test_a_new_ticket_email_is_written_in_each_agent_s_language(agent, colleague, django_capture_on_commit_callbacks):
    agent.email, colleague.email = "agent@example.com", "colleague@example.com"
    agent.save(), colleague.save()
    AgentPreference.objects.create(user=agent, language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        create_ticket(email="")
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["agent@example.com"].isascii()
    assert not subjects["colleague@example.com"].isascii()  # no preference: the console's default, Chinese
