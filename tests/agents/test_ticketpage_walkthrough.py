"""Issue 21, what a new agent found on the ticket page (tester findings 11, 12, 14 and 20): the timeline reads
as events with people's names, one list of related tickets saying why each is there, the confirmation of a
sent reply beside the message, and the log viewer's encoding and error words as an agent reads them."""

import pytest
from django.contrib.auth import get_user_model

from tests.agents.ticketpage import create_ticket, fast_passwords, page_url  # noqa: F401 (autouse fixture)
from tests.tickets.conftest import log_file
from tickets import services
from tickets.logs import ERROR_WORDS


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def _url(ticket, language="en", name="agents:ticket", **kwargs) -> str:
    # Chinese has no prefix, English pages are under /en/.
    return ("/en" if language == "en" else "") + page_url(ticket, name, **kwargs)


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def _timeline(client, ticket, language: str) -> str:
    return " ".join(_section(client.get(_url(ticket, language)).content.decode(), "timeline-heading").split())


@pytest.mark.parametrize(
    ("language", "created"), [("zh-hans", "商户</strong>: 提交了工单"), ("en", "Merchant</strong>: created the ticket")]
)
def test_the_timeline_says_the_merchant_created_the_ticket(as_agent, loaded_kb, language, created):
    ticket = create_ticket(language=language)
    timeline = _timeline(as_agent, ticket, language)
    assert created in timeline
    assert "创建时间" not in timeline


def test_the_timeline_names_assignees_by_full_name_and_username_only_without_one(as_agent, agent, loaded_kb):
    colleague = get_user_model().objects.create_user(
        username="wang.fang", first_name="Fang", last_name="Wang", is_staff=True
    )
    colleague.groups.set(agent.groups.all())
    nameless = get_user_model().objects.create_user(username="li.lei", is_staff=True)
    nameless.groups.set(agent.groups.all())
    ticket = create_ticket()
    services.ticket_assign(ticket=ticket, agent=agent, assignee=colleague)
    services.ticket_assign(ticket=ticket, agent=agent, assignee=nameless)
    timeline = _timeline(as_agent, ticket, "en")
    assert "Assignee — → Fang Wang" in timeline
    assert "Assignee Fang Wang → li.lei" in timeline
    assert "wang.fang" not in timeline


def test_related_tickets_are_listed_once_each_with_why(as_agent, agent, loaded_kb):
    open_same_terminal = create_ticket()
    other_terminal = create_ticket(terminal_id="87654321")
    services.ticket_status_set(ticket=other_terminal, agent=agent, status="resolved")
    other_merchant = create_ticket(merchant_id="999999999999999")
    ticket = create_ticket()
    page = as_agent.get(_url(ticket)).content.decode()
    related = _section(page, "earlier-heading")
    assert "1 other open ticket for this terminal in the last 24 h" in related
    for other in (open_same_terminal, other_terminal, other_merchant):
        assert page.count(f">{other.reference}</a>") == 1  # one list on the page, each ticket once
    rows = {row.split("</a>")[0].split(">")[-1]: row for row in related.split("<li")[1:]}
    assert "same terminal, open in the last 24 h" in rows[open_same_terminal.reference]
    assert "same merchant, another terminal" in rows[other_terminal.reference]
    assert "same terminal ID, another merchant" in rows[other_merchant.reference]
    assert "· MID" not in related and "· TID" not in related


def test_related_tickets_say_why_in_chinese(as_agent, agent, loaded_kb):
    create_ticket()
    create_ticket(terminal_id="87654321")
    ticket = create_ticket()
    related = _section(as_agent.get(page_url(ticket)).content.decode(), "earlier-heading")
    assert "该商户或终端的其他工单" in related
    assert "同一终端，24 小时内提交且未关闭" in related and "同一商户的另一台终端" in related


