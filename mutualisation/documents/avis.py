"""Notices (avis de versement / avis d'appel de fonds): one PDF per organism, from its stored result line.

Every amount printed is a stored amount of the run (the result line and its ``explication``, the run's ``totaux`` and
``bareme`` snapshot); only the contribution bases come from the year's data (``BaseAnnuelle``), which the database
freezes while the run is validated (documents/source.py).
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from mutualisation import calculs, explications
from mutualisation.documents import rendu
from mutualisation.enums import Produit, Sens
from mutualisation.models import BaseAnnuelle, Calcul, ResultatOrganisme

GABARIT = "mutualisation/pdf/avis.html"
# Decision (docs/documents.md): a call for funds is due, and a payment planned, 30 days after the notices are issued.
DELAI_REGLEMENT = timedelta(days=30)
TITRES = {
    Sens.VERSEMENT: "Avis de versement",
    Sens.APPEL_DE_FONDS: "Avis d'appel de fonds",
    Sens.NUL: "Avis de mutualisation (solde nul)",
}
# (result field, label, barème weight, run total of the part, base field of BaseAnnuelle)
PARTS = (
    ("part_cotisation_cglls", "Cotisation CGLLS", "poids_cotisation_cglls", "total_cotisation_cglls",
     "cotisation_cglls"),
    ("part_loyers", "Loyers et redevances", "poids_loyers", "total_loyers", "loyers"),
    ("part_patrimoine", "Patrimoine (logements et unités de foyers)", "poids_patrimoine", "total_patrimoine",
     "logements"),
)
BASES = tuple(part[4] for part in PARTS)
BASES_MONETAIRES = {"cotisation_cglls", "loyers"}


@dataclass(frozen=True)
class ContexteAvis:
    """What every notice of one run shares, loaded once."""

    calcul: Calcul
    annee: int
    bareme: dict[str, Decimal]
    totaux: dict[str, Decimal]
    bases: dict[str, dict]
    bases_nationales: dict[str, Decimal | int]
    date_emission: date

    @property
    def date_echeance(self) -> date:
        return self.date_emission + DELAI_REGLEMENT


def contexte_avis(calcul: Calcul, *, date_emission: date | None = None) -> ContexteAvis:
    """The run's barème and totals as Decimals, each organism's bases and the contributors' national bases."""
    annee = calcul.campagne.annee
    exoneres = dict(calcul.resultats.values_list("organisme_id", "exonere"))
    bases = {
        siren: dict(zip(BASES, valeurs, strict=True))
        for siren, *valeurs in BaseAnnuelle.objects.filter(annee=annee, organisme_id__in=list(exoneres))
        .values_list("organisme_id", *BASES)
    }
    nationales = {nom: sum(b[nom] for s, b in bases.items() if not exoneres[s]) for nom in BASES}
    return ContexteAvis(
        calcul=calcul,
        annee=annee,
        bareme={nom: Decimal(valeur) for nom, valeur in calcul.bareme.items() if nom != "annee"},
        totaux={nom: Decimal(valeur) for nom, valeur in calcul.totaux.items() if isinstance(valeur, str)},
        bases=bases,
        bases_nationales={nom: Decimal(v) if nom in BASES_MONETAIRES else v for nom, v in nationales.items()},
        date_emission=date_emission or timezone.localdate(),
    )


def reference(annee: int, siren: str) -> str:
    """The payment reference shared by the notice and the schedule line."""
    return f"MUT-{annee}-{siren}"


def nom_fichier(annee: int, siren: str) -> str:
    return f"avis-{annee}-{siren}.pdf"


# --- The notice's figures -------------------------------------------------------------------------


def _pret(pret: dict) -> dict:
    return {**pret, "montant": Decimal(pret["montant"]), "date_signature": date.fromisoformat(pret["date_signature"]),
            "produit": Produit(pret["produit"]).label}


def _operation(operation: dict) -> dict:
    prets = [_pret(p) for p in operation["prets"]]
    numero = operation["numero_operation"] or f"sans numéro (prêt {prets[0]['numero_pret']})"
    return {**operation, "numero": numero, "prets": prets, "aide": Decimal(operation["aide"]),
            "montant_unitaire": Decimal(operation["montant_unitaire"]),
            "logements": operation["logements_plus"] + operation["logements_plai"]}


def _hors_champ(elements: list[dict]) -> list[dict]:
    """Out-of-scope loans and declarations, summed per reason (a notice names them, never lists hundreds)."""
    groupes = defaultdict(lambda: {"nombre": 0, "montant": Decimal("0.00"), "logements": 0})
    for element in elements:
        groupe = groupes[element["libelle"]]
        groupe["nombre"] += 1
        groupe["montant"] += Decimal(element.get("montant", "0"))
        groupe["logements"] += element.get("nb_logements", 0)
    return [{"libelle": libelle, **groupe} for libelle, groupe in sorted(groupes.items())]


