"""WorkerHeartbeat and AuditEvent now belong to infra (infra/migrations/0001): only portal's state forgets
them; the tables stay, under the same names, for infra."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_audit_events"),
        ("infra", "0001_models_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent"), migrations.DeleteModel(name="WorkerHeartbeat")],
            database_operations=[],
        ),
    ]
