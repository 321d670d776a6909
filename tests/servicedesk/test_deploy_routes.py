"""The long queue: model training, forecasting and the other tasks of minutes are routed to
`long` (a worker group of their own with prefetch 1, compose.yaml); every other task to the
queue its name starts with."""

from django.conf import settings

from servicedesk.celery import app
from workflows import tasks


def queue_of(name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def test_training_and_forecasting_go_to_the_long_queue():
    assert queue_of("default.train_eta_model") == "long"
    assert queue_of("default.forecast_staffing") == "long"


def test_every_task_with_the_long_time_limits_goes_to_the_long_queue():
    long_limited = {
        name
        for name, task in app.tasks.items()
        if name.split(".")[0] in settings.WORK_QUEUES
        and task.time_limit == tasks.LONG["time_limit"]
    }
    assert long_limited == set(settings.LONG_TASKS)
    assert {queue_of(name) for name in long_limited} == {"long"}


def test_every_other_task_goes_to_the_queue_its_name_starts_with():
    ours = [name for name in app.tasks if name.split(".")[0] in settings.WORK_QUEUES]
    assert len(ours) > 20
    for name in set(ours) - set(settings.LONG_TASKS):
        assert queue_of(name) == name.split(".")[0], name
    assert "long" in {queue.name for queue in settings.CELERY_TASK_QUEUES}
