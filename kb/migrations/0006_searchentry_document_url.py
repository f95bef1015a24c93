"""Search entries stand alone: the URL kb gave is stored, the links to articles and codes go.

Existing entries get the URL kb would give them now (`manage.py kb_reindex` rebuilds them all anyway).
"""

from django.db import migrations, models
from django.urls import reverse
from django.utils import translation

from kb.search.backends import sqlite


def fill_urls(apps, schema_editor):
    entries = apps.get_model("kb", "SearchEntry").objects.all()
    for entry in entries.only("pk", "kind", "key", "language"):
        with translation.override(entry.language):
            if entry.kind == "code":
                url = reverse("kb:code", kwargs={"code": entry.key})
            else:
                url = reverse("kb:article", kwargs={"slug": entry.key})
        entries.filter(pk=entry.pk).update(url=url)


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_terminal_models")]

    operations = [
        migrations.AddField(
            model_name="searchentry",
            name="url",
            field=models.CharField(default="", help_text="Where the page is, as the caller gave it.", max_length=300),
        ),
        migrations.RunPython(fill_urls, migrations.RunPython.noop),
        migrations.RemoveField(model_name="searchentry", name="article"),
        migrations.RemoveField(model_name="searchentry", name="response_code"),
        migrations.AlterField(
            model_name="searchentry",
            name="key",
            field=models.CharField(help_text="Names the page within its kind (e.g. article slug, code).", max_length=80),
        ),
        # Removing columns makes SQLite rebuild kb_searchentry, which drops the FTS triggers.
        migrations.RunPython(sqlite.install, migrations.RunPython.noop),
    ]
