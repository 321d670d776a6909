"""E-mail intake throughput: mails per second from an IMAP server (Debian's dovecot) to
committed requests, beside the API's create rate measured in the same run on the same
database (the API benchmark's gunicorn, clients and settings: bench/api_systems.py).

```
.venv/bin/python bench/mail_intake.py [--mails 1000] [--seconds 10] [--rounds 3] [--keep]
```

Needs PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379 (database 13, whose keys are
deleted at the end) and dovecot. One throwaway database (`bench_mail_ours`): 1,000 customers
(bench-<i>@example.com). Per round: the API creates for `--seconds` (8 clients, 2 gunicorn
workers), then `--mails` mails from those customers are put into a fresh IMAP mailbox by APPEND
(not timed) and one poll takes them all in (`apps.mail.imap.poll_mailbox`, in a Django process
of the production settings; timed from the first IMAP command to the last \\Seen flag, each mail
its own transaction). Medians over rounds; the requests the poll committed are counted in the
database."""

import argparse
import json
import statistics
import sys
from dataclasses import replace
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402  after the path set-up above
from api import clean_redis, emit  # noqa: E402  after the path set-up above
from api_load import calls_for, run_load  # noqa: E402  after the path set-up above
from api_systems import SERVER, drop_database, prepare, start_gunicorn, stop, systems  # noqa: E402  after the path set-up above

from tests.support.dovecot import running_dovecot  # noqa: E402  after the path set-up above

# Runs in the desk's own process: one poll of the mailbox, timed inside (no start-up).
_POLL = """
import json, time
from apps.mail.imap import poll_mailbox
from apps.mail.models import Mailbox, Security
box = Mailbox.objects.create(name="{name}", host="127.0.0.1", port={port},
    security=Security.NONE, username="{username}", password="{password}")
started = time.perf_counter()
counts = poll_mailbox(box, limit={mails})
print(json.dumps({{"seconds": time.perf_counter() - started, "counts": dict(counts)}}))
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mails", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    return parser.parse_args()


def mails(count: int, round_no: int) -> list[bytes]:
    """`count` new mails from the benchmark's customers, a few lines each, like requests."""
    made = []
    for i in range(count):
        message = EmailMessage()
        message["From"] = f"Customer {i} <bench-{i % 1000}@example.com>"
        message["To"] = "desk@example.com"
        message["Subject"] = f"Printer on floor {i % 9} jams"
        message["Message-ID"] = f"<bench-{round_no}-{i}@customer.example>"
        message.set_content(
            "It jams on every second page since this morning.\n\nRegards,\nA customer\n"
        )
        made.append(message.as_bytes())
    return made


def committed(database: str, name: str) -> int:
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        return conn.execute(
            """SELECT count(*) FROM mail_inboundmail m JOIN mail_mailbox b ON b.id = m.mailbox_id
               WHERE b.name = %s AND m.outcome = 'created' AND m.request_id IS NOT NULL""",
            (name,),
        ).fetchone()[0]


def main() -> dict[str, float]:
    args = parse_args()
    ours = replace(systems()[0], database="bench_mail_ours")
    creates, intakes = [], []
    server = None
    prepare(ours)
    try:
        with running_dovecot() as dovecot:
            for round_no in range(args.rounds):
                server = start_gunicorn(ours)
                result = run_load(
                    ours.port, ours.tokens, calls_for("create", ours, {}), args.seconds, 201
                )
                stop(server)
                server = None
                emit(f"api_create_per_s_round{round_no}", result.per_s)
                creates.append(result.per_s)
                account = dovecot.new_account()
                account.append_many(mails(args.mails, round_no))
                name = f"bench-{round_no}"
                code = _POLL.format(
                    name=name,
                    port=account.port,
                    username=account.username,
                    password=account.password,
                    mails=args.mails,
                )
                polled = json.loads(ours.django("shell", "-c", code).strip().splitlines()[-1])
                done = committed(ours.database, name)
                emit(f"mail_committed_round{round_no}", done)
                emit(f"mail_intake_per_s_round{round_no}", done / polled["seconds"])
                intakes.append(done / polled["seconds"])
    finally:
        if server is not None:
            stop(server)
        clean_redis()
        if not args.keep:
            drop_database(ours.database)
    figures = {
        "api_create_per_s": statistics.median(creates),
        "mail_intake_per_s": statistics.median(intakes),
        "mail_intake_ms_per_mail": 1000 / statistics.median(intakes),
        "mail_to_api_ratio": statistics.median(intakes) / statistics.median(creates),
    }
    for name, value in figures.items():
        emit(name, value)
    return figures


if __name__ == "__main__":
    main()
