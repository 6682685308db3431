import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from pacte.enums import Famille, Partie, Role
from pacte.models import Engagement, Organisme, Region, Utilisateur
from pacte.validators import siren_completer


def siren_avec_cle(prefixe: int) -> str:
    """A valid SIREN (Luhn) built from an 8-digit prefix."""
    return siren_completer(f"{prefixe:08d}")


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


# --- Mutualisation ---------------------------------------------------------------------------------------------------


class BaremeFactory(factory.django.DjangoModelFactory):
    """The pact's 2013 barème (domain.md §3)."""

    class Meta:
        model = "mutualisation.Bareme"
        django_get_or_create = ["annee"]

    annee = 2013
    montant_zone_1 = Decimal("3300.00")
    montant_zone_2_3 = Decimal("1300.00")
    taux_rehabilitation = Decimal("0.0500")
    montant_restructuration = Decimal("600.00")
    plafond_restructuration = 5000
    poids_cotisation_cglls = Decimal("0.2500")
    poids_loyers = Decimal("0.5000")
    poids_patrimoine = Decimal("0.2500")
    frais_gestion = Decimal("0.00")
    taux_aide_exoneres = Decimal("1.0000")


class CampagneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mutualisation.Campagne"
        django_get_or_create = ["annee"]

    annee = 2013
    statut = "ouverte"

    class Params:
        validee = factory.Trait(statut="validee")


class BaseAnnuelleFactory(factory.django.DjangoModelFactory):
    """An organism's data for a year: concerned (rental stock > 0), not exempt unless ``exoneree``."""

    class Meta:
        model = "mutualisation.BaseAnnuelle"

    organisme = factory.SubFactory(OrganismeFactory)
    annee = 2013
    patrimoine_locatif = 1000
    loyers = Decimal("1000000.00")
    logements = 1000
    cotisation_cglls = Decimal("10000.00")
    plan_cglls = "AUCUN"

    class Params:
        exoneree = factory.Trait(plan_cglls="RETABLISSEMENT")


class PretFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mutualisation.Pret"

    numero_pret = factory.Sequence(lambda n: f"P{n:07d}")
    numero_operation = ""
    organisme = factory.SubFactory(OrganismeFactory)
    produit = "PLUS"
    date_signature = datetime.date(2013, 6, 14)
    montant = Decimal("1000000.00")
    nb_logements = 10
    zone = "1"


class RestructurationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mutualisation.Restructuration"

    organisme = factory.SubFactory(OrganismeFactory)
    annee = 2013
    reference = factory.Sequence(lambda n: f"R{n:05d}")
    nb_logements = 5
    zone_detendue = True


class CalculFactory(factory.django.DjangoModelFactory):
    """A run row (finished, without result lines); real results come from services.campagne.calcul_executer."""

    class Meta:
        model = "mutualisation.Calcul"

    campagne = factory.SubFactory(CampagneFactory)
    statut = "termine"
    avancement = 100
    fin = factory.LazyFunction(timezone.now)

    class Params:
        en_cours = factory.Trait(statut="en_cours", avancement=30, fin=None)


class ImportFichierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "mutualisation.ImportFichier"

    type_fichier = "organismes"
    nom_fichier = factory.Sequence(lambda n: f"organismes-{n}.csv")
    empreinte = factory.Sequence(lambda n: f"{n:064x}")
    chemin = ""
    statut = "importe"
    nb_lignes = 3
    nb_ajoutees = 3


# --- Suivi (tableaux de bord) ----------------------------------------------------------------------------------------


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "pacte.Departement"
        django_get_or_create = ["code"]

    code = "75"
    nom = "Paris"
    region = factory.SubFactory(RegionFactory)


class AgrementFactory(factory.django.DjangoModelFactory):
    """A financing decision; region and SIREN follow the département and the organism unless given."""

    class Meta:
        model = "suivi.Agrement"

    annee = 2014
    numero_operation = factory.Sequence(lambda n: f"OP{n:06d}")
    produit = "PLUS"
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    organisme = factory.SubFactory(OrganismeFactory)
    siren = factory.LazyAttribute(lambda o: o.organisme.siren if o.organisme else siren_avec_cle(99000000))
    nb_logements = 10
    nature = "NEUF"
    anru = False


class RehabilitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "suivi.Rehabilitation"

    annee = 2014
    numero_operation = factory.Sequence(lambda n: f"RH{n:06d}")
    departement = factory.SubFactory(DepartementFactory)
    region = factory.LazyAttribute(lambda o: o.departement.region)
    organisme = factory.SubFactory(OrganismeFactory)
    siren = factory.LazyAttribute(lambda o: o.organisme.siren if o.organisme else siren_avec_cle(99000000))
    nb_logements = 20
    etiquette_avant = "F"
    etiquette_apres = "C"
    eco_pret = True


class ObjectifFactory(factory.django.DjangoModelFactory):
    """A year's target; without region, the national line."""

    class Meta:
        model = "suivi.Objectif"

    annee = 2014
    region = None
    objectif_production = 120000
    objectif_rehabilitation = 100000
