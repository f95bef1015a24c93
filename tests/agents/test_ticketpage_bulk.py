"""Many tickets at once for the ticket page's scale tests, by default half about the same merchant (a quarter the
same terminal) as the ticket looked at, so its "earlier tickets" and "same terminal" lists are full; written with
bulk_create."""

from datetime import timedelta

from django.utils import timezone

from tickets.models import Ticket


def other_tickets(count: int, *, like: Ticket, start: int = 0, same_every: int = 2) -> None:
    """`count` tickets; every `same_every`-th about the merchant of `like`, every other one of those its terminal."""
    now = timezone.now()
    statuses = Ticket.Status.values
    rows = [
        Ticket(
            reference=f"POS-2025-{n + 1:06d}",
            access_token_hash=f"bulk{n:060d}",
            submission_key=f"bulk-{n:059d}",
            contact_name="李雷",
            phone="13900139000",
            merchant_id=like.merchant_id if n % same_every == 1 else f"{102310058130000 + n % 1000}",
            terminal_id=like.terminal_id if n % (2 * same_every) == 1 else f"{20000000 + n}",
            occurred_at=now - timedelta(minutes=n),
            description="刷卡提示请重新签到",
            screen_text="请重新签到",
            response_code="A0",
            status=statuses[n % len(statuses)],
        )
        for n in range(start, start + count)
    ]
    Ticket.objects.bulk_create(rows, batch_size=1000)


def test_other_tickets_are_written_in_bulk(db):
    like = Ticket(merchant_id="102310058120001", terminal_id="12345678")
    other_tickets(8, like=like)
    assert Ticket.objects.filter(merchant_id=like.merchant_id).count() == 4
