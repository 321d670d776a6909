"""Error reports to Sentry (or a compatible service) when `SENTRY_DSN` is set: web and worker
processes report unhandled exceptions and logged errors, each tagged with the request id (web)
or the task id (worker) that also appears in the logs. No personal data: no user names, e-mail
addresses, cookies or request bodies are sent (`send_default_pii=False`, bodies never)."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentry_sdk.types import Event


def _tag_request_id(event: "Event", hint: dict[str, Any]) -> "Event":
    from apps.core.request_id import current_request_id

    if request_id := current_request_id():
        event.setdefault("tags", {})["request_id"] = request_id
    return event


def init_sentry(*, dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        before_send=_tag_request_id,
    )
