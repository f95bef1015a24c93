"""Load the shipped knowledge base (kb/content/) into the database.

Idempotent: unchanged files do nothing. An article or code edited in the admin since it was last
loaded is never overwritten without --force; the command lists what it kept.
"""

from pathlib import Path

import frontmatter
import yaml
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from kb.markdown import do_now_heading
from kb.models import Article, Category, Language, ResponseCode, Synonym, TerminalModel
from kb.search import synonym_save, synonym_terms_digest
from kb.services import (
    ArticleContent,
    ResponseCodeContent,
    TerminalModelContent,
    article_create,
    article_update,
    category_save,
    response_code_save,
    terminal_model_save,
)

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
NOTE = "kb_load"


def _join(values, sep: str) -> str:
    return sep.join(str(v).strip() for v in (values or []) if str(v).strip())


def _with_do_now(do_now, body: str, *, language: str) -> str:
    """An optional `do_now` block (Markdown) becomes the body's first section, which the page shows first.

    Kept in the body so editors change it in the admin like the rest of the article.
    """
    if not do_now:
        return body.strip() + "\n"
    with translation.override(language):
        heading = do_now_heading()
    return f"## {heading}\n\n{str(do_now).strip()}\n\n{body.strip()}\n"


def _summary(counts: dict) -> str:
    return ", ".join(f"{n} {k}" for k, n in counts.items())


