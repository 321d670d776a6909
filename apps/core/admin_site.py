"""The desk's admin site: its name as header and title, a home that opens on the panels the
apps register (the agents' queues), and the apps in the order agents use them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# Apps agents use most come first; the rest follow alphabetically as Django orders them.
APP_ORDER = ["tickets", "handoffs", "knowledge", "quality", "sla", "routing"]


def desk_name() -> str:
    """`SERVICEDESK_NAME` from the settings, else "Service desk"."""
    return str(getattr(settings, "SERVICEDESK_NAME", "") or _("Service desk"))


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: Callable[[HttpRequest], dict[str, Any] | None]


class DeskAdminSite(admin.AdminSite):
    site_header = lazy(desk_name, str)()
    site_title = lazy(desk_name, str)()
    index_title = _("Your queues")
    index_template = "admin/desk_index.html"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.home_panels: list[HomePanel] = []

    def add_home_panel(self, template: str, context: Callable[[HttpRequest], Any]) -> None:
        """Show `template` on the home page with `context(request)` (None: not shown)."""
        self.home_panels.append(HomePanel(template, context))

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        rank = {label: n for n, label in enumerate(APP_ORDER)}
        apps.sort(key=lambda app: rank.get(app["app_label"], len(rank)))
        for app in apps:
            # The app's main model first (Service requests before Messages, ...).
            app["models"].sort(key=lambda m: m["object_name"] not in _FIRST_MODELS)
        return apps

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        panels = []
        for panel in self.home_panels:
            context = panel.context(request)
            if context is not None:
                panels.append({"template": panel.template, "context": context})
        return super().index(request, {**(extra_context or {}), "home_panels": panels})


_FIRST_MODELS = {"ServiceRequest"}


class DeskAdminConfig(AdminConfig):
    """Django's admin with the desk's site (INSTALLED_APPS names this instead of
    django.contrib.admin)."""

    default_site = "apps.core.admin_site.DeskAdminSite"
