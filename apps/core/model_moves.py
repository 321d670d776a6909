"""Moving a model between apps without rebuilding its table: the content type follows it."""

from collections.abc import Callable

from django.apps.registry import Apps
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

Migration = Callable[[Apps, BaseDatabaseSchemaEditor], None]


def move_content_type(old_app: str, new_app: str, model: str) -> Migration:
    """A RunPython function that relabels the model's content type, so its permissions (and
    the groups holding them) and admin log entries follow the model to its new app."""

    def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        ContentType = apps.get_model("contenttypes", "ContentType")
        if ContentType.objects.filter(app_label=new_app, model=model).exists():
            return
        ContentType.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    return forwards


def move_content_type_back(old_app: str, new_app: str, model: str) -> Migration:
    """The reverse of `move_content_type`."""
    return move_content_type(new_app, old_app, model)
