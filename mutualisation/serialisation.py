"""The explanation of a run, as JSON kept beside each result line (compact lists, amounts as strings)."""

from mutualisation import calculs


def _pret(pret: calculs.PretEntree) -> dict:
    return {
        "numero_pret": pret.numero_pret,
        "numero_operation": pret.numero_operation or "",
        "produit": pret.produit,
        "date_signature": pret.date_signature.isoformat(),
        "montant": str(pret.montant),
        "nb_logements": pret.nb_logements,
        "zone": pret.zone or "",
    }


def _operation(operation: calculs.OperationProduction) -> dict:
    return {
        "numero_operation": operation.numero_operation or "",
        "zone": operation.zone,
        "logements_plus": operation.logements_plus,
        "logements_plai": operation.logements_plai,
        "montant_unitaire": str(operation.montant_unitaire),
        "aide": str(operation.aide),
        "prets": [_pret(p) for p in operation.prets],
    }


def _objet(objet) -> dict:
    if isinstance(objet, calculs.PretEntree):
        return {"type": "pret", **_pret(objet)}
    if isinstance(objet, calculs.RestructurationEntree):
        return {"type": "restructuration", "reference": objet.reference, "annee": objet.annee,
                "nb_logements": objet.nb_logements, "zone_detendue": objet.zone_detendue}
    return {"type": "organisme", "raison_sociale": objet.raison_sociale, "famille": objet.famille}


def hors_champ_json(hors_champ, *, seulement_organismes: bool = False) -> list[dict]:
    """Out-of-scope items with their reason; at campaign level, the organisms that are not concerned."""
    return [
        {"siren": h.siren, "motif": h.motif, "libelle": h.libelle, **_objet(h.objet)}
        for h in hors_champ
        if not seulement_organismes or isinstance(h.objet, calculs.OrganismeEntree)
    ]


def explication_json(explication: calculs.Explication, *, prets: bool = True) -> dict:
    """The explanation's JSON; with ``prets=False``, without its two lists of loans (what a run stores,
    mutualisation.explications)."""
    listes = {
        "operations_production": [_operation(o) for o in explication.operations_production],
        "prets_rehabilitation": [_pret(p) for p in explication.prets_rehabilitation],
    } if prets else {}
    return {
        **listes,
        "base_rehabilitation": str(explication.base_rehabilitation),
        "restructurations": [_objet(r) for r in explication.restructurations],
        "logements_restructuration": explication.logements_restructuration,
        "ajustements": [{"montant": str(a.montant), "motif": a.motif} for a in explication.ajustements],
        "hors_champ": hors_champ_json(explication.hors_champ),
        "aide_production_avant_taux": str(explication.aide_production_avant_taux),
        "aide_rehabilitation_avant_taux": str(explication.aide_rehabilitation_avant_taux),
        "aide_restructuration_avant_taux": str(explication.aide_restructuration_avant_taux),
    }
