"""Factories of the calls for projects (both schemes) and helpers that go through the real services."""

import datetime
from decimal import Decimal

import factory

from innovation.enums import Section, TypeAide
from innovation.models import EnveloppeInnovation, ProjetInnovation, Theme
from logements_accompagnes.enums import SECTIONS_ANNEXE_3, NaturePartenaire, TypePorteur
from logements_accompagnes.models import ProjetAccompagne
from pacte.appels.enums import Dispositif, NatureDecision, StatutCandidature
from pacte.models_appels import AppelAProjets, Candidature, Critere, Decision
from tests.factories import OrganismeFactory, RegionFactory, UtilisateurFactory


class AppelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppelAProjets
        skip_postgeneration_save = True

    dispositif = Dispositif.INNOVATION
    annee = 2014
    titre = factory.Sequence(lambda n: f"Appel à projets n° {n}")
    date_ouverture = datetime.date(2013, 1, 1)
    date_cloture = datetime.date(2099, 12, 31)

    class Params:
        logements_accompagnes = factory.Trait(
            dispositif=Dispositif.LOGEMENTS_ACCOMPAGNES, enveloppe=Decimal("5000000.00"),
            plafond_par_projet=Decimal("200000.00"))

    @factory.post_generation
    def criteres(self, create, extracted, **kwargs):
        if create:
            for ordre, libelle in enumerate(extracted or ("Caractère innovant", "Reproductibilité"), start=1):
                Critere.objects.create(appel=self, libelle=libelle, ordre=ordre)


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["libelle"]

    libelle = "Développement et modernisation du patrimoine"
    section = Section.INNOVATION


class EnveloppeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnveloppeInnovation
        django_get_or_create = ["annee"]

    annee = 2014
    montant = Decimal("5000000.00")


class CandidatureFactory(factory.django.DjangoModelFactory):
    """A bare file (no dispositif details) straight in the database; the services build the real ones."""

    class Meta:
        model = Candidature
        skip_postgeneration_save = True

    appel = factory.SubFactory(AppelFactory)
    organisme = factory.SubFactory(OrganismeFactory)
    intitule = factory.Sequence(lambda n: f"Projet d'essai {n}")
    resume = "Un projet pour les tests."
    montant_demande = Decimal("50000.00")
    date_depot = datetime.date(2014, 3, 1)
    deposee_par = factory.SubFactory(UtilisateurFactory, role="")

    class Params:
        retenue = factory.Trait(statut=StatutCandidature.RETENUE, montant_accorde=Decimal("40000.00"))

    @factory.post_generation
    def decision(self, create, extracted, **kwargs):
        if create and self.statut == StatutCandidature.RETENUE:
            Decision.objects.create(candidature=self, nature=NatureDecision.RETENUE, montant=self.montant_accorde,
                                    motif="Projet retenu par le comité.", auteur=self.deposee_par)


class ProjetInnovationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjetInnovation

    candidature = factory.SubFactory(CandidatureFactory)
    theme = factory.SubFactory(ThemeFactory)
    section = Section.INNOVATION
    type_aide = TypeAide.SUBVENTION
    cout_total = Decimal("200000.00")
    autres_financements_publics = Decimal("0.00")
    date_debut = datetime.date(2014, 6, 1)
    duree_mois = 24


class ProjetAccompagneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjetAccompagne

    candidature = factory.SubFactory(CandidatureFactory, appel__logements_accompagnes=True)
    type_porteur = TypePorteur.BAILLEUR
    region = factory.SubFactory(RegionFactory)
    logements_prevus = 30
    menages_prevus = 30
    besoins_offre = diagnostic_accompagnement = roles_engagements = adhesion_menages = "Texte."
    mobilisation_accompagnement = offre_logement = methodologie_attributions = "Texte."


def donnees_innovation(**surcharges) -> dict:
    return {
        "intitule": "Plateforme numérique de suivi des travaux", "resume": "Expérimenter un outil partagé.",
        "montant_demande": Decimal("80000.00"), "theme": ThemeFactory(), "type_aide": TypeAide.SUBVENTION,
        "cout_total": Decimal("200000.00"), "autres_financements_publics": Decimal("40000.00"),
        "date_debut": datetime.date(2014, 6, 1), "duree_mois": 24, "date_depot": datetime.date(2014, 3, 1),
        **surcharges,
    }


def donnees_accompagnes(region, **surcharges) -> dict:
    return {
        "intitule": "Logements accompagnés de la métropole", "resume": "Trente logements avec accompagnement.",
        "montant_demande": Decimal("60000.00"), "type_porteur": TypePorteur.BINOME, "region": region,
        "sections": {champ: f"Contenu : {titre}." for champ, titre in SECTIONS_ANNEXE_3},
        "logements_prevus": 30, "menages_prevus": 32,
        "partenaires": [{"nom": "Association Habitat et Insertion", "nature": NaturePartenaire.OPERATEUR,
                         "role": "Accompagnement social des ménages"}],
        "financements": {"PLAI": Decimal("300000.00"), "ETAT": Decimal("40000.00"), "FSE": Decimal("20000.00")},
        "date_depot": datetime.date(2014, 3, 1),
        **surcharges,
    }


def _organisme_du_persona():
    from pacte.models import Utilisateur

    return Utilisateur.objects.get(username="persona-organisme").organisme


def exemples_urls(cree) -> dict:
    """Sample URL parameters for tests/test_acces.py: the calls and a decided file of the organism persona's own."""
    appel_innovation = {"pk": cree(lambda: AppelFactory().pk)}
    appel_accompagnes = {"pk": cree(lambda: AppelFactory(logements_accompagnes=True).pk)}
    candidature_innovation = {"pk": cree(lambda: ProjetInnovationFactory(
        candidature__organisme=_organisme_du_persona(), candidature__retenue=True).candidature_id)}
    candidature_accompagnee = {"pk": cree(lambda: ProjetAccompagneFactory(
        candidature__organisme=_organisme_du_persona(), candidature__retenue=True).candidature_id)}
    exemples = {}
    for espace, appel, candidature in (("innovation", appel_innovation, candidature_innovation),
                                       ("logements_accompagnes", appel_accompagnes, candidature_accompagnee)):
        exemples.update({f"{espace}:{nom}": appel for nom in ("appel", "deposer", "export-csv", "export-xlsx")})
        exemples.update({f"{espace}:{nom}": candidature for nom in ("candidature", "lettre")})
    exemples["innovation:conditions"] = candidature_innovation
    exemples.update({"appels-appel-detail": appel_innovation, "appels-candidature-detail": candidature_innovation})
    return exemples
