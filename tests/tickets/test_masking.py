import pytest

from tickets.masking import luhn_valid, mask_card_numbers

from .conftest import CARD, CARD_MASKED


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
        "41111111111111111111",  # 20 digits is too long
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
