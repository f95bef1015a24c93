"""Sessions while the database is down: the page the view rendered reaches the merchant, not a 400."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from infra import sessions


@pytest.fixture
def failing_write(monkeypatch):
    def save(self, must_create=False):
        raise UpdateError

    monkeypatch.setattr(DatabaseStore, "save", save)


@pytest.mark.django_db
def test_a_session_write_lost_to_an_unreachable_database_is_dropped(failing_write, monkeypatch, caplog):
    monkeypatch.setattr(sessions, "database_reachable", lambda alias: False)
    store = sessions.SessionStore()
    store["key"] = "value"
    store.save()  # no UpdateError: the session middleware would turn it into 400 Bad Request
    assert "database is unreachable" in caplog.text


@pytest.mark.django_db
def test_a_session_write_refused_by_a_reachable_database_still_ends_the_request(failing_write):
    # A session deleted meanwhile (signed out elsewhere) must not come back: Django answers 400 as it means to.
    store = sessions.SessionStore()
    store["key"] = "value"
    with pytest.raises(UpdateError):
        store.save()


@pytest.mark.django_db
def test_the_database_counts_as_reachable_while_it_answers():
    assert sessions.database_reachable("default")
