"""Every URL × every role × every method against the declared policy (tests/politique_acces.py, docs/acces.md).

The expected status comes from the policy table, never from the view's own declaration: a wrong declaration, a
missing check or a view nobody declared fails here. The sample values below give each URL an object that exists.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.throttling import SimpleRateThrottle

from pacte.acces import PermissionsPacte
from pacte.enums import Role
from pacte.models import Evenement
from tests.appels.factories import exemples_urls as exemples_appels
from tests.factories import (
    BaremeFactory,
    CalculFactory,
    DepartementFactory,
    EngagementFactory,
    ImportFichierFactory,
    UtilisateurFactory,
)
from tests.mutualisation.fabriques_cycle import exemples_urls as exemples_cycle
from tests.politique_acces import ANONYME, METHODES, POLITIQUE, attendu
from tests.suivi.fabriques_comite import DiagnosticFactory, MiseAJourFactory
from tests.suivi.fabriques_comite import exemples_urls as exemples_comite


class _Cree:
    """A sample value for a URL whose object must exist: the row is created when the URL is built, in the test's
    database, and str() gives the parameter (reverse() calls it)."""

    def __init__(self, fabrique):
        self.fabrique = fabrique

    def __str__(self):
        return str(self.fabrique())


_CALCUL = {"pk": _Cree(lambda: CalculFactory().pk)}
_ANNEE_CALCULEE = {"annee": _Cree(lambda: CalculFactory(campagne__annee=2013).campagne.annee)}
_IMPORT = {"pk": _Cree(lambda: ImportFichierFactory().pk)}

# Sample values for the URL parameters of the application, by parameter name.
EXEMPLES = {"code": "T00", "siren": None, "annee": 2013, "pk": None}  # siren: the organism persona's own organism
EXEMPLES_PAR_URL = {
    "region-detail": {"code": "11"},
    "mutualisation:calcul-etat": _CALCUL,
    "mutualisation:import": _IMPORT,
    "mutualisation:import-etat": _IMPORT,
    "mutualisation:export-csv": _ANNEE_CALCULEE,
    "mutualisation:export-xlsx": _ANNEE_CALCULEE,
    "mutualisation-bareme-detail": {"annee": _Cree(lambda: BaremeFactory(annee=2013).annee)},
    "mutualisation-calcul-detail": _CALCUL,
    "mutualisation-import-detail": _IMPORT,
    "mutualisation-import-rapport": _IMPORT,
}
_SIMULATION = {"annee": 2013, "pk": _Cree(lambda: [CalculFactory(campagne__annee=2013),  # the reference, then it
                                                  CalculFactory(campagne__annee=2013, simulation=True)][1].pk)}
EXEMPLES_PAR_URL.update({"mutualisation:simulation": _SIMULATION, "mutualisation:simulation-csv": _SIMULATION,
                         "mutualisation:simulation-xlsx": _SIMULATION,  # included under <annee>/simulations/:
                         "mutualisation:simulations": {"annee": 2013}, "mutualisation:variante-creer": {"annee": 2013}})
EXEMPLES_PAR_URL.update(exemples_appels(_Cree))
EXEMPLES_PAR_URL.update(exemples_comite(_Cree))
EXEMPLES_PAR_URL.update(exemples_cycle(_Cree))
_DEPARTEMENT = {"code": _Cree(lambda: DepartementFactory(code="75").code)}  # in the personas' region 11
EXEMPLES_PAR_URL.update({"suivi:region": {"code": "11"}, "suivi:departement": _DEPARTEMENT,
                         "suivi-region-detail": {"code": "11"}, "suivi-departement-detail": _DEPARTEMENT})
# The API's detail routes reuse the pages' sample rows.
EXEMPLES_PAR_URL.update({f"suivi-{api}-detail": EXEMPLES_PAR_URL[f"suivi:{page}"] for api, page in (
    ("reunion", "reunion"), ("blocage", "blocage"), ("bonne-pratique", "bonne-pratique"), ("rapport", "rapport"))})
EXEMPLES_PAR_URL.update({
    "suivi-diagnostic-detail": {"pk": _Cree(lambda: DiagnosticFactory().pk)},
    "suivi-mise-a-jour-detail": {"pk": _Cree(lambda: MiseAJourFactory().pk)},
    "mutualisation-simulation-detail": _SIMULATION,
    "appels-appel-synthese": EXEMPLES_PAR_URL["innovation:appel"],
    "evenement-detail": {"pk": _Cree(lambda: Evenement.objects.create(action="exemple").pk)},
    "utilisateur-detail": {"pk": _Cree(lambda: UtilisateurFactory(username="exemple-api").pk)},
})



def _motifs(resolveur: URLResolver, prefixe=""):
    for motif in resolveur.url_patterns:
        if isinstance(motif, URLResolver):
            espace = f"{prefixe}{motif.namespace}:" if motif.namespace else prefixe
            if motif.namespace == "admin":
                continue  # Django's admin guards itself: staff only, then model permissions (tested below)
            yield from _motifs(motif, espace)
        elif isinstance(motif, URLPattern) and motif.name:
            if "format" in motif.pattern.regex.groupindex:
                continue  # DRF's ".json" variants of the same views
            yield f"{prefixe}{motif.name}", motif


def _classe(motif: URLPattern):
    rappel = motif.callback
    return getattr(rappel, "view_class", None) or getattr(rappel, "cls", None)


def _est_api(classe) -> bool:
    return hasattr(classe, "permission_classes")


def _toutes_les_urls(siren: str):
    urls = []
    for nom, motif in _motifs(get_resolver()):
        parametres = {cle: (EXEMPLES[cle] or siren) for cle in motif.pattern.regex.groupindex}
        parametres.update(EXEMPLES_PAR_URL.get(nom, {}))
        urls.append((nom, reverse(nom, kwargs=parametres), _est_api(_classe(motif))))
    return urls


def test_chaque_vue_declare_son_acces():
    for nom, motif in _motifs(get_resolver()):
        classe = _classe(motif)
        assert classe is not None, f"{nom} : vue fonction sans déclaration d'accès"
        assert getattr(classe, "acces_public", False) or hasattr(classe, "permissions_requises"), nom
        if _est_api(classe):
            assert PermissionsPacte in classe.permission_classes, f"{nom} : API sans PermissionsPacte"


def test_chaque_url_a_sa_ligne_dans_la_politique():
    """A new URL (page, API route, router action) fails the build until its row says who may use it."""
    noms = {nom for nom, _ in _motifs(get_resolver())}
    manquants = sorted(noms - POLITIQUE.keys())
    assert not manquants, "URL sans politique déclarée dans tests/politique_acces.py : " + ", ".join(manquants)
    assert not POLITIQUE.keys() - noms, f"lignes de politique sans URL : {sorted(POLITIQUE.keys() - noms)}"


def _envoyer(client, methode: str, url: str, api: bool):
    """An empty write: an empty form for a page, an empty JSON object for the API."""
    if methode in ("GET", "HEAD", "DELETE"):
        reponse = client.generic(methode, url)
    elif api:
        reponse = client.generic(methode, url, data="{}", content_type="application/json")
    else:
        reponse = client.generic(methode, url, data="", content_type="application/x-www-form-urlencoded")
    if reponse.streaming:
        b"".join(reponse.streaming_content)  # consumed, the downloaded file is closed
    return reponse


def _conforme(reponse, attendus: set) -> bool:
    if reponse.status_code not in attendus:
        return False
    if reponse.status_code == 302 and "connexion" in attendus:
        return reponse.url.startswith(reverse("connexion"))
    return True


@pytest.fixture
def sans_limite_de_debit(monkeypatch):
    """The matrix sends thousands of requests; the API's throttling has its own tests."""
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


