"""Canned replies: written through the service (and the admin), filled in per ticket as plain text."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tickets import services
from tickets.models import CannedReply


def test_an_agent_saves_a_canned_reply(agent):
    reply = services.canned_reply_save(agent=agent, title=" 签到 ", body="请重新签到", language="zh-hans")
    assert (reply.title, reply.body) == ("签到", "请重新签到")


def test_a_canned_reply_needs_text(agent):
    with pytest.raises(ValidationError):
        services.canned_reply_save(agent=agent, title="空", body="  ", language="zh-hans")


def test_only_ticket_writers_save_canned_replies(view_only_staff):
    with pytest.raises(PermissionDenied):
        services.canned_reply_save(agent=view_only_staff, title="x", body="y", language="zh-hans")


def test_placeholders_are_replaced_as_text_never_as_a_template(make_ticket):
    ticket, _ = make_ticket(contact_name="{{ secret }}")
    reply = CannedReply(title="t", body="{merchant_name} {% now 'Y' %} {reference}")
    ((_reply, text),) = services.canned_replies_render(replies=[reply], ticket=ticket)
    assert text == f"{{{{ secret }}}} {{% now 'Y' %}} {ticket.reference}"


def test_the_admin_saves_through_the_service(client, agent):
    agent.is_superuser = True
    agent.save()
    client.force_login(agent)
    url = reverse("admin:tickets_cannedreply_add")
    data = {"title": "结算", "language": "zh-hans", "body": "请先结算 {article:settle-and-sign-off}", "is_active": "on"}
    assert client.post(url, data).status_code == 302
    assert CannedReply.objects.get().title == "结算"
