"""The log viewer says where it cut a line too long to show (issue 18 §4.1)."""

import pytest

from tests.agents.ticketpage import create_ticket, fast_passwords, page_url  # noqa: F401 (autouse fixture)
from tests.tickets.conftest import log_file
from tickets.logs import MAX_LINE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "marker"), [("en", "line cut"), ("zh-hans", "已截断")])
def test_a_line_too_long_to_show_is_cut_with_a_visible_marker(client, agent, language, marker):
    client.force_login(agent)
    ticket = create_ticket(files=[log_file("pos.log", "10:00 SIGN ON\n" + "9" * (MAX_LINE * 3) + "\n")])
    url = page_url(ticket, "agents:ticket_log", pk=ticket.attachments.get().pk)
    if language == "en":
        url = "/en" + url

    page = client.get(url).content.decode()

    assert "9" * MAX_LINE in page and "9" * (MAX_LINE + 1) not in page
    assert page.count(marker) == 1