# Checked for the extremes only — anonymous, the narrowest signed-in role and the administrator — which keeps the
# walk within its time budget: HEAD (Django and DRF route it to get(), so it follows GET's checks) and, on pages,
# PUT / PATCH / DELETE (refused for every page by one line of AccesMixin, after the same check as GET).
ROLES_EXTREMES = {ANONYME, Role.ORGANISME, Role.ADMINISTRATEUR}


def _aux_extremes_seulement(methode: str, api: bool) -> bool:
    return methode == "HEAD" or (not api and methode in ("PUT", "PATCH", "DELETE"))


@pytest.mark.django_db
def test_toutes_les_urls_tous_les_roles_toutes_les_methodes(client, personas, sans_limite_de_debit):
    EngagementFactory(code="T00")
    urls = _toutes_les_urls(personas[Role.ORGANISME].organisme.siren)
    assert len(urls) >= 90
    ecarts = []
    # Reads first for everyone, then the writes (an empty write that succeeds must not change what is read).
    for methodes in (("GET", "HEAD"), tuple(m for m in METHODES if m not in ("GET", "HEAD"))):
        for role, utilisateur in [(ANONYME, None), *personas.items()]:
            client.logout()
            for nom, url, api in urls:
                for methode in methodes:
                    if _aux_extremes_seulement(methode, api) and role not in ROLES_EXTREMES:
                        continue
                    if utilisateur is not None and "_auth_user_id" not in client.session:
                        client.force_login(utilisateur)  # again after the sign-out page
                    reponse = _envoyer(client, methode, url, api)
                    attendus = attendu(nom, methode, role, api=api)
                    if not _conforme(reponse, attendus):
                        ecarts.append(f"{role} {methode} {url} ({nom}) : {reponse.status_code}, attendu {attendus}")
    assert not ecarts, f"{len(ecarts)} écarts à la politique (tests/politique_acces.py) :\n" + "\n".join(ecarts)


