"""What the agent's ticket page shows: the merchant's facts, earlier tickets, the timeline, files, logs."""

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kb.models import Article
from tests.agents.ticketpage import create_ticket, fast_passwords, page_url  # noqa: F401 (autouse fixture)
from tests.tickets.conftest import log_file, photo, zip_file
from tickets import services
from tickets.logs import PAGE_LINES
from tickets.models import CannedReply, Ticket


@pytest.fixture
def as_agent(client, agent):
    client.force_login(agent)
    return client


def test_the_page_shows_what_the_merchant_sent(as_agent, loaded_kb):
    ticket = create_ticket(
        location="上海市徐汇区漕溪北路 1 号",
        tried_fixes=["重新签到"],
        search_query="请重新签到",
        steps=["开机", "操作员签到", "刷卡"],
    )
    page = as_agent.get(page_url(ticket)).content.decode()
    for text in (ticket.reference, "102310058120001", "12345678", "MAC校验错 请重新签到", "上海市徐汇区", "请重新签到"):
        assert text in page
    assert '<ol class="steps"><li>开机</li><li>操作员签到</li><li>刷卡</li></ol>' in page
    assert 'href="/codes/A0/"' in page  # the code links to its page


def test_due_times_are_shown_when_set(as_agent, loaded_kb):
    from django.utils import timezone

    ticket = create_ticket()
    due = timezone.localtime() + timezone.timedelta(days=3)
    page = as_agent.get(page_url(ticket)).content.decode()
    assert f"{due:%Y-%m-%d %H:%M}" not in page
    type(ticket).objects.filter(pk=ticket.pk).update(first_response_due=due, resolution_due=due)
    page = as_agent.get(page_url(ticket)).content.decode()
    assert page.count(f"{due:%Y-%m-%d %H:%M}") == 2


def test_earlier_tickets_of_the_merchant_or_terminal_are_listed_with_their_outcome(as_agent, agent, loaded_kb):
    same_mid = create_ticket(terminal_id="87654321")
    services.ticket_status_set(ticket=same_mid, agent=agent, status="resolved")
    same_tid = create_ticket(merchant_id="999999999999999")
    unrelated = create_ticket(merchant_id="888888888888888", terminal_id="11111111")
    ticket = create_ticket()
    # same_tid is another merchant's open ticket: not "for this terminal" (MID and TID), so earlier, not nearby.
    earlier = as_agent.get(page_url(ticket)).context["related"]
    assert [t.reference for t in earlier] == [same_tid.reference, same_mid.reference]
    assert unrelated.reference not in as_agent.get(page_url(ticket)).content.decode()
    assert earlier[1].status == "resolved"


def test_the_timeline_shows_who_changed_what(as_agent, agent, loaded_kb):
    ticket = create_ticket()
    services.ticket_priority_set(ticket=ticket, agent=agent, priority="high")
    services.ticket_assign(ticket=ticket, agent=agent, assignee=agent)
    events = as_agent.get(page_url(ticket)).context["events"]
    priority = next(e for e in events if e.kind == "priority")
    labels = (str(priority.old_label), str(priority.new_label))
    assert (priority.actor, labels) == (agent, (str(Ticket.Priority.NORMAL.label), str(Ticket.Priority.HIGH.label)))
    assigned = next(e for e in events if e.kind == "assignee")
    assert (assigned.old_user, assigned.new_user) == (None, agent)


def test_the_timeline_names_a_former_agent_the_ticket_was_assigned_to(as_agent, agent, loaded_kb):
    from django.contrib.auth import get_user_model

    former = get_user_model().objects.create_user(username="former", password="former-pass-123", is_staff=True)
    former.groups.set(agent.groups.all())
    ticket = create_ticket()
    services.ticket_assign(ticket=ticket, agent=agent, assignee=former)
    former.groups.clear()  # left the team: no longer among the agents a ticket can be given to
    events = as_agent.get(page_url(ticket)).context["events"]
    assigned = next(e for e in events if e.kind == "assignee")
    assert assigned.new_user == former


def test_the_replies_and_notes_of_a_deleted_agent_account_are_still_shown(as_agent, agent, loaded_kb):
    """An account removed after it answered leaves its messages without an author (SET_NULL): the page names
    the role instead of failing on the missing name (a filter argument that does not resolve raises)."""
    from django.contrib.auth import get_user_model

    former = get_user_model().objects.create_user(username="former", password="former-pass-123", is_staff=True)
    former.groups.set(agent.groups.all())
    ticket = create_ticket()
    services.ticket_agent_reply(ticket=ticket, agent=former, body="请在菜单里重新签到")
    services.ticket_note_add(ticket=ticket, agent=former, body="已联系收单行")
    former.delete()

    response = as_agent.get(page_url(ticket))

    assert response.status_code == 200
    page = response.content.decode()
    assert "请在菜单里重新签到" in page and "已联系收单行" in page
    assert "former" not in page


