"""Every page names a favicon and an apple-touch icon, and the browser's own /favicon.ico request finds one."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_browsers_own_favicon_request_is_answered_not_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.ico")


def test_pages_link_the_icons_and_the_files_exist(client):
    body = client.get("/").content.decode()
    for name in ("img/favicon.ico", "img/apple-touch-icon.png", "img/icon.svg"):
        assert name in body
        assert finders.find(name), name
