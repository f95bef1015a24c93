"""Mobile numbers as merchants type them, in the one form that is stored and compared.

A mainland mobile number (the default) is kept as its 11 digits, whatever prefix was typed (+86, 0086, 86)
and however it was spaced; any other country needs its "+" (or "00") and is kept as "+<country><number>".
"""

import re

_SEPARATORS = re.compile(r"[\s\-－—().（）]+")
_FULL_WIDTH = {0xFF10 + n: 0x30 + n for n in range(10)} | {0xFF0B: 0x2B}
_MAINLAND = re.compile(r"^1[3-9]\d{9}$")
# E.164: at most 15 digits with the country code; shorter than 8 is no mobile number anywhere.
_INTERNATIONAL = re.compile(r"^\+[1-9]\d{7,14}$")


class InvalidNumber(ValueError):
    """`kind` says which rule the number broke: "mainland" (no + and not a mainland mobile number) or
    "international" (a + number that is not a possible one)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def normalize(raw: str) -> str:
    """The stored form of a mobile number, or InvalidNumber."""
    number = _SEPARATORS.sub("", (raw or "").translate(_FULL_WIDTH))
    if number.startswith("00"):
        number = "+" + number[2:]
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if number.startswith("+"):
        if not _INTERNATIONAL.match(number):
            raise InvalidNumber("international")
        return number
    if not _MAINLAND.match(number):
        raise InvalidNumber("mainland")
    return number


def e164(number: str) -> str:
    """+<country><number>, as Tencent Cloud wants it, from a normalized number."""
    return number if number.startswith("+") else "+86" + number
