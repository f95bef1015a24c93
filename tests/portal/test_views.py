"""Site-wide pages: robots.txt and the error pages (the health endpoints: test_health.py)."""

from unittest import mock

import pytest

pytestmark = pytest.mark.django_db


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_admin_and_tickets(client):
    response = client.get("/robots.txt")

    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert {"Disallow: /admin/", "Disallow: /tickets/", "Disallow: /en/tickets/"} <= set(lines)


def test_the_404_page_offers_search_in_chinese(client):
    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert 'name="q"' in html
    assert '<html lang="zh-hans">' in html


def test_the_404_page_offers_search_in_english_under_en(client):
    response = client.get("/en/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'name="q"' in html
    assert '<html lang="en">' in html


@pytest.fixture
def failing_home(client):
    client.raise_request_exception = False
    with mock.patch("kb.selectors.common_codes", side_effect=RuntimeError("boom")):
        yield client


def test_a_server_error_shows_a_plain_apology_in_chinese(failing_home):
    response = failing_home.get("/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "出错了" in html
    assert '<html lang="zh-hans">' in html
    assert "boom" not in html


def test_a_server_error_shows_a_plain_apology_in_english_under_en(failing_home):
    response = failing_home.get("/en/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert '<a href="/en/">' in html
