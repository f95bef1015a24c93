"""Terminal models: editable content with the exact menu paths, picked once by the merchant and shown on articles."""

from dataclasses import replace
from io import StringIO

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from kb import services
from kb.management.commands.kb_load import CONTENT_DIR
from kb.models import TerminalModel
from kb.views import TERMINAL_COOKIE

pytestmark = pytest.mark.usefixtures("loaded_kb")

ARTICLE = "re-sign-in-prompt"


def _content(**changes) -> services.TerminalModelContent:
    fields = {
        "slug": "shop-x9",
        "name_zh": "X9 收银机",
        "name_en": "X9 till",
        "kind": TerminalModel.Kind.SMART,
        "vendor": "Example",
        "sign_on_zh": "收款 → 设置 → 签到",
        "sign_on_en": "Pay → Settings → Sign on",
        "settlement_zh": "收款 → 结算",
        "settlement_en": "Pay → Settle",
        "reprint_zh": "收款 → 记录 → 重打印",
        "reprint_en": "Pay → History → Reprint",
        "sign_off_zh": "收款 → 设置 → 签退",
        "sign_off_en": "Pay → Settings → Sign off",
    }
    return services.TerminalModelContent(**(fields | changes))


def _article_url(language: str = "zh-hans") -> str:
    with translation.override(language):
        return reverse("kb:article", kwargs={"slug": ARTICLE})


def _panel(response) -> str:
    """The "menu paths on your terminal" section of an article page."""
    page = response.content.decode()
    start = page.index('id="terminal-paths"')
    return page[start : page.index("</section>", start)]


GENERIC_SIGN_ON = "先做操作员签到，再进入“管理”（有的机型叫“签到”）→ “POS签到”"


def _shipped() -> list[dict]:
    return yaml.safe_load((CONTENT_DIR / "terminal_models.yaml").read_text(encoding="utf-8"))


def test_the_shipped_models_are_loaded_with_paths_in_both_languages():
    slugs = {item["slug"] for item in _shipped()}

    stored = TerminalModel.objects.filter(slug__in=slugs)

    assert stored.count() == len(slugs) >= 3
    assert {m.kind for m in stored} == set(TerminalModel.Kind.values)
    assert all(m.sign_on_zh and m.sign_on_en and m.sign_off_zh and m.sign_off_en for m in stored)


def test_loading_again_changes_no_terminal_model():
    before = list(TerminalModel.objects.values_list("slug", "content_hash", "updated_at"))
    out = StringIO()

    call_command("kb_load", stdout=out)

    assert list(TerminalModel.objects.values_list("slug", "content_hash", "updated_at")) == before
    assert f"terminal models: 0 created, 0 updated, {len(before)} unchanged" in out.getvalue()


def test_loading_keeps_a_model_an_admin_edited_unless_forced():
    model = TerminalModel.objects.get(slug=_shipped()[0]["slug"])
    edited = replace(_content(slug=model.slug), sign_on_zh="管理 → 1 签到")
    services.terminal_model_save(content=edited, instance=model)
    TerminalModel.objects.filter(pk=model.pk).update(source_hash="an older shipped file")

    out = StringIO()
    call_command("kb_load", stdout=out)
    kept = TerminalModel.objects.get(pk=model.pk).sign_on_zh
    call_command("kb_load", "--force", stdout=StringIO())

    assert kept == "管理 → 1 签到"
    assert f"kept admin edits of terminal model {model.slug}" in out.getvalue()
    assert TerminalModel.objects.get(pk=model.pk).sign_on_zh == _shipped()[0]["sign_on"]["zh-hans"]


def test_the_service_stores_a_new_model_with_its_digest():
    model = services.terminal_model_save(content=_content())

    assert model.sign_on_en == "Pay → Settings → Sign on"
    assert model.content_hash == _content().digest()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"slug": "Bad Slug!"}, "slug"),
        ({"kind": "tablet"}, "kind"),
        ({"sign_on_en": "  "}, "sign_on_en"),
        ({"name_zh": ""}, "name_zh"),
    ],
)
def test_the_service_refuses_an_incomplete_or_invalid_model(changes, field):
    with pytest.raises(ValidationError) as error:
        services.terminal_model_save(content=_content(**changes))

    assert field in error.value.message_dict
    assert not TerminalModel.objects.filter(name_en="X9 till").exists()


