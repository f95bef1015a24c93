"""The knowledge base written back after a flush (tests/kb_snapshot.py, what `loaded_kb` does) is what
`kb_load` gives: the same rows, ids included, and the same search answers, on SQLite and on PostgreSQL."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command

from kb.selectors import search_pages
from tests.kb.search_helpers import make_article
from tests.kb_snapshot import KbSnapshot

# As after a browser or outage test: the tables emptied by a flush, not by a rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True)

QUERIES = [
    ("签到失败", "zh-hans"),
    ("qiandao shibai", "zh-hans"),
    ("51", "zh-hans"),
    ("card declined", "en"),
    ("declnied", "en"),  # a correction: from search's term counts
]


def _answers() -> list:
    cache.clear()  # answers kept in the cache would hide what the index gives
    results = [search_pages(query, language=language) for query, language in QUERIES]
    return [(r.hits, r.codes, r.corrections, r.exact) for r in results]


def _flush() -> None:
    call_command("flush", interactive=False, verbosity=0)


# Frozen, so that the timestamps kb_load writes and those written back are the same instant.
@time_machine.travel(datetime(2025, 3, 1, 9, 30, tzinfo=UTC), tick=False)
def test_the_knowledge_base_written_back_after_a_flush_is_what_kb_load_gives():
    _flush()
    call_command("kb_load", verbosity=0)
    loaded, answers = KbSnapshot.take(), _answers()
    assert all(answer[0] for answer in answers)  # each query finds pages: the comparison below means something

    _flush()
    loaded.restore()

    assert KbSnapshot.take().rows == loaded.rows
    assert _answers() == answers


def test_pages_added_after_the_write_back_get_new_ids(django_db_setup):
    _flush()
    django_db_setup.restore()  # the snapshot taken when the test database was set up, as `loaded_kb` uses it

    article = make_article(slug="zebra-terminal", title="斑马牌终端死机")

    assert search_pages("斑马", language="zh-hans").hits[0].key == "zebra-terminal"
    assert article.pk > max(row[0] for row in django_db_setup.rows[type(article)])
