"""Follow-up dashboards: national, the ranked regions, a region, a département, a maître d'ouvrage.

Thin adapters over suivi.selectors. Each page builds its tables once (suivi.exports.Tableau): the template shows them
and ``?export=<table>&format=csv|xlsx`` returns the same rows as a file. Charts are drawn server-side in HTML/CSS,
each followed by the table that carries the same figures (the accessible alternative).
"""

import hashlib

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from pacte import formats
from pacte.acces import AccesMixin
from pacte.enums import Role
from pacte.models import Departement, Region
from suivi import exports, selectors
from suivi.selectors import ANNEES, SEUIL_RETARD, Perimetre

DUREE_CACHE = 600  # seconds: the longest an edit made outside imports and runs (admin) takes to show
NATURES_SOURCES = {"agrements": "Agréments (SISAL / SPLS)", "rehabilitations": "Réhabilitations (SISAL / CDC)",
                   "objectifs": "Objectifs territorialisés"}


def _pourcent(valeur, echelle) -> str:
    """A CSS width or position, 0–100, written with a dot whatever the locale."""
    return f"{min(100, 100 * valeur / echelle):.2f}" if echelle else "0"


def libelle_sources(fichiers: list, nature: str) -> str:
    if not fichiers:
        return f"{NATURES_SOURCES[nature]} : aucun fichier importé."
    liste = ", ".join(f"{f.nom_fichier} (importé le {formats.format_date(f.created_at)})" for f in fichiers)
    return f"{NATURES_SOURCES[nature]} : {liste}."


def libelle_calcul(calcul) -> str:
    if calcul is None:
        return "Mutualisation : aucun calcul terminé."
    return (f"Mutualisation {calcul.campagne.annee} : calcul n° {calcul.pk} du {formats.format_date(calcul.fin)}"
            f" (campagne {calcul.campagne.get_statut_display().lower()}).")


# --- Charts ----------------------------------------------------------------------------------------------------------


def _segments(segments, echelle) -> list[dict]:
    return [{"classe": c, "libelle": libelle, "largeur": _pourcent(v, echelle)} for c, libelle, v in segments if v]


def graphique_production(par_annee: dict, avec_objectif: bool) -> dict:
    """Per year: the Hlm production by product, the other maîtres d'ouvrage, and the target as a mark."""
    echelle = max((max(i.production_secteur, i.objectif_production or 0) for i in par_annee.values()), default=0)
    barres = []
    for annee, i in par_annee.items():
        segments = [("plus", "PLUS Hlm", i.plus_hlm), ("plai", "PLAI Hlm", i.plai_hlm), ("pls", "PLS Hlm", i.pls_hlm),
                    ("autres", "Autres maîtres d'ouvrage", i.production_secteur - i.production_hlm)]
        texte = (f"{formats.format_nombre(i.production_secteur)} agréés,"
                 f" dont {formats.format_nombre(i.production_hlm)} Hlm")
        if avec_objectif and i.objectif_production:
            texte += (f" · objectif {formats.format_nombre(i.objectif_production)}"
                      f" ({formats.format_pourcentage(i.taux_production, 1)})")
        barres.append({
            "libelle": annee, "texte": texte, "alerte": avec_objectif and i.loin_de_l_objectif,
            "segments": _segments(segments, echelle),
            "repere": _pourcent(i.objectif_production, echelle) if avec_objectif and i.objectif_production else None,
        })
    legende = [("plus", "PLUS (Hlm)"), ("plai", "PLAI (Hlm)"), ("pls", "PLS (Hlm)"),
               ("autres", "Autres maîtres d'ouvrage")]
    return {"barres": barres, "legende": legende, "avec_repere": avec_objectif}


