"""``manage.py restaurer FICHIER``: pg_restore into the (empty) configured database, then migrate
(docs/sauvegarde.md)."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from pacte.sauvegarde import ErreurSauvegarde, base_restaurer, calculs_valides


class Command(BaseCommand):
    help = ("Restaure FICHIER (produit par « sauvegarder ») dans la base configurée, qui doit être vide, "
            "applique les migrations plus récentes que la sauvegarde et affiche les empreintes des calculs validés.")

    def add_arguments(self, parser):
        parser.add_argument("fichier", type=Path)

    def handle(self, *args, fichier: Path, **options):
        try:
            base_restaurer(fichier)
        except ErreurSauvegarde as erreur:
            raise CommandError(str(erreur)) from None
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Base restaurée depuis {fichier}."))
        for annee, calcul, empreinte in calculs_valides():
            self.stdout.write(f"Calcul validé {annee} : n° {calcul}, empreinte des entrées {empreinte}")
