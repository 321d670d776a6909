"""One API call of ours in-process: its SQL statements, commits, and a pyinstrument profile.

Run against the benchmark database of our project (`bench/api.py --keep` leaves it), with
the environment `bench/api_systems.py` gives gunicorn (see docs/performance.md):
`python bench/api_profile.py <token> <create|list|detail> [<ref>]`; PROFILE_ALL=1 shows every
frame.
"""

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from pyinstrument import Profiler
    from rest_framework.test import APIClient

    token, kind = sys.argv[1], sys.argv[2]
    client = APIClient(SERVER_NAME="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"subject": "Printer jams", "description": "It jams on every second page."}

    def call():
        if kind == "create":
            return client.post("/api/v1/requests/", body, format="json")
        if kind == "list":
            return client.get("/api/v1/requests/")
        return client.get(f"/api/v1/requests/{sys.argv[3]}/")

    for _ in range(20):  # warm caches, connections and imports
        call()
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: the request_started signal resets its log mid-call.
    with connection.execute_wrapper(record):
        response = call()
    assert response.status_code in (200, 201), response.content[:300]
    started = time.perf_counter()
    repeats = 50
    for _ in range(repeats):
        call()
    per_call_ms = (time.perf_counter() - started) * 1000 / repeats
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(repeats):
        call()
    profiler.stop()
    verbs = Counter(sql.split()[0].upper() for sql in statements)
    print(json.dumps({"queries": len(statements), "by_verb": verbs, "in_process_ms": per_call_ms}))
    for sql in statements:
        print("SQL:", sql[:220])
    show_all = bool(os.environ.get("PROFILE_ALL"))
    print(profiler.output_text(unicode=False, color=False, show_all=show_all))


if __name__ == "__main__":
    main()
