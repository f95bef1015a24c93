from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import translation

from kb.models import Article, ResponseCode


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Article.objects.published().only("slug", "language", "updated_at").order_by("language", "slug")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at


class CodeSitemap(Sitemap):
    """Every code page in every language: the same record is served at /codes/X/ and /en/codes/X/."""

    changefreq = "monthly"
    priority = 0.6
    languages = ["zh-hans", "en"]

    def items(self):
        return [
            (language, code)
            for language in self.languages
            for code in ResponseCode.objects.filter(is_published=True).only("code", "updated_at")
        ]

    def location(self, item):
        language, code = item
        with translation.override(language):
            return reverse("kb:code", kwargs={"code": code.code})

    def lastmod(self, item):
        return item[1].updated_at


SITEMAPS = {"articles": ArticleSitemap, "codes": CodeSitemap}
