"""The dated snapshot of a year's data the annual report is drawn from (Annexe 5): plain JSON values only (ints,
strings, decimals as strings, dates in ISO), so that the stored snapshot renders the same PDF again.

Production figures come from the dashboards' selectors (``suivi/selectors.py``), so the report and the pages say the
same thing: the national total is the published series, new social rental dwellings financed in metropolitan France
by every maître d'ouvrage, ANRU operations apart; the targets are the Hlm share.
"""

from collections import Counter
from datetime import date

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from pacte.enums import Partie, StatutEngagement
from pacte.models import Engagement
from pacte.objectifs import OBJECTIFS_PACTE
from suivi import selectors as tableaux
from suivi import selectors_comite
from suivi.enums import Niveau, ProduitAgrement, StatutBlocage
from suivi.models import Agrement, BonnePratique, PointDeBlocage

OBJECTIF_PRODUCTION_HLM = OBJECTIFS_PACTE[0]["valeur"]  # 120 000 a year (§1)
OBJECTIF_PRODUCTION_SECTEUR = OBJECTIFS_PACTE[0]["sur"]  # 150 000 a year, the State's plan
OBJECTIF_REHABILITATION_HLM = OBJECTIFS_PACTE[1]["valeur"]  # 100 000 a year
SOURCE_REUNIONS = "Réunions enregistrées par le secrétariat du comité de suivi dans Pacte"


# --- Mobilisation of the signatories ---------------------------------------------------------------------------------


def _mobilisation(annee: int) -> dict:
    reunions = list(selectors_comite.reunions_liste(annee=annee).order_by("date"))
    nationales = sum(r.niveau == Niveau.NATIONAL for r in reunions)
    institutions = Counter(
        ligne.strip() for r in reunions for ligne in r.institutions.splitlines() if ligne.strip()
    )
    diagnostics = selectors_comite.diagnostics_de_l_annee(annee)
    return {
        "reunions": [
            {"date": r.date.isoformat(), "niveau": r.get_niveau_display(), "region": str(r.region or ""),
             "institutions": [i.strip() for i in r.institutions.splitlines() if i.strip()],
             "ordre_du_jour": r.ordre_du_jour, "decisions": r.decisions}
            for r in reunions
        ],
        "nb_reunions": len(reunions),
        "nb_nationales": nationales,
        "nb_regionales": len(reunions) - nationales,
        "minimum": selectors_comite.REUNIONS_NATIONALES_MINIMUM,
        "alerte": nationales < selectors_comite.REUNIONS_NATIONALES_MINIMUM,
        "institutions": [{"nom": nom, "nb": nb}
                         for nom, nb in sorted(institutions.items(), key=lambda paire: (-paire[1], paire[0]))],
        "diagnostics": [
            {"region": d["region"].nom, "prioritaire": d["region"].prioritaire, "manquant": d["manquant"],
             "statut": d["diagnostic"].get_statut_display() if d["diagnostic"] else "Non engagé"}
            for d in diagnostics
        ],
        "source": f"{SOURCE_REUNIONS} ({len(reunions)} réunion(s) en {annee})",
    }


# --- Production and its distribution (the dashboards' selectors) ----------------------------------------------------


def _source_fichiers(fichiers, libelle: str, *, donnees: bool = True) -> str:
    """The imported files a figure comes from; figures with no file behind them say so."""
    details = [f"{f.nom_fichier} (import n° {f.pk} du {timezone.localtime(f.created_at):%d/%m/%Y})" for f in fichiers]
    if not details:
        details = ["données enregistrées hors import" if donnees else "aucune donnée pour l'année"]
    return f"{libelle} — " + "; ".join(details)


def _objectif_production(indicateurs: tableaux.Indicateurs) -> int:
    return indicateurs.objectif_production or OBJECTIF_PRODUCTION_HLM


def _taux(partie, total) -> str | None:
    valeur = tableaux.taux(partie, total)
    return None if valeur is None else str(valeur)


def _production_par_region(annee: int) -> list[dict]:
    regions = [
        {"code": ligne.code, "nom": ligne.nom, "metropole": True, "prioritaire": ligne.prioritaire,
         "logements": ligne.indicateurs.production_secteur, "hlm": ligne.indicateurs.production_hlm,
         "objectif": ligne.indicateurs.objectif_production, "taux": _taux(ligne.indicateurs.production_hlm,
                                                                         ligne.indicateurs.objectif_production),
         "loin": ligne.indicateurs.loin_de_l_objectif}
        for ligne in tableaux.classement_regions(annee)
    ]
    outre_mer = (Agrement.objects.filter(annee=annee, anru=False, region__metropole=False).order_by()
                 .values("region_id", "region__nom")
                 .annotate(logements=Sum("nb_logements"), hlm=Sum("nb_logements", filter=tableaux.HLM, default=0)))
    regions += [{"code": ligne["region_id"], "nom": ligne["region__nom"], "metropole": False, "prioritaire": False,
                 "logements": ligne["logements"], "hlm": ligne["hlm"], "objectif": None, "taux": None, "loin": False}
                for ligne in outre_mer.order_by("region_id")]
    return sorted(regions, key=lambda r: (not r["metropole"], -r["logements"], r["code"]))


