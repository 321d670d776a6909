"""The deployment kit as files: compose.yaml validated by Debian's docker-compose (1.29,
`docker-compose config`, which checks the file against the Compose schema and resolves it with the
example environment) and read back for the process layout docs/deployment.md promises; the
Dockerfile's stages (wheels built from the hashed lock, a runtime without compilers, a non-root
user, static files collected at build)."""

import re
import shlex
import shutil
import subprocess

import pytest
import yaml
from django.conf import settings

from tests.conftest import need_service
from tests.support.workers import ROOT

DESK_SERVICES = {"migrate", "web", "worker-fast", "worker-background", "worker-long", "beat"}


def compose(*args: str) -> subprocess.CompletedProcess:
    """`docker-compose` on compose.yaml with the example environment (Debian's package,
    apt-get install docker-compose; .ci/run installs it)."""
    need_service(shutil.which("docker-compose") is not None, "docker-compose (apt-get install it)")
    command = ["docker-compose", "--env-file", "compose.env.example", "-f", "compose.yaml", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def services() -> dict:
    done = compose("config")
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)["services"]


def command_of(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else command


def option(command: list[str], name: str) -> str | None:
    return command[command.index(name) + 1] if name in command else None


def workers(services: dict) -> dict[str, list[str]]:
    return {
        name: command_of(service)
        for name, service in services.items()
        if command_of(service)[:4] == ["celery", "-A", "servicedesk", "worker"]
    }


def test_compose_file_is_valid():
    done = compose("config", "--quiet")
    assert done.returncode == 0, done.stderr


def test_a_file_outside_the_schema_is_refused(tmp_path):
    """The validator refuses what the schema does not allow (so a pass above means something)."""
    broken = (
        (ROOT / "compose.yaml")
        .read_text()
        .replace('    restart: "no"', '    restart: "no"\n    replicas: 2', 1)
    )
    (tmp_path / "compose.yaml").write_text(broken)
    shutil.copy(ROOT / "compose.env.example", tmp_path / "compose.env.example")
    need_service(shutil.which("docker-compose") is not None, "docker-compose (apt-get install it)")
    done = subprocess.run(
        ["docker-compose", "--env-file", "compose.env.example", "config", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "replicas" in done.stderr


def test_every_queue_has_exactly_one_worker_group(services):
    groups = {name: option(command, "-Q").split(",") for name, command in workers(services).items()}
    assert groups == {
        "worker-fast": ["routing", "chatbot"],
        "worker-background": ["sla", "handoffs", "notifications", "default"],
        "worker-long": ["long"],
    }
    consumed = [queue for queues in groups.values() for queue in queues]
    assert sorted(consumed) == sorted(settings.WORK_QUEUES)


def test_the_long_worker_takes_one_task_at_a_time(services):
    command = workers(services)["worker-long"]
    assert option(command, "--prefetch-multiplier") == "1"
    assert option(command, "--concurrency") == "1"


def test_exactly_one_beat(services):
    beats = [name for name, s in services.items() if command_of(s)[3:4] == ["beat"]]
    assert beats == ["beat"]
    assert "deploy" not in services["beat"]


def test_the_desk_runs_on_one_postgres_and_one_redis_under_production_settings(services):
    assert set(services) == DESK_SERVICES | {"postgres", "redis"}
    for name in DESK_SERVICES:
        environment = services[name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "servicedesk.settings.production"
        assert environment["DATABASE_URL"].endswith("@postgres:5432/desk")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["depends_on"]["migrate" if name != "migrate" else "postgres"]
    assert services["redis"]["command"][-2:] == ["--maxmemory-policy", "noeviction"]


def test_web_runs_gunicorn_with_its_worker_count_from_the_environment(services):
    web = services["web"]
    assert web["build"]["target"] == "web"
    assert web["environment"]["WEB_CONCURRENCY"] == "4"  # the example's value
    assert "command" not in web  # the image's gunicorn (Dockerfile), which reads WEB_CONCURRENCY
    assert 'CMD ["gunicorn", "servicedesk.wsgi:application"' in (ROOT / "Dockerfile").read_text()


def test_health_checks_use_the_probes(services):
    assert "http://127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    beat_check = " ".join(services["beat"]["healthcheck"]["test"])
    assert "/readyz" in beat_check and '["beat"] == "ok"' in beat_check
    for name in workers(services):
        assert "inspect ping" in services[name]["healthcheck"]["test"][1]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]


def stages() -> dict[str, str]:
    """The Dockerfile's stages by name: the text from each FROM to the next."""
    text = (ROOT / "Dockerfile").read_text()
    parts = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    return {part.split("\n", 1)[0].split(" AS ")[1].strip(): part for part in parts}


def test_the_image_builds_wheels_from_the_hashed_lock_and_runs_without_compilers():
    dockerfile = stages()
    assert list(dockerfile) == ["builder", "runtime", "worker", "web"]
    assert "pip wheel --no-cache-dir --require-hashes" in dockerfile["builder"]
    assert "-r requirements.lock" in dockerfile["builder"]
    assert "build-essential" in dockerfile["builder"]
    runtime = dockerfile["runtime"]
    assert runtime.startswith("${PYTHON_IMAGE} AS runtime")  # not on top of the builder
    assert "apt-get" not in runtime and "build-essential" not in runtime
    assert "--no-index --no-deps /wheels/*.whl" in runtime
    assert "USER desk" in runtime and "useradd --system --uid 10001" in runtime
    assert "manage.py collectstatic --noinput" in runtime
    for target in ("worker", "web"):
        assert dockerfile[target].startswith(f"runtime AS {target}")
        assert "USER" not in dockerfile[target]  # stays the desk's user


def test_the_worker_image_takes_every_queue_by_default():
    cmd = re.search(r"CMD (\[.*?\])", stages()["worker"], flags=re.DOTALL).group(1)
    command = yaml.safe_load(cmd.replace("\\\n", ""))
    assert option(command, "-Q").split(",") == list(settings.WORK_QUEUES)


def test_the_image_leaves_out_tests_and_local_state():
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", "tests", ".env"} <= set(ignored)
