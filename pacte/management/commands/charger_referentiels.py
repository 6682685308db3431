from django.core.management.base import BaseCommand

from pacte.services import referentiels_charger, roles_synchroniser


class Command(BaseCommand):
    help = "Charge les référentiels livrés dans fixtures/ (régions, départements, engagements, barèmes) et les rôles."

    def handle(self, *args, **options):
        roles_synchroniser()
        compte = referentiels_charger()
        self.stdout.write(", ".join(f"{nom} : {nombre}" for nom, nombre in compte.items()))
