import random

import pytest

from infra.masking import CardNumberMasker, luhn_valid, mask_card_numbers
from tests.tickets.conftest import CARD, CARD_MASKED, pieces

# How people and programs really write a card number (issue 7): every one must be masked.
CARD_WRITINGS = {
    "ideographic space": "4111\u30001111\u30001111\u30001111",
    "full-width digits and spaces": "４１１１\u3000１１１１\u3000１１１１\u3000１１１１",
    "full-width digits and hyphens": "４１１１－１１１１－１１１１－１１１１",
    "full-width hyphen": "4111\uff0d1111\uff0d1111\uff0d1111",
    "no-break space": "4111\u00a01111\u00a01111\u00a01111",
    "en dash": "4111\u20131111\u20131111\u20131111",
    "em dash": "4111\u20141111\u20141111\u20141111",
    "dots": "4111.1111.1111.1111",
    "full-width dots": "4111．1111．1111．1111",
    "double spaces": "4111  1111  1111  1111",
    "tabs": "4111\t1111\t1111\t1111",
    "line breaks": "4111\n1111\r\n1111\n1111",
    "zero-width spaces": "4\u200b111\u200b1111\u200b1111\u200b1111",
    "zero-width joiner between groups": "4111\u200d 1111\u200d 1111 1111",
    "soft hyphens": "4111\u00ad1111\u00ad1111\u00ad1111",
    "glued after other digits": "16" + CARD,
    "glued before other digits": CARD + "2512",
    "glued both sides": "0012" + CARD + "991",
    "arabic-indic digits": "".join(chr(0x0660 + int(d)) for d in CARD),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CARD, CARD_MASKED),
        ("4111 1111 1111 1111", CARD_MASKED),
        ("4111-1111-1111-1111", CARD_MASKED),
        ("４１１１１１１１１１１１１１１１", CARD_MASKED),
        ("卡号6011000990139424，谢谢", "卡号601100******9424，谢谢"),
        ("amex 378282246310005 ok", "amex 378282*****0005 ok"),
        ("19 digits 6221558812340000017", "19 digits 622155*********0017"),
    ],
)
def test_it_masks_luhn_valid_card_numbers_keeping_first_6_and_last_4(text, expected):
    masked, count = mask_card_numbers(text)
    assert masked == expected
    assert count == 1


def test_it_finds_a_card_number_followed_by_another_number():
    masked, count = mask_card_numbers(f"PAN {CARD} 000123 ok")
    assert masked == f"PAN {CARD_MASKED} 000123 ok"
    assert count == 1


def test_it_finds_a_card_number_inside_a_spaced_hex_dump():
    masked, count = mask_card_numbers("02 16 41 11 11 11 11 11 11 11 00")
    assert "41 11 11 11" not in masked
    assert count == 1


def test_it_counts_every_card_number():
    _text, count = mask_card_numbers(f"{CARD} and 5500 0000 0000 0004")
    assert count == 2


@pytest.mark.parametrize(
    "text",
    [
        "4111111111111112",  # fails the Luhn check
        "138 0013 8000",  # a phone number
        "2026-05-01 14:30:00",  # a date
        "trace 000123 batch 000001 rrn 123456789012",
        "411111111111",  # 12 digits is too short
        "10000000000000000001",  # 20 digits, no card inside
        "411111******1111",  # already masked
    ],
)
def test_it_leaves_other_numbers_alone(text):
    assert mask_card_numbers(text) == (text, 0)


def test_luhn_check_accepts_test_numbers_and_refuses_a_changed_digit():
    assert luhn_valid(CARD)
    assert not luhn_valid(CARD[:-1] + "2")


def test_masking_twice_changes_nothing_more():
    once, _count = mask_card_numbers(f"card {CARD}")
    assert mask_card_numbers(once) == (once, 0)


