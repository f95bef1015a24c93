"""The search log is stored in one insert after the response: nothing written while the merchant waits,
no card number kept, and a database that refuses the insert costs the merchant nothing."""

import io
import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kb import search, search_views
from kb.search.models import SearchLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_kb")]

API = "/api/search"


def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_a_search_writes_nothing_until_its_response_is_finished():
    request = RequestFactory().get(API, {"q": "请重新签到"})
    with CaptureQueriesContext(connection) as queries:
        response = search_views.api(request)
    assert response.status_code == 200 and _writes(queries) == [] and not SearchLog.objects.exists()

    # The WSGI server has sent the response (the connection kept open, as Django's test client does).
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)

    assert list(SearchLog.objects.values_list("query", flat=True)) == ["请重新签到"]


def test_every_search_and_open_is_stored_once_each_response_is_sent(client):
    links = [client.get(API, {"q": q}).json()["results"][0]["open_url"] for q in ("A0", "请重新签到", "签到失败")]
    client.get(links[0])
    client.get(links[0])  # only the first open counts

    assert SearchLog.objects.count() == 3
    assert list(SearchLog.objects.exclude(opened_position=None).values_list("query", flat=True)) == ["A0"]


def test_the_searches_of_one_response_are_stored_in_one_insert():
    for query in ("A0", "签到失败"):
        search.log_search(query=query, result=search.search(query, language="zh-hans"), source="api")
    with CaptureQueriesContext(connection) as queries:
        assert search.flush_log() == 2
    assert len([sql for sql in _writes(queries) if "kb_searchlog" in sql]) == 1


def test_a_card_number_never_reaches_the_log(client):
    client.get(API, {"q": "卡号 6222021234567890128 签到失败"})

    (logged,) = SearchLog.objects.values_list("query", "normalized")
    assert "6222021234567890128" not in "".join(logged) and "签到失败" in logged[0]


def test_a_log_the_database_refuses_is_reported_and_the_search_still_answered(client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise connection.features.connection.Database.OperationalError("disk I/O error")

    monkeypatch.setattr(SearchLog.objects, "bulk_create", refuse)
    with caplog.at_level(logging.ERROR, logger="kb.search.services"):
        response = client.get(API, {"q": "签到失败"})

    assert response.status_code == 200 and response.json()["results"]
    assert "Could not store 1 search log records" in caplog.text and not SearchLog.objects.exists()


def test_a_busy_process_stores_its_searches_in_one_insert_at_most_every_few_seconds(client, settings):
    settings.SEARCH_LOG_FLUSH_SECONDS = 60
    search.flush_log()  # as if this process had just stored its log
    for query in ("A0", "A1", "签到失败"):
        client.get(API, {"q": query})
    assert not SearchLog.objects.exists()

    assert search.flush_log() == 3  # when due, or at the process's exit

    assert SearchLog.objects.count() == 3


def test_an_open_whose_search_another_process_has_not_stored_yet_waits_for_it():
    search.open_logged(key="later", position=1)
    assert search.flush_log() == 0

    # The other process stores the search.
    SearchLog.objects.create(
        key="later", query="A0", normalized="a0", language="zh-hans", source="api", results=[], result_count=0
    )
    search.flush_log()

    assert SearchLog.objects.get(key="later").opened_position == 1


def _logged(query: str, days_ago: int) -> SearchLog:
    return SearchLog.objects.create(
        key=f"k-{query}",
        created_at=timezone.now() - timedelta(days=days_ago),
        query=query,
        normalized=query,
        language="zh-hans",
        source="api",
        result_count=0,
        results=[],
    )


def test_pruning_deletes_only_the_records_older_than_the_kept_days_in_batches(settings):

    for days in (401, 500, 900):
        _logged(f"old {days}", days)
    _logged("this year", 399)
    _logged("today", 0)
    settings.SEARCH_LOG_KEEP_DAYS = 400
    out = io.StringIO()

    with CaptureQueriesContext(connection) as queries:
        deleted = search.prune_log(older_than=timedelta(days=400))
    call_command("search_log_prune", stdout=out)

    assert deleted == 3
    assert sorted(SearchLog.objects.values_list("query", flat=True)) == ["this year", "today"]
    assert "Deleted 0 search records older than 400 days." in out.getvalue()
    assert sum(q["sql"].lstrip().upper().startswith("DELETE") for q in queries.captured_queries) == 1


def test_the_prune_command_honours_days_and_refuses_nonsense():

    _logged("last month", 31)
    _logged("yesterday", 1)
    out = io.StringIO()
    call_command("search_log_prune", "--days", "30", stdout=out)
    assert list(SearchLog.objects.values_list("query", flat=True)) == ["yesterday"]
    assert "Deleted 1 search records older than 30 days." in out.getvalue()
    with pytest.raises(SystemExit):
        call_command("search_log_prune", "--days", "0", stderr=io.StringIO())
