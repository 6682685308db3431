"""`manage.py importer TYPE FICHIER` (organismes, bases, prets, restructurations, agrements, rehabilitations,
objectifs) — imports a file inline, by the same service as the web page; exit code 0 and the counts when imported,
non-zero with the French report when refused."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mutualisation.enums import StatutImport, TypeImport
from mutualisation.services.imports import ErreurImport, import_soumettre, rapport_import
from pacte.televersement import message_trop_gros


class Command(BaseCommand):
    help = ("Importe un fichier (CSV ou XLSX) d'organismes, de bases annuelles, de prêts CDC, de restructurations, "
            "d'agréments, de réhabilitations ou d'objectifs territorialisés.")

    def add_arguments(self, parser):
        parser.add_argument("type_fichier", choices=TypeImport.values, help="type de fichier (formats.md)")
        parser.add_argument("fichier", type=Path, help="chemin du fichier .csv ou .xlsx")

    def handle(self, *args, type_fichier, fichier, **options):
        try:
            if fichier.stat().st_size > settings.PACTE_TAILLE_MAX_IMPORT:  # refused before it is read
                raise CommandError(message_trop_gros(fichier.stat().st_size))
            contenu = fichier.read_bytes()
        except OSError as erreur:
            raise CommandError(f"Fichier illisible : {fichier} ({erreur.strerror}).") from None
        try:
            resultat = import_soumettre(acting_user=None, type_fichier=type_fichier, nom_fichier=fichier.name,
                                        contenu=contenu, sur_le_worker=False)
        except ErreurImport as erreur:
            raise CommandError(str(erreur)) from None
        if resultat.statut != StatutImport.IMPORTE:
            raise CommandError(f"Import n° {resultat.pk} ({resultat.nom_fichier}) refusé.\n{rapport_import(resultat)}")
        self.stdout.write(f"Import n° {resultat.pk} ({resultat.nom_fichier}) : {resultat.nb_lignes} ligne(s).")
        self.stdout.write(rapport_import(resultat))
