"""An agent reads the dashboard on a phone: charts drawn, numbers in reach, nothing fetched that fails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.agents.dashboard_helpers import search, ticket
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, user, password):
    page.goto("/accounts/login/?next=/agent/dashboard/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.click("form.narrow-form button[type=submit]")
    page.wait_for_url("**/agent/dashboard/")


def test_an_agent_reads_the_dashboard_on_a_phone(phone, agent):
    now = timezone.now()
    for hours, code in ((2, "A0"), (30, "A0"), (60, "51")):
        ticket(created_at=now - timedelta(hours=hours), response_code=code, priority=Ticket.Priority.HIGH)
    search(query="刷脸支付", results=0, at=now)
    failed = []
    phone.on("requestfailed", lambda request: failed.append(request.url))
    # The browser's own favicon probe counts too: the site answers it.
    phone.on("response", lambda r: r.status >= 400 and failed.append(r.url))

    _sign_in(phone, agent, "agent-pass-123")

    assert phone.locator("svg.chart").count() == 3  # open, per day, codes (no ticket came from an article)
    assert phone.locator("svg.chart").first.is_visible()
    section = phone.locator("section", has=phone.locator("#codes-title"))
    section.locator("summary").click()
    assert section.locator("table td").first.inner_text() == "2"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.select_option("select[name=days]", "30")
    phone.click("form.dash-period button")
    phone.wait_for_url("**/agent/dashboard/?days=30")
    assert "刷脸支付" in phone.locator("section:has(#write-title)").inner_text()
    assert failed == []


def test_an_agent_sees_the_merchants_answers_per_agent_and_per_article(desktop, agent):
    from tickets import services
    from tickets.models import TicketFeedback

    for number, helped in enumerate((True, True, False)):
        resolved = ticket(created_at=timezone.now() - timedelta(hours=number + 1), article_slug="re-sign-in-prompt")
        TicketFeedback.objects.create(
            ticket=resolved, helped=helped, agent=agent, article_slug="re-sign-in-prompt", resolved_at=timezone.now()
        )
    assert services.feedback_open(resolved) is False  # not resolved: nothing more to ask
    failed = []
    desktop.on("response", lambda r: r.status >= 400 and failed.append(r.url))
    _sign_in(desktop, agent, "agent-pass-123")
    section = desktop.locator("#csat")
    section.scroll_into_view_if_needed()
    rows = section.locator("tbody tr")
    assert rows.first.inner_text().split("\t") == ["agent", "2", "1", "67%"]
    assert rows.nth(1).inner_text().split("\t")[1:] == ["2", "1", "67%"]
    from tests.e2e.journey import Shots

    Shots("dashboard-csat")(desktop, "csat")
    assert failed == []