def test_canned_replies_are_filled_in_for_the_ticket(as_agent, agent, loaded_kb, settings):
    # The reply is emailed: its links are on the configured site address, whatever Host the request named.
    settings.SITE_URL = "https://help.example.com/"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    services.canned_reply_save(
        agent=agent,
        title="签到",
        language="zh-hans",
        body="{merchant_name}您好，工单{reference}：请看 {article:re-sign-in-prompt} {article:nope}",
    )
    ticket = create_ticket()
    ((_reply, text),) = as_agent.get(page_url(ticket), HTTP_HOST="evil.example").context["canned"]
    article = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    link = "https://help.example.com" + article.get_absolute_url()
    assert text == f"王芳您好，工单{ticket.reference}：请看 {link} {{article:nope}}"


def test_canned_replies_in_the_other_language_are_not_offered(as_agent, agent, loaded_kb):
    CannedReply.objects.create(title="Sign on", language="en", body="Hello")
    assert as_agent.get(page_url(create_ticket())).context["canned"] == []


def test_photos_form_the_gallery_and_logs_open_in_the_viewer(as_agent, loaded_kb):
    ticket = create_ticket(files=[photo("a.jpg"), photo("b.jpg"), log_file("pos.log")])
    context = as_agent.get(page_url(ticket)).context
    assert [a.original_name for a in context["images"]] == ["a.jpg", "b.jpg"]
    assert [a.original_name for a in context["logs"]] == ["pos.log.txt"]


def _log(as_agent, ticket, **params):
    pk = ticket.attachments.get().pk
    return as_agent.get(page_url(ticket, "agents:ticket_log", pk=pk), params)


def test_the_log_viewer_numbers_lines_and_links_known_codes(as_agent, loaded_kb):
    text = "10:00 SIGN ON OK\n10:01 SALE RC=A0 MAC ERROR\n10:02 SALE RC=ZZ\n"
    ticket = create_ticket(files=[log_file("pos.log", text)])
    response = _log(as_agent, ticket)
    lines = response.context["log"].lines
    assert [(line.number, line.codes, line.is_error) for line in lines] == [
        (1, [], False),
        (2, ["A0"], True),
        (3, [], False),
    ]
    # The code is a link where the log names it, and only there.
    assert '<a class="log-code-link" href="/codes/A0/"><mark class="log-code">RC=A0</mark></a>' in response.text


def test_the_log_viewer_escapes_the_log(as_agent, loaded_kb):
    ticket = create_ticket(files=[log_file("pos.log", "10:00 a < b & c > d ERROR\n")])
    page = _log(as_agent, ticket).content.decode()
    assert "a &lt; b &amp; c &gt; d" in page


def test_a_large_log_is_paged(as_agent, loaded_kb):
    text = "".join(f"line {n}\n" for n in range(1, PAGE_LINES * 2 + 11))
    ticket = create_ticket(files=[log_file("big.log", text)])
    log = _log(as_agent, ticket, page="3").context["log"]
    assert (log.page, log.pages, log.matches) == (3, 3, PAGE_LINES * 2 + 10)
    assert [line.number for line in log.lines] == list(range(PAGE_LINES * 2 + 1, PAGE_LINES * 2 + 11))


def test_the_log_search_keeps_line_numbers(as_agent, loaded_kb):
    ticket = create_ticket(files=[log_file("pos.log", "a\n签到成功\nb\n签到失败\n")])
    log = _log(as_agent, ticket, q="签到").context["log"]
    assert [(line.number, line.text) for line in log.lines] == [(2, "签到成功"), (4, "签到失败")]


def test_a_gb18030_log_is_shown_as_text(as_agent, loaded_kb):
    ticket = create_ticket(files=[log_file("pos.log", "应答码：A0 签到失败\n", encoding="gb18030")])
    log = _log(as_agent, ticket).context["log"]
    assert log.lines[0].text == "应答码：A0 签到失败"
    assert log.lines[0].codes == ["A0"]


def test_a_stored_gb18030_file_is_decoded_too(as_agent, loaded_kb, settings):
    # Logs are stored as UTF-8, but a file written before that (or restored by hand) may not be.
    from django.core.files.storage import default_storage

    ticket = create_ticket(files=[log_file("pos.log", "x\n")])
    attachment = ticket.attachments.get()
    with default_storage.open(attachment.file, "wb") as handle:
        handle.write("返回码 05 交易失败\n".encode("gb18030"))
    log = _log(as_agent, ticket).context["log"]
    assert (log.lines[0].text, log.encoding, log.encoding_name) == ("返回码 05 交易失败", "gb18030", "GB18030（中文）")


def test_gz_and_zip_logs_are_read(as_agent, loaded_kb):
    gz = SimpleUploadedFile("pos.log.gz", gzip.compress(b"gz line\n"), content_type="application/gzip")
    ticket = create_ticket(files=[gz])
    assert _log(as_agent, ticket).context["log"].lines[0].text == "gz line"
    ticket = create_ticket(files=[zip_file(members={"a.log": b"first\n", "b.log": b"second\n"})])
    log = _log(as_agent, ticket, member="b.log.txt").context["log"]
    assert log.members == ["a.log.txt", "b.log.txt"]
    assert log.lines[0].text == "second"