class Command(BaseCommand):
    help = "Load articles, categories and response codes shipped in kb/content/ (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR)
        parser.add_argument(
            "--force", action="store_true", help="Overwrite content edited in the admin (it stays in the history)."
        )

    def handle(self, *args, content_dir: Path, force: bool, **options):
        if not content_dir.is_dir():
            raise CommandError(f"No content folder at {content_dir}")
        self.force = force
        self.kept: list[str] = []
        with transaction.atomic():
            categories = self.load_categories(content_dir / "categories.yaml")
            articles = self.load_articles(content_dir / "articles", categories)
            codes = self.load_codes(content_dir / "response_codes.yaml")
            synonyms = self.load_synonyms(content_dir / "synonyms.yaml")
            terminals = self.load_terminal_models(content_dir / "terminal_models.yaml")
        if options["verbosity"] >= 1:
            self.stdout.write(f"categories: {categories['_summary']}")
            self.stdout.write(f"articles: {articles}")
            self.stdout.write(f"response codes: {codes}")
            self.stdout.write(f"synonym groups: {synonyms}")
            self.stdout.write(f"terminal models: {terminals}")
        # Always said, whatever the verbosity: silently keeping an edit would look like a failed update.
        for item in self.kept:
            self.stdout.write(
                self.style.WARNING(f"kept admin edits of {item} (the shipped file changed; use --force to overwrite)")
            )

    def _decide(self, counts: dict, existing, digest: str, *, label: str) -> str:
        """Whether to create, update or leave one shipped item, counted. `source_hash` is the digest of the
        file last loaded, `content_hash` that of the stored content: if they differ, an admin edited it."""
        if existing is None:
            action = "created"
        elif existing.source_hash == digest:
            action = "unchanged"
        elif existing.content_hash == existing.source_hash or self.force:
            action = "updated"
        else:
            action = "kept"
            self.kept.append(label)
        counts[action] += 1
        return action

    def load_categories(self, path: Path) -> dict:
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        existing = set(Category.objects.values_list("slug", flat=True))
        created = 0
        for item in items:
            if item["slug"] in existing:
                continue
            category_save(
                slug=item["slug"],
                order=int(item.get("order", 100)),
                name_zh=item["name"]["zh-hans"],
                name_en=item["name"]["en"],
                description_zh=(item.get("description") or {}).get("zh-hans", ""),
                description_en=(item.get("description") or {}).get("en", ""),
            )
            created += 1
        categories = {c.slug: c for c in Category.objects.all()}
        categories["_summary"] = f"{created} created, {len(items) - created} already there"
        return categories

    def load_articles(self, folder: Path, categories: dict) -> str:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
        for path in sorted(folder.glob("*.md")):
            slug, _dot, language = path.stem.partition(".")
            if language not in Language.values:
                raise CommandError(f"{path.name}: name it <slug>.zh-hans.md or <slug>.en.md")
            post = frontmatter.load(path)
            meta = post.metadata
            try:
                category = categories[meta["category"]]
            except KeyError:
                raise CommandError(f"{path.name}: unknown or missing category {meta.get('category')!r}") from None
            content = ArticleContent(
                title=str(meta["title"]).strip(),
                category=category,
                body=_with_do_now(meta.get("do_now"), post.content, language=language),
                summary=str(meta.get("summary", "")).strip(),
                symptoms=_join(meta.get("symptoms"), "\n"),
                tags=_join(meta.get("tags"), ", "),
                codes=_join(meta.get("codes"), ", "),
                related=_join(meta.get("related"), ", "),
                order=int(meta.get("order", 100)),
                status=Article.Status.PUBLISHED,
            )
            digest = content.digest()
            article = Article.objects.filter(slug=slug, language=language).first()
            action = self._decide(counts, article, digest, label=f"article {slug} [{language}]")
            if action == "created":
                article_create(slug=slug, language=language, content=content, note=NOTE, source_hash=digest)
            elif action == "updated":
                article_update(article=article, content=content, note=NOTE, source_hash=digest)
        return _summary(counts)

    def load_codes(self, path: Path) -> str:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            content = ResponseCodeContent(
                code=str(item["code"]).strip().upper(),
                resign=str(item["resign"]).strip(),
                name_zh=item["name"]["zh-hans"].strip(),
                name_en=item["name"]["en"].strip(),
                action_zh=item["action"]["zh-hans"].strip(),
                action_en=item["action"]["en"].strip(),
                details_zh=(item.get("details") or {}).get("zh-hans", "").strip(),
                details_en=(item.get("details") or {}).get("en", "").strip(),
                screen_texts=_join(item.get("screen_texts"), "\n"),
            )
            digest = content.digest()
            code = ResponseCode.objects.filter(code=content.code).first()
            action = self._decide(counts, code, digest, label=f"response code {content.code}")
            if action in ("created", "updated"):
                response_code_save(content=content, instance=code, source_hash=digest)
        return _summary(counts)

    def load_synonyms(self, path: Path) -> str:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
        if not path.exists():
            return "none shipped"
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            key = str(item["key"]).strip()
            terms = [str(t).strip() for t in item.get("terms") or [] if str(t).strip()]
            is_active, note = bool(item.get("active", True)), str(item.get("note", "")).strip()
            digest = synonym_terms_digest(terms=terms, is_active=is_active, note=note)
            synonym = Synonym.objects.filter(key=key).first()
            action = self._decide(counts, synonym, digest, label=f"synonym group {key}")
            if action in ("created", "updated"):
                synonym_save(key=key, terms=terms, is_active=is_active, note=note, instance=synonym, source_hash=digest)
        return _summary(counts)

    def load_terminal_models(self, path: Path) -> str:
        counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
        if not path.exists():
            return "none shipped"
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            localized = {
                f"{field}_{suffix}": str(item[field][language])
                for field in ("name", "sign_on", "settlement", "reprint", "sign_off")
                for suffix, language in (("zh", "zh-hans"), ("en", "en"))
            }
            content = TerminalModelContent(
                slug=str(item["slug"]),
                kind=str(item["kind"]),
                vendor=str(item.get("vendor") or ""),
                order=int(item.get("order", 100)),
                is_published=bool(item.get("published", True)),
                **localized,
            )
            digest = content.digest()
            instance = TerminalModel.objects.filter(slug=content.slug).first()
            action = self._decide(counts, instance, digest, label=f"terminal model {content.slug}")
            if action in ("created", "updated"):
                terminal_model_save(content=content, instance=instance, source_hash=digest)
        return _summary(counts)
