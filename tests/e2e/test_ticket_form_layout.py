"""The ticket form's first screen on a 390×844 phone: somewhere to start typing and the camera, above the fold."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import Shots, top_of

pytestmark = pytest.mark.django_db(transaction=True)

FIRST_FIELD = "#ticket-form .field :is(textarea, input:not([type=hidden]))"
SCREEN_HEIGHT = 844


@pytest.mark.parametrize("arrival", ["direct", "from-hub-article"])
def test_the_first_screen_of_the_ticket_form_is_a_place_to_start_typing(loaded_kb, phone, arrival):
    if arrival == "direct":
        phone.goto("/tickets/new/")
    else:
        phone.goto("/articles/re-sign-in-prompt/")
        phone.locator("#feedback button[value=no]").click()
        expect(phone).to_have_url(re.compile(r"/tickets/new/"))
    Shots(f"ticket-form-first-screen-{arrival}")(phone, "first-screen")
    first_field, send = top_of(phone, FIRST_FIELD), top_of(phone, "button.send")
    photo = top_of(phone, "#id_photos, label[for=id_photos]")
    print(f"\n390x844 {arrival}: first field {first_field:.0f} px, photo button {photo:.0f} px, send {send:.0f} px")
    field_box = phone.locator(FIRST_FIELD).first.bounding_box()
    assert field_box["y"] + field_box["height"] <= SCREEN_HEIGHT
    assert photo < SCREEN_HEIGHT
