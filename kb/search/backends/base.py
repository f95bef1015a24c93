"""What every search backend provides. The pipeline, code detection, ranking order and snippets are shared."""

from typing import Protocol

from kb.search.pipeline import ParsedQuery

# Relative weight of each field when ranking: what the merchant sees (title, symptoms, codes) counts most,
# then tags and summary, then the body; pinyin of titles and tags counts least (it is a fallback).
FIELD_WEIGHTS = {
    "title_tokens": 10.0,
    "symptoms_tokens": 8.0,
    "codes_tokens": 10.0,
    "tags_tokens": 5.0,
    "summary_tokens": 4.0,
    "body_tokens": 1.0,
    "pinyin_tokens": 3.0,
}


class Backend(Protocol):
    vendor: str

    def entries_written(self, ids: list[int]) -> None:
        """Called after SearchEntry rows were inserted or updated (inside the same transaction)."""

    def match(
        self, query: ParsedQuery, *, language: str, limit: int, window: int | None = None
    ) -> list[tuple[int, float]]:
        """Entry ids matching any clause of the query, best first, with a score (higher is better).

        With `window`, only the `window` newest matching entries (highest ids) are ranked, so a query made
        only of very common words costs the same on any size of index.
        """

    def rebuild(self) -> None:
        """Make the backend's index agree with every SearchEntry row (after bulk loads or schema changes)."""
