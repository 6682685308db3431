from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from suivi.services import rapport_annuel_generer


class Command(BaseCommand):
    help = ("Produit le rapport annuel du comité de suivi (annexe 5 du pacte) : instantané daté des données, puis PDF. "
            "Exemple : manage.py rapport annuel 2014 --output rapport-2014.pdf")

    def add_arguments(self, parser):
        sous_commandes = parser.add_subparsers(dest="sous_commande", required=True)
        annuel = sous_commandes.add_parser("annuel", help="le rapport annuel d'une année du pacte (2013 à 2015)")
        annuel.add_argument("annee", type=int)
        annuel.add_argument("--output", type=Path, required=True, help="chemin du PDF à écrire")

    def handle(self, *args, sous_commande, annee, output, **options):
        try:
            rapport = rapport_annuel_generer(acting_user=None, annee=annee)
        except ValidationError as erreur:
            raise CommandError(" ".join(erreur.messages)) from erreur
        output.parent.mkdir(parents=True, exist_ok=True)
        with rapport.fichier.open("rb") as source:
            output.write_bytes(source.read())
        self.stdout.write(f"Rapport annuel {annee} (n° {rapport.pk}, données du "
                          f"{rapport.date_donnees:%d/%m/%Y à %H:%M}) écrit dans {output}.")
