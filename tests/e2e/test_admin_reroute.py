"""An administrator applies changed routing rules to the open tickets from the admin: a confirmation page
says what would move, then the tickets move (each recorded on its ticket)."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from tests.agents.conftest import make_ticket
from tests.e2e.journey import Shots
from tickets.models import RoutingRule, Ticket, TicketEvent
from tickets.services.routing import routing_rule_save, team_save, ticket_team_set

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_admin_confirms_then_moves_every_open_ticket_the_rules_match(browser, live_server, agent):
    lakala = team_save(actor=agent, name="拉卡拉组", members=[agent])
    shenzhen = team_save(actor=agent, name="深圳组", members=[agent])
    plain = make_ticket(acquirer="拉卡拉支付")
    by_hand = make_ticket(acquirer="拉卡拉支付")
    ticket_team_set(ticket=by_hand, agent=agent, team=shenzhen)
    routing_rule_save(actor=agent, team=lakala, field=RoutingRule.Field.ACQUIRER, value="拉卡拉", position=10)

    client = Client()
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-123"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    failed: list[tuple[str, int]] = []
    page.on(
        "response", lambda response: failed.append((response.url, response.status)) if response.status >= 400 else None
    )
    shots = Shots("admin-reroute")

    page.goto("/admin/tickets/routingrule/")
    page.locator("#action-toggle").check()
    page.select_option("select[name=action]", "apply_to_open_tickets")
    page.locator("button[name=index]").click()
    expect(page.locator("#content-main")).to_contain_text("仅限没有团队的未结工单：1 个工单将转入团队。")
    expect(page.locator("#content-main")).to_contain_text("所有未结工单：2 个工单将更换团队")
    expect(page.locator("#content-main table")).to_contain_text(by_hand.reference)
    shots(page, "confirmation-zh-1280x800", full_page=True)
    assert Ticket.objects.get(pk=plain.pk).team is None  # nothing moved before the confirmation

    page.locator("input[name=scope][value=all]").check()
    page.get_by_role("button", name="是的，转移这些工单").click()
    expect(page.locator(".messagelist")).to_contain_text("已将 2 个未结工单转到对应团队。")
    shots(page, "done-zh-1280x800")
    assert set(Ticket.objects.filter(team=lakala).values_list("pk", flat=True)) == {plain.pk, by_hand.pk}
    assert TicketEvent.objects.filter(kind=TicketEvent.Kind.TEAM, actor__username="root").count() == 2
    assert failed == []
    context.close()
