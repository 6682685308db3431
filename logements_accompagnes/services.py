"""Writes of « 10 000 logements accompagnés »: applications with their Annexe 3 file, partners, financing plan,
and the follow-up of retained projects."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from logements_accompagnes.enums import SECTIONS_ANNEXE_3, NaturePartenaire, SourceFinancement, TypePorteur
from logements_accompagnes.models import LigneFinancement, Partenaire, ProjetAccompagne, SuiviAnnuel
from pacte.appels import services as appels
from pacte.appels import workflow
from pacte.appels.enums import Dispositif, StatutCandidature
from pacte.appels.regles import ErreurAppel, Regles
from pacte.enums import FAMILLES_HLM, Famille
from pacte.models import Organisme, Region
from pacte.models_appels import AppelAProjets, Candidature
from pacte.services import evenement_enregistrer

BAILLEURS = (*FAMILLES_HLM, Famille.SEM, Famille.AGREE_L365)
STATUTS_SUIVIS = (StatutCandidature.RETENUE, StatutCandidature.CONVENTIONNEE, StatutCandidature.EN_COURS,
                  StatutCandidature.SOLDEE)


def _verifier_famille(famille: str) -> None:
    if famille not in (*BAILLEURS, Famille.COLLECTIVITE):
        raise ErreurAppel("L'appel s'adresse aux bailleurs, regroupements inter-bailleurs, binômes bailleur / "
                          "opérateur et collectivités ayant constitué un réseau de bailleurs (annexe 3) : "
                          f"« {Famille(famille).label} » ne peut pas porter un projet.")


class ReglesLogementsAccompagnes(Regles):
    def verifier_depot(self, candidature: Candidature) -> None:
        _verifier_famille(candidature.organisme.famille)


def _verifier_porteur(organisme: Organisme, type_porteur: str, partenaires: list[dict]) -> None:
    _verifier_famille(organisme.famille)
    natures = {p["nature"] for p in partenaires}
    if type_porteur == TypePorteur.COLLECTIVITE:
        if organisme.famille != Famille.COLLECTIVITE:
            raise ErreurAppel("Seule une collectivité porte un projet au titre d'un réseau de bailleurs.")
        if NaturePartenaire.BAILLEUR not in natures:
            raise ErreurAppel("Une collectivité déclare les bailleurs de son réseau comme partenaires.")
    elif organisme.famille not in BAILLEURS:
        raise ErreurAppel("Ce type de porteur est un bailleur.")
    if type_porteur == TypePorteur.BINOME and NaturePartenaire.OPERATEUR not in natures:
        raise ErreurAppel("Un binôme déclare son opérateur de l'accompagnement comme partenaire.")
    if type_porteur == TypePorteur.INTER_BAILLEURS and NaturePartenaire.BAILLEUR not in natures:
        raise ErreurAppel("Un regroupement inter-bailleurs déclare les autres bailleurs comme partenaires.")


def projet_deposer(*, acting_user, appel: AppelAProjets, organisme: Organisme, intitule: str, resume: str,
                   montant_demande: Decimal, type_porteur: str, region: Region, sections: dict[str, str],
                   logements_prevus: int, menages_prevus: int, partenaires: list[dict],
                   financements: dict[str, Decimal], date_depot: date | None = None) -> Candidature:
    """File an application with every section of Annexe 3, its partners and its financing plan."""
    if appel.dispositif != Dispositif.LOGEMENTS_ACCOMPAGNES:
        raise ErreurAppel("Cet appel n'est pas l'appel « 10 000 logements accompagnés ».")
    manquantes = [titre for champ, titre in SECTIONS_ANNEXE_3 if not (sections.get(champ) or "").strip()]
    if manquantes:
        raise ErreurAppel("Sections du dossier à renseigner : " + " ; ".join(manquantes) + ".")
    _verifier_porteur(organisme, type_porteur, partenaires)
    inconnues = set(financements) - set(SourceFinancement.values)
    if inconnues:
        raise ErreurAppel(f"Sources de financement inconnues : {', '.join(sorted(inconnues))}.")
    with transaction.atomic():
        candidature = appels.candidature_deposer(
            acting_user=acting_user, appel=appel, organisme=organisme, intitule=intitule, resume=resume,
            montant_demande=montant_demande, date_depot=date_depot)
        projet = ProjetAccompagne.objects.create(
            candidature=candidature, type_porteur=type_porteur, region=region, logements_prevus=logements_prevus,
            menages_prevus=menages_prevus, **{champ: sections[champ].strip() for champ, _ in SECTIONS_ANNEXE_3})
        Partenaire.objects.bulk_create([Partenaire(projet=projet, **p) for p in partenaires])
        LigneFinancement.objects.bulk_create([LigneFinancement(projet=projet, source=s, montant=m)
                                              for s, m in financements.items() if m])
    return candidature


def suivi_enregistrer(*, acting_user, candidature: Candidature, annee: int, logements_mobilises: int,
                      menages_accompagnes: int) -> SuiviAnnuel:
    """Record (or correct) a retained project's homes mobilised and households supported in one year."""
    if not acting_user.has_perm(workflow.GERER):
        raise ErreurAppel("Votre rôle ne permet pas d'enregistrer le suivi.")
    candidature = Candidature.objects.select_related("appel", "projet_accompagne").get(pk=candidature.pk)
    if candidature.statut not in STATUTS_SUIVIS:
        raise ErreurAppel("Seul un projet retenu fait l'objet d'un suivi.")
    if annee < candidature.appel.annee:
        raise ErreurAppel(f"Le suivi commence l'année de l'appel ({candidature.appel.annee}).")
    if logements_mobilises < 0 or menages_accompagnes < 0:
        raise ErreurAppel("Les nombres de logements et de ménages sont positifs.")
    with transaction.atomic():
        suivi, _ = SuiviAnnuel.objects.update_or_create(
            projet=candidature.projet_accompagne, annee=annee,
            defaults={"logements_mobilises": logements_mobilises, "menages_accompagnes": menages_accompagnes})
        evenement_enregistrer(acting_user=acting_user, action="suivi_logements_accompagnes",
                              objet=candidature.numero,
                              details={"annee": annee, "logements": logements_mobilises,
                                       "menages": menages_accompagnes})
    return suivi
