"""Search analytics for editors, and synonyms they edit without a deploy."""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from kb.management.commands.kb_load import CONTENT_DIR
from kb.search.analytics import search_analytics
from kb.search.models import SearchLog, Synonym
from tests.kb.search_helpers import keys, open_links

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded_kb")]

ANALYTICS = "/admin/kb/searchlog/analytics/"


def _open_first(client, query):
    client.get(open_links(client.get("/search/", {"q": query}))[0])


def test_every_search_is_logged_with_its_normalized_query_and_result_count(client):
    client.get("/search/", {"q": "  簽到失敗！ "})
    log = SearchLog.objects.get()
    assert (log.query, log.normalized, log.source) == ("簽到失敗！", "签到失败", "page")
    assert log.result_count == len(log.results) > 0


def test_api_and_suggestion_searches_are_logged_apart(client):
    client.get("/api/search", {"q": "A0", "lang": "zh-hans"})
    client.get("/api/search", {"q": "A0", "lang": "zh-hans", "suggest": "1"})
    assert sorted(SearchLog.objects.values_list("source", flat=True)) == ["api", "suggest"]


def test_zero_result_queries_are_listed(client):
    client.get("/search/", {"q": "量子纠缠"})
    client.get("/search/", {"q": "量子纠缠"})
    client.get("/search/", {"q": "A0"})
    analytics = search_analytics(days=30)
    assert analytics.zero_results == 2
    assert [(row["normalized"], row["searches"]) for row in analytics.zero_result_queries] == [("量子纠缠", 2)]


def test_click_through_counts_searches_where_a_result_was_opened(client):
    _open_first(client, "A0")
    client.get("/search/", {"q": "A0"})
    analytics = search_analytics(days=30)
    assert (analytics.searches, analytics.opened, analytics.click_through) == (2, 1, 0.5)
    row = analytics.top_queries[0]
    assert (row["normalized"], row["searches"], row["opened"], row["click_through"]) == ("a0", 2, 1, 0.5)
    assert analytics.top_opened == [{"url": "/codes/A0/", "opens": 1}]


def test_suggestions_are_left_out_of_the_figures_unless_asked_for(client):
    client.get("/api/search", {"q": "签", "suggest": "1"})
    assert search_analytics(days=30).searches == 0
    assert search_analytics(days=30, include_suggestions=True).searches == 1


def test_an_editor_sees_the_analytics_page(client, editor):
    _open_first(client, "A0")
    client.get("/search/", {"q": "量子纠缠"})
    client.force_login(editor)
    response = client.get(ANALYTICS, {"days": 7})
    assert response.status_code == 200
    assert "量子纠缠" in response.text
    assert "/codes/A0/" in response.text


def test_staff_without_knowledge_base_rights_cannot_see_the_analytics(client, agent):
    client.force_login(agent)
    assert client.get(ANALYTICS).status_code == 403


def test_a_merchant_is_sent_to_the_admin_login(client, merchant):
    client.force_login(merchant)
    response = client.get(ANALYTICS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_nobody_can_add_log_rows_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/kb/searchlog/add/").status_code == 403


def test_a_synonym_added_in_the_admin_works_at_once(client, editor, django_capture_on_commit_callbacks):
    assert keys("zorblax") == []
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/kb/synonym/add/", {"key": "brand-name", "terms": "Zorblax\n打印机", "is_active": "on", "note": ""}
        )
    assert response.status_code == 302
    assert keys("zorblax")[:1] in (["fix-hardware"], ["cause-device"])


def test_a_deactivated_synonym_stops_working(django_capture_on_commit_callbacks):
    from kb.search.services import synonym_save
    from kb.search.synonyms import current_synonyms

    synonym = Synonym.objects.get(key="no-network")
    assert "没网" in current_synonyms().expand("no network")
    with django_capture_on_commit_callbacks(execute=True):
        synonym_save(key=synonym.key, terms=synonym.term_list, is_active=False, instance=synonym)
    assert current_synonyms().expand("no network") == []


