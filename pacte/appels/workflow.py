"""The application workflow as data: which status may follow which, who may move it, whether a reason is needed.

Pure: no ORM. The services apply it; the pages read it to offer only the actions the user may take.
"""

from dataclasses import dataclass

from pacte.appels.enums import StatutCandidature as S

INSTRUIRE = "pacte.instruire_candidature"
DECIDER = "pacte.decider_candidature"
DEPOSER = "pacte.deposer_candidature"
GERER = "pacte.gerer_appels"


@dataclass(frozen=True)
class Transition:
    de: str
    vers: str
    libelle: str
    permission: str
    motif_obligatoire: bool = False
    decision: bool = False  # goes through candidature_decider (amount, envelope, letter), never a plain move


TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DEPOSEE, S.RECEVABLE, "Déclarer recevable", INSTRUIRE),
    Transition(S.DEPOSEE, S.IRRECEVABLE, "Déclarer irrecevable", INSTRUIRE, motif_obligatoire=True),
    Transition(S.DEPOSEE, S.A_COMPLETER, "Demander un complément", INSTRUIRE, motif_obligatoire=True),
    Transition(S.A_COMPLETER, S.DEPOSEE, "Transmettre les compléments", DEPOSER),
    Transition(S.RECEVABLE, S.A_COMPLETER, "Demander un complément", INSTRUIRE, motif_obligatoire=True),
    Transition(S.RECEVABLE, S.INSTRUITE, "Clore l'instruction", INSTRUIRE),
    Transition(S.INSTRUITE, S.A_COMPLETER, "Demander un complément", INSTRUIRE, motif_obligatoire=True),
    Transition(S.INSTRUITE, S.RETENUE, "Retenir le projet", DECIDER, motif_obligatoire=True, decision=True),
    Transition(S.INSTRUITE, S.NON_RETENUE, "Ne pas retenir le projet", DECIDER, motif_obligatoire=True,
               decision=True),
    Transition(S.RETENUE, S.CONVENTIONNEE, "Enregistrer la convention signée", GERER),
    Transition(S.RETENUE, S.EN_COURS, "Démarrer le projet (sans convention)", GERER),
    Transition(S.CONVENTIONNEE, S.EN_COURS, "Démarrer le projet", GERER),
)

STATUTS_FINAUX = (S.IRRECEVABLE, S.NON_RETENUE, S.SOLDEE)
# Scoring happens while the committee examines the file.
STATUTS_NOTATION = (S.RECEVABLE, S.INSTRUITE)


def transition(de: str, vers: str) -> Transition | None:
    return next((t for t in TRANSITIONS if t.de == de and t.vers == vers), None)


def transitions_depuis(de: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.de == de]
