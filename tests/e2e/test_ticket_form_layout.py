"""The ticket form's first screen on a 390×844 phone: somewhere to start typing and the camera, above the fold."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journey import Shots

pytestmark = pytest.mark.django_db(transaction=True)

FIRST_FIELD = "#ticket-form .field :is(textarea, input:not([type=hidden]))"
PHOTO_BUTTON = "label[for=id_photos]"  # what a person taps: the file input itself is hidden behind it
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
    field, photo = phone.locator(FIRST_FIELD).first.bounding_box(), phone.locator(PHOTO_BUTTON).bounding_box()
    field_bottom, photo_bottom = field["y"] + field["height"], photo["y"] + photo["height"]
    print(f"\n390x844 {arrival}: first field ends at {field_bottom:.0f} px, photo button at {photo_bottom:.0f} px")
    assert phone.evaluate("window.scrollY") == 0  # the boxes are measured on the first screen
    assert field_bottom <= SCREEN_HEIGHT  # the whole field, not only its top edge
    assert photo_bottom <= SCREEN_HEIGHT