@pytest.mark.parametrize("text", CARD_WRITINGS.values(), ids=CARD_WRITINGS.keys())
def test_it_masks_every_way_people_write_a_card_number(text):
    masked, count = mask_card_numbers(f"卡号：{text}，谢谢")
    assert count == 1
    assert CARD not in "".join(c for c in masked if c.isascii() and c.isdigit())
    assert masked.startswith("卡号：") and masked.endswith("，谢谢")


def test_it_keeps_the_text_around_a_masked_number_as_written():
    masked, _count = mask_card_numbers("金额：１００元\u3000卡号 4111\u30001111\u30001111\u30001111 已扣款")
    assert masked == "金额：１００元\u3000卡号 411111******1111 已扣款"


@pytest.mark.parametrize(
    "text",
    [
        "20261201093012000123",  # a 20-digit order number with no card-like stretch
        "trace 000123\n000124\n000125\n000126",  # trace numbers one per line
        "2026.05.01 14:30:00 batch 000001",
    ],
)
def test_it_leaves_long_identifiers_without_a_card_prefix_alone(text):
    assert mask_card_numbers(text) == (text, 0)


# --- Masking text that arrives in pieces (a log read block by block) ---


def masked_in_pieces(text: str, sizes) -> tuple[str, int]:
    masker = CardNumberMasker()
    masked = "".join(masker.feed(piece) for piece in pieces(text, sizes))
    return masked + masker.finish(), masker.count


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 16])
@pytest.mark.parametrize("text", CARD_WRITINGS.values(), ids=CARD_WRITINGS.keys())
def test_a_card_number_cut_into_pieces_anywhere_is_masked_as_in_the_whole_text(text, size):
    text = f"10:00 卡号：{text}\r\n{text}，谢谢\n"
    assert masked_in_pieces(text, iter(lambda: size, None)) == mask_card_numbers(text)


def test_a_run_that_never_ends_is_held_until_the_text_does():
    masker = CardNumberMasker()
    assert masker.feed("0 " * 10_000) == ""
    assert masker.feed("4111 1111 1111 1111") == ""
    assert masker.finish() == mask_card_numbers("0 " * 10_000 + "4111 1111 1111 1111")[0]


SEPARATORS = [
    " ",
    "  ",
    "-",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "\u3000",
    "\u00a0",
    ".",
    "\u200b",
    "\u00ad",
    "\u2013",
    " " * 6,
    " " * 7,
]


def card_number(rng: random.Random) -> str:
    body = rng.choice(["4", "51", "62", "34", "37", "6011", "81", "9"])
    body += "".join(rng.choice("0123456789") for _ in range(rng.choice([13, 15, 16, 19]) - len(body) - 1))
    return next(body + digit for digit in "0123456789" if luhn_valid(body + digit))


def written(rng: random.Random, number: str) -> str:
    if rng.random() < 0.3:
        return number
    if rng.random() < 0.2:
        return "".join(chr(0xFF10 + int(digit)) for digit in number)
    return "".join(digit + (rng.choice(SEPARATORS) if rng.random() < 0.3 else "") for digit in number)


def random_log(rng: random.Random) -> str:
    filler = ["PAN=", "ok ", "10:00:01 ", "卡号", "，", "TRACE=000123 ", "\n", "\r\n", "2026-05-01", "x"]
    parts = []
    for _ in range(rng.randint(0, 30)):
        roll = rng.random()
        if roll < 0.3:
            parts.append(written(rng, card_number(rng)))
        elif roll < 0.45:
            parts.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 30))))
        elif roll < 0.5:
            parts.append(rng.choice(SEPARATORS) * rng.randint(1, 9))
        else:
            parts.append(rng.choice(filler))
    return "".join(parts)


def test_masking_in_random_pieces_is_masking_the_whole_text():
    rng = random.Random(4111)
    masked = 0
    for _ in range(3000):
        text = random_log(rng)
        expected = mask_card_numbers(text)
        masked += expected[1]
        assert masked_in_pieces(text, iter(lambda: rng.choice([1, 2, 3, 5, 8, 13, 40, 1000]), None)) == expected, text
    assert masked > 3000
