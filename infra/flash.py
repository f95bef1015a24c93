"""Flash messages placed where the reader is looking. A notice about a message just sent is shown beside that
message (the page opens at its anchor), not above a long conversation where nobody sees it; notices flashed
for a named area (the agent's composer) are shown there; the rest above the page, as on every other page."""

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest

SENT_PREFIX = "sent-"


def notice_sent(request: HttpRequest, text: str, *, message_pk: int, level: int = messages.SUCCESS) -> None:
    """Flash `text` for the next page, beside the conversation message `message_pk`."""
    messages.add_message(request, level, text, extra_tags=f"{SENT_PREFIX}{message_pk}")


def placed_messages(request: HttpRequest, *, areas: tuple[str, ...] = ()) -> dict:
    """The request's flash messages sorted for a page with a conversation: `sent_pk` and `sent_notices` (shown
    beside that message), `<area>_messages` for each area (flashed with extra_tags=area) and `messages`, the
    rest. Put in the page's context, `messages` replaces the context processor's."""
    rest: list[Message] = []
    sent: list[Message] = []
    sent_pk: int | None = None
    by_area: dict[str, list[Message]] = {area: [] for area in areas}
    for notice in messages.get_messages(request):
        tag = notice.extra_tags or ""
        if tag.startswith(SENT_PREFIX) and tag.removeprefix(SENT_PREFIX).isdigit():
            sent_pk = int(tag.removeprefix(SENT_PREFIX))
            sent.append(notice)
        elif tag in by_area:
            by_area[tag].append(notice)
        else:
            rest.append(notice)
    areas_context = {f"{area}_messages": notices for area, notices in by_area.items()}
    return {"messages": rest, "sent_pk": sent_pk, "sent_notices": sent, **areas_context}
