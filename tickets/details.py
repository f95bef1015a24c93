"""What a merchant tells us about a problem, declared once: each field's name, type, kind and section.

Everything that lists the merchant's fields derives from `TicketDetails` here rather than keeping its own list:
the ticket form's field order (tickets/forms.py), what is masked when a request comes in
(tickets/services/intake.py), what agents search by (tickets/search.py), what a signed-in merchant need not
type again (tickets/selectors.py) and the admin's fieldsets (tickets/admin.py). A field added here shows up
in all of them, masked if a card number fits in it.
"""

from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class Kind(StrEnum):
    # Anything a card number fits in (free text, a serial number, a hidden field): masked wherever it is taken in.
    TEXT = "text"
    # A fixed format the form validates (an MID, a phone number, a 6-digit trace number): no card number fits.
    IDENTIFIER = "identifier"
    # Lines of free text (steps taken, fixes tried), each masked.
    LIST = "list"
    # A parsed date or amount: nothing to mask.
    VALUE = "value"


class Section(StrEnum):
    CONTACT = "contact"
    TERMINAL = "terminal"
    EVENT = "event"  # what happened, and where the merchant came from (article, search)
    TRANSACTION = "transaction"


def _spec(kind: Kind, section: Section, *, searched: bool = False) -> dict:
    """A field's metadata; `searched`: agents find the ticket by it (kept in its normalized search text)."""
    return {"kind": kind, "section": section, "searched": searched}


@dataclass(frozen=True, kw_only=True)
class TicketDetails:
    """What the merchant tells us, as the form (or any other caller) provides it, in the form's order."""

    contact_name: str = field(metadata=_spec(Kind.TEXT, Section.CONTACT, searched=True))
    phone: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.CONTACT))
    email: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.CONTACT))

    merchant_id: str = field(metadata=_spec(Kind.IDENTIFIER, Section.TERMINAL, searched=True))
    terminal_id: str = field(metadata=_spec(Kind.IDENTIFIER, Section.TERMINAL, searched=True))
    # Up to 40 letters and digits: a card number fits.
    serial_number: str = field(default="", metadata=_spec(Kind.TEXT, Section.TERMINAL, searched=True))
    terminal_model: str = field(default="", metadata=_spec(Kind.TEXT, Section.TERMINAL, searched=True))
    acquirer: str = field(default="", metadata=_spec(Kind.TEXT, Section.TERMINAL, searched=True))

    occurred_at: datetime = field(metadata=_spec(Kind.VALUE, Section.EVENT))
    # just_now / earlier_today / another_time (tickets.models.OccurredWhen); blank from callers that know the time.
    occurred_when: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.EVENT))
    location: str = field(default="", metadata=_spec(Kind.TEXT, Section.EVENT, searched=True))
    response_code: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.EVENT, searched=True))
    screen_text: str = field(default="", metadata=_spec(Kind.TEXT, Section.EVENT, searched=True))
    description: str = field(metadata=_spec(Kind.TEXT, Section.EVENT, searched=True))
    steps: list[str] = field(default_factory=list, metadata=_spec(Kind.LIST, Section.EVENT))
    tried_fixes: list[str] = field(default_factory=list, metadata=_spec(Kind.LIST, Section.EVENT))

    amount: Decimal | None = field(default=None, metadata=_spec(Kind.VALUE, Section.TRANSACTION))
    trace_number: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.TRANSACTION))
    batch_number: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.TRANSACTION))
    reference_number: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.TRANSACTION))
    auth_code: str = field(default="", metadata=_spec(Kind.IDENTIFIER, Section.TRANSACTION))
    # Checked against the masked pattern, but a full number typed here is exactly what must be masked.
    card_masked: str = field(default="", metadata=_spec(Kind.TEXT, Section.TRANSACTION))

    # Carried over from the article or search the merchant came from: hidden fields, so anything a script sends.
    article_slug: str = field(default="", metadata=_spec(Kind.TEXT, Section.EVENT))
    search_query: str = field(default="", metadata=_spec(Kind.TEXT, Section.EVENT))


def detail_names(
    *, kind: Kind | None = None, section: Section | None = None, searched: bool | None = None
) -> tuple[str, ...]:
    """The declared fields' names, in order, that have the kind, section and searchability asked for."""
    return tuple(
        spec.name
        for spec in fields(TicketDetails)
        if (kind is None or spec.metadata["kind"] == kind)
        and (section is None or spec.metadata["section"] == section)
        and (searched is None or spec.metadata["searched"] == searched)
    )


def detail_kind(name: str) -> Kind:
    return TicketDetails.__dataclass_fields__[name].metadata["kind"]


DETAIL_NAMES = detail_names()
