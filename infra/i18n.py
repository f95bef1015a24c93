"""The site's two languages, decided in one place."""

from django.utils.translation import get_language

ENGLISH = "en"
CHINESE = "zh-hans"


def current_language(language: str | None = None) -> str:
    """The portal language for `language` (or the active one): "en" for any English variant, else Chinese.

    Content exists in exactly these two languages, so "en-gb", "en" and an unset language must all land on one
    of them; Simplified Chinese is the default.
    """
    language = get_language() if language is None else language
    return ENGLISH if (language or "").lower().startswith("en") else CHINESE
