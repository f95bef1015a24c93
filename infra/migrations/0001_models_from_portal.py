"""WorkerHeartbeat and AuditEvent move from portal (the site) to infra, where health and audit use them.

The state moves, the tables do not: both keep their names (db_table), so no row is copied and an existing
database migrates without touching its tables (portal/migrations/0003 drops them from portal's state). The
content types are renamed, not recreated, so permissions granted on them (and admin log entries) stay.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ("auditevent", "workerheartbeat")


def rename_content_types(apps, schema_editor, *, source="portal", target="infra"):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        # A database where the target already exists keeps both; remove_stale_contenttypes tidies the old one.
        if not content_type.objects.filter(app_label=target, model=model).exists():
            content_type.objects.filter(app_label=source, model=model).update(app_label=target)


def rename_back(apps, schema_editor):
    rename_content_types(apps, schema_editor, source="infra", target="portal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0002_audit_events"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkerHeartbeat",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("task_id", models.CharField(blank=True, max_length=64)),
                    ],
                    options={
                        "db_table": "portal_workerheartbeat",
                        "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="one_worker_heartbeat")],
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("actor_username", models.CharField(blank=True, max_length=150, verbose_name="user name")),
                        (
                            "action",
                            models.CharField(
                                choices=[("created", "created"), ("changed", "changed"), ("deleted", "deleted")],
                                max_length=8,
                                verbose_name="action",
                            ),
                        ),
                        ("model", models.CharField(max_length=100, verbose_name="kind")),
                        ("object_id", models.CharField(max_length=64, verbose_name="object ID")),
                        ("object_repr", models.CharField(max_length=200, verbose_name="object")),
                        ("changes", models.JSONField(blank=True, default=dict, verbose_name="changes")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="when")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="by",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "portal_auditevent",
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["model", "object_id"], name="audit_object")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, rename_back),
    ]
