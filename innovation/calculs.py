"""The innovation fund's rules (domain.md §5, Annexe 4), as pure functions: plain values in, reasons out.

Each rule returns the French sentence that explains a refusal, or nothing. Written in prose in
docs/appels-a-projets.md; each has its test in tests/innovation/test_calculs.py.
"""

from datetime import date
from decimal import ROUND_CEILING, Decimal

from pacte.enums import FAMILLES_HLM, Famille
from pacte.formats import format_date, format_euros

ENVELOPPE_INITIALE = Decimal("5000000.00")
PLAFOND_ORGANISME = Decimal("500000.00")
FENETRE_PLAFOND_MOIS = 36
SEUIL_CONVENTION = Decimal("23000.00")
TAUX_COFINANCEMENT_PUBLIC_MAX = Decimal("0.80")
DUREE_MAX_MOIS = 36
FAMILLES_ELIGIBLES = (*FAMILLES_HLM, Famille.SEM, Famille.AGREE_L365, Famille.ARHLM)


def refus_eligibilite(famille: str) -> str | None:
    if famille in FAMILLES_ELIGIBLES:
        return None
    libelle = Famille(famille).label if famille in Famille.values else famille
    return (f"Le fonds ne finance que les organismes Hlm, les SEM ayant une activité de logement social, les "
            f"organismes agréés (L.365-2 CCH) et les associations régionales Hlm (annexe 4 du pacte) : "
            f"« {libelle} » n'est pas éligible.")


def refus_calendrier(*, date_depot: date, date_debut: date, duree_mois: int) -> list[str]:
    raisons = []
    if date_debut < date_depot:
        raisons.append(f"Le projet a commencé le {format_date(date_debut)}, avant sa demande du "
                       f"{format_date(date_depot)} : le fonds ne finance pas un projet déjà engagé.")
    if not 0 < duree_mois <= DUREE_MAX_MOIS:
        raisons.append(f"Un projet dure au plus {DUREE_MAX_MOIS} mois (trois ans) ; celui-ci en compte {duree_mois}.")
    return raisons


def refus_cofinancement(*, montant: Decimal, autres_financements_publics: Decimal, cout_total: Decimal) -> str | None:
    """Public money (this aid included: the fund is managed by the CGLLS) covers at most 80 % of the cost."""
    plafond = cout_total * TAUX_COFINANCEMENT_PUBLIC_MAX
    public = montant + autres_financements_publics
    if public <= plafond:
        return None
    return (f"Les financements publics ({format_euros(public)}, dont {format_euros(montant)} du fonds) dépassent "
            f"80 % du coût du projet ({format_euros(plafond)} pour un coût de {format_euros(cout_total)}).")


def refus_plafond_organisme(*, montant: Decimal, deja_accorde_36_mois: Decimal) -> str | None:
    disponible = PLAFOND_ORGANISME - deja_accorde_36_mois
    if montant <= disponible:
        return None
    return (f"L'organisme a déjà reçu {format_euros(deja_accorde_36_mois)} du fonds sur les 36 derniers mois ; "
            f"le plafond de {format_euros(PLAFOND_ORGANISME)} par organisme laisse {format_euros(max(disponible, 0))}, "
            f"moins que les {format_euros(montant)} proposés.")


def refus_enveloppe(*, montant: Decimal, enveloppe: Decimal, deja_accorde: Decimal, annee: int) -> str | None:
    disponible = enveloppe - deja_accorde
    if montant <= disponible:
        return None
    return (f"L'enveloppe {annee} du fonds ({format_euros(enveloppe)}) est déjà accordée à hauteur de "
            f"{format_euros(deja_accorde)} : il reste {format_euros(max(disponible, 0))}, moins que les "
            f"{format_euros(montant)} proposés.")


def convention_requise(montant: Decimal) -> bool:
    return montant > SEUIL_CONVENTION


def enveloppe_proposee(*, accorde: Decimal, demande_en_attente: Decimal) -> Decimal:
    """Next year's envelope from this year's activity: what was granted plus the eligible requests left unfunded,
    rounded up to the thousand euros."""
    besoin = max(accorde + demande_en_attente, Decimal("0"))
    return (besoin / 1000).to_integral_value(rounding=ROUND_CEILING) * 1000 + Decimal("0.00")
