"""Admin for the organisation: departments, skills, agents and customers."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import Agent, AgentSkill, Customer, Department, Skill


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_triage", "agent_count", "created_at"]
    list_filter = ["is_triage"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    filter_horizontal = ["leads"]

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
    list_display = ["__str__", "username", "availability", "capacity", "department_names"]
    list_filter = ["availability", "departments", "skills"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["departments"]
    inlines = [AgentSkillInline]

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
