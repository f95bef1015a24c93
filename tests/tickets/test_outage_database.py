"""PostgreSQL gone mid-run: a merchant sending a ticket gets their form back, filled in, and can send it again.

A real server (tests/pgcluster.py) is killed while a live portal process serves the form: no mock can show
what psycopg, Django's connection handling and the session middleware really do when the socket dies.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.pgcluster import free_port, portal_env, throwaway_cluster

from .conftest import form_data

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cluster():
    yield from throwaway_cluster()


@pytest.fixture(scope="module")
def portal(cluster, tmp_path_factory):
    """A migrated database on the cluster and a portal process serving it; returns its base URL."""
    env = portal_env(cluster, cluster.create_database("wt_worker_outage"), tmp_path_factory.mktemp("var"))
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300)
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(base: str) -> None:
    for _ in range(100):
        try:
            requests.get(f"{base}/en/tickets/new/", timeout=2)
            return
        except requests.ConnectionError:
            time.sleep(0.1)  # the server process is starting; nothing to patch here
    raise RuntimeError("the portal process did not start")


def _form(browser: requests.Session, base: str) -> dict:
    page = browser.get(f"{base}/en/tickets/new/").text
    key = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert key, page[:2000]
    key = key.group(1)
    return {**form_data(contact_name="陈静", description="签到失败，已重启两次"), "submission_key": key}


def test_with_the_database_down_the_form_comes_back_filled_in_and_sends_later(cluster, portal):
    browser = requests.Session()
    data = _form(browser, portal)
    headers = {"X-CSRFToken": browser.cookies["csrftoken"], "Referer": f"{portal}/en/tickets/new/"}
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]

    cluster.kill()
    try:
        down = browser.post(f"{portal}/en/tickets/new/", data=data, headers=headers, allow_redirects=False)
    finally:
        cluster.start()
    assert down.status_code == 503
    assert down.headers["Retry-After"] == "30"
    assert "We could not save your request just now." in down.text
    assert "陈静" in down.text and "签到失败，已重启两次" in down.text
    assert data["submission_key"] in down.text  # sending again cannot make a second ticket

    again = browser.post(f"{portal}/en/tickets/new/", data=data, headers=headers, allow_redirects=False)
    assert again.status_code == 302
    assert "/tickets/sent/" in again.headers["Location"] or "/sent" in again.headers["Location"]


def test_with_the_database_down_a_reply_comes_back_with_its_text(cluster, portal):
    browser = requests.Session()
    data = _form(browser, portal)
    data["csrfmiddlewaretoken"] = browser.cookies["csrftoken"]
    headers = {"Referer": f"{portal}/en/tickets/new/"}
    sent = browser.post(f"{portal}/en/tickets/new/", data=data, headers=headers, allow_redirects=False)
    reply_url = portal + sent.headers["Location"].replace("/sent/", "/reply/")
    reply = {"body": "还是不行", "csrfmiddlewaretoken": browser.cookies["csrftoken"]}

    cluster.kill()
    try:
        down = browser.post(reply_url, data=reply, headers=headers, allow_redirects=False)
    finally:
        cluster.start()
    assert down.status_code == 503
    assert "Your message was not sent yet" in down.text and "还是不行" in down.text
    assert browser.post(reply_url, data=reply, headers=headers, allow_redirects=False).status_code == 302
