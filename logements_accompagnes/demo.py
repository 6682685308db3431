"""Demo data of « 10 000 logements accompagnés », calibrated on the real calls: 28 projects retained in the first
round (about 900 households, grants from 4 500 € to 84 500 €), a 2016 call of 5 M€ capped at 200 000 € per project,
about 150 projects and 6 000 homes after three calls. Idempotent: an existing demo call is left as it is."""

import datetime
import random
from decimal import Decimal

from django.db import transaction

from logements_accompagnes.enums import SECTIONS_ANNEXE_3, NaturePartenaire, SourceFinancement, TypePorteur
from logements_accompagnes.models import LigneFinancement, Partenaire, ProjetAccompagne, SuiviAnnuel
from pacte.appels.demo import decider, deposer_brut, organismes, utilisateur_demo
from pacte.appels.enums import Dispositif
from pacte.enums import FAMILLES_HLM
from pacte.models_appels import AppelAProjets, Critere

# (year, applications, retained, grant range, homes per retained project, households per home, envelope, cap)
APPELS = (
    (2014, 60, 28, (4500, 84500), (20, 44), Decimal("1.0"), None, None),
    (2015, 110, 60, (5000, 150000), (25, 60), Decimal("1.1"), None, None),
    (2016, 120, 62, (10000, 130000), (25, 60), Decimal("1.1"), Decimal("5000000.00"), Decimal("200000.00")),
)
OPERATEURS = ("Association Habitat et Humanisme", "Fédération des acteurs de la solidarité", "Soliha",
              "Association d'insertion par le logement", "Centre communal d'action sociale")


def generer(seed: int = 2013) -> str:
    if AppelAProjets.objects.filter(dispositif=Dispositif.LOGEMENTS_ACCOMPAGNES,
                                    titre__startswith="10 000 logements accompagnés").exists():
        return "Logements accompagnés : jeu de démonstration déjà présent."
    bailleurs = organismes(FAMILLES_HLM)
    if not bailleurs:
        return "Logements accompagnés : aucun bailleur, rien à générer."
    tirage = random.Random(seed + 4)  # noqa: S311 - demo data
    auteur = utilisateur_demo()
    retenus = logements = 0
    with transaction.atomic():
        for parametres in APPELS:
            r, lg = _appel(tirage, bailleurs, auteur, *parametres)
            retenus, logements = retenus + r, logements + lg
    return f"Logements accompagnés : {retenus} projets retenus, {logements} logements mobilisés."


def _appel(tirage, bailleurs, auteur, annee, nb, nb_retenus, subventions, logements, menages_par_logement,
           enveloppe, plafond):
    tour = {2014: "premier", 2015: "deuxième", 2016: "troisième"}[annee]
    appel = AppelAProjets.objects.create(
        dispositif=Dispositif.LOGEMENTS_ACCOMPAGNES, annee=annee, enveloppe=enveloppe, plafond_par_projet=plafond,
        titre=f"10 000 logements accompagnés – {tour} appel ({annee})",
        date_ouverture=datetime.date(annee, 2, 1), date_cloture=datetime.date(annee, 5, 31))
    for ordre, libelle in enumerate(("Partenariat bailleur / opérateur", "Adaptation de l'offre et des loyers",
                                     "Reproductibilité"), start=1):
        Critere.objects.create(appel=appel, libelle=libelle, ordre=ordre)
    montants = _subventions(tirage, nb_retenus, *subventions)
    if enveloppe is not None and sum(montants) > enveloppe:
        raise ValueError(f"Démonstration : les subventions {annee} dépassent l'enveloppe (changer la graine).")
    total_logements = 0
    for i in range(nb):
        organisme = tirage.choice(bailleurs)
        retenu = i < nb_retenus
        montant = montants[i] if retenu else Decimal(tirage.randrange(*subventions, 500)).quantize(Decimal("0.01"))
        candidature = deposer_brut(appel, organisme, auteur, f"Logements accompagnés {annee}-{i + 1} – "
                                   f"{organisme.region.nom}", montant, datetime.date(annee, 3, 1))
        nb_logements = tirage.randrange(*logements)
        projet = _projet(tirage, candidature, organisme, nb_logements, menages_par_logement, montant)
        decider(candidature, auteur, montant if retenu else None)
        if retenu:
            total_logements += _suivi(tirage, projet, annee, nb_logements, menages_par_logement)
    return nb_retenus, total_logements


def _subventions(tirage, nombre, bas, haut) -> list[Decimal]:
    """``nombre`` grants spanning exactly [bas, haut] (the first round's real range), in cents."""
    montants = [bas, haut] + [tirage.randrange(bas, haut, 500) for _ in range(nombre - 2)]
    tirage.shuffle(montants)
    return [Decimal(m).quantize(Decimal("0.01")) for m in montants]


def _projet(tirage, candidature, organisme, nb_logements, menages_par_logement, montant) -> ProjetAccompagne:
    type_porteur = tirage.choice((TypePorteur.BAILLEUR, TypePorteur.BINOME, TypePorteur.BINOME,
                                  TypePorteur.INTER_BAILLEURS))
    projet = ProjetAccompagne.objects.create(
        candidature=candidature, type_porteur=type_porteur, region=organisme.region, logements_prevus=nb_logements,
        menages_prevus=int(nb_logements * menages_par_logement),
        **{champ: f"{titre} : dossier de {organisme.raison_sociale}." for champ, titre in SECTIONS_ANNEXE_3})
    Partenaire.objects.create(projet=projet, nom=tirage.choice(OPERATEURS), nature=NaturePartenaire.OPERATEUR,
                              role="Diagnostic social et accompagnement des ménages")
    plai = Decimal(nb_logements * tirage.randrange(9000, 14000, 500)).quantize(Decimal("0.01"))
    lignes = {SourceFinancement.PLAI: plai, SourceFinancement.ETAT: montant,
              SourceFinancement.DEPARTEMENT: (montant / 2).quantize(Decimal("0.01"))}
    if tirage.random() < 0.3:
        lignes[SourceFinancement.FSE] = (montant / 4).quantize(Decimal("0.01"))
    if tirage.random() < 0.15:
        lignes[SourceFinancement.PLAI_GLISSANT] = (plai / 5).quantize(Decimal("0.01"))
    LigneFinancement.objects.bulk_create([LigneFinancement(projet=projet, source=s, montant=m)
                                          for s, m in lignes.items()])
    return projet


def _suivi(tirage, projet, annee, nb_logements, menages_par_logement) -> int:
    """Homes mobilised over the following years (all by 2017), households in proportion."""
    premiere = min(annee + 1, 2017)
    annees = list(range(premiere, 2018))
    parts = [tirage.randrange(1, 4) for _ in annees]
    restants = nb_logements
    for rang, (an, part) in enumerate(zip(annees, parts, strict=True)):
        mobilises = restants if rang == len(annees) - 1 else nb_logements * part // sum(parts)
        restants -= mobilises
        SuiviAnnuel.objects.create(projet=projet, annee=an, logements_mobilises=mobilises,
                                   menages_accompagnes=int(mobilises * menages_par_logement))
    return nb_logements
