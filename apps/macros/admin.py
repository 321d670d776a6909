"""The macro admin: agents keep their personal macros; leads (and holders of the permission)
their departments' shared ones; everyone sees what they may use, with how often it is used."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.accounts.models import Department
from apps.core.errors import ServiceDeskError
from apps.macros import rules, variables
from apps.macros.models import Macro, MacroTranslation


def _actor(request):
    try:
        return actor_for_user(request.user)
    except ServiceDeskError:
        return None


def _may_manage(request, macro: Macro | None) -> bool:
    if macro is None:
        return True
    actor = _actor(request)
    return actor is not None and rules.may_manage(actor, macro)


class TranslationInline(admin.StackedInline):
    model = MacroTranslation
    extra = 0
    fields = [("language", "name"), "body"]

    # Translations are part of their macro: changed by whoever may change it.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and _may_manage(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_manage(request, obj)


class MacroForm(forms.ModelForm):
    """The macro's fields; no department means a personal macro of the one saving it."""

    user = None  # set per request by MacroAdmin.get_form

    class Meta:
        model = Macro
        fields = ["name", "department", "language", "body", "transition", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6, "cols": 80})}

    def clean(self):
        cleaned = super().clean()
        department = cleaned.get("department")
        if department is None:
            if self.instance.owner_id is None:
                self.instance.owner = self.user
        else:
            self.instance.owner = None
        # The name constraints name `owner`, which is not a form field: Django would skip them.
        same = Macro.objects.filter(name=cleaned.get("name")).exclude(pk=self.instance.pk)
        if department is not None and same.filter(department=department).exists():
            self.add_error("name", _("The department has a macro of this name already."))
        elif department is None and same.filter(owner=self.instance.owner).exists():
            self.add_error("name", _("You have a macro of this name already."))
        return cleaned


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    form = MacroForm
    inlines = [TranslationInline]
    list_display = ["shown_name", "scope", "transition", "language", "usage_count", "last_used_at"]
    list_filter = ["is_active", "transition", "department"]
    list_select_related = ["department", "owner"]
    search_fields = ["name", "body", "translations__body"]
    readonly_fields = ["usage_count", "last_used_at", "variables"]
    fieldsets = [
        (None, {"fields": ["name", "department", "is_active"]}),
        (_("Reply"), {"fields": ["language", "body", "variables", "transition"]}),
        (_("Use"), {"fields": [("usage_count", "last_used_at")]}),
    ]

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, macro: Macro) -> str:
        return macro.name_in(get_language() or settings.LANGUAGE_CODE)

    @admin.display(description=_("for"))
    def scope(self, macro: Macro) -> str:
        return macro.department.name if macro.department else str(_("you (personal)"))

    @admin.display(description=_("variables"))
    def variables(self, macro: Macro | None = None) -> str:
        return format_html_join(
            "",
            "<div><code>{{{{ {} }}}}</code> {}</div>",
            ((name, meaning) for name, meaning in variables.VARIABLES.items()),
        )

    def get_queryset(self, request):
        actor = _actor(request)
        macros = super().get_queryset(request)
        macros = macros.prefetch_related("translations")  # the names in the agent's language
        return macros.filter(rules.visible_q(actor)) if actor else macros.none()

    def get_fieldsets(self, request, obj=None):
        # A macro not yet saved has not been used.
        return self.fieldsets if obj is not None else self.fieldsets[:2]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form = type(form.__name__, (form,), {"user": request.user})
        actor = _actor(request)
        managed = rules.managed_department_ids(actor) if actor else frozenset()
        departments = Department.objects.all()
        if managed is not None:
            departments = departments.filter(pk__in=managed)
        if "department" in form.base_fields:
            field = form.base_fields["department"]
            field.queryset = departments
            # The departments are not the agents' to view or change from here.
            for link in ("can_add_related", "can_change_related", "can_view_related"):
                setattr(field.widget, link, False)
        return form

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and _may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and _may_manage(request, obj)
