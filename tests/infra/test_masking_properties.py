"""Card masking as properties (hypothesis): a card number written in any digit form, with any separators a
reader would skip, inside any text, never survives; text without one comes back unchanged; masking text in
pieces is masking it whole."""

import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infra import masking
from infra.masking import MAX_GAP, CardNumberMasker, card_lengths, luhn_valid, mask_card_numbers, plain
from tests.tickets.conftest import pieces

# Every prefix a network issues cards with, and the lengths it issues (UnionPay first: most cards here).
NETWORK_PREFIXES = ["62", "81", "60", "9558", "4", "51", "55", "2221", "2720", "34", "37", "3528", "3589"]
NETWORK_PREFIXES += ["6011", "644", "649", "65", "300", "305", "3095", "36", "38", "39"]

# Every way each digit can be written: ASCII and every character that reads as it.
DIGIT_FORMS = {str(value): [] for value in range(10)}
for code in range(0x20000):
    value = unicodedata.digit(chr(code), None)
    if value is not None:
        DIGIT_FORMS[str(value)].append(chr(code))
for value, numeral in enumerate("〇一二三四五六七八九"):
    DIGIT_FORMS[str(value)].append(numeral)
KEYCAP = "\ufe0f\u20e3"

ANSI = ["\x1b[31m", "\x1b[0m", "\x1b[1;32;40m", "\x1b[K", "\x1b]0;title\x07", "\x07", "\x1bM"]


@st.composite
def card_numbers(draw) -> str:
    prefix = draw(st.sampled_from(NETWORK_PREFIXES))
    length = draw(st.sampled_from(card_lengths(prefix.ljust(4, "0")[:4]) or (16,)))
    body = prefix + "".join(
        draw(
            st.lists(
                st.sampled_from("0123456789"), min_size=length - len(prefix) - 1, max_size=length - len(prefix) - 1
            )
        )
    )
    number = next(body + check for check in "0123456789" if luhn_valid(body + check))
    assert len(number) in card_lengths(number[:4])
    return number


# Anything that is neither a letter nor a number (nor the `*` masking writes): what a reader skips.
# (ESC starts an escape sequence, which is drawn whole from ANSI below.)
separator_chars = st.one_of(
    st.characters(exclude_categories=("L", "N", "Cs"), exclude_characters="*\x1b"),
    st.characters(categories=("Lm",)),  # letters to Unicode, marks to a reader: ー ˇ ʹ
)
# Between two groups: separators a reader sees, with invisible ones (colour escapes, zero-width or
# combining characters) anywhere among them. Invisible ones alone join the groups, as a reader sees them.
gaps = st.one_of(
    st.lists(st.one_of(separator_chars, st.sampled_from(ANSI)), min_size=1, max_size=MAX_GAP)
    .map("".join)
    .filter(lambda gap: plain(gap).strip("\x00")),
    st.sampled_from(["\n", "\n        ", "\r\n\t\t", " " * 20, "／", "～", "、", "_", "：", "|", "'", "…", "─"]),
)


@st.composite
def groupings(draw, length: int) -> list[int]:
    """How people and printers group a card's digits: one size throughout (the last group no longer),
    6 then the rest, or 4-6-5 / 4-6-4."""
    shape = draw(st.sampled_from(["whole", "uniform", "uniform", "six", "amex"]))
    if shape == "whole":
        return [length]
    if shape == "six":
        return [6, length - 6]
    if shape == "amex" and length in (14, 15):
        return [4, 6, length - 10]
    size = draw(st.integers(1, 4))
    return [size] * (length // size) + ([length % size] if length % size else [])


@st.composite
def written(draw, number: str) -> str:
    out = []
    position = 0
    for index, size in enumerate(draw(groupings(len(number)))):
        if index:
            out.append(draw(gaps))
        for digit in number[position : position + size]:
            form = draw(st.sampled_from(["ascii", "ascii", "other", "keycap"]))
            if form == "other":
                out.append(draw(st.sampled_from(DIGIT_FORMS[digit])))
            elif form == "keycap":
                out.append(digit + KEYCAP)
            else:
                out.append(digit)
        position += size
    return "".join(out)


words = st.text(
    st.characters(categories=("Lu", "Ll", "Lt", "Lo"), exclude_characters="〇一二三四五六七八九零"),
    min_size=1,
    max_size=8,
)
surroundings = st.one_of(st.just(""), words.map(lambda w: w + " "), words, st.sampled_from(["卡号：", "PAN=", "卡号 "]))


def ascii_digits(text: str) -> str:
    return "".join(char for char in plain(text) if char.isdigit() and char.isascii())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), number=card_numbers())
def test_a_card_number_written_any_way_never_survives(data, number):
    before, after = data.draw(surroundings), data.draw(surroundings)
    text = before + data.draw(written(number)) + (" " + after if after else "")
    masked, count = mask_card_numbers(text)
    assert count == 1
    # What stays readable of it is its first 6 and last 4 digits, nothing more.
    assert ascii_digits(masked) == number[:6] + number[-4:]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(words, st.text("0123456789", max_size=12), separator_chars), max_size=40))
def test_text_without_a_long_digit_chain_comes_back_unchanged(parts):
    # Words between the digit runs: no chain reaches 13 digits, so nothing can be a card.
    text = "x".join(parts)
    assert mask_card_numbers(text) == (text, 0)


@settings(max_examples=300, deadline=None)
@given(number=card_numbers(), other=card_numbers())
def test_a_card_in_a_line_of_ordinary_identifiers_is_masked_and_they_are_kept(number, other):
    line = f"2026-12-07 12:30:45 MID 898310048990001 TID 12345678 PAN {number} REF 000123456789 / {other}"
    masked, count = mask_card_numbers(line)
    assert count == 2
    assert "MID 898310048990001 TID 12345678 PAN " in masked and "REF 000123456789" in masked


@settings(max_examples=200, deadline=None)
@given(data=st.data(), number=card_numbers(), cuts=st.lists(st.integers(1, 40), min_size=1, max_size=200))
def test_masking_in_pieces_is_masking_the_whole_text(data, number, cuts):
    text = "10:00 " + data.draw(written(number)) + " ok\n" + data.draw(written(number)) + "。"
    masker = CardNumberMasker()
    out = "".join(masker.feed(piece) for piece in pieces(text, iter(cuts + [len(text)] * 2)))
    assert (out + masker.finish(), masker.count) == mask_card_numbers(text)


@settings(max_examples=200, deadline=None)
@given(number=card_numbers(), field=st.sampled_from(["F2={}{} F3=000000", "02{}{}0000001000", "PAN:{}{}"]))
def test_a_card_number_glued_after_its_iso_8583_length_is_masked(number, field):
    masked, count = mask_card_numbers(field.format(len(number), number))
    assert count == 1
    assert number not in ascii_digits(masked)
    assert masked.count("*") >= len(number) - 10


def test_masked_output_is_stable():
    once, _count = mask_card_numbers("6212345678901234560 / 4111 1111 1111 1111 / 378282246310005")
    assert mask_card_numbers(once) == (once, 0)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.text("0123456789", min_size=1, max_size=24), st.sampled_from(["", " ", "-", "\n  "])),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["", "4", "62", "16"]),
)
def test_long_chains_read_at_once_find_what_digit_by_digit_finds(groups, bias):
    # Long chains are read with numpy; both readings must find the same spans on any chain.
    text = "".join(bias + digits + gap for digits, gap in groups).strip() or "0"
    flat = plain(text)
    assert masking._Chain(flat, vector=True).spans == masking._Chain(flat, vector=False).spans
