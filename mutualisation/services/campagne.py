"""The campaign's writes: barème, adjustments, calculation runs (domain.md §3, "The campaign's life")."""

import gc
import json
import time
from contextlib import contextmanager
from dataclasses import fields
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from mutualisation import calculs, chargement
from mutualisation.enums import StatutCalcul, StatutCampagne
from mutualisation.explications import explication_sans_prets
from mutualisation.models import Ajustement, Bareme, Calcul, Campagne, ResultatOrganisme
from mutualisation.serialisation import hors_champ_json
from mutualisation.tasks import SURVEILLANCE_CALCUL, calcul_executer_tache
from pacte import travaux
from pacte.models import Organisme
from pacte.services import evenement_enregistrer
from pacte.version import version_code

STATUTS_MODIFIABLES = (StatutCampagne.OUVERTE, StatutCampagne.CALCULEE)
CHAMPS_RESULTAT = tuple(f.name for f in fields(calculs.LigneResultat) if f.name not in ("siren", "raison_sociale",
                                                                                          "explication"))


class ErreurCampagne(Exception):
    """A refused campaign action; the message is French and meant for the user."""


def _campagne(annee: int, *, verrou: bool = False) -> Campagne:
    campagnes = Campagne.objects.select_for_update() if verrou else Campagne.objects
    campagne, _ = campagnes.get_or_create(annee=annee)
    return campagne


def _exiger_modifiable(campagne: Campagne) -> None:
    if campagne.statut not in STATUTS_MODIFIABLES:
        raise ErreurCampagne(
            f"L'année {campagne.annee} est {campagne.get_statut_display().lower()} : "
            "ses données, son barème et ses résultats sont figés."
        )


def bareme_obtenir(*, annee: int, acting_user=None) -> Bareme:
    """The year's barème; a new year's starts as a copy of the previous one with taux_aide_exoneres at 0 %."""
    with transaction.atomic():
        bareme = Bareme.objects.filter(annee=annee).first()
        if bareme:
            return bareme
        precedent = Bareme.objects.filter(annee__lt=annee).order_by("-annee").first()
        if precedent is None:
            raise ErreurCampagne(f"Aucun barème antérieur à {annee} dont partir : chargez les référentiels.")
        valeurs = {nom: getattr(precedent, nom) for nom in chargement.CHAMPS_BAREME if nom != "annee"}
        try:
            with transaction.atomic():
                bareme = Bareme.objects.create(annee=annee, **{**valeurs, "taux_aide_exoneres": Decimal("0")})
        except IntegrityError:  # created at the same moment by a concurrent request (two launches at once)
            return Bareme.objects.get(annee=annee)
        _campagne(annee)
        evenement_enregistrer(acting_user=acting_user, action="bareme_creer", objet=str(annee),
                              details={"copie_de": precedent.annee})
    return bareme


def bareme_modifier(*, acting_user, annee: int, valeurs: dict[str, Decimal | int]) -> Bareme:
    """Edit fields of a year's barème while the year is not validated; every change is audited."""
    inconnus = set(valeurs) - set(chargement.CHAMPS_BAREME) | ({"annee"} & set(valeurs))
    if inconnus:
        raise ErreurCampagne(f"Champ(s) du barème inconnu(s) : {', '.join(sorted(inconnus))}.")
    with transaction.atomic():
        _exiger_modifiable(_campagne(annee, verrou=True))
        bareme = Bareme.objects.select_for_update().get(pk=bareme_obtenir(annee=annee, acting_user=acting_user).pk)
        avant = {nom: str(getattr(bareme, nom)) for nom in valeurs}
        for nom, valeur in valeurs.items():
            setattr(bareme, nom, valeur)
        erreurs = chargement.bareme_entree(bareme).erreurs()
        if erreurs:
            raise ErreurCampagne(" ".join(erreurs))
        bareme.save()
        evenement_enregistrer(acting_user=acting_user, action="bareme_modifier", objet=str(annee),
                              details={"avant": avant, "apres": {n: str(v) for n, v in valeurs.items()}})
    return bareme


def ajustement_enregistrer(*, acting_user, annee: int, siren: str, montant: Decimal, motif: str) -> Ajustement:
    """A special case ruled by the commission: never without a written reason, always audited."""
    motif = (motif or "").strip()
    if not motif:
        raise ErreurCampagne("Un ajustement exige un motif écrit.")
    if montant != montant.quantize(Decimal("0.01")):
        raise ErreurCampagne(f"Montant {montant} : deux décimales au plus.")
    organisme = Organisme.objects.filter(siren=siren).first()
    if organisme is None:
        raise ErreurCampagne(f"SIREN {siren} : organisme inconnu.")
    with transaction.atomic():
        campagne = _campagne(annee, verrou=True)
        _exiger_modifiable(campagne)
        auteur = acting_user if acting_user is not None and acting_user.is_authenticated else None
        ajustement = Ajustement.objects.create(campagne=campagne, organisme=organisme, montant=montant,
                                               motif=motif, auteur=auteur)
        evenement_enregistrer(acting_user=acting_user, action="ajustement_enregistrer", objet=f"{annee} {siren}",
                              details={"montant": str(montant), "motif": motif})
    return ajustement


