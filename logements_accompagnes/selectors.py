"""Reads of « 10 000 logements accompagnés »: the follow-up against the national target."""

from django.db.models import Sum

from logements_accompagnes.enums import OBJECTIF_NATIONAL
from logements_accompagnes.models import SuiviAnnuel


def compteur_national() -> dict:
    """Homes mobilised and households supported: the sum of every project's yearly follow-up."""
    totaux = SuiviAnnuel.objects.aggregate(logements=Sum("logements_mobilises"), menages=Sum("menages_accompagnes"))
    logements = totaux["logements"] or 0
    return {"logements": logements, "menages": totaux["menages"] or 0, "objectif": OBJECTIF_NATIONAL,
            "pourcentage": min(100, 100 * logements // OBJECTIF_NATIONAL)}


def suivi_par_region():
    return (SuiviAnnuel.objects.values("projet__region__code", "projet__region__nom")
            .annotate(logements=Sum("logements_mobilises"), menages=Sum("menages_accompagnes"))
            .order_by("projet__region__code"))


def suivi_par_annee():
    return (SuiviAnnuel.objects.values("annee")
            .annotate(logements=Sum("logements_mobilises"), menages=Sum("menages_accompagnes")).order_by("annee"))


def suivi_par_projet():
    return (SuiviAnnuel.objects.values("projet__candidature_id", "projet__candidature__intitule",
                                       "projet__candidature__organisme__raison_sociale", "projet__region__nom")
            .annotate(logements=Sum("logements_mobilises"), menages=Sum("menages_accompagnes"))
            .order_by("projet__candidature_id"))
