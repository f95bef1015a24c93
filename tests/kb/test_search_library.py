"""kb.search as a library: documents in, results out; it knows nothing of the knowledge base."""

import ast
from pathlib import Path

import pytest

from kb import search
from kb.search.models import SearchEntry

pytestmark = pytest.mark.django_db

LIBRARY = Path(search.__file__).parent


def _document(**fields) -> search.Document:
    defaults = {"kind": search.ARTICLE, "key": "zebra", "language": "zh-hans", "title": "斑马终端死机", "url": "/z/"}
    return search.Document(**(defaults | fields))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_library_imports_nothing_from_the_knowledge_base():
    outside = {
        (str(path.relative_to(LIBRARY)), module)
        for path in LIBRARY.rglob("*.py")
        for module in _imports(path)
        if module.startswith("kb") and not module.startswith("kb.search")
    }
    assert outside == set()


def test_an_indexed_document_is_found_with_the_url_it_was_given():
    search.index(_document(url="/somewhere/zebra/"))
    hits = search.search("斑马", language="zh-hans").hits
    assert [(hit.key, hit.url) for hit in hits] == [("zebra", "/somewhere/zebra/")]


def test_indexing_the_same_page_again_replaces_it():
    search.index(_document())
    search.index(_document(title="长颈鹿终端"))
    assert SearchEntry.objects.filter(key="zebra").count() == 1
    assert search.search("斑马", language="zh-hans").hits == []


def test_unindexing_removes_the_page_in_every_language():
    search.index(_document())
    search.index(_document(language="en", title="Zebra terminal"))
    search.unindex(kind=search.ARTICLE, key="zebra")
    assert not SearchEntry.objects.filter(key="zebra").exists()


def test_a_code_is_recognised_when_the_index_has_its_page():
    search.index(_document(kind=search.CODE, key="Q7", title="Q7 斑马故障", codes=("Q7",)))
    assert search.search("屏幕显示Q7是什么意思", language="zh-hans").codes == ["Q7"]


def test_a_code_shape_without_a_page_is_not_a_code():
    assert search.search("屏幕显示Q8是什么意思", language="zh-hans").codes == []


def test_without_another_language_nothing_matched_stays_empty():
    search.index(_document(language="en", title="Zebra terminal"))
    assert search.search("zebra", language="zh-hans").hits == []
    assert [hit.key for hit in search.search("zebra", language="zh-hans", other_language="en").hits] == ["zebra"]


def test_an_empty_result_offers_the_fallback_pages_the_caller_passes():
    search.index(_document(key="start", title="从这里开始"))
    search.index(_document(key="help", title="联系我们"))
    result = search.search("量子纠缠", language="zh-hans")
    found = search.alternatives(result, fallback=[(search.ARTICLE, "help"), (search.ARTICLE, "start")])
    assert [hit.key for hit in found] == ["help", "start"]


def test_a_search_is_logged_with_the_urls_shown():
    search.index(_document(url="/z/"))
    result = search.search("斑马", language="zh-hans")
    key = search.log_search(query="斑马", result=result, source=search.SearchLog.Source.API)
    search.open_logged(key=key, position=1)
    search.flush_log()

    log = search.SearchLog.objects.get(key=key)
    assert (log.results, log.opened_url) == (["/z/"], "/z/")


def test_a_code_without_a_page_puts_the_page_the_caller_names_first():
    search.index(_document(key="own-codes", title="收单机构自己的返回码"))
    search.index(_document(key="zebra-q8", title="斑马 Q8 提示"))
    result = search.search("斑马显示Q8", language="zh-hans", unknown_code_page=(search.ARTICLE, "own-codes"))
    assert result.unknown_codes == ["Q8"]
    assert [hit.key for hit in result.hits][:2] == ["own-codes", "zebra-q8"]
