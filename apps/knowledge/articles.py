"""Writing imported FAQ articles: created or updated by key, phrasings replaced, one transaction."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction

from apps.knowledge.importing import ParsedArticle, Problem, key_slug
from apps.knowledge.models import Article, OutOfScopeQuestion, Phrasing


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    out_of_scope: int = 0  # new out-of-scope questions


def _as_is(articles: Iterable[ParsedArticle]) -> Iterable[ParsedArticle]:
    return articles


def slug_conflicts(articles: list[ParsedArticle]) -> list[Problem]:
    """Keys of the file whose slug an article of another key already has, by line."""
    slugs = {key_slug(parsed.key): parsed for parsed in articles}
    taken = Article.objects.filter(slug__in=list(slugs)).values_list("slug", "key")
    return [
        Problem(
            slugs[slug].line,
            f'key "{slugs[slug].key}" gives the slug "{slug}" of the existing article "{key}"',
        )
        for slug, key in taken
        if key != slugs[slug].key
    ]


def do_import_out_of_scope(texts: list[str], *, language: str, dry_run: bool = False) -> int:
    """Add the out-of-scope questions not already known; how many are new."""
    known = set(OutOfScopeQuestion.objects.filter(text__in=texts).values_list("text", flat=True))
    new = [text for text in texts if text not in known]
    if not dry_run:
        OutOfScopeQuestion.objects.bulk_create(
            OutOfScopeQuestion(text=text, language=language) for text in new
        )
    return len(new)


def do_import_articles(
    articles: list[ParsedArticle],
    *,
    language: str,
    published: bool,
    dry_run: bool = False,
    progress: Callable[[Iterable[ParsedArticle]], Iterable[ParsedArticle]] = _as_is,
    out_of_scope: list[str] | None = None,
) -> ImportResult:
    """Create or update an article per parsed article (question, answer, language, published)
    and make its phrasings the parsed ones; others are left alone. `out_of_scope` questions
    not known yet are added. An article counts as
    updated only if something changed. `dry_run` counts without writing; `progress` wraps the
    loop (a progress bar).

    Writes: articles and phrasings, in one transaction. Logs and enqueues nothing.
    Raises: IntegrityError if another import creates one of the keys at the same time.
    """
    created = updated = 0
    with transaction.atomic(durable=True):
        new_out_of_scope = do_import_out_of_scope(
            out_of_scope or [], language=language, dry_run=dry_run
        )
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
        created=created,
        updated=updated,
        unchanged=len(articles) - created - updated,
        out_of_scope=new_out_of_scope,
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
