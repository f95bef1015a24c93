"""The codes read in a ticket's photos on the console's ticket page: offered to the classification with the
photo they came from ("A0 (from photo 2)"), and linked to their pages where the text under a photo has them,
as the log viewer links the codes of a log."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.agents.conftest import details
from tests.ocr_server import FakeOcrServer, reading_of, text_photo
from tickets.models import TicketClassification
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(settings, loaded_kb, django_capture_on_commit_callbacks):
    """A ticket whose photo 1 reads no code and photo 2 reads A0 ("AO" on the screen) and RESP:51."""
    server = FakeOcrServer(
        busy=0,
        readings=[reading_of("交易时间 2026/12/07 16:51"), reading_of("交易失败 AO校验错", "RESP:51 16:51")],
    )
    settings.OCR_SOCKET = server.path
    files = [SimpleUploadedFile(f"{n}.jpg", text_photo(["屏幕"]), content_type="image/jpeg") for n in (1, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        made = ticket_create(
            requester=None,
            details=details(response_code="", screen_text="", description="见照片"),
            submission_key="photo-codes-key-0001-padding",
            files=files,
        )
    yield made
    server.close()


def _page(client, ticket, language="en") -> str:
    with translation.override(language):
        return client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).content.decode()


def _suggestion(page: str) -> str:
    return page.split('id="suggestion"', 1)[1].split("</section>", 1)[0]


def test_the_codes_read_are_offered_to_the_classification_with_their_photo(client, agent, ticket):
    client.force_login(agent)
    offered = _suggestion(_page(client, ticket))
    assert 'name="response_code" value="A0"' in offered
    assert "(from photo 2)" in offered.split('value="A0"', 1)[1].split("</button>", 1)[0]
    assert 'value="51"' in offered


def test_the_source_is_said_in_chinese_too(client, agent, ticket):
    client.force_login(agent)
    offered = _suggestion(_page(client, ticket, "zh-hans"))
    assert "来自照片 2" in offered.split('value="A0"', 1)[1].split("</button>", 1)[0]


def test_choosing_an_offered_code_sets_the_classifications_response_code(client, agent, ticket):
    client.force_login(agent)
    url = reverse("agents:ticket_suggestion", kwargs={"reference": ticket.reference})
    client.post(url, {"response_code": "A0"})
    assert TicketClassification.objects.get(ticket=ticket).correct_response_code == "A0"


def test_the_codes_in_the_text_under_a_photo_link_to_their_pages(client, agent, ticket):
    client.force_login(agent)
    texts = _page(client, ticket).split('class="photo-text"')
    second = texts[2].split("</pre>", 1)[0]
    assert '<a class="log-code-link" href="/en/codes/A0/">AO</a>校验错' in second
    assert 'RESP:<a class="log-code-link" href="/en/codes/51/">51</a>' in second
    # A time on the receipt is no code, even when the photo read 51 elsewhere.
    assert "16:51" in second and "16:<a" not in second
    assert "log-code-link" not in texts[1].split("</pre>", 1)[0]


def test_staff_who_may_only_look_see_the_codes_and_their_photo_without_a_button(client, view_only_staff, ticket):
    client.force_login(view_only_staff)
    offered = _suggestion(_page(client, ticket))
    assert 'name="response_code" value="A0"' not in offered
    assert '<a href="/en/codes/A0/" class="mono">A0</a> (from photo 2)' in offered
