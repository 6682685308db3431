"""Every URL × every role: each view declares who may use it, and the declaration holds."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from pacte.acces import PermissionsPacte
from pacte.enums import Role
from tests.appels.factories import exemples_urls as exemples_appels
from tests.factories import BaremeFactory, CalculFactory, DepartementFactory, EngagementFactory, ImportFichierFactory
from tests.mutualisation.fabriques_cycle import exemples_urls as exemples_cycle
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


def _toutes_les_urls(siren: str):
    urls = []
    for nom, motif in _motifs(get_resolver()):
        parametres = {cle: (EXEMPLES[cle] or siren) for cle in motif.pattern.regex.groupindex}
        parametres.update(EXEMPLES_PAR_URL.get(nom, {}))
        urls.append((nom, reverse(nom, kwargs=parametres), _classe(motif)))
    return urls


def test_chaque_vue_declare_son_acces():
    for nom, motif in _motifs(get_resolver()):
        classe = _classe(motif)
        assert classe is not None, f"{nom} : vue fonction sans déclaration d'accès"
        assert getattr(classe, "acces_public", False) or hasattr(classe, "permissions_requises"), nom
        if hasattr(classe, "permission_classes"):
            assert PermissionsPacte in classe.permission_classes, f"{nom} : API sans PermissionsPacte"


def _attendu(classe, utilisateur) -> int:
    if getattr(classe, "acces_public", False):
        return 200
    if utilisateur is None:
        return 403 if hasattr(classe, "permission_classes") else 302
    alternatives = getattr(classe, "permissions_alternatives", ())
    permis = utilisateur.has_perms(classe.permissions_requises) and (
        not alternatives or any(utilisateur.has_perm(p) for p in alternatives))
    return 200 if permis else 403


@pytest.mark.django_db
def test_toutes_les_urls_pour_tous_les_roles(client, personas):
    EngagementFactory(code="T00")
    organisme = personas[Role.ORGANISME].organisme
    urls = [(n, u, c) for n, u, c in _toutes_les_urls(organisme.siren) if n != "deconnexion"]
    assert len(urls) >= 15
    ecarts = []
    for utilisateur in [None, *personas.values()]:
        client.logout()
        if utilisateur is not None:
            client.force_login(utilisateur)
        for nom, url, classe in urls:
            attendu = _attendu(classe, utilisateur)
            if nom == "connexion" and utilisateur is not None:
                attendu = 302  # already signed in: sent on to the home page
            if nom == "suivi:index" and utilisateur is not None and utilisateur.role == Role.REFERENT_REGIONAL:
                attendu = 302  # a regional user lands on its region's dashboard
            reponse = client.get(url)
            statut = reponse.status_code
            if reponse.streaming:
                b"".join(reponse.streaming_content)  # consumed, the downloaded file is closed
            if statut != attendu:
                ecarts.append(f"{utilisateur and utilisateur.role} {url}: {statut} au lieu de {attendu}")
    assert not ecarts, "\n".join(ecarts)


@pytest.mark.django_db
def test_matrice_attendue_pour_les_pages_sensibles(client, personas):
    """The declarations themselves, role by role, for the pages whose access matters most."""
    administrateurs = {Role.ADMINISTRATEUR}
    for role, utilisateur in personas.items():
        client.force_login(utilisateur)
        attendu = 200 if role in administrateurs else 403
        assert client.get(reverse("administration")).status_code == attendu, role
        admin_django = client.get(reverse("admin:index")).status_code
        assert admin_django == (200 if role in (Role.ADMINISTRATEUR, Role.EQUIPE_USH) else 302), role


@pytest.mark.django_db
def test_deconnexion_par_post(client, personas):
    client.force_login(personas[Role.COMITE_SUIVI])
    assert client.post(reverse("deconnexion")).status_code == 302
    assert client.get(reverse("accueil")).status_code == 302
