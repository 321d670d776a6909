"""The URLs and demo logins that `load_demo_data` and `run_desk` print."""

from django.contrib.auth import get_user_model
from django.db import DatabaseError

from apps.demo.organisation import AGENTS, CUSTOMERS, DEMO_PASSWORD, DEPARTMENTS


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def urls_text(host: str, port: int) -> str:
    base = base_url(host, port)
    return "\n".join(
        [
            f"  Admin (agents):  {base}/admin/",
            f"  Health check:    {base}/healthz",
        ]
    )


def logins_text() -> str:
    """A small table of the demo accounts that exist in the database, with their password."""
    rows = _rows()
    users = get_user_model().objects.filter(username__in=[row[0] for row in rows])
    try:
        existing = set(users.values_list("username", flat=True))
    except DatabaseError:  # not migrated yet: the banner must not stop the desk from starting
        existing = set()
    rows = [row for row in rows if row[0] in existing]
    if not rows:
        return "  No demo accounts yet: run `manage.py migrate`, then `manage.py load_demo_data`."
    widths = [max(len(row[i]) for row in [*rows, _HEADER]) for i in range(3)]
    lines = [f"  Demo logins (password for all: {DEMO_PASSWORD}):"]
    for row in [_HEADER, *rows]:
        lines.append(
            "    " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        )
    lines.append("  Agents and admin sign in to the admin; customers own the demo requests.")
    return "\n".join(lines)


_HEADER = ("username", "role", "who")


def _rows() -> list[tuple[str, str, str]]:
    names = {code: name for code, name, _ in DEPARTMENTS}
    rows = [("admin", "superuser", "Desk Administrator")]
    for username, full_name, codes, leads, _, availability, _ in AGENTS:
        where = ", ".join(names[code] for code in codes)
        role = f"{'lead' if leads else 'agent'}, {where}"
        rows.append((username, role, f"{full_name} ({availability})"))
    for username, full_name, organisation, tier, language in CUSTOMERS:
        rows.append((username, f"customer, {tier}", f"{full_name}, {organisation} [{language}]"))
    return rows
