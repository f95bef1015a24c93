"""Card-number masking for everything a visitor types or uploads, before any of it is stored or logged.

A card number (PAN) is 13–19 digits that pass the Luhn check and start the way one card network issues
numbers of that length. The design does not list the ways people separate digit groups, because every
list invites the next bypass; it reads text the way a person sees it:

- a digit is any character with a digit value or an NFKC digit (full-width, Arabic-Indic, superscript,
  subscript, circled, mathematical, keycap's ASCII digit…) and the Chinese numerals 〇一…九/零;
- between two digits of one number may stand ANY run of up to MAX_GAP characters that are neither letters
  nor digits (spaces, line breaks and indents, punctuation, symbols, controls, format characters, and the
  modifier letters such as ー that read as dashes), where an ANSI escape sequence counts as one. Letters,
  CJK characters and `*` (what masking writes) end it;
- inside such a chain of digit groups, a candidate is 13–19 consecutive digits that starts and ends on
  group edges, or lies inside one group with at least one end on its edge (a length prefix such as
  ISO 8583's `F2=16…`, or a field glued after it), or, inside one group with neither end on an edge, has
  the length of most cards (15 Amex, 16, 19) or the length that the two digits before it announce (a raw
  ISO 8583 message, its fields glued together);
- a candidate is a card when it passes Luhn and its prefix belongs to a network issuing that length.

Every digit covered by a card candidate is masked; overlapping candidates are masked as one span, so a
chance match next to a real card can only mask more, never leave the card readable. A span is replaced,
in the original text, by its first 6 and last 4 digits with a star for every digit between.

Work is linear in the text and memory bounded: chains are found by one regular expression whose every
repetition is possessive, and CardNumberMasker cuts a chain that never ends into pieces of HOLD_CHARS,
keeping only the few digits a candidate can reach across the cut.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache

MASK = "*"
MIN_DIGITS, MAX_DIGITS = 13, 19
# Separator characters (an escape sequence counting as one) allowed between two digits of one number.
MAX_GAP = 32
# What an already masked card looks like: 6 digits, stars, 4 digits.
MASKED_CARD = re.compile(r"^[0-9]{6}\*{3,9}[0-9]{4}$")
# Lengths of a card glued to digits on both sides (nothing in the text marks where it starts or ends).
_UNMARKED_LENGTHS = frozenset({15, 16, 19})
# A streaming masker holds at most this much text of one unbroken chain before cutting it.
HOLD_CHARS = 64 * 1024
# Digits kept on both sides of such a cut: a candidate crossing it reaches at most MAX_DIGITS - 1 digits
# away, and whether a group ends after a digit needs the character after it.
_MARGIN_DIGITS = MAX_DIGITS + 3
# A chain with this many digits is read with numpy (imported then, not before: most text never has one),
# so that a hostile log of nothing but digits is masked at the speed of ordinary text.
_VECTOR_CHARS = 1024
# What feed() reads again of the held text: an escape sequence or a break's separators may begin there
# (a gap is at most MAX_GAP escape sequences of at most 150 characters).
_REREAD_CHARS = 160 * (MAX_GAP + 1)

_CHINESE_NUMERALS = "〇一二三四五六七八九"


def _reading() -> dict[int, int]:
    """One character for one: every character that reads as a digit to the ASCII digit; every modifier
    letter (the long-vowel mark ー, ˇ, ʹ…: letters to Unicode, dashes and ticks to a reader) to "-";
    every character a reader does not see (format characters, combining marks such as a keycap's,
    controls other than whitespace) to NUL, which splits no digit group."""
    table: dict[int, int] = {}
    for code in range(0x20000):  # no character past plane 1 has a digit value
        char = chr(code)
        category = unicodedata.category(char)
        if category == "Lm":
            table[code] = ord("-")
            continue
        if category in ("Cf", "Mn", "Me") or (category == "Cc" and not char.isspace() and char != "\x1b"):
            table[code] = 0
            continue
        value = unicodedata.digit(char, None)
        if value is None:
            folded = unicodedata.normalize("NFKC", char)
            value = int(folded) if len(folded) == 1 and "0" <= folded <= "9" else None
        if value is not None:
            table[code] = 48 + value
    for value, char in enumerate(_CHINESE_NUMERALS):
        table[ord(char)] = 48 + value
    table[ord("零")] = 48
    return table


_TO_ASCII = _reading()


# ANSI/VT escape sequences (CSI, OSC, two-character). They are read as one separator, their own digits
# never count: before anything else they are overwritten with NUL, and a run of NUL is one separator.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]{0,128}+(?:\x07|\x1b\\)?"  # OSC: a window title, a hyperlink
    r"|\x1b\[[0-?]{0,16}+[ -/]{0,4}+[@-~]"  # CSI: colours, cursor moves
    r"|\x1b[@-Z\\-_]"  # two characters
)
# Everything below reads the "plain" copy of a text (plain()). Neither a letter nor a digit is a separator
# (`_` is a word character to `re`, a separator to a reader); `*` is not one: it is what masking writes,
# so masked numbers side by side never join into a new one. A run of NUL is one separator.
_SEPARATOR = r"(?:\x00++|[^\w*\x00]|_)"
# A chain of at least MIN_DIGITS digits. Every repetition is possessive: gap and digit never overlap, so
# the longest gap is always the right one, and nothing is tried twice.
_CHAIN = re.compile(rf"(?<![0-9])[0-9](?:{_SEPARATOR}{{0,{MAX_GAP}}}+[0-9]){{{MIN_DIGITS - 1},}}+")
_NOT_DIGITS = re.compile(r"[^0-9]+")
_ASCII_DIGIT = re.compile(r"[0-9]")
# Where a chain certainly ends: a letter or `*`, or more separators than a gap holds (counting NUL, so a
# run of escape sequences is never taken for a break that it is not). The pattern reads the same
# backwards, so it is searched for in reversed text.
_CHAIN_BREAK = re.compile(rf"[^\W0-9_]|\*|{_SEPARATOR}{{{MAX_GAP + 1}}}")
# Cheaper to look for first: a letter or `*`; and as many separator characters as a break's separators,
# without which there is none (a NUL run counts as one separator, so this one is necessary, not enough).
_LETTER = re.compile(r"[^\W0-9_]|\*")
_MAYBE_GAP_BREAK = re.compile(rf"(?:[^\w*]|_){{{MAX_GAP + 1}}}")
_GROUP_START = re.compile("1")
# In the flags of group starts: a group of MIN_DIGITS digits or more (its start, then no start for a while).
_LONG_GROUP = re.compile(rf"10{{{MIN_DIGITS - 1},}}(?=1)")
_ZEROS = str.maketrans("0123456789", "0000000000")
_ASCII = bytes.maketrans(bytes(range(10)), b"0123456789")
_DOUBLED = bytes.maketrans(b"0123456789", bytes([0, 2, 4, 6, 8, 1, 3, 5, 7, 9]))


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


@cache
def card_lengths(prefix: str) -> tuple[int, ...]:
    """The lengths a card starting with these (up to 4) digits is issued in, by the networks seen at
    Chinese terminals: UnionPay (62, 81, and the domestic 60/9558/9559 cards still in use), Visa, Mastercard,
    Amex, JCB, Discover and Diners. Empty when no network starts a card so."""
    two, three, four = prefix[:2], prefix[:3], prefix[:4]
    lengths: set[int] = set()
    if prefix[:1] == "4":
        lengths |= {13, 16, 19}  # Visa
    if "51" <= two <= "55" or (len(four) == 4 and "2221" <= four <= "2720"):
        lengths.add(16)  # Mastercard
    if two in ("34", "37"):
        lengths.add(15)  # Amex
    if two in ("62", "81", "60", "65") or four in ("9558", "9559") or "644" <= three <= "649":
        lengths |= set(range(16, 20))  # UnionPay, Discover, domestic debit cards
    if len(four) == 4 and "3528" <= four <= "3589":
        lengths |= set(range(16, 20))  # JCB
    if two in ("36", "38", "39") or "300" <= three <= "305" or four == "3095":
        lengths |= set(range(14, 20))  # Diners Club
    return tuple(sorted(lengths))


def looks_like_issuer_prefix(digits: str) -> bool:
    return len(digits) in card_lengths(digits[:4])


def card_grouping(sizes: tuple[int, ...]) -> bool:
    """Whether digit groups are grouped as people write and print card numbers: groups of one size (1 to 4
    digits: 4-4-4-4, a BCD dump's 2-2-2…, one digit at a time) with a last group no longer, 4-6-5 or
    4-6-4 (Amex, Diners), or 6 then the rest (UnionPay's bank part first). A date, a time or a number at
    the end of one log line followed by the next line's timestamp is none of these."""
    first = sizes[0]
    if first <= 4 and all(size == first for size in sizes[:-1]) and sizes[-1] <= first:
        return True
    return (len(sizes) == 2 and first == 6) or (len(sizes) == 3 and sizes[:2] == (4, 6) and sizes[2] in (4, 5))


def mask_digits(digits: str) -> str:
    return digits[:6] + MASK * (len(digits) - 10) + digits[-4:]


# What an escape sequence of each length becomes (the longest is an OSC of 2 + 128 + 2 characters).
_NULS = ["\x00" * length for length in range(140)]


def plain(text: str) -> str:
    """The text as masking reads it: the same length, every digit form an ASCII digit, modifier letters
    "-", escape sequences and what a reader does not see NUL."""
    if "\x1b" in text:  # before the controls that end an escape sequence (BEL) become NUL
        text = _ESCAPES.sub(lambda match: _NULS[match.end() - match.start()], text)
    return text.translate(_TO_ASCII)


def _last_break(flat: str, since: int) -> int | None:
    """Where the last chain break in flat[since:] (reading back into flat[:since] as it needs) ends."""
    reverse = flat[::-1]
    limit = len(flat) - since
    letter = _LETTER.search(reverse, 0, limit)
    before = letter.start() if letter else limit
    found = _MAYBE_GAP_BREAK.search(reverse, 0, before) and _CHAIN_BREAK.search(reverse, 0, limit)
    found = found or letter
    return None if found is None else len(flat) - found.start()


class _Chain:
    """One chain (its plain text): its digits, where a digit group starts and ends, its card spans, and
    where each digit stands in the text. A long chain is read with numpy, a short one with strings."""

    def __init__(self, flat: str, *, vector: bool | None = None) -> None:
        self.flat = flat
        self._places: list[int] | None = None
        if vector if vector is not None else len(flat) >= _VECTOR_CHARS:
            self._read_at_once(flat)
            return
        marks = _NOT_DIGITS.sub("|", flat.replace("\x00", "")).strip("|")
        self.digits = marks.replace("|", "")
        zeros = marks.translate(_ZEROS)
        # One flag per digit: does a group start (end) there?
        self.starts = "1" + zeros.replace("|0", "1")[1:]
        self.ends = zeros.replace("0|", "1")[:-1] + "1"
        self.spans = self._merged(self._candidates())

    def _read_at_once(self, flat: str) -> None:
        np = _numpy_tables()[0]
        codes = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32)
        seen = np.flatnonzero(codes != 0)  # what is invisible splits no group
        codes = codes[seen]
        is_digit = (codes >= 48) & (codes <= 57)
        digit_at = np.flatnonzero(is_digit)
        places = seen[digit_at]
        before = np.concatenate(([False], is_digit[:-1]))[digit_at]
        after = np.concatenate((is_digit[1:], [False]))[digit_at]
        self.digits = (codes[digit_at] - 48).astype(np.uint8)
        self.spans = _vector_spans(self.digits, ~before, ~after)
        self._places = places.tolist() if self.spans else []

    def positions(self) -> list[int]:
        if self._places is None:
            self._places = [match.start() for match in _ASCII_DIGIT.finditer(self.flat)]
        return self._places

    def text_of(self, start: int, end: int) -> str:
        digits = self.digits[start:end]
        return digits if isinstance(digits, str) else digits.tobytes().translate(_ASCII).decode()

    def _candidates(self) -> Iterator[tuple[int, int]]:
        digits, starts, ends = self.digits, self.starts, self.ends
        for start in self._possible_starts():
            for length in card_lengths(digits[start : start + 4]):
                end = start + length
                if end > len(digits):
                    break
                if self._placed(start, end, starts[start] == "1", ends[end - 1] == "1") and luhn_valid(
                    digits[start:end]
                ):
                    yield start, end

    def _possible_starts(self) -> list[int]:
        """Where a candidate may start: a group's first digit, or any digit of a group that could hold a card
        on its own (a candidate starting inside a group stays in it). Most chains in a log are timestamps,
        whose groups are short: only their few group starts are tried."""
        found = [match.start() for match in _GROUP_START.finditer(self.starts)]
        for match in _LONG_GROUP.finditer(self.starts + "1"):
            found.extend(range(match.start() + 1, match.end() - MIN_DIGITS + 1))
        found.sort()
        return found

    def _placed(self, start: int, end: int, starts_group: bool, ends_group: bool) -> bool:
        if "1" in self.starts[start + 1 : end]:  # across groups: whole groups, grouped as cards are
            return (
                starts_group
                and ends_group
                and card_grouping(tuple(len(part) + 1 for part in self.starts[start:end].split("1")[1:]))
            )
        if starts_group and ends_group:
            return True
        length = end - start
        # Glued on both sides: the lengths most cards have, or any length that ISO 8583's two-digit length
        # prefix announces right before it (a raw message glues its fields together).
        announced = start >= 2 and self.digits[start - 2 : start] == str(length)
        return starts_group or ends_group or length in _UNMARKED_LENGTHS or announced

    @staticmethod
    def _merged(candidates: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for start, end in candidates:  # in order of start
            if spans and start < spans[-1][1]:
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans


@cache
def _numpy_tables():
    import numpy as np  # 16 MB per process: imported for the first long chain, not before

    lengths = np.zeros(10_000, dtype=np.uint8)  # bit L-13 set: a card starting so may be L digits long
    for prefix in range(10_000):
        for length in card_lengths(f"{prefix:04d}"):
            lengths[prefix] |= 1 << (length - MIN_DIGITS)
    return np, lengths, np.frombuffer(_DOUBLED[48:58], dtype=np.uint8)


def _vector_spans(value, begins, finishes) -> list[tuple[int, int]]:
    """_Chain's spans from arrays (digit values, does a group start / end there), every candidate of one
    length tested at once. Two candidates sharing a digit are one span: a digit is covered, and a link
    between two digits is inside a candidate, by counting."""
    count = len(value)
    if count < MIN_DIGITS:
        return []
    np, length_bits, doubled = _numpy_tables()
    group = np.cumsum(begins)
    odd_index = (np.arange(count) % 2).astype(bool)
    # Luhn sums by prefix sums: sums[0] for stretches ending on an even index (odd indexes doubled),
    # sums[1] for those ending on an odd one.
    sums = [
        np.concatenate(([0], np.cumsum(np.where(odd_index == parity, doubled[value], value), dtype=np.int32)))
        for parity in (1, 0)
    ]
    padded = np.concatenate((value.astype(np.int32), np.zeros(3, dtype=np.int32)))
    bits = length_bits[padded[:count] * 1000 + padded[1 : count + 1] * 100 + padded[2 : count + 2] * 10 + padded[3:]]
    announced = np.concatenate(([-1, -1], padded[: count - 2] * 10 + padded[1 : count - 1]))
    grouping = _Grouping(np, np.flatnonzero(begins), count)
    found_starts, found_lengths = [], []
    for length in range(MIN_DIGITS, MAX_DIGITS + 1):
        last = count - length + 1  # how many candidates of this length
        if last <= 0:
            break
        ok = ((bits[:last] >> (length - MIN_DIGITS)) & 1).astype(bool)
        if not ok.any():
            continue
        ends_odd = odd_index[length - 1 : length - 1 + last]
        luhn = np.where(
            ends_odd, sums[1][length : length + last] - sums[1][:last], sums[0][length : length + last] - sums[0][:last]
        )
        ok &= luhn % 10 == 0
        on_start, on_end = begins[:last], finishes[length - 1 :]
        first_group, last_group = group[:last] - 1, group[length - 1 :] - 1
        one_group = first_group == last_group
        unmarked = (length in _UNMARKED_LENGTHS) | (announced[:last] == length)
        across = ok & on_start & on_end & ~one_group
        ok &= one_group & (on_start | on_end | unmarked)
        if across.any():  # the grouping rule only for the few candidates it decides
            where = np.flatnonzero(across)
            ok[where] = grouping.allows(first_group[where], last_group[where])
        found = np.flatnonzero(ok)
        found_starts.append(found)
        found_lengths.append(np.full(len(found), length))
    if not found_starts:
        return []
    found, lengths = np.concatenate(found_starts), np.concatenate(found_lengths)
    opened = np.bincount(found, minlength=count + 1)
    digit_cover = opened - np.bincount(found + lengths, minlength=count + 1)
    link_cover = opened - np.bincount(found + lengths - 1, minlength=count + 1)
    covered, linked = np.cumsum(digit_cover)[:count] > 0, np.cumsum(link_cover)[:count] > 0
    # A span starts at a covered digit that the one before is not linked to, and ends at one not linked on.
    first = np.flatnonzero(covered & ~np.concatenate(([False], linked[:-1])))
    last_digit = np.flatnonzero(covered & ~linked)
    return list(zip(first.tolist(), (last_digit + 1).tolist(), strict=True))


class _Grouping:
    """card_grouping() for many candidates at once, each given by its first and last group's index."""

    def __init__(self, np, group_starts, count: int) -> None:
        self.np = np
        self.size = np.diff(np.append(group_starts, count))
        groups = len(self.size)
        # same_until[g]: the last group h >= g such that groups g..h all have g's size.
        breaks = np.flatnonzero(np.append(self.size[1:] != self.size[:-1], True))
        self.same_until = breaks[np.searchsorted(breaks, np.arange(groups))]

    def allows(self, first, last):
        np, size = self.np, self.size
        safe_last = np.minimum(last, len(size) - 1)
        head, tail = size[first], size[safe_last]
        uniform = (head <= 4) & (self.same_until[first] >= safe_last - 1) & (tail <= head)
        six_then_rest = (safe_last == first + 1) & (head == 6)
        middle = size[np.minimum(first + 1, len(size) - 1)]
        amex = (safe_last == first + 2) & (head == 4) & (middle == 6) & ((tail == 4) | (tail == 5))
        return uniform | six_then_rest | amex


class CardNumberMasker:
    """Masks text that arrives in pieces, such as a log read block by block, in bounded memory.

    feed() returns the masked text up to the last place no chain can go on past, and holds the rest;
    finish() returns that. Joined, the pieces equal mask_card_numbers(all the text), and `count` is its
    count. A chain longer than HOLD_CHARS is cut between two digits: the digits a card candidate can reach
    across the cut are kept to be read again with what follows, and a span open at the cut goes on in
    the next piece (its separators dropped, its digits past the first 6 stars, as in the whole text).
    """

    def __init__(self) -> None:
        self.count = 0
        self._held = ""
        self._flat = ""
        # Text already returned that the next piece reads again (the digits before a cut inside a chain),
        # and how many digits of a span open at that cut have been returned.
        self._context = ""
        self._open_digits = 0

    def feed(self, text: str) -> str:
        # An escape sequence may have begun in what is held, and a break's run of separators may have too.
        redo = max(0, len(self._held) - _REREAD_CHARS)
        self._held += text
        self._flat = self._flat[:redo] + plain(self._held[redo:])
        end = _last_break(self._flat, redo)
        if end is not None:
            text, self._held, self._flat = self._held[:end], self._held[end:], self._flat[end:]
            return self._flush(text)
        if len(self._held) <= HOLD_CHARS:
            return ""
        return self._cut()

    def finish(self) -> str:
        text, self._held, self._flat = self._held, "", ""
        return self._flush(text)

    def _flush(self, text: str) -> str:
        """Mask text that ends where no chain goes on."""
        text = self._context + text
        out = self._masked(text, plain(text), len(self._context), len(text))
        self._context = ""
        return out

    def _cut(self) -> str:
        """Return most of the unbroken chain held, keeping its last digits for the next piece."""
        text = self._context + self._held
        flat = plain(text)
        # The last 2 * _MARGIN_DIGITS digits, found from the end.
        last = list(itertools.islice(_ASCII_DIGIT.finditer(flat[::-1]), 2 * _MARGIN_DIGITS))
        if len(last) < 2 * _MARGIN_DIGITS:
            # HOLD_CHARS of a chain with hardly a digit (invisible characters, say): held no longer.
            text, self._held, self._flat = self._held, "", ""
            return self._flush(text)
        cut, context = len(flat) - last[_MARGIN_DIGITS - 1].start() - 1, len(flat) - last[-1].start() - 1
        out = self._masked(text, flat, len(self._context), cut)
        self._context = text[context:cut]
        self._held, self._flat = text[cut:], flat[cut:]
        return out

    def _masked(self, text: str, flat: str, emit_from: int, stop: int) -> str:
        """text[emit_from:stop] masked; text[:emit_from] was returned already and is read again only for
        the card candidates that reach past it."""
        out: list[str] = []
        cursor = emit_from
        for match in _CHAIN.finditer(flat):
            chain = _Chain(match.group())
            if not chain.spans:
                continue
            offset, positions = match.start(), chain.positions()
            for start, end in chain.spans:
                if offset + positions[end - 1] < emit_from or offset + positions[start] >= stop:
                    continue
                span = _Span(chain, positions, offset, start, end)
                cursor = self._emit(out, text, cursor, span, stop)
        out.append(text[cursor:stop])
        return "".join(out)

    def _emit(self, out: list[str], text: str, cursor: int, span: "_Span", stop: int) -> int:
        first, last = span.start, span.end - 1
        while span.at(first) < cursor:  # digits an earlier piece returned
            first += 1
        while span.at(last) >= stop:  # digits the next piece returns
            last -= 1
        continuing, closed = first > span.start, last == span.end - 1
        if not continuing:
            self.count += 1
            out.append(text[cursor : span.at(first)])
        # Digit k is the (k + shift)th of its span, counting what earlier pieces returned of it: the first 6
        # and, once the span's end is known, the last 4 stay readable.
        shift = self._open_digits - first if continuing else -span.start
        shown_from = span.end - 4 if closed else last + 1
        head_end = min(last + 1, 6 - shift)
        out.append(span.chain.text_of(first, head_end))
        tail_start = max(head_end, shown_from, first)
        out.append(MASK * (tail_start - max(first, head_end)))
        out.append(span.chain.text_of(tail_start, last + 1))
        self._open_digits = 0 if closed else last + 1 + shift
        # An open span's separators up to the cut are inside it: dropped, as the whole text would drop them.
        return span.at(last) + 1 if closed else stop


class _Span:
    """Digits start..end of a chain, and where each digit of the chain stands in the text."""

    __slots__ = ("chain", "end", "offset", "places", "start")

    def __init__(self, chain: _Chain, places: list[int], offset: int, start: int, end: int) -> None:
        self.chain, self.places, self.offset, self.start, self.end = chain, places, offset, start, end

    def at(self, index: int) -> int:
        return self.offset + self.places[index]


def mask_card_numbers(text: str) -> tuple[str, int]:
    """Return the text with every card number masked, and how many were masked."""
    if not text:
        return text, 0
    masker = CardNumberMasker()
    parts = [masker.feed(text[index : index + HOLD_CHARS]) for index in range(0, len(text), HOLD_CHARS)]
    parts.append(masker.finish())
    return "".join(parts), masker.count


def mask(text: str) -> str:
    """The masked text alone, for places that do not report a count (logs, search queries)."""
    return mask_card_numbers(text)[0]
