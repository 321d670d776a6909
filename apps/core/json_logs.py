"""Log lines as JSON objects (one a line) for log collectors, with the request id of the web
request or the id of the Celery task they were written in. `DJANGO_LOG_FORMAT=json` turns it
on (the default in production); `plain` keeps the readable lines."""

import json
import logging

from apps.core.request_id import current_request_id


class RequestIdLogFilter(logging.Filter):
    """Puts `request_id` (web) and `task_id` (worker) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        record.task_id = _current_task_id() or "-"
        return True


def _current_task_id() -> str | None:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - Celery is a runtime requirement
        return None
    task = current_task
    request = getattr(task, "request", None) if task else None
    return getattr(request, "id", None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("request_id", "task_id"):
            value = getattr(record, name, "-")
            if value != "-":
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)
