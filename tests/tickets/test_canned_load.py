"""The canned replies shipped in tickets/content/ load idempotently, in both languages, and keep admin edits."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.kb.test_content_consistency import NEVER_SAY
from tickets.management.commands.canned_load import CONTENT, shipped_replies
from tickets.models import CannedReply

pytestmark = pytest.mark.django_db
CASES = {"sign-on-from-menu", "key-reload-by-acquirer", "network-checks", "card-declined-by-issuer"}


def _load(**options) -> None:
    call_command("canned_load", verbosity=0, stdout=io.StringIO(), **options)


def test_the_starter_set_covers_the_common_cases_in_both_languages():
    shipped = shipped_replies(CONTENT)
    assert {entry.key for entry in shipped} == CASES
    assert {(entry.key, entry.language) for entry in shipped} == {
        (k, lang) for k in CASES for lang in ("zh-hans", "en")
    }


def test_loading_twice_creates_each_reply_once():
    _load()
    _load()
    assert CannedReply.objects.count() == 2 * len(CASES)
    assert CannedReply.objects.filter(language="zh-hans", title="从菜单重新签到").exists()


def test_a_reply_edited_in_the_admin_is_kept_unless_forced():
    _load()
    reply = CannedReply.objects.get(key="network-checks", language="en")
    reply.body = "Our own wording."
    reply.save()
    _load()
    reply.refresh_from_db()
    assert reply.body == "Our own wording."
    _load(force=True)
    reply.refresh_from_db()
    assert reply.body.startswith("Hello {merchant_name}")


def test_a_broken_file_is_refused_with_its_name(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "canned.yaml"
    bad.write_text("- key: x\n  zh-hans: {title: 标题}\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"canned\.yaml"):
        _load(file=bad)
    assert not CannedReply.objects.exists()


ARTICLES = Path(__file__).resolve().parents[2] / "kb" / "content" / "articles"


@pytest.mark.parametrize("entry", shipped_replies(CONTENT), ids=lambda e: f"{e.key}.{e.language}")
def test_a_shipped_reply_says_what_the_articles_say(entry):
    """The replies reach merchants as they are: the knowledge base's corrections hold for them too."""
    text = f"{entry.title}\n{entry.body}"
    assert [reason for pattern, reason in NEVER_SAY if re.search(pattern, text, re.IGNORECASE)] == []
    # The sign-on that clears 请重新签到 is the POS sign-on with the acquirer; the operator sign-in is local.
    assert not re.search(r"选择.{0,2}操作员签到|choose (?:the )?operator sign-(?:on|in)", text, re.IGNORECASE)
    for slug in re.findall(r"\{article:([a-z0-9-]+)\}", entry.body):
        assert (ARTICLES / f"{slug}.{entry.language}.md").exists(), slug
