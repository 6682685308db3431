"""API tokens on the command line (docs/api.md): ``jeton creer EMAIL``, ``jeton lister [EMAIL]``, ``jeton revoquer ID``.

The token is printed once, at creation; only its SHA-256 is kept.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pacte.jetons import JetonRefuse, jeton_creer, jeton_revoquer
from pacte.models import JetonApi, Utilisateur


class Command(BaseCommand):
    help = "Crée, liste ou révoque les jetons d'API des clients programmatiques."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        creer = actions.add_parser("creer", help="crée un jeton et l'affiche une seule fois")
        creer.add_argument("email", help="adresse e-mail (ou identifiant) du compte")
        creer.add_argument("--nom", default="client API", help="à quoi sert le jeton")
        creer.add_argument("--expire-dans", type=int, metavar="JOURS", help="durée de validité en jours")
        lister = actions.add_parser("lister", help="liste les jetons (jamais le jeton lui-même)")
        lister.add_argument("email", nargs="?", default="")
        revoquer = actions.add_parser("revoquer", help="révoque un jeton (définitif)")
        revoquer.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _creer(self, *, email, nom, expire_dans, **options):
        utilisateur = self._utilisateur(email)
        if expire_dans is not None and expire_dans < 1:
            raise CommandError("--expire-dans : un nombre de jours d'au moins 1.")
        expire_le = timezone.now() + timedelta(days=expire_dans) if expire_dans else None
        try:
            ligne, jeton = jeton_creer(acting_user=None, utilisateur=utilisateur, nom=nom, expire_le=expire_le)
        except JetonRefuse as refus:
            raise CommandError(str(refus)) from None
        echeance = f"expire le {ligne.expire_le:%d/%m/%Y %H:%M}" if ligne.expire_le else "sans expiration"
        self.stdout.write(f"Jeton n° {ligne.pk} pour {utilisateur.username} ({echeance}). Copiez-le maintenant, "
                          "il ne sera plus affiché :")
        self.stdout.write(jeton)

    def _lister(self, *, email, **options):
        jetons = JetonApi.objects.select_related("utilisateur").order_by("pk")
        if email:
            jetons = jetons.filter(utilisateur=self._utilisateur(email))
        for ligne in jetons:
            etat = "révoqué" if ligne.revoque_le else "expiré" if ligne.expire_le and \
                ligne.expire_le <= timezone.now() else "actif"
            usage = f"{ligne.dernier_usage:%d/%m/%Y %H:%M}" if ligne.dernier_usage else "jamais utilisé"
            self.stdout.write(f"{ligne.pk:>5}  {ligne.prefixe}…  {ligne.utilisateur.username:<20} {etat:<8} "
                              f"{usage:<16} {ligne.nom}")

    def _revoquer(self, *, id, **options):  # noqa: A002 - the argument's name on the command line
        try:
            ligne = jeton_revoquer(acting_user=None, jeton_id=id)
        except JetonApi.DoesNotExist:
            raise CommandError(f"Aucun jeton n° {id}.") from None
        self.stdout.write(f"Jeton n° {ligne.pk} ({ligne.prefixe}…) révoqué le {ligne.revoque_le:%d/%m/%Y %H:%M}.")

    @staticmethod
    def _utilisateur(email: str) -> Utilisateur:
        comptes = list(Utilisateur.objects.filter(email__iexact=email)) or list(
            Utilisateur.objects.filter(username=email))
        if len(comptes) != 1:
            raise CommandError(f"« {email} » : {'aucun compte' if not comptes else 'plusieurs comptes'} "
                               "sous cette adresse.")
        return comptes[0]
