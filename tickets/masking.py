"""Card-number masking for everything a merchant types or uploads.

A card number (PAN) is 13–19 digits passing the Luhn check, written in one piece or in groups separated by
single spaces or dashes ("6228 4800 1234 5678", "6228-4800-..."). It is replaced by its first 6 and last 4
digits with a star for every digit in between, the most card-scheme rules allow anyone to keep.
"""

import re

MASK = "*"
# Runs of digit groups joined by one space or dash; each run is searched for card-number-shaped spans.
_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ \-][0-9]+)*(?![0-9])")
_GROUP = re.compile(r"[0-9]+")
_FULL_WIDTH_DIGITS = {0xFF10 + n: 0x30 + n for n in range(10)}
# What an already masked card looks like: 6 digits, stars, 4 digits.
MASKED_CARD = re.compile(r"^[0-9]{6}\*{3,9}[0-9]{4}$")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def mask_digits(digits: str) -> str:
    return digits[:6] + MASK * (len(digits) - 10) + digits[-4:]


def _mask_run(run: str) -> tuple[str, int]:
    """Mask card numbers inside one run of digit groups, looking at spans that start and end on group edges.

    A card followed by another number ("6228480012345678 000123") must still be found, so every span of whole
    groups up to 19 digits is tried, the longest valid one from the left winning.
    """
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(run)]
    out: list[str] = []
    count = 0
    position = 0  # index into run up to which out is filled
    i = 0
    while i < len(groups):
        found = None
        digits = ""
        for j in range(i, len(groups)):
            digits += run[groups[j][0] : groups[j][1]]
            if len(digits) > 19:
                break
            if len(digits) >= 13 and luhn_valid(digits):
                found = (j, digits)
        if found is None:
            i += 1
            continue
        j, digits = found
        out.append(run[position : groups[i][0]])
        out.append(mask_digits(digits))
        position = groups[j][1]
        count += 1
        i = j + 1
    out.append(run[position:])
    return "".join(out), count


def mask_card_numbers(text: str) -> tuple[str, int]:
    """Return the text with every card number masked, and how many were masked."""
    if not text or not any(c.isdigit() for c in text):
        return text, 0
    # Chinese input methods can produce full-width digits; a card number typed that way is still one.
    text = text.translate(_FULL_WIDTH_DIGITS)
    total = 0

    def replace(match: re.Match) -> str:
        nonlocal total
        run = match.group(0)
        if sum(c.isdigit() for c in run) < 13:
            return run
        masked, count = _mask_run(run)
        total += count
        return masked

    return _RUN.sub(replace, text), total
