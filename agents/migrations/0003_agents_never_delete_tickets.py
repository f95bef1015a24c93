"""Issue 18: agents held `tickets.delete_ticket` (and the deletes of messages, files and events), so the
admin's "Delete selected" erased tickets with their history. agents.roles now withholds those permissions and
takes them back from the group; this runs it once (post_migrate keeps it so)."""

from django.db import migrations


def withhold_deletes(apps, schema_editor):
    from agents.roles import roles_sync

    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0002_saved_views"),
        ("tickets", "0009_ticket_erasure"),
    ]

    operations = [migrations.RunPython(withhold_deletes, migrations.RunPython.noop)]
