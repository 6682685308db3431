"""``manage.py sauvegarder FICHIER``: pg_dump -Fc of the database (docs/sauvegarde.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pacte.sauvegarde import ErreurSauvegarde, base_sauvegarder, calculs_valides


class Command(BaseCommand):
    help = "Sauvegarde la base (pg_dump, format custom) dans FICHIER et affiche les empreintes des calculs validés."

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path)

    def handle(self, *args, fichier: Path, **options):
        try:
            base_sauvegarder(fichier)
        except ErreurSauvegarde as erreur:
            raise CommandError(str(erreur)) from None
        self.stdout.write(self.style.SUCCESS(f"Base sauvegardée dans {fichier} ({fichier.stat().st_size} octets)."))
        for annee, calcul, empreinte in calculs_valides():
            self.stdout.write(f"Calcul validé {annee} : n° {calcul}, empreinte des entrées {empreinte}")
