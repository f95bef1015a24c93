"""Card-number masking for everything a visitor types or uploads, before any of it is stored or logged.

A card number (PAN) is 13–19 digits passing the Luhn check. People write them in many ways, and every one
must be caught: full-width digits from a Chinese input method, groups separated by the ideographic space,
NBSP, tabs, line breaks, doubled spaces, hyphens and dashes of every width, dots, with zero-width characters
pasted in between, or glued to other digits in a log line (ISO 8583 dumps put the length right before it).

Detection works on what a reader sees: every Unicode decimal digit counts as its digit, every Unicode space,
dash or dot between digits as a separator, and zero-width/format characters as nothing. The span from the
first to the last digit of a card number is replaced, in the original text, by its first 6 and last 4 digits
with a star for every digit in between — the most card-scheme rules allow anyone to keep.

Three shapes are recognised, strictest evidence last:
- one whole group of 13–19 digits passing Luhn;
- several groups whose digits together pass Luhn, when the grouping is one that cards print (4-4-4-4…,
  4-6-5, 6-…) or the number starts like a card (a scheme's issuer prefix);
- a stretch of 13–19 digits inside a longer digit string, when it passes Luhn *and* starts like a card.
The prefix condition is what keeps dates, trace numbers and other long identifiers from being masked by
chance (one random digit string in ten passes Luhn).
"""

import re
import unicodedata

MASK = "*"
# Separators a person (or an input method) puts between digit groups.
_SEPARATOR = r"\s\-\u2010-\u2015\u2212\u2E3A\u2E3B\uFE58\uFE63\uFF0D.\uFF0E\u3002\u00B7\u30FB\u2022\uFF65"
# Invisible characters that pasting or malice puts between digits; they separate nothing.
_INVISIBLE = r"\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF"
_MAX_GAP = 6
_GAP = rf"[{_SEPARATOR}{_INVISIBLE}]{{0,{_MAX_GAP}}}"
_RUN = re.compile(rf"\d(?:{_GAP}\d)*")
_VISIBLE_SEPARATOR = re.compile(rf"[{_SEPARATOR}]")
MIN_DIGITS, MAX_DIGITS = 13, 19
# Only a run with MIN_DIGITS digits can hold a card number (a shorter one is returned as it is), and looking
# for those alone is what keeps masking a long log cheap: its dates and times are runs too, short ones.
# (?<!\d) changes no match (a run never starts right after a digit); it spares the engine from trying again
# at every digit of a run that was too short.
_LONG_RUN = re.compile(rf"(?<!\d)\d(?:{_GAP}\d){{{MIN_DIGITS - 1},}}")
# Where a run certainly ends: at a character that is neither digit nor separator, or after more separators
# than a gap holds. The pattern reads the same backwards, so it can be searched for in reversed text.
_RUN_BREAK = re.compile(rf"[^\d{_SEPARATOR}{_INVISIBLE}]|[{_SEPARATOR}{_INVISIBLE}]{{{_MAX_GAP + 1}}}")
GLUED_LENGTHS = (19, 16, 15)
# What an already masked card looks like: 6 digits, stars, 4 digits.
MASKED_CARD = re.compile(r"^[0-9]{6}\*{3,9}[0-9]{4}$")
# Groupings that cards print or people copy from them (Amex 4-6-5, Diners 4-6-4, UnionPay 6-13).
_CARD_LAYOUTS = {(4, 6, 5), (4, 6, 4), (6, 13), (6, 12), (6, 10)}


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


def looks_like_issuer_prefix(digits: str) -> bool:
    """The first digits of a card of the schemes seen at Chinese terminals: Visa (4), Mastercard (51–55,
    2221–2720), UnionPay (62, 81), Amex (34, 37), JCB (35), Discover (6011, 644–649, 65)."""
    if digits[0] == "4" or digits[:2] in ("34", "35", "37", "62", "65", "81") or "51" <= digits[:2] <= "55":
        return True
    return digits[:4] == "6011" or "644" <= digits[:3] <= "649" or "2221" <= digits[:4] <= "2720"


def mask_digits(digits: str) -> str:
    return digits[:6] + MASK * (len(digits) - 10) + digits[-4:]


def _is_card_layout(sizes: tuple[int, ...]) -> bool:
    if len(sizes) == 1 or sizes in _CARD_LAYOUTS:
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4