def test_a_synonym_group_needs_two_terms(client, editor):
    client.force_login(editor)
    response = client.post("/admin/kb/synonym/add/", {"key": "lonely", "terms": "打印机", "is_active": "on"})
    assert response.status_code == 200
    assert not Synonym.objects.filter(key="lonely").exists()


def test_a_combination_added_in_the_admin_works_at_once(client, editor, django_capture_on_commit_callbacks):
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/kb/synonym/add/",
            {"key": "printer-dead", "terms": "打印机坏了\nprinter broken\n打印机 + @fails", "is_active": "on"},
        )
    assert response.status_code == 302
    assert keys("打印机不行")[:1] in (["fix-hardware"], ["cause-device"])


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("打印机坏了\nprinter broken\n打印机 + @no-such-group", "没有键为“no-such-group”的其他同义词组"),
        ("打印机坏了\nprinter broken\n打印机 + ", "组合要用 + 连接两个或更多部分"),
        ("打印机坏了\n打印机 + @fails", "同义词组至少需要两个不同的词或短语"),
    ],
)
def test_a_bad_combination_is_refused_with_a_message_in_the_editors_language(client, editor, terms, message):
    client.force_login(editor)
    response = client.post("/admin/kb/synonym/add/", {"key": "printer-dead", "terms": terms, "is_active": "on"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Synonym.objects.filter(key="printer-dead").exists()


def test_another_process_picks_up_a_synonym_change(django_capture_on_commit_callbacks):
    """Each process keeps its synonyms in memory, keyed by a version in the shared cache."""
    from kb.search import synonyms
    from kb.search.services import synonym_save

    synonyms.current_synonyms()
    loaded_version = synonyms._loaded["version"]
    with django_capture_on_commit_callbacks(execute=True):
        synonym_save(key="brand-name", terms=["Zorblax", "打印机"])
    assert synonyms.current_synonyms().expand("zorblax") == ["zorblax", "打印机"]
    assert synonyms._loaded["version"] != loaded_version


def _edit_in_admin(django_capture_on_commit_callbacks, key: str, extra: str) -> None:
    from kb.search.services import synonym_save

    synonym = Synonym.objects.get(key=key)
    with django_capture_on_commit_callbacks(execute=True):
        synonym_save(key=key, terms=[*synonym.term_list, extra], instance=synonym)


def _shipped_with_extra_printer_term(tmp_path) -> Path:
    """A copy of kb/content whose synonyms.yaml adds a term to the printer group."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    groups = yaml.safe_load((content / "synonyms.yaml").read_text(encoding="utf-8"))
    next(g for g in groups if g["key"] == "printer")["terms"].append("Quuxprint")
    (content / "synonyms.yaml").write_text(yaml.safe_dump(groups, allow_unicode=True), encoding="utf-8")
    return content


def test_kb_load_keeps_a_synonym_group_edited_in_the_admin(django_capture_on_commit_callbacks, tmp_path):
    _edit_in_admin(django_capture_on_commit_callbacks, "printer", "Zorblax")
    out = StringIO()
    call_command("kb_load", content_dir=_shipped_with_extra_printer_term(tmp_path), stdout=out)
    terms = Synonym.objects.get(key="printer").term_list
    assert "Zorblax" in terms
    assert "Quuxprint" not in terms
    assert "kept admin edits of synonym group printer" in out.getvalue()


def test_kb_load_with_force_replaces_an_edited_group_with_the_shipped_one(django_capture_on_commit_callbacks, tmp_path):
    _edit_in_admin(django_capture_on_commit_callbacks, "printer", "Zorblax")
    call_command("kb_load", "--force", content_dir=_shipped_with_extra_printer_term(tmp_path), stdout=StringIO())
    terms = Synonym.objects.get(key="printer").term_list
    assert "Quuxprint" in terms
    assert "Zorblax" not in terms


def test_kb_load_updates_a_group_nobody_edited(tmp_path):
    call_command("kb_load", content_dir=_shipped_with_extra_printer_term(tmp_path), stdout=StringIO())
    assert "Quuxprint" in Synonym.objects.get(key="printer").term_list