def graphique_rehabilitation(par_annee: dict, avec_objectif: bool) -> dict:
    echelle = max((max(i.rehabilitations, i.objectif_rehabilitation or 0) for i in par_annee.values()), default=0)
    barres = []
    for annee, i in par_annee.items():
        texte = f"{formats.format_nombre(i.rehabilitations_hlm)} Hlm"
        if avec_objectif and i.objectif_rehabilitation:
            texte += (f" · objectif {formats.format_nombre(i.objectif_rehabilitation)}"
                      f" ({formats.format_pourcentage(i.taux_rehabilitation, 1)})")
        segments = [("hlm", "Organismes Hlm", i.rehabilitations_hlm),
                    ("autres", "Autres maîtres d'ouvrage", i.rehabilitations - i.rehabilitations_hlm)]
        barres.append({
            "libelle": annee, "texte": texte, "alerte": avec_objectif and i.rehabilitation_loin_de_l_objectif,
            "segments": _segments(segments, echelle),
            "repere": _pourcent(i.objectif_rehabilitation, echelle)
            if avec_objectif and i.objectif_rehabilitation else None,
        })
    return {"barres": barres, "legende": [("hlm", "Organismes Hlm"), ("autres", "Autres maîtres d'ouvrage")],
            "avec_repere": avec_objectif}


def graphique_etiquettes(etiquettes: dict) -> dict:
    echelle = max((max(c["avant"], c["apres"]) for c in etiquettes["classes"]), default=0)
    groupes = [
        {"libelle": c["classe"], "classe": f"etiquette-{c['classe'].lower()}", "barres": [
            {"classe": "avant", "largeur": _pourcent(c["avant"], echelle), "texte": formats.format_nombre(c["avant"])},
            {"classe": "apres", "largeur": _pourcent(c["apres"], echelle), "texte": formats.format_nombre(c["apres"])},
        ]}
        for c in etiquettes["classes"]
    ]
    return {"groupes": groupes, "legende": [("avant", "Avant travaux"), ("apres", "Après travaux")]}


def graphique_mutualisation(mutualisation: dict) -> dict:
    regions = mutualisation["regions"]
    echelle = max((max(r["aides"], r["contributions"]) for r in regions), default=0)
    groupes = [
        {"libelle": r["nom"], "classe": "", "barres": [
            {"classe": "aides", "largeur": _pourcent(r["aides"], echelle),
             "texte": formats.format_euros(r["aides"], 0)},
            {"classe": "contributions", "largeur": _pourcent(r["contributions"], echelle),
             "texte": formats.format_euros(r["contributions"], 0)},
        ]}
        for r in regions
    ]
    return {"groupes": groupes, "legende": [("aides", "Aides"), ("contributions", "Contributions")]}


def graphique_classement(lignes: list, urls: dict) -> dict:
    """Achievement rate of each region, with marks at the threshold and at 100 %."""
    echelle = max([1.2, *(float(ligne.indicateurs.taux_production or 0) for ligne in lignes)])
    barres = [
        {"libelle": ligne.nom, "url": urls[ligne.code], "prioritaire": ligne.prioritaire,
         "largeur": _pourcent(float(ligne.indicateurs.taux_production or 0), echelle),
         "classe": "retard" if ligne.indicateurs.loin_de_l_objectif else "atteint",
         "texte": formats.format_pourcentage(ligne.indicateurs.taux_production, 1)}
        for ligne in lignes
    ]
    reperes = [{"position": _pourcent(float(SEUIL_RETARD), echelle),
                "libelle": formats.format_pourcentage(SEUIL_RETARD)},
               {"position": _pourcent(1.0, echelle), "libelle": "100 %"}]
    return {"barres": barres, "reperes": reperes}


# --- Pages -----------------------------------------------------------------------------------------------------------


