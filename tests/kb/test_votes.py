"""'Did this solve your problem?': recorded without an account, one answer per visitor, 'no' leads to support."""

from unittest import mock
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client

from kb import services
from kb.models import Article, ArticleVote

pytestmark = pytest.mark.usefixtures("loaded_kb")

HUB = "/articles/re-sign-in-prompt/"
VOTE = HUB + "vote/"


@pytest.fixture
def hub():
    return Article.objects.get(slug="re-sign-in-prompt", language="zh-hans")


def test_a_yes_vote_is_recorded(client, hub):
    client.post(VOTE, {"helpful": "yes"})

    assert list(ArticleVote.objects.filter(article=hub).values_list("helpful", flat=True)) == [True]


def test_a_yes_vote_thanks_the_visitor_on_the_article(client):
    response = client.post(VOTE, {"helpful": "yes"}, follow=True)

    assert response.redirect_chain[-1][0] == HUB + "#feedback"
    assert "谢谢！很高兴这篇文章帮到了您。" in response.content.decode()


def test_the_article_remembers_the_visitor_s_answer(client):
    client.post(VOTE, {"helpful": "yes"})

    assert "您说这篇文章有帮助，谢谢。" in client.get(HUB).content.decode()


def test_voting_needs_no_account(client, hub):
    response = client.post(VOTE, {"helpful": "yes"})

    assert response.status_code == 302
    assert ArticleVote.objects.filter(article=hub).count() == 1


def test_voting_twice_changes_the_answer_instead_of_adding_one(client, hub):
    client.post(VOTE, {"helpful": "yes"})
    client.post(VOTE, {"helpful": "no"})

    assert list(ArticleVote.objects.filter(article=hub).values_list("helpful", flat=True)) == [False]


def test_two_visitors_each_get_their_own_vote(client, hub):
    client.post(VOTE, {"helpful": "yes"})
    Client().post(VOTE, {"helpful": "no"})

    assert sorted(ArticleVote.objects.filter(article=hub).values_list("helpful", flat=True)) == [False, True]


def _ticket_form_params(response) -> dict:
    assert response.status_code == 302
    url = urlparse(response["Location"])
    assert url.path == "/tickets/new/"
    return {name: values[0] for name, values in parse_qs(url.query).items()}


def test_a_no_vote_does_not_guess_the_code_the_merchant_saw(client, hub):
    params = _ticket_form_params(client.post(VOTE, {"helpful": "no"}))

    assert params == {"article": "re-sign-in-prompt"}


def test_a_no_vote_carries_the_code_the_merchant_chose(client, hub):
    chosen = hub.code_list[-1]

    params = _ticket_form_params(client.post(VOTE, {"helpful": "no", "code": chosen.lower()}))

    assert params["code"] == chosen


def test_a_no_vote_ignores_a_code_the_article_is_not_about(client, hub):
    params = _ticket_form_params(client.post(VOTE, {"helpful": "no", "code": "51"}))

    assert "code" not in params


def test_a_no_vote_carries_the_search_the_merchant_came_from(client, hub):
    params = _ticket_form_params(client.post(VOTE, {"helpful": "no", "q": "刷卡 重新签到"}))

    assert params["q"] == "刷卡 重新签到"


def test_a_search_for_a_code_is_the_code_the_merchant_saw(client, hub):
    params = _ticket_form_params(client.post(VOTE, {"helpful": "no", "q": "返回码A0"}))

    assert params["code"] == "A0"
    assert params["q"] == "返回码A0"


def test_the_article_reached_from_a_code_page_preselects_that_code(client, hub):
    response = client.get(HUB + "?code=99")

    assert '<option value="99" selected>' in response.content.decode()


def test_a_no_vote_on_an_article_without_codes_carries_only_the_article(client, make_article):
    make_article(slug="no-codes")

    response = client.post("/articles/no-codes/vote/", {"helpful": "no"})

    assert response["Location"] == "/tickets/new/?article=no-codes"


def test_a_no_vote_on_an_english_article_leads_to_the_english_ticket_form(client):
    response = client.post("/en" + VOTE, {"helpful": "no"})

    assert response["Location"].startswith("/en/tickets/new/?article=re-sign-in-prompt")


def test_a_no_vote_is_recorded(client, hub):
    client.post(VOTE, {"helpful": "no"})

    assert list(ArticleVote.objects.filter(article=hub).values_list("helpful", flat=True)) == [False]


def test_voting_by_get_is_not_allowed(client, hub):
    response = client.get(VOTE, {"helpful": "yes"})

    assert response.status_code == 405
    assert not ArticleVote.objects.filter(article=hub).exists()


@pytest.mark.parametrize("choice", ["maybe", ""])
def test_an_invalid_choice_is_not_recorded_and_says_so(client, hub, choice):
    response = client.post(VOTE, {"helpful": choice}, follow=True)

    assert not ArticleVote.objects.filter(article=hub).exists()
    assert "请选择“是”或“否”。" in response.content.decode()


def test_a_vote_on_a_draft_is_not_found_for_the_public(client, make_article):
    make_article(slug="draft", status=Article.Status.DRAFT)

    assert client.post("/articles/draft/vote/", {"helpful": "yes"}).status_code == 404
    assert not ArticleVote.objects.exists()


def test_the_same_visitor_voting_twice_through_the_service_keeps_one_row(hub):
    services.article_vote(article=hub, visitor="visitor-1", helpful=True)
    services.article_vote(article=hub, visitor="visitor-1", helpful=True)

    assert ArticleVote.objects.filter(article=hub, visitor="visitor-1").count() == 1


def test_a_concurrent_first_vote_that_wins_the_insert_becomes_an_update(hub):
    # The other request inserted the row between our lookup and our insert: the database refuses ours.
    ArticleVote.objects.create(article=hub, visitor="visitor-1", helpful=True)
    lost_race = mock.patch.object(ArticleVote.objects, "update_or_create", side_effect=IntegrityError("duplicate"))

    with lost_race:
        vote = services.article_vote(article=hub, visitor="visitor-1", helpful=False)

    assert vote.helpful is False
    assert list(ArticleVote.objects.filter(article=hub).values_list("helpful", flat=True)) == [False]


def test_the_database_refuses_a_second_row_for_the_same_visitor(hub):
    ArticleVote.objects.create(article=hub, visitor="visitor-1", helpful=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleVote.objects.create(article=hub, visitor="visitor-1", helpful=False)


def test_a_vote_without_a_visitor_identifier_is_refused(hub):
    with pytest.raises(ValidationError):
        services.article_vote(article=hub, visitor="", helpful=True)
