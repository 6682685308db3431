"""Pages of the campaign's life (mutualisation/views_cycle.py): timeline and actions on the campaign page, the
notices, the schedule and the bilan to download, the audit pages; each URL's access, role by role."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mutualisation import views_cycle
from mutualisation.enums import StatutCampagne
from mutualisation.models import Bareme, Campagne
from mutualisation.services.campagne import ajustement_enregistrer
from pacte import formats
from pacte.enums import Role, StatutTravail
from pacte.models import Travail
from pacte.services import travail_terminer
from pacte.travaux import executeur
from tests.factories import OrganismeFactory
from tests.mutualisation import test_cycle
from tests.mutualisation.test_cycle import _calculer, _donnees, _valider

pytestmark = pytest.mark.django_db

membres, annee_2013 = test_cycle.membres, test_cycle.annee_2013  # the fixtures: 2013 computed by the launcher

ANNEE = 2013
NBSP = "\u00a0"  # no-break space: French thousands separator and before « € »


def _url(nom, **kwargs):
    return reverse(f"mutualisation:{nom}", kwargs={"annee": ANNEE, **kwargs})


def _messages(reponse) -> list[str]:
    return [str(m) for m in get_messages(reponse.wsgi_request)]


def _telecharger(client, url):
    reponse = client.get(url)
    contenu = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    return reponse.status_code, contenu


def _notifier_et_generer(client, membre, settings, tmp_path):
    """Notify through the page, then run the worker job in-process (no worker needed)."""
    settings.FICHIERS_DIR = tmp_path
    client.force_login(membre)
    reponse = client.post(_url("notifier"))
    assert reponse.status_code == 302
    travail = Travail.objects.get(nature="avis_generer")
    resultat = executeur(travail.nature)(travail)
    travail_terminer(travail, statut=StatutTravail.TERMINE, resultat=resultat)
    return travail


# --- Access, role by role -------------------------------------------------------------------------------------------

ACCES = {  # URL name → roles answered 200 on GET (all others: 403)
    "approuver": {Role.COMMISSION, Role.ADMINISTRATEUR},
    "notifier": {Role.COMMISSION, Role.ADMINISTRATEUR},
    "clore": {Role.COMMISSION, Role.ADMINISTRATEUR},
    "rouvrir": {Role.ADMINISTRATEUR},
    "bilan": {Role.COMMISSION, Role.ADMINISTRATEUR, Role.EQUIPE_USH, Role.COMITE_SUIVI, Role.SECRETARIAT,
              Role.REFERENT_REGIONAL},
    "audit-campagne": {Role.COMMISSION, Role.ADMINISTRATEUR, Role.EQUIPE_USH},
}


def test_acces_par_role(client, personas):
    ecarts = []
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        for nom, roles in ACCES.items():
            attendu = 200 if role in roles else 403
            if (statut := client.get(_url(nom)).status_code) != attendu:
                ecarts.append(f"{role} {nom}: {statut} au lieu de {attendu}")
        siren = personas[Role.ORGANISME].organisme_id
        url_audit = reverse("mutualisation:audit-organisme", kwargs={"siren": siren})
        attendu = 200 if role in ACCES["audit-campagne"] else 403
        if (statut := client.get(url_audit).status_code) != attendu:
            ecarts.append(f"{role} audit-organisme: {statut} au lieu de {attendu}")
    client.logout()
    assert client.get(_url("approuver")).status_code == 302  # to the sign-in page
    assert client.post(_url("approuver")).status_code == 302
    assert not ecarts, "\n".join(ecarts)


# --- Four eyes through the pages ------------------------------------------------------------------------------------


def test_le_lanceur_voit_pourquoi_il_ne_peut_pas_approuver(client, membres, annee_2013):
    calcul = annee_2013["calcul"]
    client.force_login(membres["lanceur"])
    page = client.get(_url("campagne")).content.decode()
    assert "disabled" in page and "règle des quatre yeux" in page and "Chronologie" in page
    reponse = client.post(_url("approuver"), {"calcul": calcul.pk})
    assert reponse.status_code == 302 and reponse.url.endswith("#cycle")
    assert any("un autre membre de la commission doit l'approuver" in m for m in _messages(reponse))
    assert not calcul.approbations.exists()


def test_deux_membres_approuvent_puis_notification_cloture_reouverture(client, membres, annee_2013, personas):
    calcul = annee_2013["calcul"]
    client.force_login(membres["a"])
    reponse = client.post(_url("approuver"), {"calcul": calcul.pk})
    assert any("(1/2)" in m for m in _messages(reponse))
    reponse = client.post(_url("approuver"), {"calcul": calcul.pk})
    assert any("déjà approuvé" in m for m in _messages(reponse))
    client.force_login(membres["b"])
    reponse = client.post(_url("approuver"), {"calcul": calcul.pk})
    assert any("est validée" in m for m in _messages(reponse))
    assert Campagne.objects.get(annee=ANNEE).statut == StatutCampagne.VALIDEE

    page = client.get(_url("campagne")).content.decode()
    assert f"Calcul n° {calcul.pk} approuvé (2/2)" in page and "Notifier la campagne" in page

    client.force_login(personas[Role.ADMINISTRATEUR])  # holds every permission but is no commission member
    reponse = client.post(_url("approuver"), {"calcul": calcul.pk})
    assert any("Seuls les membres de la commission" in m for m in _messages(reponse))

    client.force_login(membres["a"])
    reponse = client.post(_url("notifier"))
    assert reponse.url.endswith("#avis") and Campagne.objects.get(annee=ANNEE).statut == StatutCampagne.NOTIFIEE
    travail = Travail.objects.get(nature="avis_generer")
    page = client.get(_url("campagne")).content.decode()
    assert f'data-etat-url="{reverse("mutualisation:avis-etat", kwargs={"pk": travail.pk})}"' in page
    etat = client.get(reverse("mutualisation:avis-etat", kwargs={"pk": travail.pk})).json()
    assert etat["statut"] == StatutTravail.EN_ATTENTE and etat["termine"] is False
    reponse = client.post(_url("notifier"))
    assert any("seule une campagne validée" in m for m in _messages(reponse))

    client.post(_url("clore"))
    assert Campagne.objects.get(annee=ANNEE).statut == StatutCampagne.CLOSE

    client.force_login(personas[Role.ADMINISTRATEUR])
    reponse = client.post(_url("rouvrir"), {"motif": "  "})
    assert reponse.status_code == 200 and "fr-error-text" in reponse.content.decode()
    assert Campagne.objects.get(annee=ANNEE).statut == StatutCampagne.CLOSE
    client.post(_url("rouvrir"), {"motif": "Erreur de saisie des loyers d'un organisme"})
    assert Campagne.objects.get(annee=ANNEE).statut == StatutCampagne.CALCULEE
    page = client.get(_url("campagne")).content.decode()
    assert "Année rouverte : Erreur de saisie des loyers d&#x27;un organisme" in page


def test_chronologie_montant_d_ajustement_en_francais(client, membres, annee_2013):
    client.force_login(membres["a"])
    page = client.get(_url("campagne")).content.decode()
    siren = annee_2013["oph"].siren
    assert f"Ajustement enregistré pour {siren} : 1{NBSP}500,00{NBSP}€" in page
    assert "1500.00" not in page


def test_message_de_notification_selon_l_etat_du_lot(client, membres, annee_2013):
    _valider(membres, annee_2013["calcul"])
    client.force_login(membres["a"])
    reponse = client.post(_url("notifier"))  # the job waits for the worker (enqueued on commit)
    assert Travail.objects.get(nature="avis_generer").statut == StatutTravail.EN_ATTENTE
    assert any("suivez son avancement dans la barre de progression" in m for m in _messages(reponse))


def test_message_de_notification_quand_le_lot_est_deja_termine(client, membres, annee_2013, monkeypatch, settings,
                                                               tmp_path):
    """An eager worker (CELERY_TASK_ALWAYS_EAGER) has finished the job before the message is written."""
    settings.FICHIERS_DIR = tmp_path
    _valider(membres, annee_2013["calcul"])
    notifier = views_cycle.campagne_notifier

    def notifier_et_generer(**kwargs):
        campagne = notifier(**kwargs)
        travail = Travail.objects.get(nature="avis_generer")
        travail_terminer(travail, statut=StatutTravail.TERMINE, resultat=executeur(travail.nature)(travail))
        return campagne

    monkeypatch.setattr(views_cycle, "campagne_notifier", notifier_et_generer)
    client.force_login(membres["a"])
    messages = _messages(client.post(_url("notifier")))
    assert any("les avis sont générés et prêts à télécharger" in m for m in messages), messages
    assert not any("suivez son avancement" in m for m in messages)


# --- Documents ------------------------------------------------------------------------------------------------------


def test_avis_zip_et_echeancier_selon_le_perimetre(client, membres, annee_2013, personas, settings, tmp_path):
    oph, esh = annee_2013["oph"], annee_2013["esh"]
    organisme = personas[Role.ORGANISME]
    organisme.organisme = oph
    organisme.save()
    _valider(membres, annee_2013["calcul"])
    _notifier_et_generer(client, membres["a"], settings, tmp_path)

    client.force_login(organisme)
    statut, contenu = _telecharger(client, _url("avis-pdf", siren=oph.siren))
    assert statut == 200 and contenu.startswith(b"%PDF")
    assert _telecharger(client, _url("avis-pdf", siren=esh.siren))[0] == 404
    assert client.get(_url("avis-zip")).status_code == 403
    page = client.get(_url("organisme", siren=oph.siren)).content.decode()
    assert _url("avis-pdf", siren=oph.siren) in page

    client.force_login(personas[Role.COMITE_SUIVI])  # a reader: every notice, the ZIP, the schedule
    assert _telecharger(client, _url("avis-pdf", siren=esh.siren))[0] == 200
    statut, contenu = _telecharger(client, _url("avis-zip"))
    assert statut == 200 and contenu.startswith(b"PK")
    statut, contenu = _telecharger(client, _url("echeancier-csv"))
    assert statut == 200 and contenu.decode().startswith("reference;siren")
    assert _telecharger(client, _url("echeancier-xlsx"))[1].startswith(b"PK")
    assert _telecharger(client, _url("avis-pdf", siren="999999999"))[0] == 404


def test_sans_avis_generes_404(client, personas, annee_2013):
    client.force_login(personas[Role.COMITE_SUIVI])
    for url in (_url("avis-zip"), _url("echeancier-csv"), _url("avis-pdf", siren=annee_2013["oph"].siren)):
        assert client.get(url).status_code == 404, url


def test_bilan_seulement_depuis_le_calcul_valide(client, membres, annee_2013, personas):
    client.force_login(personas[Role.COMITE_SUIVI])
    page = client.get(_url("bilan")).content.decode()
    assert "n'a pas de calcul validé" in page
    assert client.get(_url("bilan-pdf")).status_code == 404
    calcul = _valider(membres, annee_2013["calcul"])
    page = client.get(_url("bilan")).content.decode()
    assert f"calcul validé n° {calcul.pk}" in page and "<svg" in page and "Flux par région" in page
    reponse = client.get(_url("bilan-pdf"))
    assert reponse.status_code == 200 and reponse.content.startswith(b"%PDF")


# --- Audit ----------------------------------------------------------------------------------------------------------


def _requetes(client, url) -> int:
    with CaptureQueriesContext(connection) as requetes:
        assert client.get(url).status_code == 200
    return len(requetes)


def test_audit_avant_apres_et_nombre_de_requetes_constant(client, membres, annee_2013, personas):
    oph = annee_2013["oph"]
    client.force_login(personas[Role.EQUIPE_USH])
    url_campagne, url_organisme = _url("audit-campagne"), reverse("mutualisation:audit-organisme",
                                                                  kwargs={"siren": oph.siren})
    avant = _requetes(client, url_campagne), _requetes(client, url_organisme)
    for numero in range(5):  # more audited rows of every kind
        ajustement_enregistrer(acting_user=membres["a"], annee=ANNEE, siren=oph.siren, montant=Decimal(numero + 1),
                               motif=f"Cas {numero}")
        autre = OrganismeFactory()
        _donnees(autre, ANNEE, f"X{numero}")
    _valider(membres, _calculer(membres["lanceur"]))  # the data changed: a new run is what gets approved
    bareme = Bareme.objects.get(annee=ANNEE)
    apres = _requetes(client, url_campagne), _requetes(client, url_organisme)
    assert apres == avant
    page = client.get(url_campagne).content.decode()
    assert "membre-b" in page  # who approved (the services' audit context)
    assert "<strong>Statut</strong> : Calculée → Validée" in page  # the field's label, the choices' labels
    assert "<strong>Calcul validé</strong> : non → oui" in page  # a boolean
    assert "calculee" not in page and "calcul_id" not in page and "<strong>statut</strong>" not in page
    assert "<strong>Lancé par</strong>" in page and "<strong>Empreinte des entrées</strong>" in page
    assert f"<strong>Frais de gestion (€)</strong> : {formats.format_euros(bareme.frais_gestion)}" in page
    assert re.search(r"<strong>Validé le</strong> : \d\d/\d\d/\d{4} \d\d:\d\d:\d\d</li>", page)  # a date
    page = client.get(url_organisme).content.decode()
    assert "Cas 4" in page and "Cas particulier examiné en commission" in page
    assert f"<strong>Montant</strong> : 1{NBSP}500,00{NBSP}€" in page  # money in French
    assert "<strong>Organisme</strong> : " in page and "organisme_id" not in page
