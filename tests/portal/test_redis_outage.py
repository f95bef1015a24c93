"""Redis killed, frozen or restarted mid-run: every page is still served, agents stay signed in, limits that
guard writes still hold, and once Redis is back nothing kept before the outage is served stale."""

import time

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from infra import cache as shared_cache
from kb.models import Article
from tests.kb.search_helpers import update_article
from tests.tickets.conftest import form_data
from tickets.models import Ticket

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("loaded_kb")]

HUB = "/articles/re-sign-in-prompt/"
PAGES = ["/", HUB, "/search/?q=签到", "/tickets/new/", "/codes/"]


@pytest.fixture
def no_waiting(monkeypatch):
    """Each call tries Redis again at once, as after RETRY_SECONDS: what the site does once it is back."""
    monkeypatch.setattr(shared_cache, "RETRY_SECONDS", 0.0)


def _sign_in(browser: Client) -> None:
    response = browser.post("/accounts/login/", {"username": "agent", "password": "agent-pass-123"})
    assert response.status_code == 302, response.content.decode()[:500]


def _queries(path: str) -> int:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert Client().get(path).status_code == 200
    return len(queries)


def test_every_page_and_form_is_served_while_redis_is_down(redis_server, agent):
    for path in PAGES:
        Client().get(path)  # kept in Redis, which is about to go
    redis_server.kill()

    assert [Client().get(path).status_code for path in PAGES] == [200] * len(PAGES)
    merchant = Client()
    assert merchant.get("/tickets/new/").status_code == 200
    sent = merchant.post("/tickets/new/", form_data())
    assert sent.status_code == 302 and Ticket.objects.count() == 1
    staff = Client()
    _sign_in(staff)
    assert staff.get("/agent/").status_code == 200
    assert Ticket.objects.get().reference in staff.get("/agent/").content.decode()


def test_a_signed_in_agent_stays_signed_in_across_the_outage(redis_server, agent, no_waiting):
    staff = Client()
    _sign_in(staff)
    assert staff.get("/agent/").status_code == 200

    redis_server.kill()
    during = staff.get("/agent/")
    redis_server.start()
    after = staff.get("/agent/")

    assert during.status_code == 200 and after.status_code == 200  # not a redirect to the sign-in page
    assert "agent" in after.content.decode()


@pytest.mark.parametrize("snapshot", [False, True], ids=["empty-restart", "restored-from-snapshot"])
def test_an_article_edited_during_the_outage_is_fresh_once_redis_is_back(redis_server, snapshot, no_waiting):
    hub = Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")
    assert hub.title in Client().get(HUB).content.decode()
    if snapshot:  # the old page and its generations come back with Redis, as from a persisted Redis
        redis_server.client().save()
    redis_server.kill()

    update_article(hub, title="签到失败时先看这里")  # its invalidation cannot reach Redis
    redis_server.start()

    assert "签到失败时先看这里" in Client().get(HUB).content.decode()
    assert "签到失败时先看这里" in Client().get(HUB).content.decode()


def test_the_page_cache_works_again_by_itself_once_redis_is_back(redis_server, no_waiting):
    redis_server.kill()
    assert _queries(HUB) > 0
    assert _queries(HUB) > 0  # nothing kept while Redis is gone
    redis_server.start()

    _queries(HUB)

    assert _queries(HUB) == 0


def test_a_page_from_the_cache_costs_one_round_trip(redis_server):
    Client().get(HUB)
    client = redis_server.client()
    client.config_resetstat()

    Client().get(HUB)

    calls = sum(stats["calls"] for stats in client.info("commandstats").values())
    assert calls == 2  # the page with its versions (MGET), and this INFO itself


def test_a_frozen_redis_costs_a_page_about_one_timeout(redis_server, agent):
    staff = Client()
    _sign_in(staff)
    visits = [(Client(), path) for path in PAGES] + [(staff, "/agent/")]
    for browser, path in visits:
        browser.get(path)
    redis_server.freeze()  # accepts connections, answers nothing: the slowest way to fail
    try:
        took = []
        for browser, path in visits:
            start = time.monotonic()
            assert browser.get(path).status_code == 200
            took.append(time.monotonic() - start)
    finally:
        redis_server.thaw()

    # One timeout of REDIS_SOCKET_TIMEOUT_MS, then no call waits again for RETRY_SECONDS: never one per call.
    assert max(took) < 3 and sum(took) < 3, took


def test_ticket_sends_are_still_limited_while_redis_is_down(redis_server, settings):
    settings.TICKET_RATE_LIMIT = 2
    redis_server.kill()
    merchant = Client()

    statuses = [
        merchant.post("/tickets/new/", form_data(submission_key=f"key{n:02d}" + "x" * 24)).status_code for n in range(3)
    ]

    assert statuses == [302, 302, 429]
    assert Ticket.objects.count() == 2


def test_search_is_not_limited_while_redis_is_down(redis_server, settings):
    settings.SEARCH_RATE_PER_MINUTE = 1
    redis_server.kill()

    assert [Client().get("/search/", {"q": f"签到 {n}"}).status_code for n in range(3)] == [200, 200, 200]


def test_the_limits_count_in_redis_when_it_is_up(redis_server, settings):
    settings.SEARCH_RATE_PER_MINUTE = 1
    Client().get("/search/", {"q": "签到"})

    assert Client().get("/search/", {"q": "签到"}).status_code == 429


def test_signing_out_while_redis_is_unreachable_stays_signed_out_once_it_answers(redis_server, agent, no_waiting):
    # Redis frozen (or cut off) keeps its copy of the session; the sign-out reaches only the database.
    staff = Client()
    _sign_in(staff)
    assert staff.get("/agent/").status_code == 200
    cookie = staff.cookies["sessionid"].value
    redis_server.freeze()
    try:
        assert staff.post("/accounts/logout/").status_code in (200, 302)
    finally:
        redis_server.thaw()

    thief = Client()
    thief.cookies["sessionid"] = cookie  # the old cookie, replayed once Redis answers again
    # Signed out: the console sends the visitor to sign in (it was served here a moment ago).
    answer = thief.get("/agent/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
