"""The three staff roles as Django groups: agents work the console, editors write articles, admins do
everything. Merchants are ordinary accounts in no group. agents.roles keeps the groups' permissions in
line after every migrate, so models added later are covered too."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from agents.roles import roles_sync

    roles_sync(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("kb", "0005_terminal_models"),
        ("tickets", "0002_console"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
