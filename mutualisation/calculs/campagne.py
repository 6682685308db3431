"""Le calcul d'une campagne (domain.md §3) : qui est concerné, les aides, le total T, les contributions, les soldes."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from pacte.arrondis import cents, cents_fois_taux, euros, partager_plus_fort_reste

from .aides import Aides, Contexte, Restructuration, agreger_prets, aides_organisme, restructuration
from .controles import operations_incoherentes, verifier_invariants
from .donnees import (
    FAMILLES_HLM,
    PLANS_CGLLS,
    PLANS_EXONERANTS,
    AjustementEntree,
    Bareme,
    CalculImpossible,
    HorsChamp,
    LigneResultat,
    OrganismeEntree,
    PretEntree,
    PretsAgreges,
    RestructurationEntree,
    ResultatCampagne,
    sens_du_solde,
)


def calculer_campagne(
    annee: int,
    bareme: Bareme,
    organismes: Iterable[OrganismeEntree],
    prets: Iterable[PretEntree],
    restructurations: Iterable[RestructurationEntree],
    ajustements: Iterable[AjustementEntree],
) -> ResultatCampagne:
    """Aides, contributions et soldes de l'année, lignes triées par SIREN, invariants vérifiés.

    Lève BaremeInvalide ou CalculImpossible (message français) sur des entrées inutilisables."""
    organismes, prets = tuple(organismes), tuple(prets)
    restructurations, ajustements = tuple(restructurations), tuple(ajustements)
    contexte = _contexte(annee, bareme, organismes, restructurations, ajustements)
    _refuser_doublons("Numéro de prêt en double", [p.numero_pret for p in prets])
    _refuser(operations_incoherentes(prets), OPERATIONS_INCOHERENTES)
    agregats, hors_champ = agreger_prets(contexte, prets)
    return _calculer(contexte, organismes, agregats, hors_champ, restructurations, ajustements)


def calculer_campagne_agregee(
    annee: int,
    bareme: Bareme,
    organismes: Iterable[OrganismeEntree],
    prets: Iterable[PretsAgreges],
    restructurations: Iterable[RestructurationEntree],
    ajustements: Iterable[AjustementEntree],
) -> ResultatCampagne:
    """Le même calcul sur des prêts déjà agrégés par organisme concerné (en SQL : mutualisation.chargement), qui
    a fait leurs contrôles (doublons, opérations incohérentes, zones). Le résultat ne porte ni le détail des prêts
    dans les explications ni les prêts hors champ : qui a agrégé les prêts les écrit."""
    organismes, prets = tuple(organismes), tuple(prets)
    restructurations, ajustements = tuple(restructurations), tuple(ajustements)
    contexte = _contexte(annee, bareme, organismes, restructurations, ajustements)
    _refuser_doublons("SIREN en double parmi les prêts agrégés", [p.siren for p in prets])
    agregats = {p.siren: p for p in prets}
    _refuser(sorted(s for s in agregats if contexte.motifs.get(s, "ORGANISME_INCONNU")),
             "Prêts agrégés pour un organisme non concerné :")
    return _calculer(contexte, organismes, agregats, [], restructurations, ajustements)


def _calculer(contexte: Contexte, organismes, agregats, hors_champ, restructurations, ajustements):
    concernes = {o.siren: o for o in sorted(organismes, key=lambda o: o.siren) if contexte.motifs[o.siren] is None}
    restructurations = restructuration(contexte, restructurations)
    par_siren = _par_siren(sorted(ajustements, key=lambda a: (a.siren, a.motif, a.montant)))
    aides = {
        s: aides_organisme(contexte, s, agregats.get(s), restructurations, par_siren[s])
        for s in concernes
    }
    hors_champ += [HorsChamp(o.siren, o, m) for o in organismes if (m := contexte.motifs[o.siren])]
    resultat = _assembler(contexte, concernes, aides, hors_champ, restructurations)
    verifier_invariants(resultat)
    return resultat


def motif_non_concerne(organisme: OrganismeEntree) -> str | None:
    """Concerné = famille Hlm, métropole et patrimoine locatif > 0 au 1er janvier ; sinon le motif."""
    if organisme.famille not in FAMILLES_HLM:
        return "ORGANISME_NON_HLM"
    if not organisme.metropole:
        return "HORS_METROPOLE"
    return None if organisme.patrimoine_locatif > 0 else "PATRIMOINE_NUL"


def est_exonere(organisme: OrganismeEntree) -> bool:
    """Plan de rétablissement ou de consolidation CGLLS ; un plan de reprise de patrimoine n'exonère pas."""
    return organisme.plan_cglls in PLANS_EXONERANTS


# --- Entrées --------------------------------------------------------------------------------------


OPERATIONS_INCOHERENTES = "Opérations dont les prêts diffèrent d'organisme ou de zone :"
ZONES_INVALIDES = "Prêts PLUS/PLAI sans zone valable (1, 1bis, 2, 3) :"


def _contexte(annee, bareme: Bareme, organismes, restructurations, ajustements) -> Contexte:
    bareme.verifier()
    if bareme.annee != annee:
        raise CalculImpossible(f"Le barème fourni est celui de {bareme.annee}, pas de {annee}.")
    _refuser_doublons("SIREN en double parmi les organismes", [o.siren for o in organismes])
    cles = [f"{r.siren} {r.annee} {r.reference}" for r in restructurations]
    _refuser_doublons("Déclaration de restructuration en double (SIREN, année, référence)", cles)
    _refuser(sorted(o.siren for o in organismes if o.plan_cglls not in PLANS_CGLLS), "Plan CGLLS inconnu pour")
    motifs = {o.siren: motif_non_concerne(o) for o in organismes}
    _verifier_ajustements(ajustements, motifs)
    exoneres = frozenset(o.siren for o in organismes if motifs[o.siren] is None and est_exonere(o))
    return Contexte(annee, bareme, motifs, exoneres)


