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


# The preference in the admin, through the service and audited.


@pytest.fixture
def root_client(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123"))
    return client


def test_an_administrator_sets_an_agent_s_language_in_the_admin_and_it_is_audited(root_client, agent):
    from django.urls import reverse

    from infra.models import AuditEvent

    response = root_client.post(reverse("admin:agents_agentpreference_add"), {"user": agent.pk, "language": "en"})
    assert response.status_code == 302
    preference = AgentPreference.objects.get(user=agent)
    assert preference.language == "en"
    record = AuditEvent.objects.get(model="agents.agentpreference", object_id=str(preference.pk))
    assert record.actor.username == "root"
    assert record.changes == {"language": ["", "en"]}


def test_changing_it_in_the_admin_records_old_and_new(root_client, agent):
    from django.urls import reverse

    from infra.models import AuditEvent

    preference = AgentPreference.objects.create(user=agent, language="en")
    url = reverse("admin:agents_agentpreference_change", args=[preference.pk])
    assert root_client.post(url, {"language": "zh-hans"}).status_code == 302
    preference.refresh_from_db()
    assert preference.user == agent
    assert preference.language == "zh-hans"
    assert AuditEvent.objects.get(action="changed", model="agents.agentpreference").changes == {
        "language": ["en", "zh-hans"]
    }


def test_deleting_it_in_the_admin_is_audited(root_client, agent):
    from django.urls import reverse

    from infra.models import AuditEvent

    preference = AgentPreference.objects.create(user=agent, language="en")
    url = reverse("admin:agents_agentpreference_delete", args=[preference.pk])
    assert root_client.post(url, {"post": "yes"}).status_code == 302
    assert not AgentPreference.objects.exists()
    assert AuditEvent.objects.filter(action="deleted", model="agents.agentpreference").count() == 1


def test_the_admin_offers_only_agents(root_client, agent, merchant):
    from django.urls import reverse

    page = root_client.get(reverse("admin:agents_agentpreference_add")).content.decode()
    assert f'value="{agent.pk}"' in page
    assert f'value="{merchant.pk}"' not in page


def test_one_agent_cannot_set_another_s_language(agent, colleague):
    from django.core.exceptions import PermissionDenied

    from agents.services import agent_language_set

    with pytest.raises(PermissionDenied):
        agent_language_set(actor=colleague, agent=agent, language="en")
    assert not AgentPreference.objects.exists()


# At sign-in, the console in the agent's language.

PASSWORD = "agent-pass-123"


@pytest.mark.parametrize(
    ("language", "next_url", "landing"),
    [
        ("en", "", "/en/agent/"),
        ("en", "/agent/", "/en/agent/"),
        ("zh-hans", "", "/agent/"),
        ("zh-hans", "/en/agent/", "/agent/"),
    ],
)
def test_an_agent_signs_in_to_the_console_in_their_language(client, agent, language, next_url, landing):
    from django.conf import settings

    AgentPreference.objects.create(user=agent, language=language)
    data = {"username": agent.username, "password": PASSWORD} | ({"next": next_url} if next_url else {})
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302
    assert response["Location"] == landing
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    page = client.get(landing).content.decode()
    assert f'<html lang="{language}">' in page


def test_without_a_preference_the_agent_lands_on_the_console_as_before(client, agent):
    from django.conf import settings

    response = client.post("/accounts/login/", {"username": agent.username, "password": PASSWORD})
    assert response["Location"] == "/agent/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_a_merchant_s_sign_in_is_not_translated(client, merchant):
    merchant.set_password(PASSWORD)
    merchant.save()
    response = client.post("/en/accounts/login/", {"username": merchant.username, "password": PASSWORD})
    assert response["Location"] == "/en/"


@pytest.mark.parametrize("page", ["changelist", "add", "change"])
def test_the_preference_admin_speaks_chinese(root_client, agent, page):
    from django.urls import reverse

    from tests.admin_text import english_labels

    preference = AgentPreference.objects.create(user=agent, language="en")
    args = [preference.pk] if page == "change" else []
    html = root_client.get(reverse(f"admin:agents_agentpreference_{page}", args=args)).content.decode()
    assert english_labels(html, data={"agent", str(preference)}) == []