@pytest.mark.parametrize("kind", ["reply", "note"])
def test_after_sending_the_page_opens_at_the_new_message_with_the_confirmation_beside_it(as_agent, loaded_kb, kind):
    ticket = create_ticket()
    response = as_agent.post(_url(ticket, name="agents:ticket_reply"), {"body": "Please sign on again.", "kind": kind})
    message = ticket.messages.get(body="Please sign on again.")
    assert response["Location"] == f"{_url(ticket)}#message-{message.pk}"
    page = as_agent.get(response["Location"].split("#")[0]).content.decode()
    new = page.split(f'id="message-{message.pk}"')[1].split("</li>")[0]
    done = "Internal note added. The merchant does not see it." if kind == "note" else "Reply sent to the merchant."
    assert done in new and 'role="status"' in new
    assert page.count(done) == 1  # not also above the page
    assert "data-sent" in page.split('id="ticket-page"')[1].split(">")[0]  # the script drops the draft


def test_a_refused_reply_says_why_in_the_composer(as_agent, loaded_kb):
    ticket = create_ticket()
    response = as_agent.post(_url(ticket, name="agents:ticket_reply"), {"body": "  ", "kind": "reply"})
    assert response["Location"] == f"{_url(ticket)}#composer"
    page = as_agent.get(_url(ticket)).content.decode()
    composer = page.split('id="composer"')[1].split("</section>")[0]
    assert 'class="msg msg-error"' in composer
    assert "data-sent" not in page.split('id="ticket-page"')[1].split(">")[0]


def _log_page(client, ticket, language="en") -> str:
    pk = ticket.attachments.get().pk
    return client.get(_url(ticket, language, "agents:ticket_log", pk=pk)).content.decode()


@pytest.mark.parametrize(
    ("text", "encoding", "language", "shown"),
    [
        ("10:00 SIGN ON OK\n", "utf-8", "en", "UTF-8"),
        ("10:00 签到成功\n", "gb18030", "en", "GB18030 (Chinese)"),
        ("10:00 签到成功\n", "gb18030", "zh-hans", "GB18030（中文）"),
    ],
)
def test_the_log_viewer_names_the_encoding_in_words(as_agent, loaded_kb, settings, text, encoding, language, shown):
    from django.core.files.storage import default_storage

    ticket = create_ticket(files=[log_file("pos.log", "x\n")])
    attachment = ticket.attachments.get()
    with default_storage.open(attachment.file, "wb") as handle:  # stored as it came, not as UTF-8
        handle.write(text.encode(encoding))
    page = _log_page(as_agent, ticket, language)
    assert f" · {shown} · " in page
    assert "utf-8-sig" not in page.lower()


def test_error_words_are_marked_whole(as_agent, loaded_kb):
    text = "10:01 SIGN ON failed\n10:02 ERR_NET connect timeouts\n10:03 failover ok\n10:04 签到失败\n"
    ticket = create_ticket(files=[log_file("pos.log", text)])
    page = _log_page(as_agent, ticket)
    assert '<mark class="log-error">failed</mark>' in page
    assert '<mark class="log-error">fail</mark>' not in page
    assert '<mark class="log-error">ERR</mark>_NET' in page
    assert '<mark class="log-error">timeouts</mark>' in page
    assert "failover ok" in page  # a word that only starts like "fail" is no error
    assert '<mark class="log-error">失败</mark>' in page


@pytest.mark.parametrize(
    ("line", "found"),
    [
        ("fail", ["fail"]),
        ("failed", ["failed"]),
        ("FAILURE: host", ["FAILURE"]),
        ("errors=2 error", ["errors", "error"]),
        ("TIMEOUT_ERROR", ["TIMEOUT", "ERROR"]),
        ("connection refused", ["refused"]),
        ("timed out", ["timed out"]),
        ("terror failover", []),
        ("交易失败,超时", ["失败", "超时"]),
    ],
)
def test_the_error_pattern_takes_whole_english_words(line, found):
    assert [m.group(0) for m in ERROR_WORDS.finditer(line)] == found
