"""Writing imported FAQ articles: created or updated by key, phrasings replaced, one transaction."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from apps.knowledge.importing import ParsedArticle
from apps.knowledge.models import Article, Phrasing


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _as_is(articles: Iterable[ParsedArticle]) -> Iterable[ParsedArticle]:
    return articles


def do_import_articles(
    articles: list[ParsedArticle],
    *,
    language: str,
    published: bool,
    dry_run: bool = False,
    progress: Callable[[Iterable[ParsedArticle]], Iterable[ParsedArticle]] = _as_is,
) -> ImportResult:
    """Create or update an article per parsed article (question, answer, language, published)
    and make its phrasings the parsed ones; others are left alone. An article counts as
    updated only if something changed. `dry_run` counts without writing; `progress` wraps the
    loop (a progress bar).

    Writes: articles and phrasings, in one transaction. Logs and enqueues nothing.
    Raises: IntegrityError if another import creates one of the keys at the same time.
    """
    created = updated = 0
    with transaction.atomic(durable=True):
        existing = {
            article.key: article
            for article in Article.objects.select_for_update()
            .filter(key__in=[parsed.key for parsed in articles])
            .order_by("key")
        }
        phrasings: dict[int, list[str]] = {}
        for article_id, text in Phrasing.objects.filter(
            article__in=list(existing.values())
        ).values_list("article_id", "text"):
            phrasings.setdefault(article_id, []).append(text)
        for parsed in progress(articles):
            fields = {
                "question": parsed.question,
                "answer": parsed.answer,
                "language": language,
                "published": published,
            }
            article = existing.get(parsed.key)
            if article is None:
                created += 1
                if not dry_run:
                    article = Article.objects.create(key=parsed.key, **fields)
                    _add_phrasings(article, parsed.phrasings)
                continue
            changed = [name for name, value in fields.items() if getattr(article, name) != value]
            new_phrasings = phrasings.get(article.pk, []) != parsed.phrasings
            if not (changed or new_phrasings):
                continue
            updated += 1
            if not dry_run:
                _update(article, fields, changed, parsed.phrasings if new_phrasings else None)
    return ImportResult(
        created=created, updated=updated, unchanged=len(articles) - created - updated
    )


def _update(article: Article, fields: dict, changed: list[str], phrasings: list[str] | None):
    for name in changed:
        setattr(article, name, fields[name])
    # Saved even when only the phrasings changed, so `updated_at` says the article did.
    article.save(update_fields=[*changed, "updated_at"])
    if phrasings is not None:
        article.phrasings.all().delete()
        _add_phrasings(article, phrasings)


def _add_phrasings(article: Article, texts: list[str]) -> None:
    Phrasing.objects.bulk_create(Phrasing(article=article, text=text) for text in texts)