class TableauDeBord(AccesMixin, TemplateView):
    """A dashboard of one perimeter; the subclasses add their drill-down table.

    The page's content is the same for every reader: it is rendered once per data version (one query tells it,
    selectors.version_des_donnees) and kept in the cache, so a dashboard costs little more than a trivial page;
    only the shell (header with the reader's name, navigation) is rendered per request.
    """

    permissions_requises = ("suivi.voir_tableaux_de_bord",)
    template_name = "suivi/page.html"
    template_contenu = "suivi/tableau_de_bord.html"
    avec_objectif = False
    nom_export = "suivi"

    def get(self, request, *args, **kwargs):
        if "export" in request.GET:
            return self.exporter(self.get_context_data(**kwargs))
        cle = "suivi:" + hashlib.sha256(
            f"{request.path}|{self.annee_demandee()}|{selectors.version_des_donnees()}".encode()).hexdigest()
        page = cache.get(cle)
        if page is None:
            contexte = self.get_context_data(**kwargs)
            page = {"titre_page": f"{contexte['titre']} {contexte['annee']}",
                    "contenu": render_to_string(self.template_contenu, contexte, request)}
            cache.set(cle, page, DUREE_CACHE)
        return self.render_to_response(page)

    def exporter(self, contexte: dict) -> HttpResponse:
        cle, format_fichier = self.request.GET["export"], self.request.GET.get("format", "csv")
        tableau = contexte["tableaux"].get(cle)
        if tableau is None or format_fichier not in exports.EXPORTS:
            raise Http404("Tableau ou format d'export inconnu.")
        type_mime, exporter = exports.EXPORTS[format_fichier]
        reponse = HttpResponse(exporter(tableau), content_type=type_mime)
        nom = f"{self.nom_export}-{cle}-{contexte['annee']}.{format_fichier}"
        reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
        return reponse

    def annee_demandee(self) -> int | None:
        demandee = self.request.GET.get("annee", "")
        return int(demandee) if demandee.isdigit() and int(demandee) in ANNEES else None

    def perimetre(self) -> Perimetre:
        raise NotImplementedError

    def annee(self, par_annee: dict) -> int:
        return self.annee_demandee() or selectors.annee_par_defaut(par_annee)

    def get_context_data(self, **kwargs):
        perimetre = self.perimetre()
        par_annee = selectors.indicateurs_par_annee(perimetre)
        annee = self.annee(par_annee)
        etiquettes = selectors.etiquettes(perimetre, annee)
        fichiers = selectors.sources(perimetre)
        source_agrements = libelle_sources(fichiers["agrements"], "agrements")
        source_rehabilitations = libelle_sources(fichiers["rehabilitations"], "rehabilitations")
        if self.avec_objectif:
            objectifs = " " + libelle_sources(fichiers["objectifs"], "objectifs")
            source_agrements += objectifs
            source_rehabilitations += objectifs
        tableaux = {
            "production": exports.tableau_production(par_annee, avec_objectif=self.avec_objectif,
                                                     source=source_agrements),
            "rehabilitation": exports.tableau_rehabilitation(par_annee, avec_objectif=self.avec_objectif,
                                                             source=source_rehabilitations),
            "etiquettes": exports.tableau_etiquettes(etiquettes, annee, source=libelle_sources(
                fichiers["rehabilitations"], "rehabilitations")),
        }
        contexte = {
            "perimetre": perimetre, "annees": ANNEES, "annee": annee, "par_annee": par_annee,
            "indicateurs": par_annee[annee], "etiquettes": etiquettes, "fichiers": fichiers, "tableaux": tableaux,
            "avec_objectif": self.avec_objectif, "seuil": SEUIL_RETARD,
            "graphique_production": graphique_production(par_annee, self.avec_objectif),
            "graphique_rehabilitation": graphique_rehabilitation(par_annee, self.avec_objectif),
            "graphique_etiquettes": graphique_etiquettes(etiquettes),
            "liste_sources": [{"nature": NATURES_SOURCES[nature], "fichier": f}
                              for nature, liste in fichiers.items() for f in liste],
        }
        contexte.update(self.contexte_du_perimetre(contexte))
        for tableau in contexte["tableaux"].values():
            tableau.perimetre = contexte["titre"]
        return super().get_context_data(**contexte, **kwargs)

    def contexte_du_perimetre(self, contexte: dict) -> dict:
        return {}


def _urls_regions(codes) -> dict[str, str]:
    return {code: reverse("suivi:region", kwargs={"code": code}) for code in codes}


def _contexte_mutualisation(contexte: dict, code_region: str = "") -> dict:
    annee = contexte["annee"]
    mutualisation = selectors.mutualisation_par_region(annee, code_region)
    source = libelle_calcul(mutualisation["calcul"])
    if mutualisation["regions"]:
        contexte["tableaux"]["mutualisation"] = exports.tableau_mutualisation(mutualisation, annee, source=source)
    return {"mutualisation": mutualisation, "source_mutualisation": source,
            "graphique_mutualisation": graphique_mutualisation(mutualisation)}


class National(TableauDeBord):
    avec_objectif = True
    nom_export = "suivi-national"

    def perimetre(self):
        return Perimetre.national()

    def contexte_du_perimetre(self, contexte):
        classement = selectors.classement_regions(contexte["annee"])
        a_suivre = [ligne for ligne in classement if ligne.prioritaire or ligne.indicateurs.loin_de_l_objectif]
        return {
            "titre": "France métropolitaine", "a_suivre": a_suivre, "urls_regions": _urls_regions(
                ligne.code for ligne in classement),
            **_contexte_mutualisation(contexte),
        }