def test_the_service_refuses_a_second_model_with_the_same_slug():
    services.terminal_model_save(content=_content())

    with pytest.raises(ValidationError) as error:
        services.terminal_model_save(content=_content(name_en="Another till"))

    assert "slug" in error.value.message_dict


def _admin_form(**changes) -> dict:
    content = _content(**changes)
    return {name: getattr(content, name) for name in content.__dataclass_fields__} | {"is_published": "on"}


def test_an_editor_adds_a_model_in_the_admin_through_the_service(staff_client):
    response = staff_client.post(reverse("admin:kb_terminalmodel_add"), _admin_form(slug="Shop-X9"))

    assert response.status_code == 302
    model = TerminalModel.objects.get(slug="shop-x9")
    assert model.content_hash == _content().digest()


def test_the_admin_reports_a_missing_translation_instead_of_saving(staff_client):
    response = staff_client.post(reverse("admin:kb_terminalmodel_add"), _admin_form(reprint_en=""))

    assert response.status_code == 200
    assert not TerminalModel.objects.filter(slug="shop-x9").exists()


@pytest.mark.parametrize("persona", ["merchant", "agent", "outsider"])
def test_people_without_kb_rights_cannot_change_terminal_models(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    response = client.post(reverse("admin:kb_terminalmodel_add"), _admin_form())

    assert response.status_code in (302, 403)
    assert not TerminalModel.objects.filter(slug="shop-x9").exists()


def test_without_a_choice_the_article_shows_the_generic_paths_and_the_model_select(client):
    page = _panel(client.get(_article_url()))

    assert GENERIC_SIGN_ON in page
    for model in TerminalModel.objects.filter(is_published=True):
        assert f'value="{model.slug}"' in page


def test_choosing_a_model_shows_its_paths_and_remembers_it_in_a_cookie(client):
    model = services.terminal_model_save(content=_content())

    response = client.get(_article_url(), {"terminal": model.slug})

    assert model.sign_on_zh in _panel(response) and model.reprint_zh in _panel(response)
    assert GENERIC_SIGN_ON not in _panel(response)
    assert response.cookies[TERMINAL_COOKIE].value == model.slug
    assert 'name="robots" content="noindex"' in response.content.decode()


def test_the_remembered_model_is_shown_on_other_articles_and_in_english(client):
    model = services.terminal_model_save(content=_content())
    client.cookies[TERMINAL_COOKIE] = model.slug
    with translation.override("en"):
        other = reverse("kb:article", kwargs={"slug": "settle-and-sign-off"})

    page = _panel(client.get(other))

    assert model.settlement_en in page and model.settlement_zh not in page


def test_choosing_no_model_forgets_the_cookie_and_shows_the_generic_paths(client):
    model = services.terminal_model_save(content=_content())
    client.cookies[TERMINAL_COOKIE] = model.slug

    response = client.get(_article_url(), {"terminal": ""})

    assert response.cookies[TERMINAL_COOKIE]["max-age"] == 0  # deleted
    assert model.sign_on_zh not in _panel(response) and GENERIC_SIGN_ON in _panel(response)


def test_an_unpublished_model_is_neither_offered_nor_shown(client):
    model = services.terminal_model_save(content=_content(is_published=False))
    client.cookies[TERMINAL_COOKIE] = model.slug

    page = _panel(client.get(_article_url()))

    assert f'value="{model.slug}"' not in page
    assert model.sign_on_zh not in page and GENERIC_SIGN_ON in page


def test_an_unknown_model_in_the_link_falls_back_to_the_generic_paths(client):
    response = client.get(_article_url(), {"terminal": "no-such-model"})

    assert response.status_code == 200
    assert GENERIC_SIGN_ON in _panel(response)


def test_an_article_page_without_a_choice_in_the_link_is_indexable(client):
    assert 'content="noindex"' not in client.get(_article_url()).content.decode()
