"""The article history in the admin: list, compare, restore (confirmed), and review of restored drafts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kb import diff, services
from kb.forms import RestoreForm
from kb.markdown import render
from kb.models import Article, ArticleRevision

# Shown in the compare table: every content field except the body, which gets its own two diffs.
COMPARED = [name for name in services.ARTICLE_FIELDS if name != "body"]


def field_label(name: str):
    return Article._meta.get_field(name).verbose_name


def _value(revision: ArticleRevision, name: str) -> str:
    if name == "category":
        return revision.category_slug
    if name in ("status", "visibility"):
        return str(getattr(revision, f"get_{name}_display")())
    if name == "publish_at":
        return date_format(localtime(revision.publish_at), "Y-m-d H:i") if revision.publish_at else "—"
    return str(getattr(revision, name))


class RevisionsAdminMixin:
    """Adds the history pages to ArticleAdmin. Every page asks the admin's own permission checks."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/revisions/", wrap(self.revisions_view), name="kb_article_revisions"),
            path("<int:pk>/revisions/compare/", wrap(self.compare_view), name="kb_article_compare"),
            path(
                "<int:pk>/revisions/<int:number>/restore/",
                wrap(require_http_methods(["GET", "HEAD", "POST"])(self.restore_view)),
                name="kb_article_restore",
            ),
            path(
                "<int:pk>/revisions/<int:number>/publish/",
                wrap(require_POST(self.publish_view)),
                name="kb_article_publish_revision",
            ),
            path(
                "<int:pk>/revisions/<int:number>/discard/",
                wrap(require_POST(self.discard_view)),
                name="kb_article_discard_revision",
            ),
            *super().get_urls(),
        ]

    def _article(self, request, pk, *, change=False) -> Article:
        article = get_object_or_404(Article, pk=pk)
        allowed = self.has_change_permission(request, article) if change else self.has_view_permission(request, article)
        if not allowed:
            raise PermissionDenied
        return article

    def _context(self, request, article: Article, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "article": article,
            "title": title,
            "subtitle": article.title,
            "has_change_permission": self.has_change_permission(request, article),
            **extra,
        }

    def revisions_view(self, request, pk):
        article = self._article(request, pk)
        revisions = list(article.revisions.select_related("author"))
        for revision in revisions:
            revision.change_labels = [field_label(name) for name in revision.changes]
        current = next((r for r in revisions if not r.pending), None)
        title = _("History of “%(title)s”") % {"title": article.title}
        context = self._context(request, article, title, revisions=revisions, current=current)
        return TemplateResponse(request, "admin/kb/article/revisions.html", context)

    def _comparison(self, article: Article, old: ArticleRevision, new: ArticleRevision) -> dict:
        changes = [
            (field_label(name), *diff.value_diff(_value(old, name), _value(new, name)))
            for name in COMPARED
            if _value(old, name) != _value(new, name)
        ]
        old_html = render(old.body, language=article.language)[0]
        new_html = render(new.body, language=article.language)[0]
        return {
            "old": old,
            "new": new,
            "changes": changes,
            "body_changed": old.body != new.body,
            "rendered_rows": diff.rendered_diff(old_html, new_html),
            "markdown_rows": diff.markdown_diff(old.body, new.body),
        }

    def compare_view(self, request, pk):
        article = self._article(request, pk)
        try:
            a, b = sorted(int(request.GET[k]) for k in ("a", "b"))
        except (KeyError, ValueError):
            messages.error(request, _("Choose two revisions to compare."))
            return redirect("admin:kb_article_revisions", pk=pk)
        old = article.revisions.filter(number=a).first()
        new = article.revisions.filter(number=b).first()
        if old is None or new is None:
            raise Http404(_("No such revision."))
        current = article.revisions.filter(pending=False).first()
        # A draft may be older than the current revision when the article was edited after the restore.
        draft = new if new.pending else old if old.pending else None
        title = _("Compare revision %(a)s with %(b)s") % {"a": a, "b": b}
        comparison = self._comparison(article, old, new)
        context = self._context(request, article, title, current=current, draft=draft, **comparison)
        return TemplateResponse(request, "admin/kb/article/compare.html", context)

    def restore_view(self, request, pk, number):
        """GET: what restoring would change, and the choice of draft or publish. POST: restore."""
        article = self._article(request, pk, change=True)
        revision = get_object_or_404(ArticleRevision, article=article, number=number)
        form = RestoreForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                restored = services.article_restore(
                    article=article, revision=revision, author=request.user, publish=form.cleaned_data["publish"]
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("admin:kb_article_revisions", pk=pk)
            if restored.pending:
                text = _("Revision %(n)s restored as draft revision %(d)s. Review it, then publish it.")
                messages.success(request, text % {"n": number, "d": restored.number})
                return redirect(self._compare_url(article, restored))
            messages.success(request, _("Revision %(n)s restored and published.") % {"n": number})
            return redirect("admin:kb_article_change", pk)
        current = article.revisions.filter(pending=False).first()
        title = _("Restore revision %(n)s?") % {"n": number}
        comparison = self._comparison(article, current, revision) if current else {}
        context = self._context(request, article, title, form=form, revision=revision, **comparison)
        return TemplateResponse(request, "admin/kb/article/restore.html", context)

    def _compare_url(self, article: Article, revision: ArticleRevision) -> str:
        current = article.revisions.filter(pending=False).first()
        base = reverse("admin:kb_article_compare", args=[article.pk])
        return f"{base}?a={current.number if current else revision.number}&b={revision.number}"

    def _pending(self, request, pk, number) -> ArticleRevision:
        article = self._article(request, pk, change=True)
        return get_object_or_404(ArticleRevision, article=article, number=number, pending=True)

    def publish_view(self, request, pk, number):
        revision = self._pending(request, pk, number)
        try:
            services.article_revision_publish(revision=revision, author=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin:kb_article_revisions", pk=pk)
        messages.success(request, _("Draft revision %(n)s is published.") % {"n": number})
        return redirect("admin:kb_article_change", pk)

    def discard_view(self, request, pk, number):
        revision = self._pending(request, pk, number)
        services.article_revision_discard(revision=revision)
        messages.success(request, _("Draft revision %(n)s discarded.") % {"n": number})
        return redirect("admin:kb_article_revisions", pk=pk)
