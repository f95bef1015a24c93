"""The dashboard's figures on a fixture whose expected numbers are worked out by hand below."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from agents import stats
from kb.models import Article, ResponseCode
from kb.search import SearchLog
from tests.agents.dashboard_helpers import deflection, search, ticket, vote
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

S, P = Ticket.Status, Ticket.Priority
H, D = timedelta(hours=1), timedelta(days=1)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def article(loaded_kb):
    return Article.objects.published().filter(language="zh-hans").order_by("slug").first()


@pytest.fixture
def seeded(now, article):
    """Seven tickets; the comments give each one's part in the expectations of the tests."""
    t1_at, t2_at, t7_at = now - D, now - 2 * D, now - 5 * H
    t1 = ticket(  # in the week; answered in 30 min (due 1 h: met); resolution due tomorrow (not judged)
        created_at=t1_at,
        status=S.OPEN,
        priority=P.HIGH,
        response_code="A0",
        article_slug=article.slug,
        first_responded_at=t1_at + 30 * timedelta(minutes=1),
        first_response_due=t1_at + H,
        resolution_due=now + D,
    )
    ticket(  # in the week; answered in 3 h (due 1 h: missed); resolved in 1 d (due 30 h: met)
        created_at=t2_at,
        status=S.RESOLVED,
        priority=P.NORMAL,
        response_code="A0",
        article_slug=article.slug,
        first_responded_at=t2_at + 3 * H,
        first_response_due=t2_at + H,
        resolved_at=t2_at + D,
        resolution_due=t2_at + 30 * H,
    )
    ticket(  # in the week; unanswered past its due time (missed, a first-response breach)
        created_at=now - 3 * D,
        status=S.NEW,
        priority=P.URGENT,
        response_code="51",
        article_slug="gone-article",
        first_response_due=now - H,
        resolution_due=now + D,
    )
    ticket(  # before the week; waiting since 5 d: breached first response before waiting, resolution paused
        created_at=now - 10 * D,
        status=S.WAITING_ON_MERCHANT,
        priority=P.LOW,
        waiting_since=now - 5 * D,
        first_response_due=now - 9 * D,
        resolution_due=now - D,
    )
    ticket(created_at=now - 40 * D, status=S.CLOSED, priority=P.NORMAL, response_code="A0")  # outside everything
    ticket(created_at=now - H, status=S.NEW, priority=P.NORMAL, response_code="A0", merged_into=t1)  # a duplicate
    ticket(  # in the week; answered in 1 h (due 2 h: met); resolution due an hour ago (missed, a breach)
        created_at=t7_at,
        status=S.OPEN,
        priority=P.NORMAL,
        response_code="A0",
        first_responded_at=t7_at + H,
        first_response_due=t7_at + 2 * H,
        resolution_due=now - H,
    )
    return [t1_at, t2_at, now - 3 * D, now - 10 * D, t7_at]  # creation times of the live tickets within 30 days


def _week(now):
    return stats.dashboard(days=7, language="zh-hans", now=now)


def test_open_tickets_are_counted_by_status_and_priority_without_merged_duplicates(seeded, now):
    data = _week(now).open_tickets

    table = {row.status: dict(zip([p.value for p in P], row.counts, strict=True)) for row in data.rows}
    assert table[S.NEW] == {"low": 0, "normal": 0, "high": 0, "urgent": 1}
    assert table[S.OPEN] == {"low": 0, "normal": 1, "high": 1, "urgent": 0}
    assert table[S.WAITING_ON_MERCHANT] == {"low": 1, "normal": 0, "high": 0, "urgent": 0}
    assert data.total == 4


def test_new_tickets_per_day_covers_thirty_local_days_with_zeros(seeded, now):
    per_day = _week(now).per_day

    expected = Counter(timezone.localdate(at) for at in seeded)
    assert len(per_day) == 30
    assert per_day[-1][0] == timezone.localdate(now)
    assert {day: n for day, n in per_day if n} == dict(expected)


