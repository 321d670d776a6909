"""A phrasing saved or deleted counts as an update of its article, so the KB version moves."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from apps.knowledge.models import Article, Phrasing


def touch_article(sender, instance: Phrasing, **kwargs) -> None:
    """Set the article's `updated_at`, which the matching index's version reads."""
    Article.objects.filter(pk=instance.article_id).update(updated_at=timezone.now())


def connect_version_signals() -> None:
    post_save.connect(touch_article, sender=Phrasing, dispatch_uid="knowledge_touch_on_save")
    post_delete.connect(touch_article, sender=Phrasing, dispatch_uid="knowledge_touch_on_delete")
