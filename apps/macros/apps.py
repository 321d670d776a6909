"""App config for macros: the macro picker in the request page's reply box."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MacrosConfig(AppConfig):
    name = "apps.macros"
    label = "macros"
    verbose_name = _("Macros")

    def ready(self) -> None:
        from apps.macros import reply_tool
        from apps.tickets import extensions

        extensions.add_reply_tool(
            extensions.ReplyTool(
                key="macros",
                template=reply_tool.TEMPLATE,
                data=reply_tool.picker,
                field=reply_tool.FIELD,
                send=reply_tool.send,
            )
        )
