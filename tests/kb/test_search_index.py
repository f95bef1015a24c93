"""The index follows every write: publish, edit, unpublish, delete, for articles and response codes."""

import pytest
from django.core.management import call_command

from kb import services
from kb.models import Article, ResponseCode
from kb.search.models import SearchEntry, SearchTerm
from kb.services import ResponseCodeContent
from tests.kb.search_helpers import keys, make_article, update_article

pytestmark = pytest.mark.django_db


def test_a_published_article_is_found():
    make_article(slug="zebra-terminal", title="斑马牌终端死机")
    assert keys("斑马") == ["zebra-terminal"]


def test_a_draft_is_not_found():
    make_article(slug="zebra-terminal", title="斑马牌终端死机", status=Article.Status.DRAFT)
    assert keys("斑马") == []


def test_publishing_a_draft_makes_it_findable():
    article = make_article(slug="zebra-terminal", title="斑马牌终端死机", status=Article.Status.DRAFT)
    update_article(article, status=Article.Status.PUBLISHED)
    assert keys("斑马") == ["zebra-terminal"]


def test_an_edited_title_is_found_by_its_new_words_only():
    article = make_article(slug="zebra-terminal", title="斑马牌终端死机")
    update_article(article, title="长颈鹿牌终端死机")
    assert keys("长颈鹿") == ["zebra-terminal"]
    assert keys("斑马") == []


def test_archiving_removes_the_article():
    article = make_article(slug="zebra-terminal", title="斑马牌终端死机")
    update_article(article, status=Article.Status.ARCHIVED)
    assert keys("斑马") == []


def test_deleting_removes_the_article():
    article = make_article(slug="zebra-terminal", title="斑马牌终端死机")
    services.article_delete(article=article)
    assert keys("斑马") == []


def test_an_article_deleted_outside_the_services_leaves_no_entry():
    article = make_article(slug="zebra-terminal", title="斑马牌终端死机")
    Article.objects.filter(pk=article.pk).delete()
    assert not SearchEntry.objects.filter(key="zebra-terminal").exists()
    assert keys("斑马") == []


def test_each_language_has_its_own_entry():
    make_article(slug="zebra-terminal", title="斑马牌终端死机")
    make_article(slug="zebra-terminal", title="Zebra terminal freezes", language="en")
    assert SearchEntry.objects.filter(key="zebra-terminal").count() == 2
    assert keys("zebra", language="en") == ["zebra-terminal"]


@pytest.mark.usefixtures("loaded_kb")
def test_an_unpublished_code_leaves_the_index_in_both_languages():
    code = ResponseCode.objects.get(code="A7")
    content = ResponseCodeContent.of(code)
    services.response_code_save(content=ResponseCodeContent(**{**content.__dict__, "is_published": False}))
    assert not SearchEntry.objects.filter(kind="code", key="A7").exists()


@pytest.mark.usefixtures("loaded_kb")
def test_a_deleted_code_leaves_the_index():
    services.response_code_delete(code=ResponseCode.objects.get(code="A7"))
    assert "code:A7" not in keys("A7")


@pytest.mark.usefixtures("loaded_kb")
def test_an_edited_code_is_found_by_its_new_screen_text():
    code = ResponseCode.objects.get(code="A7")
    content = ResponseCodeContent.of(code)
    services.response_code_save(content=ResponseCodeContent(**{**content.__dict__, "screen_texts": "河马警报"}))
    assert keys("河马警报")[0] == "code:A7"


def test_the_typo_vocabulary_forgets_words_of_deleted_articles():
    article = make_article(slug="zebra-terminal", title="Zebra terminal freezes", language="en")
    assert SearchTerm.objects.filter(term="zebra", entries=1).exists()
    services.article_delete(article=article)
    assert not SearchTerm.objects.filter(term="zebra").exists()


@pytest.mark.usefixtures("loaded_kb")
def test_reindexing_gives_the_same_results():
    queries = ("请重新签到", "A0", "没网")
    # Pages that tie on score may swap places (ties fall back to row order), so compare what is found
    # and what comes first.
    before = [(keys(q, limit=100)[0], set(keys(q, limit=100))) for q in queries]
    entries = SearchEntry.objects.count()
    call_command("kb_reindex", verbosity=0)
    assert SearchEntry.objects.count() == entries
    assert [(keys(q, limit=100)[0], set(keys(q, limit=100))) for q in queries] == before


@pytest.mark.usefixtures("loaded_kb")
def test_every_published_article_and_code_is_indexed():
    articles = Article.objects.published().count()
    codes = ResponseCode.objects.filter(is_published=True).count()
    assert SearchEntry.objects.filter(kind="article").count() == articles
    assert SearchEntry.objects.filter(kind="code").count() == 2 * codes
