"""The ticket admin in Chinese: no English labels, steps as a list, file sizes in KB or MB."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.admin_text import english_labels, known_english, read

from .conftest import log_file, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(make_ticket):
    ticket, _token = make_ticket(
        steps=["开机", "操作员签到", "刷卡"],
        tried_fixes=["重新签到"],
        files=[log_file(text="2026-05-01 10:00:01 SIGN ON OK\n" * 100), photo()],
    )
    return ticket


@pytest.fixture
def superuser_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123"))
    return client


def _pages(ticket) -> list[str]:
    return [
        reverse("admin:app_list", kwargs={"app_label": "tickets"}),
        reverse("admin:tickets_ticket_changelist"),
        reverse("admin:tickets_ticket_change", args=[ticket.pk]),
        reverse("admin:tickets_deflection_changelist"),
    ]


def test_the_ticket_admin_pages_are_in_chinese(superuser_client, ticket):
    for url in _pages(ticket):
        html = superuser_client.get(url).content.decode()
        # The ticket's reference and the staff names in the assignee list are data, not labels.
        assert english_labels(html, data={str(ticket), "root"}) == [], url
        assert known_english(html) == [], url


def test_an_agent_sees_the_ticket_admin_in_chinese(client, agent, ticket):
    client.force_login(agent)

    html = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    assert known_english(html) == []


def test_a_new_ticket_has_one_status_name_everywhere(superuser_client, ticket):
    listing = superuser_client.get(reverse("admin:tickets_ticket_changelist")).content.decode()

    assert "待受理" in listing
    assert "新提交" not in listing


def test_the_admin_shows_the_steps_as_a_numbered_list_not_json(superuser_client, ticket):
    html = superuser_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    steps = re.search(r'<ol class="ticket-steps">(.*?)</ol>', html, re.DOTALL).group(1)
    assert re.findall(r"<li>(.*?)</li>", steps) == ["开机", "操作员签到", "刷卡"]
    assert '["开机"' not in html and "[&quot;开机&quot;" not in html


def test_the_admin_shows_file_sizes_in_kb_or_mb(superuser_client, ticket):
    html = superuser_client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()

    texts = read(html).texts
    for attachment in ticket.attachments.all():
        assert str(attachment.size) not in texts  # not as a raw number of bytes
    assert any(re.fullmatch(r"\d+(\.\d)?\sKB", text) for text in texts)  # the 3 KB log


def test_a_merchant_cannot_open_the_ticket_admin_in_any_language(client, merchant, ticket):
    client.force_login(merchant)

    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 302
