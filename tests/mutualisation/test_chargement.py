"""The loans aggregated and explained by PostgreSQL (mutualisation.chargement) give exactly what the pure calculation
gives from the loans one by one: same lines to the cent, same explanations, same refusals (docs/performances.md)."""

import json
import random
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction

from mutualisation import calculs, chargement, explications, resumes
from mutualisation.models import Bareme, BaseAnnuelle, Calcul, Pret, Restructuration, ResultatOrganisme
from mutualisation.referentiels import baremes_charger
from mutualisation.serialisation import explication_json
from mutualisation.services.campagne import calcul_executer, calcul_lancer
from pacte.enums import Famille
from tests.factories import OrganismeFactory

pytestmark = pytest.mark.django_db

PRODUITS = ["PLUS", "PLUS_FONCIER", "PLAI", "PLAI_FONCIER", "PAM", "ECO_PRET", "PLS", "PSLA"]


def _jeu_aleatoire(graine: int) -> None:
    """Eight organisms (one exempt, one non-Hlm, one without base), 300 loans: operations shared by foncier and
    construction loans, loans without operation, PAM inside operations without zone, other years, ineligible
    products, loan numbers whose case makes a locale's order differ from Python's."""
    hasard = random.Random(graine)
    baremes_charger()
    Bareme.objects.filter(annee=2013).update(taux_aide_exoneres=Decimal("0.50"), frais_gestion=Decimal("1234.56"))
    organismes = [OrganismeFactory(famille=Famille.ESH if i % 2 else Famille.OPH) for i in range(6)]
    organismes += [OrganismeFactory(non_hlm=True), OrganismeFactory()]
    for i, organisme in enumerate(organismes[:7]):
        BaseAnnuelle.objects.create(
            organisme=organisme, annee=2013, patrimoine_locatif=100 + i, loyers=Decimal(f"{400000 + i * 7919}.13"),
            logements=100 + i * 3, cotisation_cglls=Decimal(f"{6000 + i * 13}.07"),
            plan_cglls="CONSOLIDATION" if i == 2 else "AUCUN")
    zones = ["1", "1bis", "2", "3"]
    for n in range(300):
        operation = hasard.choice(["", f"op{n // 4}", f"OP{n // 4}"])
        organisme = organismes[(n // 4) % 8] if operation else hasard.choice(organismes)
        produit = hasard.choice(PRODUITS)
        zone = "" if produit in ("PAM", "ECO_PRET") and hasard.random() < 0.5 else zones[(n // 4 + len(operation)) % 4]
        annee = hasard.choice([2013, 2013, 2013, 2012, 2014])
        Pret.objects.create(
            numero_pret=hasard.choice(["p", "P", "_P", "Pé"]) + str(n), numero_operation=operation,
            organisme=organisme, produit=produit, date_signature=date(annee, 1 + n % 12, 1 + n % 28),
            montant=Decimal(hasard.randrange(0, 10**9)) / 100, nb_logements=hasard.randrange(0, 80), zone=zone)
    for i, organisme in enumerate(organismes[:4]):
        Restructuration.objects.create(organisme=organisme, annee=2013, reference=f"R{i}", nb_logements=3 + i,
                                       zone_detendue=i != 1)


def _calcul_pur():
    bareme = chargement.bareme_entree(Bareme.objects.get(annee=2013))
    return calculs.calculer_campagne(2013, bareme, chargement.organismes_entree(2013), chargement.prets_entree(),
                                     chargement.restructurations_entree(2013), chargement.ajustements_entree(2013))


@pytest.mark.parametrize("graine", [1, 2, 3])
def test_calcul_en_base_identique_au_calcul_pur_lignes_explications_et_hors_champ(graine):
    _jeu_aleatoire(graine)
    attendu = _calcul_pur()
    calcul = calcul_executer(calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).pk)
    assert calcul.statut == "termine", calcul.message
    resultats = {r.organisme_id: r for r in calcul.resultats.all()}
    assert list(resultats) == [ligne.siren for ligne in attendu.lignes]
    for ligne in attendu.lignes:
        resultat = resultats[ligne.siren]
        for nom in ("aide_production", "aide_rehabilitation", "aide_restructuration", "aide_totale",
                    "part_cotisation_cglls", "part_loyers", "part_patrimoine", "contribution", "solde"):
            assert getattr(resultat, nom) == getattr(ligne, nom), (ligne.siren, nom)
        # the run stores no loan, only their digest; the explanation shown, loan for loan and in the same order, is
        # the one the pure calculation writes
        assert not explications.est_figee(resultat.explication)
        assert resultat.explication["resume_prets"] == chargement.texte_resume(
            *_resume_de(ligne.siren)), ligne.siren
        assert explications.detaillee(resultat) == explications.ExplicationDetaillee(
            json.loads(json.dumps(explication_json(ligne.explication))), True), ligne.siren
    assert calcul.totaux["total_a_couvrir"] == str(attendu.total_a_couvrir)
    assert calcul.totaux["nb_hors_champ"] == len(attendu.hors_champ)
    details = explications.detaillees(calcul, list(resultats.values()))
    assert any(d.explication["operations_production"] for d in details.values())
    assert any(d.explication["prets_rehabilitation"] for d in details.values())
    # frozen into the explanations (at validation), the detail is the same
    explications.figer(calcul)
    for ligne in attendu.lignes:
        stockee = ResultatOrganisme.objects.get(calcul=calcul, organisme_id=ligne.siren).explication
        assert explications.est_figee(stockee)
        assert explications.detaillee(resultats[ligne.siren]).explication == details[ligne.siren].explication
        assert {cle: valeur for cle, valeur in stockee.items() if cle != "resume_prets"} == json.loads(
            json.dumps(explication_json(ligne.explication))), ligne.siren


def _work_mem() -> str:
    with connection.cursor() as curseur:
        curseur.execute("SHOW work_mem")
        return curseur.fetchone()[0]


def _resume_de(siren: str) -> tuple[int, int]:
    """The digest of an organism's loans, computed here one loan at a time (the XOR of each row's hash)."""
    with connection.cursor() as curseur:
        curseur.execute(f"SELECT {resumes.HACHAGE_PRET} FROM {chargement.TABLE_PRETS} WHERE siren = %s",  # noqa: S608
                        [siren])
        hachages = [h for (h,) in curseur.fetchall()]
    xor = 0
    for hachage in hachages:
        xor ^= hachage
    return len(hachages), xor


def test_prets_agreges_en_sql_egaux_a_agreger_prets():
    _jeu_aleatoire(4)
    organismes = chargement.organismes_entree(2013)
    concernes = [o.siren for o in organismes if calculs.motif_non_concerne(o) is None]
    avant = _work_mem()
    en_base = chargement.prets_agreges(2013, concernes)
    assert _work_mem() == avant != chargement.MEMOIRE_DE_TRAVAIL  # raised for the loans' queries only
    bareme = chargement.bareme_entree(Bareme.objects.get(annee=2013))
    motifs = {o.siren: calculs.motif_non_concerne(o) for o in organismes}
    contexte = calculs.aides.Contexte(2013, bareme, motifs, frozenset())
    agreges, hors_champ = calculs.agreger_prets(contexte, chargement.prets_entree())
    attendu = {s: (a.logements_zone_1, a.logements_zone_2_3, a.base_rehabilitation) for s, a in agreges.items()}
    assert {a.siren: (a.logements_zone_1, a.logements_zone_2_3, a.base_rehabilitation)
            for a in en_base.agreges} == attendu
    assert (en_base.nb_prets, en_base.nb_hors_champ) == (300, len(hors_champ))


def test_resume_des_prets_change_avec_chaque_valeur_et_pas_avec_l_ordre_physique():
    _jeu_aleatoire(5)  # each UPDATE moves the row elsewhere in the table: the digest must not care
    premier = chargement.prets_agreges(2013, []).resume
    pret = Pret.objects.order_by("numero_pret").first()
    Pret.objects.filter(pk=pret.pk).update(montant=pret.montant + Decimal("0.01"))
    assert chargement.prets_agreges(2013, []).resume != premier
    Pret.objects.filter(pk=pret.pk).update(montant=pret.montant)
    assert chargement.prets_agreges(2013, []).resume == premier
    Pret.objects.filter(pk=pret.pk).update(nb_logements=pret.nb_logements + 1)
    assert chargement.prets_agreges(2013, []).resume != premier


def _organisme_concerne():
    baremes_charger()
    organisme = OrganismeFactory()
    BaseAnnuelle.objects.create(organisme=organisme, annee=2013, patrimoine_locatif=10, loyers=Decimal("1.00"),
                                logements=10, cotisation_cglls=Decimal("1.00"))
    return organisme


def test_en_base_pret_sans_zone_refuse_avec_le_message_du_calcul():
    organisme = _organisme_concerne()
    Pret.objects.create(numero_pret="A1", numero_operation="OPX", organisme=organisme, produit="PLUS",
                        date_signature=date(2013, 1, 1), montant=Decimal("1.00"), nb_logements=1, zone="1")
    Pret.objects.create(numero_pret="A3", organisme=organisme, produit="PLAI", date_signature=date(2013, 5, 1),
                        montant=Decimal("1.00"), nb_logements=2, zone="")
    with pytest.raises(calculs.CalculImpossible, match=r"Prêts PLUS/PLAI sans zone valable \(1, 1bis, 2, 3\) : A3\."):
        chargement.prets_agreges(2013, [organisme.siren])
    # the same loan for an organism that is not concerned is only out of scope
    assert chargement.prets_agreges(2013, []).nb_hors_champ == 2


def _connexions_ouvertes() -> int:
    with connection.cursor() as curseur:
        curseur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return curseur.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_hors_transaction_les_requetes_des_prets_cote_a_cote_donnent_la_meme_chose(monkeypatch):
    """Outside a transaction the rehabilitation aggregates run on another connection, beside the production ones:
    same aggregates, digests and refusals as one after the other (in a transaction), no connection left open, the
    main connection's work_mem untouched."""
    import threading

    _jeu_aleatoire(6)
    organismes = chargement.organismes_entree(2013)
    concernes = [o.siren for o in organismes if calculs.motif_non_concerne(o) is None]
    fils = []
    executer_a_part = chargement._LecteurParallele._executer_a_part
    monkeypatch.setattr(chargement._LecteurParallele, "_executer_a_part", staticmethod(
        lambda *arguments: fils.append(threading.current_thread().name) or executer_a_part(*arguments)))
    def travailleurs():
        with connection.cursor() as curseur:
            curseur.execute("SHOW max_parallel_workers_per_gather")
            return curseur.fetchone()[0]

    avant, ouvertes, paralleles = _work_mem(), _connexions_ouvertes(), travailleurs()
    cote_a_cote = chargement.prets_agreges(2013, concernes)
    assert len(fils) == 1 and fils[0].startswith("prets")
    assert (_work_mem(), _connexions_ouvertes(), travailleurs()) == (avant, ouvertes, paralleles)
    assert paralleles != "0"  # the server's setting, put back
    with transaction.atomic():
        l_un_apres_l_autre = chargement.prets_agreges(2013, concernes)
    assert len(fils) == 1  # in a transaction: this connection only
    assert cote_a_cote == l_un_apres_l_autre and cote_a_cote.agreges and len(cote_a_cote.resumes) == 8

    Pret.objects.create(numero_pret="X1", numero_operation="OPX", organisme_id=concernes[0], produit="PLUS",
                        date_signature=date(2013, 1, 1), montant=Decimal("1.00"), nb_logements=1, zone="")
    with pytest.raises(calculs.CalculImpossible, match=r"sans zone valable \(1, 1bis, 2, 3\) : X1\."):
        chargement.prets_agreges(2013, concernes)
    assert _connexions_ouvertes() == ouvertes


@pytest.mark.django_db(transaction=True)
def test_les_deux_connexions_lisent_les_prets_au_meme_instant():
    """Loans committed by someone else once the run's snapshot is taken are seen by no connection: production,
    rehabilitation and the digests (each on its own connection) are those of the same loans."""
    import psycopg

    from pacte.env import url_postgres

    _jeu_aleatoire(8)
    concernes = [o.siren for o in chargement.organismes_entree(2013) if calculs.motif_non_concerne(o) is None]
    avant = chargement.prets_agreges(2013, concernes)
    colonnes = ("numero_pret, numero_operation, siren, produit, date_signature, montant, nb_logements, zone, "
                "code_commune")
    ajouts = [("Z1", "", concernes[0], "PAM", "2013-03-01", "1000.00", 0, "", ""),  # rehabilitation
              ("Z2", "OPZ", concernes[1], "PLUS", "2013-03-01", "5.00", 9, "1", ""),  # production
              ("Z3", "OPZ", concernes[1], "PLAI", "2013-03-01", "5.00", 9, "1", "")]
    with chargement.lectures_paralleles() as lecteur, lecteur.instantane():
        with psycopg.connect(url_postgres(connection.settings_dict), autocommit=True) as autre:
            with autre.cursor() as curseur:
                curseur.executemany(f"INSERT INTO mutualisation_pret ({colonnes}) VALUES "  # noqa: S608 - test constants
                                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s)", ajouts)
        pendant = chargement.prets_demander(2013, lecteur).recevoir(lambda: concernes)
    assert pendant == avant
    apres = chargement.prets_agreges(2013, concernes)  # seen by the next run
    assert apres.nb_prets == avant.nb_prets + 3 and apres.agreges != avant.agreges


@pytest.mark.django_db(transaction=True)
def test_un_calcul_hors_transaction_refuse_les_prets_sans_zone_avant_de_calculer(monkeypatch):
    """A run reads the loans on other connections: on good data it ends as before; a PLUS/PLAI loan without zone is
    refused with the calculation's message, before the calculation runs (its own refusal would come after)."""
    _jeu_aleatoire(7)
    calcul = calcul_executer(calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).pk)
    assert calcul.statut == "termine" and calcul.resultats.count() == 6
    assert set(calcul.durees) == {"chargement", "calcul", "ecriture"}

    concernes = [o.siren for o in chargement.organismes_entree(2013) if calculs.motif_non_concerne(o) is None]
    Pret.objects.create(numero_pret="Y3", organisme_id=concernes[0], produit="PLAI", date_signature=date(2013, 2, 1),
                        montant=Decimal("1.00"), nb_logements=1, zone="")

    def lancer_et_executer():
        return calcul_executer(calcul_lancer(acting_user=None, annee=2013, sur_le_worker=False).pk)

    from mutualisation.services import campagne

    monkeypatch.setattr(campagne, "_calculer", lambda entrees: calculs.calculer_campagne_agregee(
        **{**campagne._du_calcul(entrees), "prets": (),
           "organismes": [*entrees["organismes"], entrees["organismes"][0]]}))
    with pytest.raises(calculs.CalculImpossible, match=r"sans zone valable \(1, 1bis, 2, 3\) : Y3\."):
        lancer_et_executer()  # the calculation would refuse (an organism twice): the loans' refusal is the one told
    assert Calcul.objects.order_by("-pk").first().statut == "echec" and not ResultatOrganisme.objects.filter(
        calcul=Calcul.objects.order_by("-pk").first()).exists()
    Pret.objects.filter(numero_pret="Y3").delete()
    with pytest.raises(calculs.ErreurMutualisation) as erreur:
        lancer_et_executer()
    assert "Y3" not in str(erreur.value)  # the calculation's own refusal
    monkeypatch.undo()
    assert lancer_et_executer().statut == "termine"
    assert _connexions_ouvertes() == 1
