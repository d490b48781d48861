from pathlib import Path

from django.core.management.base import BaseCommand
from tqdm import tqdm

from seeds.loading import DOSSIER, SeedLoader


class Command(BaseCommand):
    help = "Load the seed dossier (seeds/dossier.json). Safe to run again: unchanged records are left alone."

    def add_arguments(self, parser):
        parser.add_argument("--path", default=str(DOSSIER), help="Dossier JSON file (default: seeds/dossier.json).")

    def handle(self, *args, path, verbosity, **options):
        loader = SeedLoader(path=Path(path))
        with tqdm(total=loader.total(), desc="Loading seeds", unit="record", disable=verbosity == 0) as bar:

            def progress(steps):
                for step in steps:
                    yield step
                    bar.update(1)

            loader.progress = progress
            counts = loader.load()
        for key in sorted(counts):
            self.stdout.write(f"{key}: {counts[key]}")