def calcul_lancer(*, acting_user, annee: int, simulation: bool = False, sur_le_worker: bool = True,
                  variante=None) -> Calcul:
    """Record a run and enqueue it after commit; at most one running run per year (database constraint).
    A ``variante`` (BaremeVariante, simulations only) replaces the year's barème in the run (docs/simulation.md).

    With ``sur_le_worker=False`` nothing is enqueued: the caller runs ``calcul_executer`` itself (``--sync``).
    A run left « en cours » by a dead worker is first marked failed, so it never blocks the year (docs/pannes.md)."""
    bareme_obtenir(annee=annee, acting_user=acting_user)
    travaux.orphelins_clore(SURVEILLANCE_CALCUL, campagne__annee=annee)
    try:
        with transaction.atomic():
            campagne = _campagne(annee, verrou=True)
            if not simulation:
                _exiger_modifiable(campagne)
            auteur = acting_user if acting_user is not None and acting_user.is_authenticated else None
            calcul = Calcul.objects.create(campagne=campagne, simulation=simulation, lance_par=auteur,
                                           variante=variante)
            evenement_enregistrer(acting_user=acting_user, action="calcul_lancer", objet=str(annee),
                                  details={"calcul": calcul.pk})
            if sur_le_worker:
                transaction.on_commit(lambda: calcul_executer_tache.delay(calcul.pk))
    except IntegrityError:
        raise ErreurCampagne(f"Un calcul de l'année {annee} est déjà en cours.") from None
    return calcul


def _demarrer(calcul_id: int) -> Calcul | None:
    with transaction.atomic():
        calcul = Calcul.objects.select_for_update(of=("self",)).select_related("campagne", "variante").get(
            pk=calcul_id)
        if calcul.statut != StatutCalcul.EN_ATTENTE:
            return None  # a redelivered message: the row says it already ran or is running
        calcul.statut, calcul.debut, calcul.version_code = StatutCalcul.EN_COURS, timezone.now(), version_code()
        calcul.save(update_fields=["statut", "debut", "version_code", "updated_at"])
    return calcul


def _avancer(calcul: Calcul, avancement: int) -> None:
    Calcul.objects.filter(pk=calcul.pk).update(avancement=avancement)


ENTREES_DU_CALCUL = ("annee", "bareme", "organismes", "prets", "restructurations", "ajustements")


def _entrees(annee: int, variante=None) -> dict:
    """The run's inputs (ENTREES_DU_CALCUL) and their fingerprint but for the loans' digest (``empreinte``), all read
    in one snapshot (chargement.lectures_paralleles): the production aggregates on this connection while the other
    inputs, the rehabilitation aggregates and the digests are read on a second one."""
    with chargement.lectures_paralleles() as lecteur, lecteur.instantane():
        if variante is not None:  # a simulation of a barème variant: same data, the variant's barème
            bareme = chargement.bareme_de_variante(variante.valeurs)
        else:
            bareme = chargement.bareme_entree(Bareme.objects.get(annee=annee))
        (autres,) = lecteur(partial(_autres_entrees, annee, bareme))
        prets = chargement.prets_demander(annee, lecteur).recevoir(lambda: autres()["concernes"])
        return {"annee": annee, "bareme": bareme, "prets": prets, **autres()}


def _autres_entrees(annee: int, bareme: calculs.Bareme) -> dict:
    """The inputs but the loans, with their fingerprint (the loans' digest is added at the end)."""
    organismes = chargement.organismes_entree(annee)
    restructurations = chargement.restructurations_entree(annee)
    ajustements = chargement.ajustements_entree(annee)
    return {
        "organismes": organismes,
        "restructurations": restructurations,
        "ajustements": ajustements,
        "concernes": {o.siren for o in organismes if calculs.motif_non_concerne(o) is None},
        "empreinte": calculs.empreinte_partielle(annee, bareme, organismes, (), restructurations, ajustements),
    }


