"""From the database to the plain values of mutualisation.calculs (one query per table, no ORM objects)."""

from dataclasses import fields
from decimal import Decimal

from mutualisation import calculs
from mutualisation.models import Ajustement, Bareme, BaseAnnuelle, Pret, Restructuration
from pacte.models import Organisme

CHAMPS_BAREME = tuple(f.name for f in fields(calculs.Bareme))


def bareme_entree(bareme: Bareme) -> calculs.Bareme:
    return calculs.Bareme(**{nom: getattr(bareme, nom) for nom in CHAMPS_BAREME})


def bareme_de_variante(valeurs: dict) -> calculs.Bareme:
    """A barème variant's stored values (strings, docs/simulation.md) as the calculation's barème."""
    entiers = ("annee", "plafond_restructuration")
    return calculs.Bareme(**{nom: int(valeurs[nom]) if nom in entiers else Decimal(str(valeurs[nom]))
                             for nom in CHAMPS_BAREME})


def organismes_entree(annee: int) -> list[calculs.OrganismeEntree]:
    """Every organism with its base for the year (an organism without base has no rental stock: not concerned)."""
    bases = {
        siren: reste
        for siren, *reste in BaseAnnuelle.objects.filter(annee=annee).values_list(
            "organisme_id", "patrimoine_locatif", "loyers", "logements", "cotisation_cglls", "plan_cglls"
        )
    }
    entrees = []
    for siren, raison_sociale, famille, metropole in Organisme.objects.values_list(
        "siren", "raison_sociale", "famille", "metropole"
    ):
        base = dict(zip(("patrimoine_locatif", "loyers", "logements", "cotisation_cglls", "plan_cglls"),
                        bases.get(siren, ()), strict=False))
        entrees.append(calculs.OrganismeEntree(siren, raison_sociale, famille, metropole, **base))
    return entrees


def prets_entree() -> list[calculs.PretEntree]:
    """The whole CDC extract: loans of other years are reported as out of scope, never silently dropped."""
    return [
        calculs.PretEntree(numero, operation or None, siren, produit, signature, montant, logements, zone or None)
        for numero, operation, siren, produit, signature, montant, logements, zone in Pret.objects.values_list(
            "numero_pret", "numero_operation", "organisme_id", "produit", "date_signature", "montant",
            "nb_logements", "zone",
        ).order_by()
    ]


def restructurations_entree(annee: int) -> list[calculs.RestructurationEntree]:
    return [
        calculs.RestructurationEntree(*ligne)
        for ligne in Restructuration.objects.filter(annee=annee).values_list(
            "organisme_id", "annee", "reference", "nb_logements", "zone_detendue"
        )
    ]


def ajustements_entree(annee: int) -> list[calculs.AjustementEntree]:
    return [
        calculs.AjustementEntree(*ligne)
        for ligne in Ajustement.objects.filter(campagne__annee=annee).values_list("organisme_id", "montant", "motif")
    ]
