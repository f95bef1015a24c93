#!/usr/bin/env python
"""Card masking: throughput on hostile input, memory against input size, and false positives on logs.

    .venv/bin/python bench/masking.py [--megabytes N]

Throughput is CPU time of one process (time.process_time), so another busy process on the machine does
not count against it; the target is >= 5 MB/s on the worst input. Memory is tracemalloc's peak while a
log is masked as uploads are (CardNumberMasker fed 64 KB at a time, the output written away): the target
is a peak that does not grow with the input. False positives: realistic POS terminal logs without a card
number (timestamps, MID/TID, trace, batch and reference numbers, amounts, ISO 8583 dumps, BCD hex dumps,
masked PANs) are masked, and every line that changed is one; recall: the same logs with a card planted
in one line of ten, written in a random way a person or a terminal writes one.
"""

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.masking import CardNumberMasker, card_lengths, luhn_valid, mask_card_numbers

PREFIXES = ["62", "4", "51", "55", "34", "37", "3528", "6011", "65", "81", "9558", "36"]


def card(rng: random.Random) -> str:
    prefix = rng.choice(PREFIXES)
    length = rng.choice(card_lengths(prefix.ljust(4, "0")))
    body = prefix + "".join(rng.choice("0123456789") for _ in range(length - len(prefix) - 1))
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def written(rng: random.Random, number: str) -> str:
    separator = rng.choice([" ", "-", "／", "～", "，", "_", ":", "|", "\u3000", "\n        ", "\x1b[31m \x1b[0m"])
    shape = rng.choice(["whole", "fours", "fours", "six", "iso"])
    if shape == "whole":
        return number
    if shape == "six":
        return number[:6] + separator + number[6:]
    if shape == "iso":
        return f"F2={len(number)}{number}"
    return separator.join(number[i : i + 4] for i in range(0, len(number), 4))


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def log_line(rng: random.Random, n: int) -> str:
    stamp = f"2026-12-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{n % 60:02d}"
    mid, tid = "8983100" + digits(rng, 8), digits(rng, 8)
    kind = rng.random()
    if kind < 0.25:
        trace, amount = digits(rng, 6), rng.randint(1, 99999)
        return f"{stamp}.{rng.randint(0, 999):03d} INFO SALE MID={mid} TID={tid} TRACE={trace} AMT={amount}.00"
    if kind < 0.4:
        code = rng.choice(["00", "A0", "55", "94", "99"])
        return f"{stamp} RESP {code} RRN {digits(rng, 12)} AUTH {digits(rng, 6)} BATCH {digits(rng, 6)}"
    if kind < 0.55:
        return f"{stamp} ISO8583 F3={digits(rng, 6)} F4={digits(rng, 12)} F11={digits(rng, 6)} F41={tid} F42={mid}"
    if kind < 0.7:
        return stamp + " DUMP " + " ".join(f"{rng.randint(0, 255):02X}" for _ in range(16))
    if kind < 0.8:
        return f"{stamp}|{mid}|{tid}|{digits(rng, 6)}|{rng.randint(1, 9999)}.{rng.randint(0, 99):02d}|{digits(rng, 12)}"
    if kind < 0.9:
        return f"{stamp} PAN 622848******{digits(rng, 4)} EXP **/** {digits(rng, 3)}"
    return f"{stamp} {digits(rng, rng.randint(1, 10))}\n{' ' * 4}{digits(rng, rng.randint(1, 6))} {stamp[:10]}"


def hostile(megabytes: int) -> dict[str, str]:
    size = megabytes * 1_000_000
    rng = random.Random(7)
    return {
        '"8 " repeated': "8 " * (size // 2),
        '"4 " repeated': "4 " * (size // 2),
        "random digits": "".join(rng.choices("0123456789", k=size)),
        "random digits and spaces": "".join(rng.choices("0123456789 ", k=size)),
        "digits between colour escapes": ("4\x1b[31m1 " * (size // 7))[:size],
        "digits between zero-width spaces": "4\u200b" * (size // 2),
        "realistic log": "\n".join(log_line(rng, n) for n in range(size // 70))[:size],
    }


def throughput(megabytes: int) -> None:
    print(f"Throughput (CPU time, {megabytes} MB each):")
    for name, text in hostile(megabytes).items():
        start = time.process_time()
        _masked, count = mask_card_numbers(text)
        elapsed = time.process_time() - start
        print(f"  {name:36} {len(text) / 1e6 / elapsed:7.2f} MB/s   ({count} masked)")


def peak_memory(text: str) -> float:
    masker = CardNumberMasker()
    tracemalloc.start()
    for index in range(0, len(text), 64 * 1024):
        masker.feed(text[index : index + 64 * 1024])
    masker.finish()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def memory() -> None:
    print("Peak memory while masking as a stream (tracemalloc, MB), 1 MB -> 8 MB of input:")
    for name in ('"4 " repeated', "random digits", "realistic log"):
        small, large = hostile(1)[name], hostile(8)[name]
        print(f"  {name:36} {peak_memory(small):6.2f} -> {peak_memory(large):6.2f}")


def false_positives(lines: int) -> None:
    rng = random.Random(11)
    log = [log_line(rng, n) for n in range(lines)]
    changed = sum(mask_card_numbers(line)[0] != line for line in log)
    whole = "\n".join(log)
    count = mask_card_numbers(whole)[1]
    print(f"False positives on {lines} realistic log lines ({len(whole) / 1e6:.1f} MB) without a card:")
    print(f"  lines changed one by one: {changed} ({changed / lines:.4%}); numbers masked in the whole log: {count}")
    planted = 0
    found = 0
    for n in range(0, lines, 10):
        number = card(rng)
        line = f"{log[n]} PAN {written(rng, number)} OK"
        planted += 1
        masked = mask_card_numbers(line)[0]
        found += number not in "".join(c for c in masked if c.isdigit())
    print(f"  recall: {found} of {planted} planted cards masked ({found / planted:.2%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=1)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    mask_card_numbers("0" * 2000)  # numpy's tables, built once per process
    throughput(args.megabytes)
    memory()
    false_positives(args.lines)


if __name__ == "__main__":
    main()
