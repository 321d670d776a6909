"""gunicorn serving the desk on loopback, as the image's web target runs it."""

import subprocess
from pathlib import Path

import requests

from tests.support.faults import free_port
from tests.support.workers import start_process, stop_process, wait_for


def start_gunicorn(log_dir: Path, name: str, env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """gunicorn on a free port of 127.0.0.1 with `env` (its worker count from WEB_CONCURRENCY,
    as in the image); returns the process and its base URL once /healthz answers."""
    port = free_port()
    args = ["-m", "gunicorn", "servicedesk.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    # gunicorn 27's control socket is one path per user unless named.
    args += ["--control-socket", str(log_dir / f"{name}.ctl")]
    web = start_process(args, log_dir / f"{name}.log", env)
    base_url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        assert web.poll() is None, f"{name} exited:\n{web.log_path.read_text()[-3000:]}"
        try:
            return requests.get(f"{base_url}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_for(answers, timeout=60, what=f"{name} to answer /healthz")
    except BaseException:
        stop_process(web)
        raise
    return web, base_url
