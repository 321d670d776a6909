"""Admin for the organisation: departments, skills, agents and customers."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.accounts.actors import actor_for_user
from apps.accounts.models import Agent, AgentSkill, Availability, Customer, Department, Skill
from apps.accounts.services import do_set_availability
from apps.core.errors import ServiceDeskError


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_triage",
        "assignment_strategy",
        "rebalance_on_offline",
        "calendar",
        "agent_count",
        "created_at",
    ]
    list_filter = ["is_triage", "assignment_strategy", "rebalance_on_offline"]
    list_select_related = ["calendar"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    filter_horizontal = ["leads"]
    fieldsets = [
        (None, {"fields": ["name", "code", "is_triage", "leads"]}),
        (
            _("Assignment"),
            {
                "description": _(
                    "How queued requests of this department reach its online agents, within "
                    "each agent's capacity."
                ),
                "fields": ["assignment_strategy", "rebalance_on_offline", "calendar"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(agent_count=Count("agents", distinct=True))

    @admin.display(description=_("agents"), ordering="agent_count")
    def agent_count(self, department: Department) -> int:
        return department.agent_count


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    # routing/admin.py adds each agent's open load against capacity (it knows the requests).
    list_display = ["__str__", "username", "availability", "department_names"]
    list_filter = ["availability", "departments", "skills"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["departments"]
    # Availability changes only through the door, which tells the worker to assign or requeue.
    readonly_fields = ["availability", "last_assigned_at"]
    inlines = [AgentSkillInline]
    # No allowed_permissions: the door decides (agents themselves, their leads, superusers).
    actions = ["set_online", "set_away", "set_offline"]

    def get_queryset(self, request):
        # Autocomplete lists use get_queryset, not list_select_related; each row shows the user.
        return super().get_queryset(request).select_related("user").prefetch_related("departments")

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, agent: Agent) -> str:
        return agent.user.get_username()

    @admin.display(description=_("departments"))
    def department_names(self, agent: Agent) -> str:
        # Sorted in Python so that the prefetched list serves every row without a query.
        return ", ".join(sorted(d.name for d in agent.departments.all()))

    @admin.action(description=_("Set online"))
    def set_online(self, request, queryset):
        self._set_availability(request, queryset, Availability.ONLINE)

    @admin.action(description=_("Set away"))
    def set_away(self, request, queryset):
        self._set_availability(request, queryset, Availability.AWAY)

    @admin.action(description=_("Set offline"))
    def set_offline(self, request, queryset):
        self._set_availability(request, queryset, Availability.OFFLINE)

    def _set_availability(self, request, queryset, availability: str) -> None:
        """Each selected agent through the door; what was set, unchanged or refused is reported."""
        try:
            actor = actor_for_user(request.user)
        except ServiceDeskError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        label = Availability(availability).label
        changed, unchanged = [], []
        for agent in queryset.order_by("pk"):
            try:
                do_set_availability(agent, availability, actor=actor)
            except ServiceDeskError as error:
                self.message_user(
                    request,
                    _("%(agent)s: refused: %(reason)s") % {"agent": agent, "reason": error.message},
                    messages.ERROR,
                )
                continue
            (unchanged if agent.availability == availability else changed).append(str(agent))
        if changed:
            self.message_user(
                request,
                _("Set to %(label)s: %(agents)s.") % {"label": label, "agents": ", ".join(changed)},
                messages.SUCCESS,
            )
        if unchanged:
            self.message_user(
                request,
                _("Unchanged, already %(label)s: %(agents)s.")
                % {"label": label, "agents": ", ".join(unchanged)},
                messages.INFO,
            )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "username", "email", "organisation", "tier", "language"]
    list_filter = ["tier", "language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "organisation"]
    autocomplete_fields = ["user"]

    def get_queryset(self, request):
        # Autocomplete lists use get_queryset, not list_select_related; each row shows the user.
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, customer: Customer) -> str:
        return customer.user.get_username()

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, customer: Customer) -> str:
        return customer.user.email
