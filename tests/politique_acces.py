"""The declared access policy (docs/acces.md): for every named URL, the methods it accepts and who may use each.

Written by hand from domain.md §1, never derived from the views' own declarations: tests/test_acces.py walks every
URL × anonymous and every role × GET, HEAD, POST, PUT, PATCH, DELETE and compares each status with this table.
"""

from dataclasses import dataclass, field

from pacte.enums import Role

ANONYME = "ANONYME"
METHODES = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Regle:
    """Who may use one method of one URL, and the status they get (an empty write: empty form or JSON object)."""

    roles: frozenset
    statut: int = 200
    sauf: dict = field(default_factory=dict)  # role → another status (a redirect to its own page, say)

    def statut_pour(self, role) -> int:
        return self.sauf.get(role, self.statut)



R = Regle
USH, COM, CS, SEC = Role.EQUIPE_USH, Role.COMMISSION, Role.COMITE_SUIVI, Role.SECRETARIAT
REF, CO, ORG, ADM = Role.REFERENT_REGIONAL, Role.COMITE_ORIENTATION, Role.ORGANISME, Role.ADMINISTRATEUR

# Who is who (domain.md §1); the administrator holds every permission.
CONNECTES = frozenset(Role)
PUBLIC = CONNECTES | {ANONYME}
NATIONAUX = CONNECTES - {ORG}  # everyone but a landlord reads the national follow-up and referentials
ADMIN = frozenset({ADM})
IMPORTS = frozenset({USH, ADM})  # the USH team loads the CDC extracts and referentials
PILOTES = frozenset({USH, COM, ADM})  # barème, runs, audit trail and what-if comparisons
COMMISSION = frozenset({COM, ADM})  # adjusts, approves, notifies, closes, authors variants
RESULTATS = frozenset({USH, COM, CS, SEC, REF, ADM})  # the year's results, exports, notices batch, bilan
AVIS = RESULTATS | {ORG}  # one organism's notice: an organism user its own only (404 otherwise)
SECRETARIAT = frozenset({SEC, ADM})  # meetings, good practices, commitment updates, annual report
REGIONAUX = frozenset({SEC, REF, ADM})  # diagnostics and blocking points (a referent: its own region)
CANDIDATURES = frozenset({USH, CS, SEC, CO, ADM})  # every application of a call, and its exports
CONSULTATION = CANDIDATURES | {ORG}  # one application: an organism its own only
DEPOSANTS = frozenset({ORG, ADM})  # the form; only an organism account can actually file
ORIENTATION = frozenset({CO, ADM})  # the orientation committee's funding conditions

