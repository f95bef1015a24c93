"""The text agents search tickets by, kept normalized on the ticket so a query is one indexed column scan.

The knowledge base's pipeline normalizes both sides (full-width → half-width, Traditional → Simplified,
lowercase), so "重新簽到" typed by an agent finds a ticket where the merchant wrote 重新签到.
"""

from kb.search import normalize
from tickets.details import detail_names

# The ticket fields an agent may search by, besides the reference and the messages (declared in tickets/details.py).
FIELDS = detail_names(searched=True)
# Long conversations stay searchable without the column growing without bound.
MAX_LENGTH = 20_000


def search_text_for(*, reference: str, values) -> str:
    """The search text of a new ticket; `values` has the FIELDS as attributes (a ticket or its details)."""
    parts = [reference, *(str(getattr(values, name, "") or "") for name in FIELDS)]
    return " ".join(filter(None, (normalize(part) for part in parts)))[:MAX_LENGTH]


def search_text_append(existing: str, body: str) -> str:
    """The search text after one more message."""
    return " ".join(filter(None, (existing, normalize(body))))[:MAX_LENGTH]
