"""Flash messages placed where the reader is looking: beside the message just sent, in a named area, or above."""

from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from infra.flash import notice_sent, placed_messages


def _request():
    request = RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_sent_notice_goes_beside_its_message_and_the_rest_above():
    request = _request()
    messages.info(request, "above")
    notice_sent(request, "sent", message_pk=42, level=messages.WARNING)
    messages.error(request, "in the box", extra_tags="composer")

    placed = placed_messages(request, areas=("composer",))

    assert placed["sent_pk"] == 42
    assert [(str(m), m.level_tag) for m in placed["sent_notices"]] == [("sent", "warning")]
    assert [str(m) for m in placed["composer_messages"]] == ["in the box"]
    assert [str(m) for m in placed["messages"]] == ["above"]


def test_without_areas_an_area_notice_stays_above_and_nothing_was_sent():
    request = _request()
    messages.error(request, "refused", extra_tags="composer")
    messages.success(request, "odd tag", extra_tags="sent-x")

    placed = placed_messages(request)

    assert (placed["sent_pk"], placed["sent_notices"]) == (None, [])
    assert [str(m) for m in placed["messages"]] == ["refused", "odd tag"]