def _rehabilitations(annee: int, indicateurs: tableaux.Indicateurs, sources: dict) -> dict:
    idf = tableaux.indicateurs_par_annee(tableaux.Perimetre.region("11"), (annee,))[annee]
    objectif = indicateurs.objectif_rehabilitation or OBJECTIF_REHABILITATION_HLM
    classes = tableaux.etiquettes(tableaux.Perimetre.national(), annee)
    return {
        "total": indicateurs.rehabilitations,
        "hlm": indicateurs.rehabilitations_hlm,
        "objectif_hlm": objectif,
        "taux": _taux(indicateurs.rehabilitations_hlm, objectif),
        "eco_pret": indicateurs.rehabilitations_eco_pret,
        "part_eco_pret_idf": _taux(idf.rehabilitations_eco_pret, indicateurs.rehabilitations_eco_pret),
        "etiquettes": [{"etiquette": c["classe"], "avant": c["avant"], "apres": c["apres"]}
                       for c in classes["classes"]],
        "sortis_des_classes_energivores": classes["sortis_des_classes_energivores"],
        "source": _source_fichiers(sources["rehabilitations"], "Réhabilitations thermiques SISAL / CDC",
                                   donnees=bool(indicateurs.rehabilitations)),
    }


def _production(annee: int) -> dict:
    """The year's national figures, their evolution since 2013 and their distribution by region."""
    annees = tuple(a for a in selectors_comite.ANNEES_PACTE if a <= annee)
    par_annee = tableaux.indicateurs_par_annee(tableaux.Perimetre.national(), annees)
    sources = tableaux.sources(tableaux.Perimetre.national(), (annee,))
    i = par_annee[annee]
    par_region = _production_par_region(annee)
    produits = {"PLUS": i.plus, "PLAI": i.plai, "PLS": i.pls}
    return {
        "total": i.production_secteur,
        "hlm": i.production_hlm,
        "part_hlm": _taux(i.production_hlm, i.production_secteur),
        "objectif_hlm": _objectif_production(i),
        "objectif_importe": i.objectif_production is not None,
        "taux_hlm": _taux(i.production_hlm, _objectif_production(i)),
        "objectif_secteur": OBJECTIF_PRODUCTION_SECTEUR,
        "taux_secteur": _taux(i.production_secteur, OBJECTIF_PRODUCTION_SECTEUR),
        "anru": i.anru,
        "outre_mer": sum(r["logements"] for r in par_region if not r["metropole"]),  # same filter, no second query
        "par_produit": [{"produit": p.label, "logements": produits[p.value],
                         "part": _taux(produits[p.value], i.production_secteur)} for p in ProduitAgrement],
        "evolution": [{"annee": a, "total": ind.production_secteur, "hlm": ind.production_hlm,
                       "objectif_hlm": _objectif_production(ind),
                       "taux": _taux(ind.production_hlm, _objectif_production(ind))}
                      for a, ind in par_annee.items()],
        "par_region": par_region,
        "rehabilitations": _rehabilitations(annee, i, sources),
        "source": _source_fichiers(sources["agrements"], "Agréments SISAL / SPLS",
                                   donnees=bool(i.production_secteur or i.anru)),
        "source_objectifs": (_source_fichiers(sources["objectifs"], f"Objectifs territorialisés {annee}")
                             if i.objectif_production is not None
                             else "Objectif national du pacte (§1), à défaut d'objectifs territorialisés importés"),
    }


# --- Blocking points, good practices ---------------------------------------------------------------------------------


def _du_pacte_en(point: PointDeBlocage, annee: int) -> bool:
    """A point belongs to the reports from the year of the meeting that examined it (else from its recording)."""
    depuis = point.reunion.date.year if point.reunion else timezone.localtime(point.created_at).year
    return depuis <= annee


def _blocages(annee: int) -> dict:
    points = [
        point for point in PointDeBlocage.objects.select_related("region", "reunion").prefetch_related("historique")
        .order_by("theme", "region_id", "pk")
        if _du_pacte_en(point, annee)
    ]
    lignes = [{
        "titre": point.titre, "theme": point.get_theme_display(), "region": str(point.region or "National"),
        "description": point.description, "solution": point.solution_proposee, "responsable": point.responsable,
        "statut": point.get_statut_display(), "code_statut": point.statut,
        "reunion": point.reunion.date.isoformat() if point.reunion else "",
        "dernier_suivi": next((h.commentaire for h in point.historique.all() if h.commentaire and h.changements), ""),
    } for point in points]
    comptes = Counter(p.statut for p in points)
    return {
        "points": lignes,
        "par_statut": [{"libelle": s.label, "nombre": comptes.get(s.value, 0)} for s in StatutBlocage],
        "leves": comptes.get(StatutBlocage.LEVE, 0),
        "source": ("Points de blocage enregistrés dans Pacte, examinés en réunion du comité au plus tard en "
                   f"{annee} ; statut et historique à la date des données"),
    }


