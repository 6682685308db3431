from django.core.management.base import BaseCommand

from pacte.demo import comptes_demo_creer


class Command(BaseCommand):
    help = "Crée ou réinitialise un compte de démonstration par rôle et affiche les mots de passe."

    def handle(self, *args, **options):
        self.stdout.write("Comptes de démonstration :")
        for compte in comptes_demo_creer():
            self.stdout.write(f"  {compte['identifiant']:<14} {compte['mot_de_passe']:<26} {compte['role']}")
