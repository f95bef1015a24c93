"""The suggested answer: accuracy on a labelled set of realistic tickets, and the agent's review."""

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from kb.search import search
from tickets.classify import classify_text

SET = Path(__file__).with_name("classification_set.yaml")
# Floors: measured 84.8% top-1 and 93.9% top-3 on 66 tickets when the set was written (the test prints the
# figures). Each floor is about five tickets under that: search tuning may move a borderline ticket or two,
# but losing five means the suggestions got worse. The classifier must also do at least as well as searching
# the screen text alone, which is what an agent would otherwise type.
TOP1_FLOOR = 0.77
TOP3_FLOOR = 0.86


def _examples() -> list[dict]:
    return yaml.safe_load(SET.read_text(encoding="utf-8"))


def _ticket(example: dict) -> SimpleNamespace:
    return SimpleNamespace(
        description=example["description"],
        screen_text=example.get("screen_text", ""),
        response_code=example.get("response_code", ""),
        steps=example.get("steps", []),
    )


def test_the_labelled_set_is_large_and_varied():
    examples = _examples()
    assert len(examples) >= 60
    assert {e["language"] for e in examples} == {"zh-hans", "en"}
    traditional = [e for e in examples if any(ch in e["description"] + e["screen_text"] for ch in "簽機顯際錯結網")]
    assert len(traditional) >= 5


@pytest.mark.django_db
def test_classification_accuracy_on_the_labelled_set(loaded_kb):
    examples = _examples()
    top1 = top3 = baseline = codes_right = codes_total = 0
    misses = []
    for example in examples:
        suggestion = classify_text(_ticket(example), language=example["language"])
        ranked = [slug for slug, _score in suggestion.articles]
        top1 += ranked[:1] == [example["article"]]
        top3 += example["article"] in ranked[:3]
        if ranked[:1] != [example["article"]]:
            misses.append((example["description"], example["article"], ranked[:3]))
        screen = example["screen_text"] or example["description"]
        naive = [h.key for h in search(screen, language=example["language"]).hits if h.kind == "article"]
        baseline += naive[:1] == [example["article"]]
        if example["code"]:
            codes_total += 1
            codes_right += suggestion.response_code == example["code"]
    n = len(examples)
    print(
        f"\nclassification: n={n} top-1={top1 / n:.1%} top-3={top3 / n:.1%} screen-text-only top-1={baseline / n:.1%}"
    )
    print(f"response code: {codes_right}/{codes_total} right")
    for miss in misses:
        print("  miss:", miss)
    assert top1 / n >= TOP1_FLOOR
    assert top3 / n >= TOP3_FLOOR
    assert top1 >= baseline


@pytest.mark.django_db
def test_the_suggestion_is_stored_once_per_ticket(loaded_kb, make_ticket):
    from tickets.classify import suggestion_for

    ticket, _ = make_ticket(screen_text="批次号不符", description="结算以后第一笔返回77")
    first = suggestion_for(ticket)
    assert (first.article_slug, first.response_code) == ("settlement-and-batch", "77")
    ticket.refresh_from_db()
    assert suggestion_for(ticket).pk == first.pk


@pytest.mark.django_db
def test_only_ticket_writers_review_a_suggestion(loaded_kb, make_ticket, view_only_staff):
    from django.core.exceptions import PermissionDenied

    from tickets.classify import classification_review

    ticket, _ = make_ticket()
    with pytest.raises(PermissionDenied):
        classification_review(ticket=ticket, agent=view_only_staff)
