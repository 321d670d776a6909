"""Macros: canned replies with variables, personal or shared by a department, that may also run
a transition after the reply; their texts in other languages; how often they are used."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.macros import variables

# What a macro may run after its reply: transitions an agent runs without data (tests check
# this against the state machine). Labels as on the request page's buttons.
TRANSITIONS = [
    ("request_info", _("Request info")),
    ("resolve", _("Resolve")),
    ("start", _("Start")),
    ("close", _("Close request")),
    ("cancel", _("Cancel request")),
]
MAX_BODY = 20000  # as a reply typed in the reply box


def desk_language() -> str:
    return str(settings.LANGUAGE_CODE)


def check_text(text: str) -> None:
    """A ValidationError naming what a macro text may not use."""
    try:
        variables.check(text)
    except variables.UnknownVariable as exc:
        raise ValidationError(str(exc), code="unknown_variable") from exc


class Macro(models.Model):
    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=desk_language,
        help_text=_("The language the reply below is written in."),
    )
    body = models.TextField(
        _("reply"),
        max_length=MAX_BODY,
        validators=[check_text],
        help_text=_(
            "Sent as a public reply. Variables such as {{ customer.name }} or "
            "{{ request.reference }} are filled in; see the list below."
        ),
    )
    transition = models.CharField(
        _("then"),
        max_length=30,
        choices=TRANSITIONS,
        blank=True,
        help_text=_("Run this transition after the reply (empty: only reply)."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        verbose_name=_("personal macro of"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
        verbose_name=_("shared with department"),
        help_text=_("Empty: a personal macro, yours only."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    usage_count = models.PositiveIntegerField(_("used"), default=0, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        permissions = [
            (
                "manage_department_macros",
                _("Can manage the shared macros of the departments they work in"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(owner__isnull=False, department__isnull=True)
                    | models.Q(owner__isnull=True, department__isnull=False)
                ),
                name="macro_personal_or_department",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"],
                condition=models.Q(owner__isnull=False),
                name="one_personal_macro_name",
                violation_error_message=_("You have a macro of this name already."),
            ),
            models.UniqueConstraint(
                fields=["department", "name"],
                condition=models.Q(department__isnull=False),
                name="one_department_macro_name",
                violation_error_message=_("The department has a macro of this name already."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.owner_id is None) == (self.department_id is None):
            raise ValidationError(
                _("A macro is either personal (an owner) or a department's, not both or neither.")
            )

    def text_in(self, language: str) -> tuple[str, str]:
        """(language, reply text) for a reader of `language`: its translation, else the
        macro's own text. Uses the prefetched translations when there are."""
        for translation in self.translations.all():
            if translation.language == language and translation.body.strip():
                return translation.language, translation.body
        return self.language, self.body

    def name_in(self, language: str) -> str:
        """The name an agent reading `language` sees."""
        if language == self.language:
            return self.name
        for translation in self.translations.all():
            if translation.language == language and translation.name.strip():
                return translation.name
        return self.name


class MacroTranslation(models.Model):
    """The macro's name and reply in another language, chosen for customers who read it."""

    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    name = models.CharField(
        _("name"), max_length=100, blank=True, help_text=_("Empty: the macro's name.")
    )
    body = models.TextField(_("reply"), max_length=MAX_BODY, validators=[check_text])

    class Meta:
        ordering = ["language"]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["macro", "language"],
                name="one_macro_translation_per_language",
                violation_error_message=_("This macro has a translation in that language."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.macro} ({self.language})"
