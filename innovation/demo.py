"""Demo data of the innovation fund: envelopes 2014-2016 (5 M€ first), calls, applications, grants, payments, bilans.

Idempotent: an existing demo call is left as it is. Amounts are Decimal; the draw is seeded.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from innovation import calculs
from innovation.enums import Section, TypeAide
from innovation.models import BilanActivite, EnveloppeInnovation, ProjetInnovation, Theme
from pacte.appels.demo import decider, deposer_brut, organismes, utilisateur_demo, verser
from pacte.appels.enums import Dispositif
from pacte.models_appels import AppelAProjets, Critere

THEMES = [
    ("Développement et modernisation du patrimoine", Section.INNOVATION),
    ("Renforcement des innovations sociales", Section.INNOVATION),
    ("Maquette numérique et gestion du patrimoine", Section.INNOVATION),
    ("Réorganisation et rapprochement d'organismes", Section.REORGANISATION),
    ("Modernisation de la gestion locative (ex-FILLS)", Section.REORGANISATION),
]
ANNEES = (2014, 2015, 2016)


def _montant(tirage: random.Random, bas: int, haut: int) -> Decimal:
    return Decimal(tirage.randrange(bas, haut, 500)).quantize(Decimal("0.01"))


def generer(seed: int = 2013) -> str:
    if AppelAProjets.objects.filter(dispositif=Dispositif.INNOVATION, titre__startswith="Fonds d'innovation").exists():
        return "Fonds d'innovation : jeu de démonstration déjà présent."
    eligibles = organismes(calculs.FAMILLES_ELIGIBLES)
    if not eligibles:
        return "Fonds d'innovation : aucun organisme éligible, rien à générer."
    tirage = random.Random(seed)  # noqa: S311 - demo data
    auteur = utilisateur_demo()
    with transaction.atomic():
        themes = [Theme.objects.get_or_create(libelle=libelle, defaults={"section": section})[0]
                  for libelle, section in THEMES]
        enveloppe = calculs.ENVELOPPE_INITIALE
        nb = 0
        recus: dict[str, Decimal] = {}  # per organism, over the three years (all within 36 months)
        for annee in ANNEES:
            EnveloppeInnovation.objects.update_or_create(annee=annee, defaults={
                "montant": enveloppe, "motif": "Première année (annexe 4)" if annee == 2014 else
                f"Réévaluée d'après le bilan {annee - 1}."})
            nb += _annee(tirage, annee, enveloppe, themes, eligibles, auteur, recus)
            bilan = _bilan(annee, enveloppe, auteur)
            enveloppe = bilan.enveloppe_proposee
    return f"Fonds d'innovation : {nb} candidatures sur {len(ANNEES)} années."


def _annee(tirage, annee, enveloppe, themes, eligibles, auteur, recus) -> int:
    appel = AppelAProjets.objects.create(
        dispositif=Dispositif.INNOVATION, annee=annee, titre=f"Fonds d'innovation – appel {annee}",
        date_ouverture=datetime.date(annee, 1, 15), date_cloture=datetime.date(annee, 4, 30),
        reglement="500 000 € au plus par organisme sur 36 mois ; convention au-delà de 23 000 €.")
    for ordre, libelle in enumerate(("Caractère innovant", "Reproductibilité", "Solidité du montage"), start=1):
        Critere.objects.create(appel=appel, libelle=libelle, ordre=ordre)
    reste = enveloppe
    candidats = tirage.sample(eligibles, min(45, len(eligibles)))
    for i, organisme in enumerate(candidats):
        demande = _montant(tirage, 8000, 250000)
        depot = datetime.date(annee, 2, 1) + datetime.timedelta(days=i)
        candidature = deposer_brut(appel, organisme, auteur, f"Projet innovant {annee}-{i + 1}", demande, depot)
        pret = tirage.random() < 0.25
        ProjetInnovation.objects.create(
            candidature=candidature, theme=tirage.choice(themes), section=tirage.choice(themes).section,
            type_aide=TypeAide.PRET_BONIFIE if pret else TypeAide.SUBVENTION,
            taux_pret=Decimal("0.0075") if pret else None, duree_pret_mois=120 if pret else None,
            cout_total=(demande * Decimal("2.5")).quantize(Decimal("0.01")),
            autres_financements_publics=(demande * Decimal("0.5")).quantize(Decimal("0.01")),
            date_debut=depot + datetime.timedelta(days=120), duree_mois=tirage.choice((12, 18, 24, 36)))
        deja = recus.get(organisme.siren, Decimal("0"))
        if i % 3 == 2 or demande > reste or deja + demande > calculs.PLAFOND_ORGANISME:
            decider(candidature, auteur, None)
            continue
        reste -= demande
        recus[organisme.siren] = deja + demande
        decider(candidature, auteur, demande)
        if annee < 2016:
            verser(candidature, auteur, convention=calculs.convention_requise(demande), solde=annee == 2014)
    return len(candidats)


def _bilan(annee, enveloppe, auteur) -> BilanActivite:
    from innovation.selectors import activite_annee

    activite = activite_annee(annee)
    proposee = calculs.enveloppe_proposee(accorde=activite["montant_accorde"],
                                          demande_en_attente=activite["demande_en_attente"])
    return BilanActivite.objects.update_or_create(
        annee=annee, defaults={**activite, "enveloppe_proposee": proposee, "etabli_par": auteur})[0]