def _bonnes_pratiques() -> dict:
    pratiques = BonnePratique.objects.select_related("region", "organisme").order_by("theme", "titre")
    return {
        "pratiques": [
            {"titre": p.titre, "theme": p.get_theme_display(), "region": str(p.region or "National"),
             "organisme": p.organisme.raison_sociale if p.organisme else "", "description": p.description}
            for p in pratiques
        ],
        "source": "Bibliothèque des bonnes pratiques du comité dans Pacte, à la date des données",
    }


# --- Economic and financial impact on the organisms ------------------------------------------------------------------


def _impact(annee: int) -> dict:
    """The year's mutualisation: the validated run when the campaign is validated, else the latest finished run."""
    from mutualisation import selectors as mutualisation

    calcul = mutualisation.dernier_calcul(annee)
    if calcul is None:
        return {"disponible": False, "source": f"Aucun calcul de mutualisation terminé pour {annee}"}
    valide = calcul.campagne.statut in mutualisation.STATUTS_FIGES
    synthese = mutualisation.synthese_du_calcul(calcul)
    montants = ("aide_production", "aide_rehabilitation", "aide_restructuration", "ajustements", "aide_totale",
                "contribution", "versements", "appels")
    regions = [
        {"region": ligne["organisme__region__nom"], "aides": str(ligne["aides"]),
         "contributions": str(ligne["contributions"]), "soldes": str(ligne["soldes"])}
        for ligne in mutualisation.totaux_par_region(calcul)
    ]
    fin = timezone.localtime(calcul.fin) if calcul.fin else None
    return {
        "disponible": True,
        "valide": valide,
        "statut_campagne": calcul.campagne.get_statut_display(),
        "calcul": calcul.pk,
        **{nom: str(synthese[nom]) for nom in montants},
        "nb_organismes": synthese["nb_organismes"],
        "nb_versements": synthese["nb_versements"],
        "nb_appels": synthese["nb_appels"],
        "nb_exoneres": synthese["nb_exoneres"],
        "par_region": regions,
        "source": (f"Mutualisation financière Hlm {annee}, calcul n° {calcul.pk}"
                   + (f" du {fin:%d/%m/%Y}" if fin else "")
                   + (" validé par la commission" if valide else " (dernier calcul, non encore validé)")),
    }


# --- Commitments -----------------------------------------------------------------------------------------------------


def _engagements(annee: int) -> dict:
    fin = date(annee, 12, 31)
    engagements = list(Engagement.objects.prefetch_related("mises_a_jour"))
    lignes = []
    for e in engagements:
        mises_a_jour = list(e.mises_a_jour.all())
        statut = StatutEngagement(selectors_comite.statut_a_la_date(mises_a_jour, e.statut, fin))
        de_l_annee = sorted((m for m in mises_a_jour if m.date.year == annee), key=lambda m: (m.date, m.pk))
        lignes.append({"code": e.code, "titre": e.titre, "partie": Partie(e.partie).label, "section": e.section,
                       "statut": statut.label, "code_statut": statut.value,
                       "mises_a_jour": [{"date": m.date.isoformat(), "statut": m.get_statut_display(),
                                         "commentaire": m.commentaire, "preuve": m.preuve} for m in de_l_annee]})
    comptes = Counter(ligne["code_statut"] for ligne in lignes)
    return {
        "liste": lignes,
        "par_statut": [{"libelle": s.label, "code": s.value, "nombre": comptes.get(s.value, 0)}
                       for s in StatutEngagement],
        "eco_pret": [{"debut": p.debut.isoformat(), "au": p.au.isoformat() if p.au else "",
                      "livret_a": str(p.livret_a), "eco_pret": str(p.eco_pret), "plancher": p.plancher}
                     for p in selectors_comite.periodes_eco_pret(jusqu_au=fin)],
        "tva": str(selectors_comite.TAUX_TVA_LOGEMENT_SOCIAL),
        "action_logement_md": str(selectors_comite.ACTION_LOGEMENT_PAR_AN / selectors_comite.MILLIARD),
        "source": f"Engagements du pacte (§1 à §6, annexes) et leurs mises à jour datées, statut au 31/12/{annee}",
        "source_livret_a": "Table datée des taux du livret A enregistrée dans Pacte ; règle du §1 du pacte",
    }


# --- The snapshot ----------------------------------------------------------------------------------------------------


def instantane(annee: int) -> dict:
    """Every figure of the report for a year; when this opens the transaction, all of them are read in one
    consistent view of the database (REPEATABLE READ), whatever is written meanwhile."""
    transaction_propre = not connection.in_atomic_block
    with transaction.atomic():
        if transaction_propre:
            with connection.cursor() as curseur:
                curseur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return {
            "annee": annee,
            "date_donnees": timezone.now().isoformat(),
            "mobilisation": _mobilisation(annee),
            "production": _production(annee),
            "blocages": _blocages(annee),
            "impact": _impact(annee),
            "bonnes_pratiques": _bonnes_pratiques(),
            "engagements": _engagements(annee),
        }
