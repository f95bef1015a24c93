"""Markup and scripts found block by block exactly as a search of the whole text finds them."""

import random
import re
import string

import magic
import pytest

from tickets import markup
from tickets.markup import MARKUP_OR_SCRIPT, NEVER_TEXT, SNIFF_BYTES, MarkupScanner

from .conftest import pieces


def whole(text: str) -> bool:
    """What checking the whole text at once says."""
    if MARKUP_OR_SCRIPT.search(text):
        return True
    return magic.from_buffer(text[:SNIFF_BYTES].encode("utf-8"), mime=True) in NEVER_TEXT


def streamed(text: str, sizes) -> bool:
    scanner = MarkupScanner()
    for piece in pieces(text, sizes):
        scanner.feed(piece)
    return scanner.finish()


def every(size: int):
    while True:
        yield size


# Each is one match (or a near miss) that is longer than any carried end, or that an edge would fake.
CASES = {
    "tag after a long gap": ("<" + " \n" * 1000 + "script>", True),
    "function with a long argument list": ("function go(" + "a, " * 3000 + ") {", True),
    "function whose ) is not followed by {": ("function go(" + "a" * 3000 + ") x {", False),
    "brace after a long gap": ("function go()" + " " * 5000 + "{", True),
    "document . cookie over long gaps": ("x document" + "\n" * 3000 + "." + "\t" * 3000 + "cookie", True),
    "@echo after blank lines": ("ok\n" + " \n" * 1000 + "  @echo off", True),
    "@echo after a long indent": ("ok " * 500 + "\n" + " " * 5000 + "@echo off", True),
    "@echo not at a line start": ("ok" + " " * 3000 + "@echo off", False),
    "shebang after leading whitespace": (" \n" * 1000 + "#!/bin/sh", True),
    "shebang not at the start": ("ok" + " \n" * 1000 + "#!/bin/sh", False),
    "Set with a long name ending in As": ("Set " + "v" * 9000 + "As x", True),
    "word ending in powershell": ("run xpowershell", False),
    "powershell continued by the next block": ("run powershell" + "x" * 9000, False),
    "powershell at the very end": ("run " + "x " * 3000 + "powershell", True),
    "dotless i in a clue": ("\u0131nvoke-Expression", True),
    "dotted capital I in a clue": ("\u0130nvoke-Expression", True),
    "long s in a clue": ("java\u017fcript:", True),
}


@pytest.mark.parametrize("size", [1, 7, 100, 4096, 10**9])
@pytest.mark.parametrize(("text", "expected"), CASES.values(), ids=CASES.keys())
def test_long_and_edge_matches_are_found_as_in_the_whole_text(text, expected, size):
    assert whole(text) is expected
    assert streamed(text, every(size)) is expected


PIECES = ["<", "< ", "html", "script", "a", "a ", "#!", "#", "!", "javascript", ":", "WScript", ".", "(", ")", "{",
          "CreateObject", "Execute", "document", "cookie", "eval", "new", "ActiveXObject", "function", "=>", "=",
          ">", "@echo", "off", "Set", "Dim", "As", "as", "x", "powershell", ".exe", "Invoke", "-", "Expression",
          "\n", "\r\n", "\r", " ", "\t", "10:00", "_", "\u0130", "\u0131", "\u017f", "K", "签到", "，",
          "\u3000"]  # fmt: skip


def random_text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(0, 40)):
        roll = rng.random()
        if roll < 0.06:
            parts.append(rng.choice([" ", "\n", "\t", "\u3000"]) * rng.choice([1, 63, 64, 65, 1500]))
        elif roll < 0.1:
            parts.append(rng.choice(["w", "签", "_", "9"]) * rng.choice([5, 63, 64, 70, 2000]))
        else:
            parts.append(rng.choice(PIECES))
    return "".join(parts)


def test_the_scanner_agrees_with_a_search_of_the_whole_text():
    rng = random.Random(8583)
    found = 0
    for _ in range(1000):
        text = random_text(rng)
        expected = whole(text)
        found += expected
        assert streamed(text, iter(lambda: rng.choice([1, 2, 3, 7, 50, 500, 5000]), None)) is expected, text
    assert 100 < found < 900  # both answers were tried often


@pytest.mark.parametrize("start", ["xeval(", "x@echo off"])
def test_the_first_character_of_a_carried_end_is_only_there_to_look_back_at(start):
    # The end carried into the next block begins just after the x, where \b and ^ must still see it.
    text = start + "-" * (markup._REACH - len(start) + 1)
    assert whole(text + "\nok") is False
    assert streamed(text + "\nok", [len(text), 3]) is False


@pytest.mark.parametrize(("end", "expected"), [(") {", True), (") x", False)])
def test_many_function_openers_without_a_bracket_are_followed_in_one_pass(end, expected):
    # A search would run to the end of the text from every opener; the state machine reads it once.
    log = "10:00 ok\n" * 1000 + "function(" * 30_000 + end  # (libmagic would call the openers alone JavaScript)
    assert streamed(log, every(256 * 1024)) is expected


def test_libmagic_sees_the_first_characters_however_they_arrive():
    pdf = "%PDF-1.4\n1 0 obj<<>>endobj\n"  # no pattern matches it; libmagic names it
    assert streamed(pdf, every(3)) is True
    assert streamed("x" * SNIFF_BYTES + pdf, every(3)) is False


def test_only_the_unfolded_characters_defeat_the_clues():
    """A block skips the search when no clue is in its str.lower(): that must miss no character that
    IGNORECASE matches to a letter of a clue."""
    clues = [clue for clues, _pattern in markup._TELLTALES for clue in clues]
    letters = sorted({char for clue in clues for char in clue if char in string.ascii_lowercase})
    every_char = "".join(map(chr, range(0x110000))).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    unfolded = {
        char for char in re.findall(f"[{''.join(letters)}]", every_char, re.IGNORECASE) if char.lower() not in letters
    }
    assert unfolded == set(markup._UNFOLDED)


def test_every_clue_is_written_in_its_pattern():
    for clues, pattern in markup._TELLTALES:
        assert all(clue in pattern.lower() for clue in clues), pattern
