import hashlib
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from mutualisation.demo import ecrire_fichiers, generer_jeu, nombre_lignes
from mutualisation.enums import StatutImport
from mutualisation.selectors import imports_liste
from suivi.demo import ecrire_fichiers_suivi, generer_suivi, nombre_lignes_suivi

# How the importer words its refusal of a file it already has (formats.md: refused as a duplicate, same hash).
MOTS_DU_DOUBLON = ("déjà importé", "deja importe", "doublon", "duplicate")


class Command(BaseCommand):
    help = (
        "Écrit un jeu de démonstration réaliste aux formats d'import (organismes, bases 2013-2015, prêts CDC, "
        "restructurations ; agréments, réhabilitations et objectifs du suivi) puis l'importe par la commande "
        "« importer » ; un fichier déjà importé est sauté."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2013, help="graine du tirage : même graine, mêmes fichiers")
        parser.add_argument("--dossier", type=Path, help="dossier des fichiers (par défaut var/demo/)")
        parser.add_argument("--sans-import", action="store_true", help="écrit les fichiers sans les importer")

    def handle(self, *args, seed, dossier, sans_import, **options):
        if not sans_import and settings.PRODUCTION:
            raise CommandError("Le jeu de démonstration n'est jamais importé en production (--sans-import possible).")
        dossier = dossier or settings.VAR_DIR / "demo"
        debut = time.perf_counter()
        jeu = generer_jeu(seed)
        fichiers = ecrire_fichiers(jeu, dossier)
        suivi = generer_suivi(seed, jeu.organismes)  # les maîtres d'ouvrage du suivi sont ces organismes
        fichiers |= ecrire_fichiers_suivi(suivi, dossier)
        self.stdout.write(f"Jeu de démonstration (graine {seed}) écrit dans {dossier} "
                          f"en {time.perf_counter() - debut:.1f} s :")
        for nom, lignes in (nombre_lignes(jeu) | nombre_lignes_suivi(suivi)).items():
            self.stdout.write(f"  {fichiers[nom].name:<30} {lignes:>7} lignes")
        if sans_import:
            return
        if "importer" not in get_commands():
            raise CommandError("La commande « importer » n'est pas disponible : relancer avec --sans-import.")
        for nom, chemin in fichiers.items():  # organismes, bases, prêts, restructurations, puis le suivi
            self._importer(nom.split("_")[0], chemin)
        from innovation.demo import generer as demo_innovation  # appels à projets (docs/appels-a-projets.md)
        from logements_accompagnes.demo import generer as demo_accompagnes

        for generer_appels in (demo_innovation, demo_accompagnes):
            self.stdout.write(generer_appels(seed))
        from suivi.demo_comite import generer as demo_comite  # réunions, blocages, diagnostics du comité

        self.stdout.write(demo_comite(seed))

    def _importer(self, type_fichier: str, chemin: Path) -> None:
        if _deja_importe(type_fichier, chemin):
            self.stdout.write(f"{chemin.name} : déjà importé.")
            return
        try:
            call_command("importer", type_fichier, str(chemin), stdout=self.stdout, stderr=self.stderr)
        except CommandError as erreur:
            if not any(mot in str(erreur).lower() for mot in MOTS_DU_DOUBLON):
                raise CommandError(f"{chemin.name} : {erreur}") from erreur
            self.stdout.write(f"{chemin.name} : déjà importé.")


def _deja_importe(type_fichier: str, chemin: Path) -> bool:
    empreinte = hashlib.sha256(chemin.read_bytes()).hexdigest()
    return imports_liste().filter(type_fichier=type_fichier, empreinte=empreinte,
                                  statut=StatutImport.IMPORTE).exists()