def _digits_and_groups(run: str) -> tuple[str, list[int], list[tuple[int, int]]]:
    """The run's digits as ASCII, each digit's index in the run, and the digit groups as (start, end)
    indexes into the digit string. Only a visible separator starts a new group."""
    digits: list[str] = []
    positions: list[int] = []
    groups: list[tuple[int, int]] = []
    start = 0
    previous = -1
    for index, char in enumerate(run):
        value = unicodedata.decimal(char, None)
        if value is None:
            continue
        if previous >= 0 and _VISIBLE_SEPARATOR.search(run, previous + 1, index):
            groups.append((start, len(digits)))
            start = len(digits)
        digits.append(str(value))
        positions.append(index)
        previous = index
    groups.append((start, len(digits)))
    return "".join(digits), positions, groups


def _spans_on_group_edges(digits: str, groups: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Card numbers made of whole groups, the longest valid one from the left winning."""
    spans = []
    i = 0
    while i < len(groups):
        found = None
        for j in range(i, len(groups)):
            start, end = groups[i][0], groups[j][1]
            if end - start > MAX_DIGITS:
                break
            candidate = digits[start:end]
            sizes = tuple(b - a for a, b in groups[i : j + 1])
            if (
                end - start >= MIN_DIGITS
                and luhn_valid(candidate)
                and (_is_card_layout(sizes) or looks_like_issuer_prefix(candidate))
            ):
                found = (j, (start, end))
        if found is None:
            i += 1
            continue
        j, span = found
        spans.append(span)
        i = j + 1
    return spans


def _spans_inside(digits: str, start: int, end: int) -> list[tuple[int, int]]:
    """Card numbers glued to other digits between start and end: Luhn plus an issuer prefix, in the lengths
    cards are issued in (19 and 16; 15 for Amex), longest first."""
    spans = []
    position = start
    while end - position >= GLUED_LENGTHS[-1]:
        for length in GLUED_LENGTHS:
            candidate = digits[position : position + length]
            if length > end - position or (length == 15 and candidate[:2] not in ("34", "37")):
                continue
            if looks_like_issuer_prefix(candidate) and luhn_valid(candidate):
                spans.append((position, position + length))
                position += length
                break
        else:
            position += 1
    return spans


def _card_spans(digits: str, groups: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = _spans_on_group_edges(digits, groups)
    # What the whole groups left over may still hide a glued number.
    found = []
    cursor = 0
    for span in [*spans, (len(digits), len(digits))]:
        found.extend(_spans_inside(digits, cursor, span[0]))
        cursor = span[1]
    return sorted(spans + found)


def _mask_run(run: str) -> tuple[str, int]:
    digits, positions, groups = _digits_and_groups(run)
    spans = _card_spans(digits, groups)
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        out.append(run[cursor : positions[start]])
        out.append(mask_digits(digits[start:end]))
        cursor = positions[end - 1] + 1
    out.append(run[cursor:])
    return "".join(out), len(spans)


def _mask_runs(runs: re.Pattern, text: str) -> tuple[str, int]:
    total = 0

    def replace(match: re.Match) -> str:
        nonlocal total
        run = match.group(0)
        if len(run) < MIN_DIGITS:
            return run
        masked, count = _mask_run(run)
        total += count
        return masked

    return runs.sub(replace, text), total


def mask_card_numbers(text: str) -> tuple[str, int]:
    """Return the text with every card number masked, and how many were masked."""
    if not text:
        return text, 0
    return _mask_runs(_RUN, text)


def mask(text: str) -> str:
    """The masked text alone, for places that do not report a count (logs, search queries)."""
    return mask_card_numbers(text)[0]


class CardNumberMasker:
    """mask_card_numbers for text that arrives in pieces, such as a log read block by block.

    feed() returns the masked text up to the last place where no run can go on into later text, and holds
    back the rest; finish() returns that. Joined, the pieces are exactly mask_card_numbers(all the text),
    and `count` is its count: a run (and with it a card number) can span lines, so pieces are cut only
    where a run certainly ends. A text that is one endless run is held whole, as mask_card_numbers would.
    """

    def __init__(self) -> None:
        self.count = 0
        self._held = ""

    def feed(self, text: str) -> str:
        # What is held has no run break in it, so one can only end in the new text.
        start = max(0, len(self._held) - _MAX_GAP)
        text = self._held + text
        found = _RUN_BREAK.search(text[start:][::-1])
        end = len(text) - found.start() if found else 0
        self._held = text[end:]
        return self._mask(text[:end])

    def finish(self) -> str:
        text, self._held = self._held, ""
        return self._mask(text)

    def _mask(self, text: str) -> str:
        masked, count = _mask_runs(_LONG_RUN, text)
        self.count += count
        return masked
