"""FAQ articles with alternate phrasings, and every suggestion or answer made from them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Article(models.Model):
    key = models.CharField(
        _("key"),
        max_length=100,
        unique=True,
        help_text=_("Stable: evaluation sets and imports refer to it. Any text."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        editable=False,
        help_text=_("Derived from the key, for addresses."),
    )
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer (Markdown)"), max_length=20000)
    category = models.ForeignKey(
        "tickets.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return f"{self.key}: {self.question}"

    def save(self, *args, **kwargs) -> None:
        from apps.knowledge.importing import key_slug

        self.slug = key_slug(self.key)
        if kwargs.get("update_fields") is not None and "key" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        super().save(*args, **kwargs)


class Phrasing(models.Model):
    """Another way customers ask the article's question; the matcher learns from these."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="phrasings")
    text = models.CharField(_("phrasing"), max_length=500)

    class Meta:
        ordering = ["article", "pk"]
        verbose_name = _("phrasing")
        verbose_name_plural = _("phrasings")

    def __str__(self) -> str:
        return self.text


class OutOfScopeQuestion(models.Model):
    """A question this desk's FAQ must not answer: the matcher's "none of these" class learns
    from these (and from the generic ones shipped in apps/knowledge/data/out_of_scope.txt)."""

    text = models.CharField(_("question"), max_length=500, unique=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["text"]
        verbose_name = _("out-of-scope question")
        verbose_name_plural = _("out-of-scope questions")

    def __str__(self) -> str:
        return self.text


class UseKind(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested to the agent")
    ANSWERED = "answered", _("Answered automatically")


class Outcome(models.TextChoices):
    PENDING = "", _("Waiting")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    TIMED_OUT = "timed_out", _("No reaction")


class ArticleUse(models.Model):
    """One article suggested for, or answered on, one request: the source of the article
    statistics (counted in the database, never kept as counters)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="uses")
    request = models.ForeignKey(
        "tickets.ServiceRequest", on_delete=models.CASCADE, related_name="article_uses"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=UseKind.choices)
    score = models.FloatField(_("score"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, blank=True, default=Outcome.PENDING
    )
    created_at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "article", "kind"], name="one_use_per_request_article_kind"
            ),
        ]
        indexes = [models.Index(fields=["article", "kind", "outcome"], name="articleuse_stats")]

    def __str__(self) -> str:
        return f"{self.article.key} {self.kind} ({self.score:.2f})"
