import factory
from django.contrib.auth.models import Group

from pacte.enums import Famille, Partie, Role
from pacte.models import Engagement, Organisme, Region, Utilisateur


def siren_avec_cle(prefixe: int) -> str:
    """A valid SIREN (Luhn) built from an 8-digit prefix."""
    base = f"{prefixe:08d}"
    for cle in range(10):
        candidat = base + str(cle)
        total = 0
        for position, chiffre in enumerate(reversed(candidat)):
            valeur = int(chiffre) * (2 if position % 2 else 1)
            total += valeur - 9 if valeur > 9 else valeur
        if total % 10 == 0:
            return candidat
    raise AssertionError("unreachable")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "11"
    nom = "Île-de-France"
    metropole = True
    prioritaire = True


class OrganismeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisme

    siren = factory.Sequence(lambda n: siren_avec_cle(30000000 + n))
    raison_sociale = factory.Sequence(lambda n: f"Organisme Hlm n° {n}")
    famille = Famille.OPH
    region = factory.SubFactory(RegionFactory)
    metropole = True

    class Params:
        non_hlm = factory.Trait(famille=Famille.SEM)
        outre_mer = factory.Trait(metropole=False)


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    code = factory.Sequence(lambda n: f"T{n:02d}")
    partie = Partie.ETAT
    section = "§1"
    titre = factory.Sequence(lambda n: f"Engagement d'essai {n}")
    texte = "L'État s'engage."


class UtilisateurFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utilisateur
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utilisateur{n}")
    role = Role.COMITE_SUIVI
    password = factory.django.Password("mot-de-passe-de-test")

    @factory.post_generation
    def groupe(self, create, extracted, **kwargs):
        if create and self.role:
            self.groups.set([Group.objects.get(name=Role(self.role).label)])