# URL name → method → rule. HEAD follows GET. A method not listed answers 405 to whoever may use the URL.
# Writes are sent empty: 200 is the form shown again with its errors, 302 a refusal message on the next page,
# 400/415 the API's refusal of an empty or non-file body.
POLITIQUE: dict[str, dict[str, Regle]] = {
    # --- Shell, sign-in, health
    "accueil": {"GET": R(CONNECTES)},
    "connexion": {"GET": R(PUBLIC, 302, sauf={ANONYME: 200}), "POST": R(PUBLIC, 302, sauf={ANONYME: 200})},
    "deconnexion": {"POST": R(PUBLIC, 302)},
    # ProConnect is off unless configured (docs/proconnect.md): its two URLs answer 404 to everyone.
    **{nom: {m: R(PUBLIC, 404) for m in ("GET", "POST", "PUT", "PATCH", "DELETE")}
       for nom in ("proconnect:connexion", "proconnect:retour")},
    "sante": {"GET": R(PUBLIC)},
    "engagement": {"GET": R(CONNECTES)},
    "organismes": {"GET": R(CONNECTES)},
    "regions": {"GET": R(CONNECTES)},
    "administration": {"GET": R(ADMIN)},
    # --- Mutualisation (pages)
    "mutualisation:index": {"GET": R(CONNECTES)},
    "mutualisation:imports": {"GET": R(IMPORTS), "POST": R(IMPORTS)},
    "mutualisation:import": {"GET": R(IMPORTS)},
    "mutualisation:import-etat": {"GET": R(IMPORTS)},
    "mutualisation:calcul-etat": {"GET": R(RESULTATS)},
    "mutualisation:campagne": {"GET": R(RESULTATS)},
    "mutualisation:bareme": {"GET": R(PILOTES), "POST": R(PILOTES)},
    "mutualisation:calculer": {"GET": R(PILOTES), "POST": R(PILOTES, 302)},
    "mutualisation:ajustement": {"GET": R(COMMISSION), "POST": R(COMMISSION)},
    "mutualisation:resultats": {"GET": R(RESULTATS)},
    "mutualisation:export-csv": {"GET": R(RESULTATS)},
    "mutualisation:export-xlsx": {"GET": R(RESULTATS)},
    "mutualisation:organisme": {"GET": R(AVIS)},
    "mutualisation:approuver": {"GET": R(COMMISSION), "POST": R(COMMISSION, 302)},
    "mutualisation:notifier": {"GET": R(COMMISSION), "POST": R(COMMISSION, 302)},
    "mutualisation:clore": {"GET": R(COMMISSION), "POST": R(COMMISSION, 302)},
    "mutualisation:rouvrir": {"GET": R(ADMIN), "POST": R(ADMIN)},  # reopening a validated year: admin alone
    "mutualisation:avis-etat": {"GET": R(RESULTATS)},
    "mutualisation:avis-pdf": {"GET": R(AVIS)},
    "mutualisation:avis-zip": {"GET": R(RESULTATS)},
    "mutualisation:echeancier-csv": {"GET": R(RESULTATS)},
    "mutualisation:echeancier-xlsx": {"GET": R(RESULTATS)},
    "mutualisation:bilan": {"GET": R(RESULTATS)},
    "mutualisation:bilan-pdf": {"GET": R(RESULTATS)},
    "mutualisation:audit-campagne": {"GET": R(PILOTES)},
    "mutualisation:audit-organisme": {"GET": R(PILOTES)},
    "mutualisation:simulations": {"GET": R(PILOTES), "POST": R(COMMISSION, 302)},
    "mutualisation:variante-creer": {"GET": R(COMMISSION), "POST": R(COMMISSION)},
    "mutualisation:simulation": {"GET": R(PILOTES)},
    "mutualisation:simulation-csv": {"GET": R(PILOTES)},
    "mutualisation:simulation-xlsx": {"GET": R(PILOTES)},
    # --- Follow-up (pages): a regional referent reads everything national (domain.md §1), edits its region
    "suivi:index": {"GET": R(NATIONAUX, sauf={REF: 302})},  # a referent lands on its region's dashboard
    "suivi:national": {"GET": R(NATIONAUX)},
    "suivi:classement": {"GET": R(NATIONAUX)},
    "suivi:region": {"GET": R(NATIONAUX)},
    "suivi:departement": {"GET": R(NATIONAUX)},
    "suivi:organisme": {"GET": R(NATIONAUX)},
    "suivi:engagements": {"GET": R(CONNECTES)},
    "suivi:engagement-mise-a-jour": {"GET": R(SECRETARIAT), "POST": R(SECRETARIAT)},
    "suivi:comite": {"GET": R(NATIONAUX)},
    "suivi:reunion-creer": {"GET": R(SECRETARIAT), "POST": R(SECRETARIAT)},
    "suivi:reunion": {"GET": R(NATIONAUX)},
    "suivi:reunion-modifier": {"GET": R(SECRETARIAT), "POST": R(SECRETARIAT)},
    "suivi:blocages": {"GET": R(NATIONAUX)},
    "suivi:blocage-creer": {"GET": R(REGIONAUX), "POST": R(REGIONAUX)},
    "suivi:blocage": {"GET": R(NATIONAUX)},
    "suivi:blocage-modifier": {"GET": R(REGIONAUX), "POST": R(REGIONAUX)},  # sample row: the referent's region
    "suivi:bonnes-pratiques": {"GET": R(NATIONAUX)},
    "suivi:bonne-pratique-creer": {"GET": R(SECRETARIAT), "POST": R(SECRETARIAT)},
    "suivi:bonne-pratique": {"GET": R(NATIONAUX)},
    "suivi:bonne-pratique-modifier": {"GET": R(SECRETARIAT), "POST": R(SECRETARIAT)},
    "suivi:diagnostics": {"GET": R(NATIONAUX)},
    "suivi:diagnostic": {"GET": R(NATIONAUX)},
    "suivi:diagnostic-modifier": {"GET": R(REGIONAUX), "POST": R(REGIONAUX)},  # sample: the referent's region
    "suivi:rapports": {"GET": R(NATIONAUX)},
    "suivi:rapport-produire": {"GET": R(SECRETARIAT), "POST": R(SECRETARIAT)},
    "suivi:rapport": {"GET": R(NATIONAUX)},
    "suivi:rapport-pdf": {"GET": R(NATIONAUX)},
    # --- Calls for projects (pages); the sample application is the organism persona's own
    **{f"{espace}:{nom}": regles for espace in ("innovation", "logements_accompagnes") for nom, regles in {
        "appel": {"GET": R(CONNECTES)},
        "deposer": {"GET": R(DEPOSANTS), "POST": R(DEPOSANTS)},
        "export-csv": {"GET": R(CANDIDATURES)},
        "export-xlsx": {"GET": R(CANDIDATURES)},
        "candidature": {"GET": R(CONSULTATION), "POST": R(CONSULTATION, 302)},
        "lettre": {"GET": R(CONSULTATION)},
    }.items()},
    "innovation:index": {"GET": R(CONNECTES), "POST": R(CONNECTES, 302)},
    "innovation:conditions": {"GET": R(ORIENTATION), "POST": R(ORIENTATION)},
    "logements_accompagnes:index": {"GET": R(CONNECTES)},
    # --- API: referentials, audit, users
    "api-root": {"GET": R(CONNECTES)},
    "schema": {"GET": R(CONNECTES)},
    "swagger": {"GET": R(CONNECTES)},
    "redoc": {"GET": R(CONNECTES)},
    "region-list": {"GET": R(NATIONAUX)},
    "region-detail": {"GET": R(NATIONAUX)},
    "organisme-list": {"GET": R(CONNECTES)},  # an organism user: its own organism only
    "organisme-detail": {"GET": R(CONNECTES)},
    "engagement-list": {"GET": R(CONNECTES)},
    "engagement-detail": {"GET": R(CONNECTES)},
    "evenement-list": {"GET": R(ADMIN)},
    "evenement-detail": {"GET": R(ADMIN)},
    "utilisateur-list": {"GET": R(ADMIN)},
    "utilisateur-detail": {"GET": R(ADMIN)},
    # --- API: mutualisation
    "mutualisation-bareme-list": {"GET": R(RESULTATS)},
    "mutualisation-bareme-detail": {"GET": R(RESULTATS), "PUT": R(PILOTES, 400), "PATCH": R(PILOTES)},
    "mutualisation-calcul-list": {"GET": R(RESULTATS), "POST": R(PILOTES, 400)},
    "mutualisation-calcul-detail": {"GET": R(RESULTATS)},
    "mutualisation-import-list": {"GET": R(IMPORTS), "POST": R(IMPORTS, 415)},  # a file, not JSON
    "mutualisation-import-detail": {"GET": R(IMPORTS)},
    "mutualisation-import-rapport": {"GET": R(IMPORTS)},
    "mutualisation-resultat-list": {"GET": R(RESULTATS)},
    "mutualisation-avis-detail": {"GET": R(AVIS)},
    "mutualisation-campagne-list": {"GET": R(RESULTATS)},
    "mutualisation-campagne-detail": {"GET": R(RESULTATS)},
    "mutualisation-audit-campagne-list": {"GET": R(PILOTES)},
    "mutualisation-audit-organisme-list": {"GET": R(PILOTES)},
    "mutualisation-simulation-list": {"GET": R(PILOTES)},
    "mutualisation-simulation-detail": {"GET": R(PILOTES)},
    # --- API: calls for projects
    "appels-appel-list": {"GET": R(CONNECTES)},
    "appels-appel-detail": {"GET": R(CONNECTES)},
    "appels-appel-synthese": {"GET": R(CONNECTES)},
    "appels-candidature-list": {"GET": R(CONSULTATION)},
    "appels-candidature-detail": {"GET": R(CONSULTATION)},
    "appels-fonds-innovation-list": {"GET": R(CONNECTES)},
    "appels-suivi-list": {"GET": R(CONNECTES)},
    # --- API: follow-up
    **{f"suivi-{nom}": {"GET": R(NATIONAUX)} for nom in (
        "national-list", "region-list", "region-detail", "departement-detail", "organisme-detail",
        "reunion-list", "reunion-detail", "blocage-list", "blocage-detail", "bonne-pratique-list",
        "bonne-pratique-detail", "diagnostic-list", "diagnostic-detail", "rapport-list", "rapport-detail")},
    "suivi-mise-a-jour-list": {"GET": R(CONNECTES)},
    "suivi-mise-a-jour-detail": {"GET": R(CONNECTES)},
}


def attendu(nom: str, methode: str, role, *, api: bool) -> set:
    """The statuses the policy allows for this request ("connexion" stands for a redirect to the sign-in page)."""
    regles = POLITIQUE.get(nom, {})
    regle = regles.get("GET" if methode == "HEAD" else methode)
    if regle is not None and role in regle.roles:
        return {regle.statut_pour(role)}
    if regle is None and any(role in r.roles for r in regles.values()):
        return {405}  # a method the URL does not take, asked by someone who may use the URL
    if role == ANONYME:
        return {401, 403} if api else {302, "connexion"}
    return {403}
