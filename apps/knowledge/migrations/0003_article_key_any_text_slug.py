"""Keys may be any text; the stable slug is derived from the key (importing.key_slug)."""

from django.db import migrations, models


def derive_slugs(apps, schema_editor):
    from apps.knowledge.importing import key_slug

    Article = apps.get_model("knowledge", "Article")
    for article in Article.objects.only("pk", "key"):
        Article.objects.filter(pk=article.pk).update(slug=key_slug(article.key))


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0002_out_of_scope_questions")]

    operations = [
        migrations.AlterField(
            model_name="article",
            name="key",
            field=models.CharField(
                help_text="Stable: evaluation sets and imports refer to it. Any text.",
                max_length=100,
                unique=True,
                verbose_name="key",
            ),
        ),
        migrations.AddField(
            model_name="article",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                db_index=False,
                editable=False,
                max_length=100,
                null=True,
                verbose_name="slug",
            ),
        ),
        migrations.RunPython(derive_slugs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="article",
            name="slug",
            field=models.SlugField(
                allow_unicode=True,
                editable=False,
                help_text="Derived from the key, for addresses.",
                max_length=100,
                unique=True,
                verbose_name="slug",
            ),
        ),
    ]
