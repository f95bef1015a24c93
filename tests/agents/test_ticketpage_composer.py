"""The ticket page's composer, suggestion, assignee list and tracking link, as the server renders and takes them."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail

from tests.agents.ticketpage import create_ticket, fast_passwords, page_url  # noqa: F401 (autouse fixture)
from tickets.models import TicketClassification, TicketEvent, TrackingLink

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def test_reply_and_note_are_two_modes_of_one_box_with_one_send_button_each(as_agent):
    ticket = create_ticket()
    page = as_agent.get(page_url(ticket)).text
    form = page[page.index('id="reply-form"') : page.index("</form>", page.index('id="reply-form"'))]
    assert form.count("<textarea") == 1
    assert re.findall(r'name="kind" value="(\w+)"', form) == ["reply", "note"]  # radio buttons: the mode
    assert 'value="reply" id="mode-reply" class="composer-mode" checked' in form
    # Each mode's button exists once; the stylesheet shows the one of the chosen mode only.
    assert form.count('class="send-reply reply-only"') == form.count('class="send-note note-only"') == 1
    assert "添加内部备注" in form


def test_the_note_mode_posts_an_internal_note_in_one_request(as_agent):
    ticket = create_ticket()
    response = as_agent.post(page_url(ticket, "agents:ticket_reply"), {"kind": "note", "body": "先别回复商户"})
    assert response.status_code == 302
    assert ticket.messages.last().is_internal


def test_the_assignee_list_offers_agents_only(as_agent, agent, editor):
    admin = get_user_model().objects.create_superuser(username="root", password="root-pass-123", email="r@x.cn")
    manager = get_user_model().objects.create_user(username="boss", password="boss-pass-123", is_staff=True)
    manager.groups.add(Group.objects.get_or_create(name="Administrators")[0])
    manager.groups.get().permissions.set(Permission.objects.all())
    ticket = create_ticket()
    offered = [user.username for user in as_agent.get(page_url(ticket)).context["agents"]]
    assert offered == ["agent"]
    assert {admin.username, manager.username, editor.username}.isdisjoint(offered)


def test_the_suggestion_is_shown_by_its_title(as_agent, loaded_kb, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket()
    slug = TicketClassification.objects.get(ticket=ticket).article_slug
    page = as_agent.get(page_url(ticket)).text
    title = re.search(r'class="suggested-article">([^<]+)<', page).group(1)
    assert title != slug and len(title) > 4


def test_the_article_picker_finds_articles_by_their_words(as_agent, loaded_kb):
    ticket = create_ticket()
    response = as_agent.get(page_url(ticket, "agents:ticket_article_choices"), {"article_q": "打印机"})
    assert response.status_code == 200
    assert 'name="article_slug" value="fix-hardware"' in response.text
    # Without JavaScript the search button reloads the page with the same choices.
    page = as_agent.get(page_url(ticket), {"article_q": "打印机"}).text
    assert 'name="article_slug" value="fix-hardware"' in page


def test_an_article_picked_from_the_search_corrects_the_suggestion(
    as_agent, loaded_kb, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = create_ticket()
    as_agent.post(page_url(ticket, "agents:ticket_suggestion"), {"article_slug": "fix-hardware", "response_code": ""})
    row = TicketClassification.objects.get(ticket=ticket)
    assert (row.verdict, row.correct_article_slug) == ("corrected", "fix-hardware")


def test_a_long_picker_query_is_cut_not_refused(as_agent, loaded_kb):
    ticket = create_ticket()
    response = as_agent.get(page_url(ticket, "agents:ticket_article_choices"), {"article_q": "签到" * 500})
    assert response.status_code == 200


def test_an_agent_sends_a_fresh_tracking_link_by_email_and_the_old_ones_keep_working(
    as_agent, agent, django_capture_on_commit_callbacks
):
    ticket = create_ticket()
    links_before = set(TrackingLink.objects.filter(ticket=ticket).values_list("pk", flat=True))
    token_hash = ticket.access_token_hash
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_agent.post(page_url(ticket, "agents:ticket_tracking_link"))
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["wang@example.com"] and ticket.reference in message.subject
    link = re.search(r"https?://\S+/t/(\S+?)/", message.body)
    assert link
    ticket.refresh_from_db()
    assert ticket.access_token_hash == token_hash  # the receipt's link still works
    assert links_before < set(TrackingLink.objects.filter(ticket=ticket).values_list("pk", flat=True))
    event = ticket.events.get(kind=TicketEvent.Kind.LINK_SENT)
    assert (event.actor, event.new_value) == (agent, "email")
    assert link.group(1) not in event.new_value + event.old_value  # the link itself is never in the history
    assert as_agent.get(page_url(ticket, "agents:ticket_tracking_link")).status_code == 405


def test_a_ticket_without_an_email_and_sms_off_gets_no_link_and_the_agent_is_told(as_agent, settings):
    settings.SMS_BACKEND = ""  # production until a provider is configured: a phone alone reaches nobody
    ticket = create_ticket(email="")
    response = as_agent.post(page_url(ticket, "agents:ticket_tracking_link"), follow=True)
    assert not TrackingLink.objects.filter(ticket=ticket).exists()
    assert not ticket.events.filter(kind=TicketEvent.Kind.LINK_SENT).exists()
    assert any("邮箱" in str(m) for m in response.context["messages"])


def test_a_viewer_cannot_send_a_link(client, view_only_staff):
    client.force_login(view_only_staff)
    ticket = create_ticket()
    client.post(page_url(ticket, "agents:ticket_tracking_link"))
    assert not ticket.events.filter(kind=TicketEvent.Kind.LINK_SENT).exists()


def test_the_log_viewer_links_each_code_once(as_agent, loaded_kb):
    from tests.tickets.conftest import log_file

    ticket = create_ticket(files=[log_file("pos.log", "10:00 RC=A0 resp code A0 MAC ERROR\n")])
    page = as_agent.get(page_url(ticket, "agents:ticket_log", pk=ticket.attachments.get().pk)).text
    line = page[page.index('id="L1"') : page.index("</tr>", page.index('id="L1"'))]
    assert line.count('<a class="log-code-link"') == 2  # each place the log names it, and nothing added after
    assert line.count(">A0<") == 0 and line.count("RC=A0") == 1


def test_a_phone_only_ticket_gets_the_link_by_sms(as_agent):
    from tickets.models import NoticeDelivery

    ticket = create_ticket(email="")
    as_agent.post(page_url(ticket, "agents:ticket_tracking_link"), follow=True)
    assert ticket.events.filter(kind=TicketEvent.Kind.LINK_SENT, new_value="sms").exists()
    assert NoticeDelivery.objects.filter(ticket=ticket, channel="sms", event="tracking_link_sent").exists()