def _parts(resultat: ResultatOrganisme, contexte: ContexteAvis) -> list[dict]:
    bases = contexte.bases.get(resultat.organisme_id, {})
    return [
        {"libelle": libelle, "poids": contexte.bareme[poids], "total": contexte.totaux[total],
         "base": bases.get(base), "base_nationale": contexte.bases_nationales[base],
         "monetaire": base in BASES_MONETAIRES, "montant": getattr(resultat, champ)}
        for champ, libelle, poids, total, base in PARTS
    ]


def _explication(resultat: ResultatOrganisme, detail: explications.ExplicationDetaillee | None) -> dict:
    detail = detail or explications.detaillee(resultat)
    if not detail.prets_a_jour:
        raise calculs.ErreurMutualisation(
            f"Les prêts de l'organisme {resultat.organisme_id} ont changé depuis le calcul n° {resultat.calcul_id} : "
            "son avis ne peut pas détailler les prêts de ce calcul. Relancez le calcul.")
    return detail.explication


def donnees_avis(resultat: ResultatOrganisme, contexte: ContexteAvis,
                 detail: explications.ExplicationDetaillee | None = None) -> dict:
    """The template context of one notice (plain values; amounts as Decimal); ``detail``: the explanation with its
    loans when the caller has built it (explications.detaillees, for many notices at once)."""
    explication, annee, siren = _explication(resultat, detail), contexte.annee, resultat.organisme_id
    return {
        "titre": f"{TITRES[resultat.sens]} {annee} – {resultat.organisme.raison_sociale}",
        "type_avis": TITRES[resultat.sens],
        "annee": annee,
        "calcul": contexte.calcul,
        "resultat": resultat,
        "organisme": resultat.organisme,
        "bareme": contexte.bareme,
        "totaux": contexte.totaux,
        "reference": reference(annee, siren),
        "date_emission": contexte.date_emission,
        "date_echeance": contexte.date_echeance,
        "montant_du_solde": abs(resultat.solde),
        "operations": [_operation(o) for o in explication.get("operations_production", [])],
        "prets_rehabilitation": [_pret(p) for p in explication.get("prets_rehabilitation", [])],
        "base_rehabilitation": Decimal(explication.get("base_rehabilitation", "0")),
        "restructurations": explication.get("restructurations", []),
        "logements_restructuration": explication.get("logements_restructuration", 0),
        "ajustements": [{"montant": Decimal(a["montant"]), "motif": a["motif"]}
                        for a in explication.get("ajustements", [])],
        "avant_taux": {nom: Decimal(explication.get(f"aide_{nom}_avant_taux", "0"))
                       for nom in ("production", "rehabilitation", "restructuration")},
        "hors_champ": _hors_champ(explication.get("hors_champ", [])),
        "parts": _parts(resultat, contexte),
    }


# --- PDFs -----------------------------------------------------------------------------------------


def resultats_du_calcul(calcul: Calcul):
    return calcul.resultats.select_related("organisme", "organisme__region").order_by("organisme_id")


def avis_html(resultat: ResultatOrganisme, contexte: ContexteAvis,
              detail: explications.ExplicationDetaillee | None = None) -> str:
    return render_to_string(GABARIT, donnees_avis(resultat, contexte, detail))


def avis_pdf(resultat: ResultatOrganisme, contexte: ContexteAvis | None = None) -> bytes:
    """One organism's notice (for a download); give the run's context when rendering many."""
    return rendu.rendu().pdf(avis_html(resultat, contexte or contexte_avis(resultat.calcul)))


def avis_ecrire(calcul: Calcul, dossier: Path, *, contexte: ContexteAvis | None = None, processus: int | None = None,
                progression: Callable[[int, int], None] | None = None) -> list[tuple[Path, int]]:
    """Write every notice of the run into ``dossier`` (rendered on every core), calling ``progression(faits, total)``
    after each; returns each file with its size, by file name."""
    contexte = contexte or contexte_avis(calcul)
    dossier.mkdir(parents=True, exist_ok=True)
    resultats, taches = list(resultats_du_calcul(calcul)), []
    for debut in range(0, len(resultats), 200):
        morceau = resultats[debut:debut + 200]
        details = explications.detaillees(calcul, morceau)  # no query once the run is validated
        taches += [(dossier / nom_fichier(contexte.annee, resultat.organisme_id),
                    avis_html(resultat, contexte, details[resultat.organisme_id])) for resultat in morceau]
    fichiers = []
    for fichier in rendu.ecrire_pdfs(taches, processus=processus):
        fichiers.append(fichier)
        if progression:
            progression(len(fichiers), len(taches))
    return sorted(fichiers)
