"""Where apps above tickets add to what its API and admin show, registered in their ready().

tickets owns the request's representation and its admin pages; a higher app (improvement's
forecast, knowledge's FAQ suggestions) plugs its part in here instead of tickets importing it,
so that apps import only downward (docs/architecture.md "Layers"). Like `hooks.py` for the
door, each registry keeps the order of registration and ignores a second registration of the
same thing (ready() may run twice in tests).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

if TYPE_CHECKING:  # for annotations only
    from apps.tickets.models import ServiceRequest


@dataclass(frozen=True)
class Queue:
    """An admin queue (a choice of the request list's queue filter)."""

    key: str
    label: Any  # a lazily translated text
    # (requests, user) -> requests
    filter: Callable[["QuerySet[ServiceRequest]", Any], "QuerySet[ServiceRequest]"]
    after: str = ""  # the queue it follows in the list ("" for the end)


@dataclass(frozen=True)
class Panel:
    """A box on the request's admin page: `template` rendered with `panel` = `data(request)`;
    nothing shows while `data` returns something empty."""

    key: str
    template: str
    data: Callable[[Any], Any]


@dataclass(frozen=True)
class ReplyTool:
    """A tool in the request page's reply box: `template` rendered with `tool` =
    `data(request, actor)` (nothing shows while it is empty). A reply posted with the form
    field `field` set is handed to `send(request, actor=, body=, internal=, files=, value=)`
    instead of the plain reply; `send` goes through the door and returns what to tell the
    agent."""

    key: str
    template: str
    data: Callable[[Any, Any], Any]
    field: str
    send: Callable[..., str]


_EXPECTED_BY: list[Callable[[Any], datetime | None]] = []
_RELATED: list[str] = []
_QUEUES: dict[str, Queue] = {}
_PANELS: dict[str, Panel] = {}
_REPLY_TOOLS: dict[str, ReplyTool] = {}


def provide_expected_by(read: Callable[[Any], datetime | None], *, related: str = "") -> None:
    """Register how the API's `expected_by` of a request is read; `related` names a one-to-one
    relation of the request that `read` uses, loaded with every request list and detail."""
    if read not in _EXPECTED_BY:
        _EXPECTED_BY.append(read)
    if related and related not in _RELATED:
        _RELATED.append(related)


def expected_by(request: "ServiceRequest") -> datetime | None:
    """When the desk expects to resolve the request: the first provider's answer, else None."""
    for read in _EXPECTED_BY:
        value = read(request)
        if value is not None:
            return value
    return None


def related_one_to_one() -> tuple[str, ...]:
    """The request's one-to-one relations that other apps read when showing it."""
    return tuple(_RELATED)


def add_queue(queue: Queue) -> None:
    _QUEUES.setdefault(queue.key, queue)


def added_queues() -> list[Queue]:
    return list(_QUEUES.values())


def add_panel(panel: Panel) -> None:
    _PANELS.setdefault(panel.key, panel)


def panels_for(service_request: "ServiceRequest") -> list[dict[str, Any]]:
    """The registered panels with something to show for this request, in registration order."""
    shown: list[dict[str, Any]] = []
    for panel in _PANELS.values():
        data = panel.data(service_request)
        if data:
            shown.append({"key": panel.key, "template": panel.template, "panel": data})
    return shown


def add_reply_tool(tool: ReplyTool) -> None:
    _REPLY_TOOLS.setdefault(tool.key, tool)


def reply_tools_for(service_request: "ServiceRequest", actor: Any) -> list[dict[str, Any]]:
    """The registered reply tools with something to offer on this request to `actor`."""
    shown: list[dict[str, Any]] = []
    for tool in _REPLY_TOOLS.values():
        data = tool.data(service_request, actor)
        if data:
            shown.append({"key": tool.key, "template": tool.template, "tool": data})
    return shown


def reply_tool_posted(form: Any) -> tuple[ReplyTool, str] | None:
    """The reply tool whose field the posted reply form sets (first registered wins), with
    the field's value; None for a plain reply."""
    for tool in _REPLY_TOOLS.values():
        value = form.get(tool.field, "")
        if value:
            return tool, str(value)
    return None
