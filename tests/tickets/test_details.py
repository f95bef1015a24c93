"""The merchant's fields are declared once (tickets/details.py); the form, the masking, the search text, the
prefilled details and the admin each take their list from that declaration, so they always agree."""

from dataclasses import asdict

import pytest
from django import forms

from tickets.admin import TicketAdmin
from tickets.details import DETAIL_NAMES, Kind, Section, TicketDetails, detail_names
from tickets.forms import FORM_ONLY_FIELDS, TicketForm
from tickets.models import Ticket
from tickets.search import FIELDS as SEARCH_FIELDS
from tickets.selectors import PREFILL_FIELDS, TERMINAL_FIELDS
from tickets.services.intake import MASKED_LISTS, MASKED_TEXT

from .conftest import CARD


def test_every_declared_field_is_a_column_of_the_ticket():
    columns = {field.name for field in Ticket._meta.get_fields()}
    assert set(DETAIL_NAMES) <= columns


def test_the_form_has_the_declared_fields_in_the_declared_order():
    # Steps come from repeated inputs the view reads, not from a form field.
    assert list(TicketForm().fields) == [*(name for name in DETAIL_NAMES if name != "steps"), *FORM_ONLY_FIELDS]


def test_every_field_a_card_number_fits_in_is_masked_and_no_other_detail_is():
    masked_details = {name for name in MASKED_TEXT if name in DETAIL_NAMES}
    assert masked_details == set(detail_names(kind=Kind.TEXT))
    assert detail_names(kind=Kind.LIST) == MASKED_LISTS


def test_every_identifier_left_unmasked_is_held_to_its_format_by_the_form():
    form = TicketForm()
    for name in detail_names(kind=Kind.IDENTIFIER):
        assert hasattr(TicketForm, f"clean_{name}") or isinstance(form.fields[name], forms.EmailField), name


def test_the_search_text_is_made_of_the_fields_declared_searched():
    assert detail_names(searched=True) == SEARCH_FIELDS
    assert "merchant_id" in SEARCH_FIELDS and "phone" not in SEARCH_FIELDS


def test_the_prefilled_and_terminal_fields_are_the_declared_sections():
    assert detail_names(section=Section.TERMINAL) == TERMINAL_FIELDS
    assert set(detail_names(section=Section.CONTACT)) < set(PREFILL_FIELDS)


def test_the_admin_shows_every_declared_field_once_in_its_section_and_order():
    shown = [name for _title, options in TicketAdmin.fieldsets for name in options["fields"]]
    lists = {f"{name}_list": name for name in detail_names(kind=Kind.LIST)}
    details = [lists.get(name, name) for name in shown if lists.get(name, name) in DETAIL_NAMES]
    by_section = [name for section in Section for name in detail_names(section=section)]
    assert details == by_section
    assert sorted(details) == sorted(DETAIL_NAMES)


@pytest.mark.django_db
def test_a_card_number_in_any_maskable_field_never_reaches_the_database(details):
    from tickets import services

    values = dict.fromkeys(detail_names(kind=Kind.TEXT), f"x {CARD}")
    values |= {name: [CARD] for name in detail_names(kind=Kind.LIST)}
    ticket = services.ticket_create(requester=None, details=details(**values), submission_key="c" * 32)
    stored = Ticket.objects.filter(pk=ticket.pk).values(*DETAIL_NAMES).get()
    assert [name for name, value in stored.items() if CARD in str(value)] == []


def test_the_details_dataclass_round_trips_through_its_declared_names(details):
    assert list(asdict(details())) == list(DETAIL_NAMES)
    assert isinstance(details(), TicketDetails)