def refuser_prets(operations_incoherentes_: list[str], prets_sans_zone: list[str]) -> None:
    """Les refus des prêts, avec les mêmes messages que le calcul sur les prêts, pour qui les agrège ailleurs."""
    _refuser(operations_incoherentes_, OPERATIONS_INCOHERENTES)
    _refuser(prets_sans_zone, ZONES_INVALIDES)


def _refuser(fautifs: list[str], message: str) -> None:
    if fautifs:
        raise CalculImpossible(f"{message} {', '.join(fautifs)}.")


def _refuser_doublons(libelle: str, valeurs: list[str]) -> None:
    vus, doublons = set(), set()
    for valeur in valeurs:
        (doublons if valeur in vus else vus).add(valeur)
    _refuser(sorted(doublons), f"{libelle} :")


def _verifier_ajustements(ajustements, motifs) -> None:
    sans_motif = sorted({a.siren for a in ajustements if not (a.motif or "").strip()})
    _refuser(sans_motif, "Un ajustement exige un motif écrit ; ajustement sans motif pour")
    _refuser(sorted({a.siren for a in ajustements if motifs.get(a.siren, "ORGANISME_INCONNU")}),
             "Ajustement pour un organisme non concerné cette année :")


# --- Contributions --------------------------------------------------------------------------------

_BASES = (
    ("cotisation CGLLS", lambda o: cents(o.cotisation_cglls)),
    ("loyers", lambda o: cents(o.loyers)),
    ("logements (patrimoine)", lambda o: o.logements),
)


def totaux_parts(bareme: Bareme, total_cents: int) -> tuple[int, int, int]:
    """T_cglls et T_loyers arrondis au demi supérieur ; T_patrimoine par différence, pour que tout tombe juste."""
    cglls = cents_fois_taux(total_cents, bareme.poids_cotisation_cglls)
    loyers = cents_fois_taux(total_cents, bareme.poids_loyers)
    return cglls, loyers, total_cents - cglls - loyers


def _contributions(bareme: Bareme, contributeurs: list[OrganismeEntree], total: int) -> list[dict[str, int]]:
    return [
        _partager_base(nom, total_part, {o.siren: base(o) for o in contributeurs})
        for (nom, base), total_part in zip(_BASES, totaux_parts(bareme, total), strict=True)
    ]


def _partager_base(nom: str, total_part: int, poids: dict[str, int]) -> dict[str, int]:
    if sum(poids.values()) == 0:
        raise CalculImpossible(
            f"Calcul impossible : la base « {nom} » des organismes contributeurs totalise zéro, "
            "la part correspondante ne peut pas être répartie."
        )
    try:
        return partager_plus_fort_reste(total_part, poids)
    except ValueError as erreur:
        raise CalculImpossible(f"Base « {nom} » : {erreur}") from erreur


# --- Assemblage -----------------------------------------------------------------------------------


def _assembler(contexte: Contexte, concernes, aides: dict[str, Aides], hors_champ, restructurations: Restructuration):
    hors_champ = sorted(hors_champ + restructurations.hors_champ, key=lambda h: h.cle)
    total_aides = sum(a.totale for a in aides.values())
    total = total_aides + cents(contexte.bareme.frais_gestion)
    if total < 0:
        raise CalculImpossible(f"Le total à couvrir est négatif ({euros(total)} €) : vérifier les ajustements.")
    contributeurs = [o for siren, o in concernes.items() if siren not in contexte.exoneres]
    parts = _contributions(contexte.bareme, contributeurs, total)
    propres = _par_siren(hors_champ)
    lignes = tuple(
        _ligne(o, aides[s], [p.get(s, 0) for p in parts], s in contexte.exoneres, propres[s])
        for s, o in concernes.items()
    )
    totaux = [sum(p.values()) for p in parts]
    return ResultatCampagne(
        annee=contexte.annee,
        bareme=contexte.bareme,
        lignes=lignes,
        total_aides=euros(total_aides),
        total_a_couvrir=euros(total),
        total_cotisation_cglls=euros(totaux[0]),
        total_loyers=euros(totaux[1]),
        total_patrimoine=euros(totaux[2]),
        total_contributions=euros(sum(totaux)),
        total_soldes=euros(total_aides - sum(totaux)),
        logements_restructuration_national=restructurations.national,
        plafond_restructuration_atteint=restructurations.plafond_atteint,
        hors_champ=tuple(hors_champ),
    )


def _par_siren(elements) -> defaultdict:
    """Ajustements ou éléments hors champ groupés par SIREN, dans l'ordre reçu."""
    groupes = defaultdict(list)
    for element in elements:
        groupes[element.siren].append(element)
    return groupes


def _ligne(organisme: OrganismeEntree, aides: Aides, parts: list[int], exonere: bool, hors_champ) -> LigneResultat:
    contribution = sum(parts)
    solde = aides.totale - contribution
    montants = (aides.production, aides.rehabilitation, aides.restructuration, aides.ajustements, aides.totale)
    return LigneResultat(
        organisme.siren,
        organisme.raison_sociale,
        exonere,
        *(euros(m) for m in montants),
        *(euros(p) for p in parts),
        euros(contribution),
        euros(solde),
        sens_du_solde(solde),
        # most organisms have nothing out of scope: their explanation is kept as it is (replace() is not free)
        explication=replace(aides.explication, hors_champ=tuple(hors_champ)) if hors_champ else aides.explication,
    )
