"""Search index hooks. Replaced by the real pipeline (kb/search/ package)."""


def index_article(article) -> None:
    return None


def unindex_article(article) -> None:
    return None


def index_code(code) -> None:
    return None


def unindex_code(code) -> None:
    return None
