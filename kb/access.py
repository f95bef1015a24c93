"""The access gate for articles, used by every page that shows one."""

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404
from django.utils.translation import gettext as _

from kb.models import Article, ArticleQuerySet

# Whoever reads: a signed-in user (merchant, agent or editor) or an anonymous visitor.
type Reader = User | AnonymousUser


def can_read_internal(user: Reader) -> bool:
    """Internal articles are written for the support team: staff who work tickets."""
    return bool(user.is_active and user.is_staff and user.has_perm("tickets.view_ticket"))


def can_preview(user: Reader) -> bool:
    """Drafts, scheduled and archived articles are the editors' business, not every staff member's."""
    return bool(user.is_active and user.is_staff and user.has_perm("kb.view_article"))


def articles_readable_by(*, user: Reader) -> ArticleQuerySet:
    """The live articles this user may read: public ones, plus internal ones for support staff."""
    return Article.objects.live() if can_read_internal(user) else Article.objects.published()


def article_visible_to(*, article: Article, user: Reader) -> bool:
    if article.is_public or can_preview(user):
        return True
    return article.is_live and article.visibility == Article.Visibility.INTERNAL and can_read_internal(user)


def article_for(*, user: Reader, slug: str, language: str) -> Article:
    """The article at this address, or 404 for anyone who may not read it (404, not 403: a draft's or an
    internal article's address cannot be probed)."""
    article = Article.objects.select_related("category").filter(slug=slug, language=language).first()
    if article is None or not article_visible_to(article=article, user=user):
        raise Http404(_("No such article."))
    return article