@pytest.mark.django_db
def test_admin_django_reserve_a_l_equipe(client, personas):
    """Django's admin, left out of the walk: staff roles only, the others sent to the admin's sign-in."""
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        admin_django = client.get(reverse("admin:index")).status_code
        assert admin_django == (200 if role in (Role.ADMINISTRATEUR, Role.EQUIPE_USH) else 302), role


@pytest.mark.django_db
def test_deconnexion_par_post(client, personas):
    client.force_login(personas[Role.COMITE_SUIVI])
    assert client.post(reverse("deconnexion")).status_code == 302
    assert client.get(reverse("accueil")).status_code == 302


@pytest.mark.django_db
def test_les_permissions_en_une_requete_sont_celles_de_django(personas, django_assert_num_queries):
    """pacte.acces.PermissionsEnUneRequete answers what Django's ModelBackend answers (own ∪ groups'; a superuser
    everything; an inactive user nothing), for every role, in one query per request, read again after a change."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    from pacte.acces import PermissionsEnUneRequete
    from pacte.models import Utilisateur

    propre = Permission.objects.get(codename="add_fusion")
    utilisateurs = list(personas.values())
    utilisateurs[1].user_permissions.add(propre)  # own permission on top of the group's
    utilisateurs.append(UtilisateurFactory(role="", is_superuser=True))
    utilisateurs.append(UtilisateurFactory(role=Role.EQUIPE_USH, is_active=False))
    sans_groupe = UtilisateurFactory(role="")
    sans_groupe.user_permissions.add(propre)
    utilisateurs.append(sans_groupe)
    for utilisateur in utilisateurs:
        attendu_ = ModelBackend().get_all_permissions(Utilisateur.objects.get(pk=utilisateur.pk))
        frais = Utilisateur.objects.get(pk=utilisateur.pk)
        with django_assert_num_queries(0 if not frais.is_active else 1):
            obtenu = PermissionsEnUneRequete().get_all_permissions(frais)
            assert PermissionsEnUneRequete().get_all_permissions(frais) == obtenu  # cached for the request
        assert obtenu == attendu_, utilisateur.role
    def permissions(**filtre):
        return PermissionsEnUneRequete().get_all_permissions(Utilisateur.objects.get(**filtre))

    assert "pacte.add_fusion" in permissions(pk=sans_groupe.pk)
    assert len(permissions(is_superuser=True)) == Permission.objects.count()
    sans_groupe.user_permissions.clear()
    assert permissions(pk=sans_groupe.pk) == set()
