"""The task that reads a ticket's photos: turned away as busy, it is tried again later with backoff (a bounded
number of times), then the photo is left without text; each reading is recorded in the ticket's history
("photo 2 read: code A0"), and so is a card number blacked out ("card number hidden in photo 1"), never the
number itself. A stand-in OCR server (tests/ocr_server.py) answers busy, then a reading."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import default_task_backend
from django.urls import reverse
from django.utils import timezone, translation

from tests.ocr_server import FakeOcrServer, reading_of, text_photo
from tickets.models import Attachment, TicketEvent

pytestmark = pytest.mark.django_db
CARD = "6222 0212 3456 7890 128"


def _photo(name: str = "screen.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text_photo(["交易失败"]), content_type="image/jpeg")


@pytest.fixture
def fake_ocr(settings):
    servers: list[FakeOcrServer] = []

    def start(*, busy: int, lines: tuple[str, ...] = ("交易失败", "AO 校验错，请重新签到")) -> FakeOcrServer:
        server = FakeOcrServer(busy=busy, reading=reading_of(*lines))
        settings.OCR_SOCKET = server.path
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def queue(settings):
    """The queue as the worker sees it: tasks kept with the time they may run (run by `work`)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.OCR_READ_RETRY_SECONDS = 30
    settings.OCR_READ_TRIES = 4


@pytest.fixture
def work(django_capture_on_commit_callbacks):
    """What db_worker does: run each queued task once its time has come (the clock moved there), committed;
    returns the times the tasks were due, in the order they ran."""

    def run() -> list:
        due, done = [], 0
        with time_machine.travel(timezone.now(), tick=False) as clock:
            while done < len(default_task_backend.results):
                result = default_task_backend.results[done]
                done += 1
                if result.task.run_after and result.task.run_after > timezone.now():
                    clock.move_to(result.task.run_after)
                due.append(result.task.run_after)
                with django_capture_on_commit_callbacks(execute=True):
                    result.task.call(*result.args, **result.kwargs)
        return due

    return run


def _ticket_with_photo(make_ticket, django_capture_on_commit_callbacks, files=None):
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _token = make_ticket(files=files or [_photo()])
    return ticket


def test_a_photo_turned_away_as_busy_is_read_on_a_later_try_with_backoff(
    make_ticket, queue, fake_ocr, work, django_capture_on_commit_callbacks
):
    server = fake_ocr(busy=2)
    ticket = _ticket_with_photo(make_ticket, django_capture_on_commit_callbacks)
    reads = [r for r in default_task_backend.results if r.task.name == "attachment_read"]
    assert len(reads) == 1
    started = timezone.now()
    due = [d for d, r in zip(work(), default_task_backend.results, strict=True) if r.task.name == "attachment_read"]
    assert server.photos == 3
    # The first try at once, then 30 s and 60 s after each busy answer.
    assert [round((d - started).total_seconds()) if d else 0 for d in due] == [0, 30, 90]
    attachment = Attachment.objects.get(ticket=ticket)
    assert "校验错" in attachment.photo_text and attachment.photo_codes == "A0"


def test_a_photo_busy_at_every_try_is_left_without_text_after_the_last(
    make_ticket, queue, fake_ocr, work, django_capture_on_commit_callbacks
):
    server = fake_ocr(busy=10**9)
    ticket = _ticket_with_photo(make_ticket, django_capture_on_commit_callbacks)
    work()
    assert server.photos == 4  # OCR_READ_TRIES, then no further try is queued
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.photo_text, attachment.photo_read_at) == ("", None)
    assert not ticket.events.filter(kind=TicketEvent.Kind.PHOTO_READ).exists()


def test_a_queue_that_runs_tasks_at_once_does_not_try_a_busy_server_again(
    make_ticket, fake_ocr, django_capture_on_commit_callbacks
):
    server = fake_ocr(busy=10**9)
    ticket = _ticket_with_photo(make_ticket, django_capture_on_commit_callbacks)
    assert server.photos == 1
    assert Attachment.objects.get(ticket=ticket).photo_read_at is None


def test_each_photo_read_is_in_the_tickets_history_with_its_code(
    make_ticket, fake_ocr, django_capture_on_commit_callbacks, client, agent
):
    fake_ocr(busy=0)
    ticket = _ticket_with_photo(
        make_ticket, django_capture_on_commit_callbacks, files=[_photo("one.jpg"), _photo("two.jpg")]
    )
    events = ticket.events.filter(kind=TicketEvent.Kind.PHOTO_READ).order_by("pk")
    assert [(e.old_value, e.new_value) for e in events] == [("1", "A0"), ("2", "A0")]
    client.force_login(agent)
    with translation.override("en"):
        page = client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference})).content.decode()
    assert "photo 2 read: code A0" in page.split('class="timeline"', 1)[1]


def test_a_card_number_blacked_out_is_in_the_history_without_the_number(
    make_ticket, fake_ocr, django_capture_on_commit_callbacks, client, agent
):
    fake_ocr(busy=0, lines=(f"卡号 {CARD}", "RESP:51"))
    ticket = _ticket_with_photo(make_ticket, django_capture_on_commit_callbacks)
    assert ticket.events.filter(kind=TicketEvent.Kind.PHOTO_CARD, new_value="1").count() == 1
    client.force_login(agent)
    with translation.override("en"):
        page = client.get(reverse("agents:ticket", kwargs={"reference": ticket.reference}))
    assert page.status_code == 200
    timeline = page.content.decode().split('class="timeline"', 1)[1]
    assert "card number hidden in photo 1" in timeline
    assert "7890128" not in page.content.decode().replace(" ", "")


def test_a_photo_read_twice_is_recorded_once(make_ticket, fake_ocr, django_capture_on_commit_callbacks):
    from tickets.photos import attachment_photo_read

    fake_ocr(busy=0)
    ticket = _ticket_with_photo(make_ticket, django_capture_on_commit_callbacks)
    attachment = Attachment.objects.get(ticket=ticket)
    assert attachment_photo_read(attachment_id=attachment.pk) == "none"
    assert ticket.events.filter(kind=TicketEvent.Kind.PHOTO_READ).count() == 1


def test_the_tries_wait_longer_each_time():
    from tickets.tasks import read_retry_delay

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tickets.tasks.can_try_later", lambda: True)
        from django.test import override_settings

        with override_settings(OCR_READ_RETRY_SECONDS=10, OCR_READ_TRIES=4):
            delays = [read_retry_delay(attempt) for attempt in (1, 2, 3, 4)]
    assert delays == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=40), None]
