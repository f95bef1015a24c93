"""The segmenter built from jieba's dictionary cuts exactly as rjieba's default one, without building it."""

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kb.search import segmenter

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "kb" / "content"


@pytest.fixture(scope="module")
def both():
    """Ours, and rjieba's own default instance given the domain words the way the portal used to add them."""
    import rjieba  # in this test process only: it builds the default segmenter the portal avoids

    theirs = rjieba.Jieba()
    for path in (segmenter.DICTIONARY, segmenter.BRANDS):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                theirs.add_word(line.split(" ")[0].lower(), None, None)
    return segmenter.build(), theirs


def _texts() -> list[str]:
    """Every line of the shipped knowledge base and every query of the relevance set."""
    lines = [
        line
        for path in sorted(CONTENT.rglob("*"))
        if path.suffix in {".md", ".yaml"}
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    cases = yaml.safe_load((Path(__file__).with_name("search_relevance.yaml")).read_text(encoding="utf-8"))
    return lines + [case["q"] for case in cases]


def test_the_shipped_text_and_the_queries_are_cut_alike(both):
    ours, theirs = both
    texts = _texts()
    assert len(texts) > 1000
    for text in texts:
        assert ours.cut(text, True) == theirs.cut(text, True), text
        assert ours.cut_for_search(text, True) == theirs.cut_for_search(text, True), text
        assert ours.cut(text, False) == theirs.cut(text, False), text


def test_they_know_the_same_words_with_the_same_frequencies(both):
    ours, theirs = both
    words = [line.split(" ")[0] for line in segmenter.jieba_dictionary().read_text(encoding="utf-8").splitlines()]
    assert len(words) > 300_000
    sample = random.Random(11).sample(words, 5_000)
    for word in sample:
        assert ours.has_word(word) and theirs.has_word(word), word
        # The suggested frequency reads the word's count and the dictionary's total, so a missing word or a
        # different total shows here even where no cut changes.
        assert ours.suggest_freq(word) == theirs.suggest_freq(word), word
    for word in ("重新签到", "mac校验错", "拉卡拉", "签到"):
        assert ours.has_word(word) and ours.suggest_freq(word) == theirs.suggest_freq(word), word


def test_random_strings_of_common_characters_are_cut_alike(both):
    ours, theirs = both
    alphabet = "请重新签到失败网络刷卡机打印小票密钥结算批次商户终端没有不了显示错误码的是在POS12"
    rng = random.Random(5)
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        assert ours.cut_for_search(text, True) == theirs.cut_for_search(text, True), text


def _run(code: str) -> dict:
    code = "import django\ndjango.setup()\n" + code
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_searching_never_builds_rjiebas_default_segmenter():
    # The package's __init__ is what builds the default (32.8 MB); bench/import_cost.py measures the rest.
    result = _run(
        "import json, sys\n"
        "from kb.search import segmenter\n"
        "words = segmenter.build().cut('刷卡提示请重新签到', True)\n"
        "print(json.dumps({'words': words, 'package': 'rjieba' in sys.modules}))\n"
    )
    assert result == {"words": ["刷卡", "提示", "请", "重新签到"], "package": False}


def test_an_rjieba_imported_first_is_reused_not_loaded_twice():
    # A PyO3 module refuses a second initialization in one process; both orders must work.
    result = _run(
        "import json, sys\n"
        "import rjieba\n"
        "from kb.search import segmenter\n"
        "same = segmenter.rjieba_module() is sys.modules['rjieba.rjieba']\n"
        "print(json.dumps({'same': same, 'words': segmenter.build().cut('请重新签到', True)}))\n"
    )
    assert result == {"same": True, "words": ["请", "重新签到"]}