class Index(National):
    """/suivi/: the national dashboard; a regional user lands on its region."""

    def get(self, request, *args, **kwargs):
        if request.user.role == Role.REFERENT_REGIONAL and request.user.region_id:
            return redirect("suivi:region", code=request.user.region_id)
        return super().get(request, *args, **kwargs)


class Classement(TableauDeBord):
    template_contenu = "suivi/classement.html"
    nom_export = "suivi-regions"

    def get_context_data(self, **kwargs):
        annee = self.annee({})
        lignes = selectors.classement_regions(annee)
        urls = _urls_regions(ligne.code for ligne in lignes)
        source = " ".join(
            libelle_sources(fichiers, nature) for nature, fichiers in selectors.sources(Perimetre.national(), (annee,))
            .items())
        tableau = exports.tableau_regions(lignes, annee, source=source, urls=urls)
        tableau.perimetre = "22 régions métropolitaines"
        return {
            **kwargs, "annees": ANNEES, "annee": annee, "lignes": lignes, "seuil": SEUIL_RETARD,
            "tableaux": {"regions": tableau}, "graphique": graphique_classement(lignes, urls),
            "titre": "Classement des régions",
        }

    def annee(self, par_annee):
        return self.annee_demandee() or selectors.derniere_annee()


class RegionDetail(TableauDeBord):
    avec_objectif = True
    nom_export = "suivi-region"

    @cached_property
    def region(self):
        return get_object_or_404(Region, code=self.kwargs["code"])

    def perimetre(self):
        return Perimetre.region(self.region.code)

    def contexte_du_perimetre(self, contexte):
        annee = contexte["annee"]
        departements = selectors.departements_de_la_region(self.region.code, annee)
        urls = {d.code: reverse("suivi:departement", kwargs={"code": d.code}) for d in departements}
        contexte["tableaux"]["departements"] = exports.tableau_departements(
            departements, annee, source=contexte["tableaux"]["production"].source, urls=urls, parent="de la région")
        return {"titre": self.region.nom, "region": self.region, "departements": departements,
                **_contexte_mutualisation(contexte, self.region.code)}


class DepartementDetail(TableauDeBord):
    nom_export = "suivi-departement"

    @cached_property
    def departement(self):
        return get_object_or_404(Departement.objects.select_related("region"), code=self.kwargs["code"])

    def perimetre(self):
        return Perimetre.departement(self.departement.code)

    def contexte_du_perimetre(self, contexte):
        annee = contexte["annee"]
        organismes = selectors.organismes_du_perimetre(self.perimetre(), annee)
        urls = {o.code: reverse("suivi:organisme", kwargs={"siren": o.code}) for o in organismes}
        contexte["tableaux"]["organismes"] = exports.tableau_organismes(
            organismes, annee, source=contexte["tableaux"]["production"].source, urls=urls, parent="du département")
        return {"titre": f"{self.departement.code} – {self.departement.nom}", "departement": self.departement,
                "region": self.departement.region, "organismes": organismes}


class OrganismeDetail(TableauDeBord):
    nom_export = "suivi-organisme"

    @cached_property
    def identite(self) -> dict:
        identite = selectors.organisme_identite(self.kwargs["siren"])
        if identite is None:
            raise Http404("Ni organisme du référentiel ni maître d'ouvrage des extraits sous ce SIREN.")
        return identite

    def perimetre(self):
        return Perimetre.organisme(self.identite["siren"])

    def contexte_du_perimetre(self, contexte):
        annee = contexte["annee"]
        departements = selectors.departements_de_l_organisme(self.identite["siren"], annee)
        urls = {d.code: reverse("suivi:departement", kwargs={"code": d.code}) for d in departements}
        contexte["tableaux"]["departements"] = exports.tableau_departements(
            departements, annee, source=contexte["tableaux"]["production"].source, urls=urls, parent="de l'organisme")
        contexte["tableaux"]["departements"].titre = f"Départements d'intervention en {annee}"
        return {"titre": self.identite["nom"], "identite": self.identite, "departements": departements}
