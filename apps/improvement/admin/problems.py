"""Admin: problem records; every save and every transition goes through their door."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.core.errors import Conflict, Forbidden, InvalidData, NotAllowed
from apps.improvement.extensions import problem_records
from apps.improvement.models import Problem, ProblemEvent
from apps.improvement.problems import services
from apps.improvement.selectors import list_problems_for
from apps.tickets.models import ServiceRequest

REFUSALS = (Conflict, Forbidden, InvalidData, NotAllowed)


class ProblemEventInline(admin.TabularInline):
    model = ProblemEvent
    extra = 0
    can_delete = False
    fields = ["seq", "transition", "from_state", "to_state", "actor", "at", "payload"]
    readonly_fields = fields
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _transition_action(name: str, label):
    def action(modeladmin, request, queryset):
        modeladmin.run_each(request, queryset, name)

    action.__name__ = f"run_{name}"
    return admin.action(description=label)(action)


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "state", "source", "department", "owner", "due_date"]
    list_filter = ["state", "source", "indicator", "department"]
    list_select_related = ["department", "owner"]
    search_fields = ["title", "root_cause", "corrective_action", "theme"]
    raw_id_fields = ["requests", "quality_alert"]
    inlines = [ProblemEventInline]
    readonly_fields = [
        "state",
        "version",
        "implemented_at",
        "closed_at",
        "verification_periods",
        "linked_records",
    ]
    fields = [
        "title",
        "description",
        "source",
        "quality_alert",
        "theme",
        "department",
        "category",
        "requests",
        "root_cause",
        "corrective_action",
        "owner",
        "due_date",
        "indicator",
        *readonly_fields,
    ]
    actions = [
        _transition_action("analyse", _("Start analysing")),
        _transition_action("plan", _("Action planned")),
        _transition_action("implement", _("Implemented")),
        _transition_action("verify", _("Verify (measure before and after)")),
        _transition_action("reopen", _("Reopen")),
        _transition_action("cancel", _("Cancel")),
    ]

    def get_queryset(self, request):
        return list_problems_for(actor_for_user(request.user))

    @admin.display(description=_("verification"))
    def verification_periods(self, obj):
        """Both periods side by side, the test and its outcome."""
        found = obj.verification if obj else {}
        if not found:
            return "-"
        keys = [k for k in found["before"] if k not in ("start", "end")]
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((k, found["before"][k], found["after"][k]) for k in ["start", "end", *keys]),
        )
        return format_html(
            '<table id="verification"><tr><th></th><th>{}</th><th>{}</th></tr>{}</table>'
            "<p>{}: {} &middot; p = {} &middot; {}</p>",
            _("before"),
            _("after"),
            rows,
            found["indicator"],
            found.get("test") or found.get("note"),
            found.get("p_value"),
            _("improved") if found["improved"] else _("not improved"),
        )

    @admin.display(description=_("linked records"))
    def linked_records(self, obj):
        """What higher apps keep about the problem (PDCA cycles), each a link."""
        found = problem_records(obj) if obj and obj.pk else []
        parts = [
            format_html(
                "<div>{}: {}</div>",
                label,
                format_html_join(", ", '<a href="{}">{}</a>', ((url, text) for text, url in links))
                if links
                else "-",
            )
            for label, links in found
        ]
        return format_html_join("", "{}", ((p,) for p in parts)) if parts else "-"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # The request admin orders its list by an annotation this plain queryset lacks.
        if db_field.name == "requests":
            kwargs["queryset"] = ServiceRequest.objects.order_by("pk")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The door writes; the links are saved (and logged) in save_related.
        actor = actor_for_user(request.user)
        fields = {n: form.cleaned_data[n] for n in services.EDITABLE if n in form.cleaned_data}
        if change:
            changed = {n: v for n, v in fields.items() if n in form.changed_data}
            saved = services.do_update_problem(
                obj, actor=actor, expected_version=obj.version, **changed
            )
        else:
            extra = {
                n: form.cleaned_data[n]
                for n in ("source", "quality_alert", "theme")
                if form.cleaned_data.get(n)
            }
            title = fields.pop("title")
            fields = {n: v for n, v in fields.items() if v not in (None, "")}
            saved = services.do_open_problem(actor=actor, title=title, **fields, **extra)
        obj.pk, obj.version = saved.pk, saved.version
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        for formset in formsets:  # the read-only log: saves nothing, but the admin expects it
            self.save_formset(request, form, formset, change=change)
        wanted = {r.pk for r in form.cleaned_data.get("requests") or []}
        problem = Problem.objects.get(pk=form.instance.pk)
        have = set(problem.requests.order_by().values_list("pk", flat=True))
        actor = actor_for_user(request.user)
        if wanted - have:
            services.do_link_requests(problem, actor=actor, ids=wanted - have)
        if have - wanted:
            services.do_link_requests(problem, actor=actor, ids=have - wanted, unlink=True)

    def run_each(self, request, queryset, name: str) -> None:
        actor = actor_for_user(request.user)
        done, refused = 0, []
        for problem in queryset:
            try:
                if name == "verify":
                    services.do_verify_problem(problem, actor=actor)
                else:
                    services.transition_problem(problem, name, actor=actor)
                done += 1
            except REFUSALS as error:
                refused.append(f"{problem.reference}: {error.message}")
        self.message_user(request, _("%(done)d done.") % {"done": done})
        for line in refused:
            self.message_user(request, line, level=messages.WARNING)
