"""Two web machines behind one load balancer: two gunicorn instances with production settings on one PostgreSQL
database and one Redis, used over HTTP as people use them (cookies, CSRF tokens, forms). Nothing but the
database, Redis and the shared media folder connects the two, so whatever one writes the other must serve."""

import html
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import quote, urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

import pytest
from django.conf import settings
from django.db import connection

from kb import services as kb_services
from kb.models import Article
from tickets.models import Ticket

from ..kb.test_admin import _form_data as article_form_data
from ..tickets.conftest import form_data as ticket_form_data
from ..tickets.conftest import image_bytes

# Two processes on one database: PostgreSQL, as production has it; and Redis (this worker's own database).
pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

STARTUP_SECONDS = 30


@pytest.fixture(autouse=True)
def _fast_passwords():
    """Not here: the machines run production settings, whose hashers must read the personas' passwords."""


@dataclass
class Page:
    status: int
    url: str
    text: str

    @property
    def visible(self) -> str:
        """What a reader sees: tags removed, entities decoded."""
        return html.unescape(re.sub(r"<[^>]+>", " ", self.text))


class Browser:
    """One person's browser. Its cookies go to both machines, as they would behind a load balancer."""

    def __init__(self):
        self.cookies = CookieJar()
        self._opener = build_opener(HTTPCookieProcessor(self.cookies))

    def get(self, url: str) -> Page:
        return self._open(url)

    def post(self, url: str, data: dict, files: list[tuple[str, str, bytes]] = ()) -> Page:
        """Send a form the way a browser does, with the CSRF token from the cookie an earlier page set;
        with files (field, file name, bytes) as multipart/form-data."""
        data = {**data, "csrfmiddlewaretoken": self.cookie("csrftoken")}
        if not files:
            return self._open(url, urlencode(data, doseq=True).encode())
        boundary = secrets.token_hex(16)
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, values in data.items()
            for value in (values if isinstance(values, list) else [values])
        ]
        for field, file_name, content in files:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n\r\n'
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self._open(url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def sign_in(self, machine: str, username: str, password: str) -> Page:
        self.get(f"{machine}/en/accounts/login/")
        page = self.post(f"{machine}/en/accounts/login/", {"username": username, "password": password})
        assert self.cookie("sessionid"), page.visible[:500]
        return page

    def cookie(self, name: str) -> str:
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    def download(self, url: str) -> tuple[int, bytes]:
        try:
            with self._opener.open(url, timeout=30) as response:
                return response.status, response.read()
        except HTTPError as error:
            return error.code, b""

    def _open(self, url: str, body: bytes | None = None, headers: dict | None = None) -> Page:
        try:
            request = Request(url, body, headers or {})  # noqa: S310 (only this test's own local servers)
            with self._opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except HTTPError as error:
            return Page(error.code, url, error.read().decode())


def _database_url() -> str:
    # The test database pytest-django created, so both machines and this test see the same rows.
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _production_env(folder: Path, bucket) -> dict[str, str]:
    cache = settings.CACHES["default"]
    assert cache["BACKEND"].endswith("RedisCache"), "the two machines share a Redis (the `redis` marker)"
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(folder),
        "PORTAL_ENV": "production",
        "SECRET_KEY": "two-machines-" + "k" * 50,  # one key for both, as every machine of a site has
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        "TASKS_BACKEND": "immediate",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": cache["LOCATION"],
        # Uploads go to the one bucket both machines use; neither keeps a file of its own.
        **bucket.env,
        # Static files come from the source folders; nothing here depends on collectstatic's manifest.
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
    }


def _start(name: str, env: dict[str, str], folder: Path) -> tuple[subprocess.Popen, str]:
    # The socket is bound here and handed over, so the port is known before gunicorn starts and no other
    # process can take it in between.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"fd://{listener.fileno()}"]
    with (folder / f"gunicorn-{name}.log").open("w") as log:
        process = subprocess.Popen(
            [*command, "--workers", "1", "--log-level", "warning"],
            cwd=settings.BASE_DIR,
            # Each machine has its own local folder (the folder cache, the secret key file it never
            # needs here): only the database, Redis and the bucket are shared.
            env={**env, "PORTAL_VAR_DIR": str(folder / name)},
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=[listener.fileno()],
        )
    listener.close()
    return process, url


