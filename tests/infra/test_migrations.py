"""infra/migrations/0001: WorkerHeartbeat and AuditEvent move from portal to infra without touching a table,
and what a database held under portal's name (rows, the content types, permissions granted on them) stays."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(*, before_the_move: bool = False):
    """The database and its models before the move (infra unapplied, portal at 0002) or as now."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    latest = executor.loader.graph.leaf_nodes()
    if not before_the_move:
        executor.migrate(latest)
        return executor.loader.project_state(latest).apps
    executor.migrate([("infra", None)])
    old = [node for node in latest if node[0] not in ("infra", "portal")] + [("portal", "0002_audit_events")]
    return executor.loader.project_state(old).apps


def test_an_existing_database_keeps_its_audit_records_and_the_permissions_granted_on_them():
    old = migrate(before_the_move=True)
    # Unapplying the move named the content types back; a database from before it has them so.
    content_type = old.get_model("contenttypes", "ContentType").objects.get(app_label="portal", model="auditevent")
    permission = old.get_model("auth", "Permission").objects.get(codename="view_auditevent")
    assert permission.content_type_id == content_type.pk
    group = old.get_model("auth", "Group").objects.create(name="Auditors")
    group.permissions.add(permission)
    old.get_model("portal", "AuditEvent").objects.create(action="created", model="kb.article", object_id="7")
    old.get_model("portal", "WorkerHeartbeat").objects.create(id=1, task_id="t-1")

    new = migrate()

    assert list(new.get_model("infra", "AuditEvent").objects.values_list("model", "object_id")) == [("kb.article", "7")]
    assert new.get_model("infra", "WorkerHeartbeat").objects.get().task_id == "t-1"
    granted = new.get_model("auth", "Group").objects.get(name="Auditors").permissions.get()
    assert (granted.content_type.app_label, granted.content_type.model, granted.codename) == (
        "infra",
        "auditevent",
        "view_auditevent",
    )
    assert not new.get_model("contenttypes", "ContentType").objects.filter(app_label="portal").exists()


def test_the_tables_keep_their_names():
    apps = migrate()
    assert apps.get_model("infra", "AuditEvent")._meta.db_table == "portal_auditevent"
    assert apps.get_model("infra", "WorkerHeartbeat")._meta.db_table == "portal_workerheartbeat"
    assert {"portal_auditevent", "portal_workerheartbeat"} <= set(connection.introspection.table_names())
