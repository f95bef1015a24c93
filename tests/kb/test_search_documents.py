"""What kb hands to search for its articles and response codes."""

import pytest

from kb import search, services
from kb.models import Article, ResponseCode
from kb.search.models import SearchEntry
from kb.search_documents import article_document, code_document
from kb.services import ResponseCodeContent
from tests.kb.search_helpers import keys, make_article

pytestmark = pytest.mark.django_db


def test_an_article_document_carries_its_page_and_plain_text():
    article = make_article(slug="zebra", title="斑马终端", body="**加粗**的正文。", symptoms="斑马死机", codes="A0")
    document = article_document(article)
    assert (document.kind, document.key, document.url) == (search.ARTICLE, "zebra", "/articles/zebra/")
    assert "<" not in document.body and "加粗" in document.body
    assert document.symptoms == ("斑马死机",) and document.codes == ("A0",)


@pytest.mark.usefixtures("loaded_kb")
def test_a_code_document_has_both_names_and_its_language_s_url():
    code = ResponseCode.objects.get(code="A0")
    document = code_document(code, "en")
    assert document.url == "/en/codes/A0/"
    assert document.names == (code.name_en, code.name_zh)
    assert document.title.startswith("A0 ")


@pytest.mark.usefixtures("loaded_kb")
def test_a_renamed_code_leaves_the_index_under_its_old_name():
    code = ResponseCode.objects.get(code="A7")
    content = ResponseCodeContent.of(code)
    services.response_code_save(content=ResponseCodeContent(**{**content.__dict__, "code": "B7"}), instance=code)
    assert not SearchEntry.objects.filter(kind="code", key="A7").exists()
    assert SearchEntry.objects.filter(kind="code", key="B7").count() == 2


def test_an_article_deleted_with_a_queryset_leaves_the_index():
    article = make_article(slug="zebra", title="斑马终端")
    Article.objects.filter(pk=article.pk).delete()
    assert keys("斑马") == []


def test_a_heading_or_list_item_ends_its_sentence_in_the_plain_text():
    from kb.search import plain_text

    markup = (
        "<h2>What you see</h2>\n<p>A payment is declined.</p>\n"
        "<h2>您看到的现象</h2>\n<p>刷卡失败</p>\n<ul><li>签到</li><li>Why?</li></ul>"
    )
    assert plain_text(markup) == "What you see. A payment is declined. 您看到的现象。 刷卡失败 签到。Why?"