@contextmanager
def _sans_ramasse_miettes():
    """Python's cycle collector paused for a run: loading, computing and writing allocate hundreds of thousands of
    small objects (no cycle among them), and the collector's full passes over them, and over everything else the
    process holds, made the run grow faster than the number of organisms (docs/performances.md, « Calcul »)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _calculer(entrees: dict) -> calculs.ResultatCampagne:
    """The pure calculation, which checks its invariants itself (calculs.campagne._calculer: checking them a second
    time here cost 15 % of the run's Python time)."""
    return calculs.calculer_campagne_agregee(**{**_du_calcul(entrees), "prets": entrees["prets"].agreges})


def _du_calcul(entrees: dict) -> dict:
    return {nom: entrees[nom] for nom in ENTREES_DU_CALCUL}


def _empreinte(entrees: dict) -> str:
    return calculs.empreinte_achevee(entrees["empreinte"], entrees["prets"].resume)


def entrees_inchangees(calcul: Calcul) -> bool:
    """The run's inputs are still those of the year (same fingerprint): what it computed is what it would compute."""
    return _empreinte(_entrees(calcul.campagne.annee, calcul.variante)) == calcul.empreinte_entrees


def _copier_resultats(calcul: Calcul, resultat: calculs.ResultatCampagne, prets: chargement.PretsDeLaBase) -> None:
    """The result lines by COPY. Each explanation holds all but its organism's loans, and their digest: the loans'
    detail is built from the loans table when shown, and frozen in at validation (mutualisation.explications)."""
    colonnes = ["calcul_id", "organisme_id", *CHAMPS_RESULTAT, "explication"]
    table = ResultatOrganisme._meta.db_table
    with connection.cursor() as curseur, \
            curseur.copy(f"COPY {table} ({', '.join(colonnes)}) FROM STDIN") as copie:  # model's table and fields
        for ligne in resultat.lignes:
            valeurs = [getattr(ligne, nom) for nom in CHAMPS_RESULTAT]
            copie.write_row([calcul.pk, ligne.siren, *valeurs,
                             json.dumps(explication_sans_prets(ligne.explication, prets.resume_de(ligne.siren)))])


def _totaux(resultat: calculs.ResultatCampagne, prets: chargement.PretsDeLaBase) -> dict:
    totaux = {nom: str(getattr(resultat, nom)) for nom in calculs.donnees.MONTANTS_TOTAUX}
    totaux["frais_gestion"] = str(resultat.frais_gestion)
    totaux["logements_restructuration_national"] = resultat.logements_restructuration_national
    totaux["plafond_restructuration_atteint"] = resultat.plafond_restructuration_atteint
    totaux["nb_organismes"] = len(resultat.lignes)
    totaux["nb_exoneres"] = sum(ligne.exonere for ligne in resultat.lignes)
    totaux["nb_hors_champ"] = len(resultat.hors_champ) + prets.nb_hors_champ
    return totaux


def _ecrire(calcul: Calcul, entrees: dict, resultat: calculs.ResultatCampagne, durees: dict) -> None:
    """Results, control totals and the run's status in one transaction: no result is visible before it commits."""
    debut = time.perf_counter()
    with transaction.atomic():
        if not Calcul.objects.select_for_update().filter(pk=calcul.pk, statut=StatutCalcul.EN_COURS).exists():
            raise calculs.ErreurMutualisation("Le calcul a été marqué en échec pendant son exécution : "
                                              "ses résultats ne sont pas enregistrés. Relancez le calcul.")
        _copier_resultats(calcul, resultat, entrees["prets"])
        durees["ecriture"] = round(time.perf_counter() - debut, 3)
        calcul.statut, calcul.fin, calcul.avancement = StatutCalcul.TERMINE, timezone.now(), 100
        calcul.empreinte_entrees = _empreinte(entrees)
        calcul.bareme = {nom: str(getattr(entrees["bareme"], nom)) for nom in chargement.CHAMPS_BAREME}
        calcul.totaux, calcul.durees = _totaux(resultat, entrees["prets"]), durees
        calcul.hors_champ = hors_champ_json(resultat.hors_champ, seulement_organismes=True)
        calcul.save()
        if not calcul.simulation:
            Campagne.objects.filter(pk=calcul.campagne_id, statut=StatutCampagne.OUVERTE).update(
                statut=StatutCampagne.CALCULEE
            )


def _echouer(calcul: Calcul, erreur: Exception) -> None:
    if isinstance(erreur, calculs.ErreurMutualisation):
        message = str(erreur)
    else:
        message = travaux.MESSAGE_CONNEXION if travaux.connexion_coupee(erreur) else repr(erreur)
    travaux.connexion_retablir()
    Calcul.objects.filter(pk=calcul.pk).update(statut=StatutCalcul.ECHEC, fin=timezone.now(), message=message)


def calcul_executer(calcul_id: int) -> Calcul | None:
    """Load, compute, check the invariants, write. A run that breaks an invariant fails loudly and writes nothing.

    The run holds its row's advisory lock from start to end: if its process dies, the lock goes with the session
    and the run is marked failed by whoever finds it (pacte.travaux, docs/pannes.md)."""
    with travaux.execution(SURVEILLANCE_CALCUL, calcul_id) as seul:
        return _executer(calcul_id) if seul else None


def _charger_et_calculer(calcul: Calcul) -> tuple[dict, calculs.ResultatCampagne, dict]:
    top = time.perf_counter()
    entrees = _entrees(calcul.campagne.annee, calcul.variante)
    durees = {"chargement": round(time.perf_counter() - top, 3)}
    _avancer(calcul, 30)
    top = time.perf_counter()
    resultat = _calculer(entrees)
    durees["calcul"] = round(time.perf_counter() - top, 3)
    return entrees, resultat, durees


def _executer(calcul_id: int) -> Calcul | None:
    calcul = _demarrer(calcul_id)
    if calcul is None:
        return None
    try:
        with _sans_ramasse_miettes():
            entrees, resultat, durees = _charger_et_calculer(calcul)
            _avancer(calcul, 70)
            _ecrire(calcul, entrees, resultat, durees)
    except Exception as erreur:  # every failure leaves a failed run with its reason, then propagates
        _echouer(calcul, erreur)
        raise
    calcul.refresh_from_db()
    return calcul
