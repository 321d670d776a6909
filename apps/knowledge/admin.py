"""Admin for FAQ articles (phrasings, statistics counted from uses, preview) and their uses."""

from django.contrib import admin
from django.db.models import Count, F, FloatField, Q
from django.db.models.functions import Cast, NullIf
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from apps.accounts.scope import visible_requests_q
from apps.core.admin import ReadOnlyAdminMixin
from apps.knowledge.markdown import render_answer
from apps.knowledge.models import (
    Article,
    ArticleUse,
    Outcome,
    OutOfScopeQuestion,
    Phrasing,
    UseKind,
)
from apps.lifecycle.reference import ReferenceSearchMixin


class PhrasingInline(admin.TabularInline):
    model = Phrasing
    extra = 3


def with_statistics(queryset):
    """Articles annotated with their use counts and acceptance rate, in the same query."""
    reacted = F("accepted") + F("declined")
    return queryset.annotate(
        suggested=Count("uses", filter=Q(uses__kind=UseKind.SUGGESTED)),
        answered=Count("uses", filter=Q(uses__kind=UseKind.ANSWERED)),
        accepted=Count("uses", filter=Q(uses__outcome=Outcome.ACCEPTED)),
        declined=Count("uses", filter=Q(uses__outcome=Outcome.DECLINED)),
    ).annotate(acceptance=Cast("accepted", FloatField()) / NullIf(reacted, 0))


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "question",
        "language",
        "category",
        "department",
        "published",
        "suggested_count",
        "answered_count",
        "accepted_count",
        "declined_count",
        "acceptance_rate",
    ]
    list_filter = ["language", "published", "category", "department"]
    list_select_related = ["category", "department"]
    search_fields = ["key", "question", "answer", "phrasings__text"]
    search_help_text = _("Key, question, answer or any phrasing.")
    autocomplete_fields = ["category", "department"]
    readonly_fields = ["answer_preview", "updated_at"]
    fieldsets = [
        (None, {"fields": ["key", "question", ("language", "published")]}),
        (_("Answer"), {"fields": ["answer", "answer_preview"]}),
        (_("Filing"), {"fields": ["category", "department", "updated_at"]}),
    ]
    inlines = [PhrasingInline]

    def get_queryset(self, request):
        return with_statistics(super().get_queryset(request))

    @admin.display(description=_("suggested"), ordering="suggested")
    def suggested_count(self, article: Article) -> int:
        return article.suggested

    @admin.display(description=_("auto-answered"), ordering="answered")
    def answered_count(self, article: Article) -> int:
        return article.answered

    @admin.display(description=_("accepted"), ordering="accepted")
    def accepted_count(self, article: Article) -> int:
        return article.accepted

    @admin.display(description=_("declined"), ordering="declined")
    def declined_count(self, article: Article) -> int:
        return article.declined

    @admin.display(description=_("acceptance"), ordering="acceptance")
    def acceptance_rate(self, article: Article) -> str:
        # Of the uses someone reacted to; "no reaction" says nothing either way.
        if article.acceptance is None:
            return "-"
        return f"{article.acceptance:.0%}"

    @admin.display(description=_("preview"))
    def answer_preview(self, article: Article) -> str:
        if not article.answer:
            return "-"
        # Sanitized by render_answer: scripts, event handlers and javascript: links are gone.
        return format_html(
            '<div class="faq-answer-preview">{}</div>', mark_safe(render_answer(article.answer))
        )


@admin.register(ArticleUse)
class ArticleUseAdmin(ReferenceSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    reference_lookup = "request_id"
    list_display = ["request_reference", "article_key", "kind", "score", "outcome", "created_at"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["request", "article"]
    search_fields = ["article__key"]
    search_help_text = _("Article key, or a request reference such as SR-000123.")
    ordering = ["-created_at", "-pk"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(visible_requests_q(request.user, prefix="request__"))
        )

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.opts.fields]

    @admin.display(description=_("request"), ordering="request_id")
    def request_reference(self, use: ArticleUse) -> str:
        return use.request.reference

    @admin.display(description=_("article"), ordering="article__key")
    def article_key(self, use: ArticleUse) -> str:
        return use.article.key


@admin.register(OutOfScopeQuestion)
class OutOfScopeQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "language", "updated_at"]
    list_filter = ["language"]
    search_fields = ["text"]
