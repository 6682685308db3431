"""Factories of the committee's records (meetings, blocking points, good practices, diagnostics, updates)."""

import datetime

import factory

from tests.factories import EngagementFactory, RegionFactory


class ReunionFactory(factory.django.DjangoModelFactory):
    """A national meeting of the committee; ``regionale=True`` for one held in a region."""

    class Meta:
        model = "suivi.Reunion"

    date = datetime.date(2014, 3, 12)
    niveau = "NATIONAL"
    region = None
    institutions = "État (DHUP)\nUnion sociale pour l'habitat\nAction Logement\nCaisse des dépôts"
    ordre_du_jour = "Bilan de la production de l'année précédente"
    compte_rendu = "Le comité a examiné la production."
    decisions = "Diffuser la note sur le foncier public."

    class Params:
        regionale = factory.Trait(niveau="REGIONAL", region=factory.SubFactory(RegionFactory))


class PointDeBlocageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "suivi.PointDeBlocage"

    region = factory.SubFactory(RegionFactory)
    theme = "FONCIER"
    titre = factory.Sequence(lambda n: f"Point de blocage n° {n}")
    description = "Le foncier public annoncé n'est pas cédé."
    solution_proposee = "Mobiliser la décote prévue par la loi du 18 janvier 2013."
    responsable = "DHUP"
    statut = "OUVERT"


class BonnePratiqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "suivi.BonnePratique"

    titre = factory.Sequence(lambda n: f"Bonne pratique n° {n}")
    description = "Une conférence régionale du foncier réunit l'État, les collectivités et les bailleurs."
    theme = "FONCIER"
    region = factory.SubFactory(RegionFactory)


class DiagnosticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "suivi.DiagnosticRegional"
        django_get_or_create = ["region", "annee"]

    region = factory.SubFactory(RegionFactory)
    annee = 2014
    coherence_politiques = "Les PLH sont en cours de révision."
    statut = "BROUILLON"


class MiseAJourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "suivi.MiseAJourEngagement"

    engagement = factory.SubFactory(EngagementFactory)
    date = datetime.date(2014, 6, 30)
    statut = "EN_COURS"
    commentaire = "Travaux engagés."


def rapport_termine(annee: int = 2014):
    """A produced report whose PDF is a tiny file, always at the same name in the storage (overwritten)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from suivi.models import RapportAnnuel

    nom = "rapports/exemple-de-test.pdf"
    default_storage.delete(nom)
    default_storage.save(nom, ContentFile(b"%PDF-1.7\n%%EOF\n"))
    return RapportAnnuel.objects.create(annee=annee, statut="TERMINE", fichier=nom, donnees={})


def exemples_urls(cree) -> dict:
    """Sample URL parameters for tests/test_acces.py: rows that exist, in the referent persona's region (11)."""
    reunion = {"pk": cree(lambda: ReunionFactory().pk)}
    blocage = {"pk": cree(lambda: PointDeBlocageFactory(region=RegionFactory()).pk)}
    pratique = {"pk": cree(lambda: BonnePratiqueFactory().pk)}
    rapport = {"pk": cree(lambda: rapport_termine().pk)}
    diagnostic = {"annee": 2014, "code": "11"}
    return {
        "suivi:reunion": reunion, "suivi:reunion-modifier": reunion,
        "suivi:blocage": blocage, "suivi:blocage-modifier": blocage,
        "suivi:bonne-pratique": pratique, "suivi:bonne-pratique-modifier": pratique,
        "suivi:rapport": rapport, "suivi:rapport-pdf": rapport,
        "suivi:diagnostic": diagnostic, "suivi:diagnostic-modifier": diagnostic,
    }