def _wait_until_up(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if Browser().get(f"{url}/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn at {url} did not come up:\n{log.read_text()[-3000:]}")


def _stop(processes: list[subprocess.Popen]) -> None:
    # SIGINT is gunicorn's quick shutdown; both are told at once, then waited for, then killed if need be.
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def machines(transactional_db, tmp_path, bucket) -> tuple[str, str]:
    """Machines A and B, fresh for each test (a flush between tests would leave their in-process caches, such
    as content type ids, pointing at rows that are gone): their base URLs. Both are killed by PID however
    the test ends."""
    env = _production_env(tmp_path, bucket)
    started: list[subprocess.Popen] = []
    try:
        urls = []
        for name in ("a", "b"):
            process, url = _start(name, env, tmp_path)
            started.append(process)
            urls.append(url)
        for process, url, name in zip(started, urls, ("a", "b"), strict=True):
            _wait_until_up(process, url, tmp_path / f"gunicorn-{name}.log")
        yield urls[0], urls[1]
    finally:
        _stop(started)


def _file_ticket(machine: str, merchant: Browser, files: list[tuple[str, str, bytes]] = ()) -> Ticket:
    merchant.get(f"{machine}/en/tickets/new/")
    page = merchant.post(f"{machine}/en/tickets/new/", ticket_form_data(), files)
    assert page.status == 200 and "/sent/" in page.url, page.visible[:500]
    return Ticket.objects.get()


def test_a_ticket_filed_on_one_machine_is_read_and_answered_on_the_other(machines, merchant, agent, bucket):
    a, b = machines
    wang, li = Browser(), Browser()
    wang.sign_in(a, "merchant", "merchant-pass-123")
    ticket = _file_ticket(a, wang, [("photos", "screen.jpg", image_bytes()), ("logs", "pos.log", b"SIGN ON A0\n")])
    li.sign_in(b, "agent", "agent-pass-123")

    assert ticket.reference in li.get(f"{b}/en/agent/").text
    assert "签到后仍然失败" in li.get(f"{b}/en/agent/tickets/{ticket.reference}/").visible
    for attachment in ticket.attachments.all():  # stored by A in the bucket, served by B
        assert li.download(f"{b}/tickets/{ticket.reference}/files/{attachment.pk}/") == (
            200,
            bucket.read(attachment.file),
        )
    li.post(f"{b}/en/agent/tickets/{ticket.reference}/reply/", {"body": "请先做一次操作员签到，再刷卡。"})

    answered = wang.get(f"{a}/en/tickets/{ticket.reference}/")
    assert answered.status == 200
    assert "请先做一次操作员签到，再刷卡。" in answered.visible
    assert ticket.attachments.count() == 2


def test_a_session_created_on_one_machine_is_valid_on_the_other_until_signed_out_there(machines, merchant):
    a, b = machines
    wang = Browser()
    wang.sign_in(a, "merchant", "merchant-pass-123")
    ticket = _file_ticket(a, wang)

    on_b = wang.get(f"{b}/en/tickets/{ticket.reference}/")
    wang.post(f"{b}/en/accounts/logout/", {})

    assert on_b.status == 200
    assert "签到后仍然失败" in on_b.visible
    assert wang.get(f"{a}/en/tickets/{ticket.reference}/").status == 404


def _article(*, status: str, author) -> Article:
    category = kb_services.category_save(slug="printers", order=1, name_zh="打印机", name_en="Printers")
    content = kb_services.ArticleContent(
        title="打印机不出纸",
        category=category,
        body="## 检查纸卷\n\n第一版：打开纸仓。\n",
        status=status,
    )
    return kb_services.article_create(slug="two-machines", language="zh-hans", content=content, author=author)


@pytest.fixture
def published(editor) -> Article:
    return _article(status=Article.Status.PUBLISHED, author=editor)


@pytest.fixture
def draft(editor) -> Article:
    return _article(status=Article.Status.DRAFT, author=editor)


def _edit_in_the_admin(machine: str, article: Article, **changes) -> None:
    editor = Browser()
    editor.sign_in(machine, "editor", "editor-pass-123")
    change = f"{machine}/admin/kb/article/{article.pk}/change/"
    editor.get(change)
    page = editor.post(change, article_form_data(article, **changes))
    assert page.status == 200 and page.url.endswith("/admin/kb/article/"), page.visible[:1000]


def test_an_article_edited_on_one_machine_shows_its_new_text_on_both(machines, published):
    a, b = machines
    reader = Browser()
    for machine in (a, b):  # read first, so a page cache on either machine would be warm
        assert "第一版：打开纸仓。" in reader.get(f"{machine}/articles/two-machines/").visible

    _edit_in_the_admin(a, published, body="## 检查纸卷\n\n第二版：换一卷热敏纸。\n")

    for machine in (a, b):
        page = reader.get(f"{machine}/articles/two-machines/").visible
        assert "第二版：换一卷热敏纸。" in page
        assert "第一版" not in page


def test_an_article_published_on_one_machine_appears_on_both(machines, draft):
    a, b = machines
    reader = Browser()
    assert [reader.get(f"{machine}/articles/two-machines/").status for machine in (a, b)] == [404, 404]

    _edit_in_the_admin(a, draft, status=Article.Status.PUBLISHED)

    for machine in (a, b):
        page = reader.get(f"{machine}/articles/two-machines/")
        assert page.status == 200
        assert "第一版：打开纸仓。" in page.visible
