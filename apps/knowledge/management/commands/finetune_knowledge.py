"""Fine-tune the sentence model of the semantic matcher on the published articles' phrasings."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.knowledge.matching import semantic
from apps.knowledge.matching.index import knowledge_version, load_snapshot

MIN_ARTICLES = 2


class Command(BaseCommand):
    help = (
        "Fine-tune the sentence model (SERVICEDESK_CHATBOT_SENTENCE_MODEL) on the questions "
        "and phrasings of the published articles "
        "(contrastive, on CPU, nothing downloaded) and write the model that the semantic and "
        "combined matchers then load (SERVICEDESK_CHATBOT_MODEL_DIR, by default "
        "var/knowledge/model). Run it again after large edits of the base; --remove goes back "
        "to the base model."
    )

    def add_arguments(self, parser):
        parser.add_argument("--epochs", type=int, default=4)
        parser.add_argument("--batch-size", type=int, default=32)
        parser.add_argument("--output", type=Path, help="Default: the directory the matcher reads.")
        parser.add_argument(
            "--remove", action="store_true", help="Delete the tuned model: use the base model."
        )

    def handle(self, *args, epochs, batch_size, output, remove, **options):
        target = output or semantic.tuned_model_dir()
        if remove:
            import shutil

            shutil.rmtree(target, ignore_errors=True)
            self.stdout.write(f"Removed {target}; the semantic matcher uses the base model.")
            return
        if not semantic.available():
            raise CommandError(semantic.install_hint())
        if epochs < 1 or batch_size < 2:
            raise CommandError("--epochs must be at least 1 and --batch-size at least 2.")
        snapshot = load_snapshot(knowledge_version())
        if len(snapshot.keys) < MIN_ARTICLES or len(snapshot.docs) <= len(snapshot.keys):
            raise CommandError(
                "Nothing to learn from: fine-tuning needs at least two published articles "
                "and an article with a phrasing besides its question."
            )
        from apps.knowledge.matching.finetune import finetune

        figures = finetune(
            snapshot.docs,
            snapshot.doc_article,
            target,
            epochs=epochs,
            batch_size=batch_size,
            log=self.stdout.write,
        )
        self.stdout.write(
            f"Wrote {target}: {figures['texts']} texts of {figures['articles']} articles, "
            f"{figures['epochs']} epochs ({figures['steps']} steps) in {figures['seconds']} s."
        )
