"""Fill a portal instance and take its census, in a process of its own (tests/infra/test_backups.py).

python -m tests.infra.instance fill|census OUTPUT.json   (DJANGO_SETTINGS_MODULE=portal.settings)
"""

import dataclasses
import hashlib
import json
import sys

import django


def fill() -> None:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone

    from kb.models import Article
    from kb.services import ArticleContent, article_update
    from tickets.services import TicketDetails, ticket_create

    call_command("kb_load", verbosity=0)
    editor = get_user_model().objects.create_user(username="editor", password="editor-pass-123", is_staff=True)
    article = Article.objects.order_by("pk").first()
    content = dataclasses.replace(ArticleContent.of(article), body=f"{article.body}\n\n更新：重新签到后再试。")
    article_update(article=article, content=content, author=editor, note="history")
    merchant = get_user_model().objects.create_user(username="merchant", password="merchant-pass-123")
    for number in range(3):
        files = [
            SimpleUploadedFile(f"pos-{number}.log", f"2026-05-01 10:00:0{number} SIGN ON OK\n".encode(), "text/plain"),
            SimpleUploadedFile("终端日志.txt", "签到失败 A0\n".encode(), "text/plain"),
        ]
        details = TicketDetails(
            contact_name="王芳",
            phone="13800138000",
            merchant_id="102310058120001",
            terminal_id="12345678",
            occurred_at=timezone.now(),
            description=f"刷卡提示请重新签到 {number}",
        )
        key = f"backup-test-{number:04d}-padding"
        ticket_create(requester=merchant, details=details, submission_key=key, files=files)


def census() -> dict:
    from django.apps import apps
    from django.core.files.storage import default_storage

    rows = {model._meta.label: model._default_manager.count() for model in apps.get_models()}
    files = {}
    folders = [""]
    while folders:
        folder = folders.pop()
        subfolders, names = default_storage.listdir(folder)
        folders += [f"{folder}{sub}/" for sub in subfolders]
        for name in names:
            with default_storage.open(f"{folder}{name}", "rb") as stored:
                files[f"{folder}{name}"] = hashlib.sha256(stored.read()).hexdigest()
    return {"rows": rows, "files": files}


if __name__ == "__main__":
    django.setup()
    action, output = sys.argv[1:]
    if action == "fill":
        fill()
    with open(output, "w") as out:
        json.dump(census(), out)
