"""Symptom search for the knowledge base: the interface the rest of the portal uses.

kb.services calls the index hooks inside its transactions; views call `search`. Everything else
(pipeline, backends, models) stays behind this module. Imports are local because kb.models imports
kb.search.models, which runs this file first.
"""


def index_article(article) -> None:
    from kb.search.services import entry_index_article

    entry_index_article(article=article)


def unindex_article(article) -> None:
    from kb.search.services import entry_unindex_article

    entry_unindex_article(article=article)


def index_code(code) -> None:
    from kb.search.services import entry_index_code

    entry_index_code(code=code)


def unindex_code(code) -> None:
    from kb.search.services import entry_unindex_code

    entry_unindex_code(code=code)


def search(query: str, *, language: str, limit: int = 10) -> list:
    """Hits (kb.search.selectors.Hit) in rank order: a response code's page first when the query names one."""
    from kb.search.selectors import search as run

    return run(query, language=language, limit=limit).hits


def reindex_all() -> dict[str, int]:
    from kb.search.services import index_rebuild

    return index_rebuild()
