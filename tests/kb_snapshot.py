"""The knowledge base as the test database had it once `kb_load` had run, kept in memory by each worker and
written back in bulk after a transactional test's flush emptied it.

Every live-server (browser), outage and migration test ends with a flush, and the next test that needs the
knowledge base used to run `kb_load` again: 2.4 s on an idle machine, twice that with two workers busy,
paid by nearly every browser test. Writing the same rows back takes a tenth of a second. What is written
back is every row of the kb app's tables (articles, revisions, codes, synonyms, terminal models and search's
entries and terms); SQLite's full-text table follows the entries through its triggers, and PostgreSQL's
vectors are columns of the entries, so both come back with them (tests/kb/test_kb_snapshot.py).
"""

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, models, transaction


def _kb_models() -> list[type[models.Model]]:
    return list(apps.get_app_config("kb").get_models(include_auto_created=True))


def _columns(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


class KbSnapshot:
    """The rows of the kb app's tables, as values: each write-back builds new instances from them."""

    def __init__(self, rows: dict[type[models.Model], list[tuple]]):
        self.rows = rows

    @classmethod
    def take(cls) -> "KbSnapshot":
        rows = {}
        for model in _kb_models():
            values = list(model._meta.base_manager.order_by("pk").values_list(*_columns(model)))
            if values:
                rows[model] = values
        return cls(rows)

    def restore(self) -> None:
        """Write the rows back into tables a flush emptied, ids included (revisions and entries name their
        article and category by id), then move each id sequence past them so later inserts get new ids."""
        with transaction.atomic():
            for model, values in self.rows.items():
                columns = _columns(model)
                model._meta.base_manager.bulk_create(model(**dict(zip(columns, row, strict=True))) for row in values)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), list(self.rows)):
                    cursor.execute(statement)
