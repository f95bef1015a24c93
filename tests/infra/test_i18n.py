"""current_language(): every view and model picks its language through this one helper."""

import pytest
from django.utils import translation

from infra.i18n import current_language


@pytest.mark.parametrize(
    ("active", "expected"), [("en", "en"), ("en-gb", "en"), ("zh-hans", "zh-hans"), ("fr", "zh-hans")]
)
def test_it_maps_the_active_language_to_one_of_the_two_portal_languages(active, expected):
    with translation.override(active):
        assert current_language() == expected


def test_without_an_active_language_it_is_chinese():
    with translation.override(None):
        assert current_language() == "zh-hans"


@pytest.mark.parametrize(("given", "expected"), [("EN", "en"), ("", "zh-hans"), ("zh-hant", "zh-hans")])
def test_a_given_language_wins_over_the_active_one(given, expected):
    with translation.override("en" if expected == "zh-hans" else "zh-hans"):
        assert current_language(given) == expected