def test_a_ninety_day_period_draws_ninety_days(seeded, now):
    per_day = stats.dashboard(days=90, language="zh-hans", now=now).per_day

    assert len(per_day) == 90
    assert sum(n for _, n in per_day) == 6  # the five within 30 days and the one 40 days old


def test_top_codes_and_source_articles_count_the_week(seeded, now, article):
    data = _week(now)

    a0 = ResponseCode.objects.get(code="A0")
    assert [(row.label, row.value) for row in data.top_codes][:1] == [(f"A0 {a0.name_zh}", 3)]
    assert [row.value for row in data.top_codes] == [3, 1]
    assert data.top_codes[1].label.startswith("51")
    assert [(row.label, row.value) for row in data.top_articles] == [(article.title, 2), ("gone-article", 1)]


def test_first_response_median_and_target_share(seeded, now):
    target = _week(now).first_response

    assert target.median == timedelta(hours=1)  # of 30 min, 3 h and 1 h
    assert target.target_median == timedelta(hours=1.5)  # of 1 h, 1 h, 2 h and 3 d - 1 h
    assert (target.done, target.judged, target.met) == (3, 4, 2)
    assert target.met_share == 0.5


def test_resolution_median_and_target_share(seeded, now):
    target = _week(now).resolution

    assert target.median == timedelta(days=1)
    assert target.target_median == timedelta(hours=39)  # of 4 h, 30 h, 2 d and 4 d
    assert (target.done, target.judged, target.met) == (1, 2, 1)


def test_breaches_count_open_tickets_past_a_due_time_and_respect_the_waiting_pause(seeded, now):
    breaches = _week(now).breaches

    assert (breaches.first_response, breaches.resolution, breaches.total) == (2, 1, 3)


def test_deflection_rate_compares_deflections_with_tickets_of_the_same_period(seeded, now):
    for _ in range(3):
        deflection(created_at=now - D)
    deflection(created_at=now - 20 * D)

    rate = _week(now).deflection

    assert (rate.deflected, rate.tickets) == (3, 4)
    assert rate.rate == pytest.approx(3 / 7)


def test_not_helpful_articles_list_the_period_votes_and_link_to_the_admin(now, article):
    other = Article.objects.published().exclude(slug=article.slug).first()
    vote(article=article, helpful=False, at=now - D)
    vote(article=article, helpful=False, at=now - 2 * D)
    vote(article=article, helpful=True, at=now - D)
    vote(article=article, helpful=False, at=now - 10 * D)  # before the week
    vote(article=other, helpful=True, at=now - D)  # only praised

    rows = _week(now).not_helpful

    assert [(row.label, row.value, row.extra) for row in rows] == [(article.title, 2, "1")]
    assert rows[0].url == f"/admin/kb/article/{article.pk}/change/"


def test_zero_result_searches_leave_out_suggestions_and_older_searches(now, loaded_kb):
    search(query="退款失败", results=0, at=now - D)
    search(query="退款失败", results=0, at=now - 2 * D)
    search(query="快递", results=0, at=now - D)
    search(query="半个", results=0, at=now - D, source=SearchLog.Source.SUGGEST)
    search(query="签到", results=5, at=now - D)
    search(query="旧的", results=0, at=now - 10 * D)

    rows = _week(now).zero_results

    assert [(row.label, row.value) for row in rows] == [("退款失败", 2), ("快递", 1)]
    assert rows[0].url.startswith("/admin/kb/searchlog/?") and "result_count=0" in rows[0].url
    assert rows[0].extra.startswith("/admin/kb/article/add/?title=")


def test_no_data_gives_empty_figures(db, now):
    data = _week(now)

    assert data.open_tickets.total == 0 and data.new_in_trend == 0
    assert data.first_response.median is None and data.first_response.met_share is None
    assert data.resolution.target_median is None
    assert data.deflection.rate is None
    assert data.top_codes == [] and data.not_helpful == [] and data.zero_results == []
