"""Demo data of the committee's work, 2013-2015: meetings (at least three national ones a year, regional ones in the
priority regions), blocking points with their history, good practices, the priority regions' diagnostics, and dated
updates of a few commitments. Written through suivi.services, as the secretariat would (acting as the system).

Idempotent: once the first demo meeting exists, nothing is written again. Fixed content, no draw: the seed is
accepted for the interface of generer_demo and ignored.
"""

import datetime

from django.db import transaction

from pacte.models import Engagement, Region
from suivi import services
from suivi.models import Reunion

INSTITUTIONS_NATIONALES = (
    "État – DHUP (direction de l'habitat, de l'urbanisme et des paysages)",
    "Union sociale pour l'habitat",
    "Fédération nationale des offices publics de l'habitat",
    "Fédération des entreprises sociales pour l'habitat",
    "Fédération nationale des sociétés coopératives d'Hlm",
    "Action Logement (UESL)",
    "Caisse des dépôts",
    "Association des maires de France",
    "Assemblée des départements de France",
)
D = datetime.date
# (date, region code or None, agenda, decisions)
REUNIONS = [
    (D(2013, 9, 17), None, "Installation du comité ; calendrier de la mutualisation 2013 ; diagnostics régionaux.",
     "Les diagnostics sont engagés en Île-de-France, PACA et Languedoc-Roussillon."),
    (D(2013, 11, 5), None, "Éco-prêt : nouveau taux ; foncier public ; programmation 2014.",
     "Note commune aux préfets sur la mobilisation du foncier de l'État."),
    (D(2013, 12, 12), None, "Bilan provisoire des agréments 2013 ; premier calcul de la mutualisation.",
     "Le bilan définitif sera présenté au premier trimestre 2014."),
    (D(2014, 2, 11), None, "Bilan 2013 : 117 065 logements sociaux financés ; TVA à 5 % au 1er janvier 2014.",
     "Diffusion du bilan aux associations régionales Hlm."),
    (D(2014, 3, 20), "11", "Diagnostic partagé d'Île-de-France ; foncier de l'État en petite couronne.",
     "Liste de douze terrains à céder avec décote en 2014."),
    (D(2014, 5, 27), None, "Examen des effets de la mutualisation (engagement du 1er trimestre 2014) ; SPLS.",
     "Reconduction du barème pour 2014."),
    (D(2014, 6, 24), "93", "Production en PACA : communes carencées, recours contre les permis.",
     "Le préfet de région réunit les maires des communes carencées avant l'été."),
    (D(2014, 9, 30), None, "Points de blocage régionaux ; élections des représentants des locataires.",
     "Fiche de bonnes pratiques sur la substitution dans les communes carencées."),
    (D(2014, 10, 14), "91", "Languedoc-Roussillon : coûts de construction et capacité de la filière.",
     "Groupement de commandes proposé aux organismes de la région."),
    (D(2014, 12, 9), None, "Projet de rapport annuel 2014 ; objectifs territorialisés 2015.",
     "Le rapport 2014 est adopté sous réserve des chiffres définitifs."),
    (D(2015, 2, 10), None, "Bilan 2014 : 106 414 logements sociaux financés ; Éco-prêt à 1 %.",
     "Relance de la production en Île-de-France et en PACA."),
    (D(2015, 4, 14), "11", "Île-de-France : objectifs 2015 ; accélération de la cession du foncier public.",
     "Suivi trimestriel des cessions."),
    (D(2015, 6, 16), None, "Mutualisation 2015 ; bilan du fonds de soutien à l'innovation.",
     "Le barème 2015 est maintenu."),
    (D(2015, 10, 6), None, "Préparation du bilan du pacte 2013-2015.",
     "Bilan final présenté au premier trimestre 2016."),
]
# (region code or None, theme, title, description, solution, owner, status, index of meeting, final comment)
BLOCAGES = [
    ("11", "FONCIER", "Cession lente du foncier de l'État en petite couronne",
     "Les terrains identifiés par la liste régionale ne sont pas cédés dans les délais annoncés.",
     "Cession avec décote prévue par la loi du 18 janvier 2013 ; comité de suivi trimestriel des cessions.",
     "Préfet de région Île-de-France", "EN_TRAITEMENT", 4, "Six terrains cédés sur douze."),
    ("93", "SUBSTITUTION_SRU", "Substitution dans les communes carencées",
     "Les communes carencées au titre de l'article 55 de la loi SRU refusent les permis des opérations sociales.",
     "Le préfet exerce le droit de préemption et délivre les permis ; les organismes sont sollicités par lui.",
     "Préfet de région PACA", "EN_TRAITEMENT", 6, "Quatre arrêtés de carence suivis d'effet."),
    ("93", "URBANISME", "Recours contre les permis de construire",
     "Les recours abusifs retardent de 18 à 24 mois les opérations à Marseille et à Nice.",
     "Ordonnance du 18 juillet 2013 sur les recours abusifs ; accompagnement juridique par l'AR Hlm.",
     "AR Hlm PACA", "LEVE", 6, "Délais revenus à moins d'un an."),
    ("91", "FILIERE_BTP", "Coûts de construction élevés",
     "Appels d'offres infructueux et prix de revient en hausse dans l'Hérault et le Gard.",
     "Groupement de commandes entre organismes et conception-réalisation.", "AR Hlm Languedoc-Roussillon",
     "EN_TRAITEMENT", 8, "Premier groupement lancé."),
    (None, "FINANCEMENT", "Fonds propres des organismes pour la réhabilitation",
     "Les opérations de rénovation thermique mobilisent plus de fonds propres que prévu.",
     "Éco-prêt au taux plancher de 1 % et aide de la mutualisation à la réhabilitation.", "USH", "LEVE", 1,
     "Éco-prêt à 1 % depuis le 1er août 2013."),
    (None, "REGLEMENTATION", "Normes et coûts des opérations",
     "L'empilement des normes renchérit les opérations neuves.",
     "Contribution du mouvement Hlm au plan de simplification des normes.", "DHUP", "OUVERT", 9, ""),
]
BONNES_PRATIQUES = [
    ("Conférence régionale du foncier public", "FONCIER", "11",
     "Chaque trimestre, le préfet réunit les services de l'État, les établissements publics fonciers et les "
     "organismes pour suivre la cession des terrains de la liste régionale."),
    ("Charte de substitution dans les communes carencées", "SUBSTITUTION_SRU", "93",
     "Une charte entre le préfet et l'AR Hlm fixe les délais et le rôle de chaque organisme sollicité."),
    ("Groupement de commandes pour la rénovation thermique", "FILIERE_BTP", "91",
     "Plusieurs organismes achètent ensemble les travaux d'isolation : prix en baisse et entreprises locales."),
    ("Accompagnement des locataires après les travaux", "FINANCEMENT", None,
     "Visite conseil et suivi des consommations la première année après la rénovation énergétique."),
    ("Programmation partagée dans SPLS", "REGLEMENTATION", "52",
     "Les organismes saisissent leurs projets dans SPLS ; la DREAL programme les aides sur cette base."),
    ("Concertation locale en amont des permis", "URBANISME", "93",
     "Réunions publiques organisées avec les maires avant le dépôt des permis pour prévenir les recours."),
]
DIAGNOSTIC = {
    "coherence_politiques": "Les PLH des principales agglomérations intègrent les objectifs du pacte ; plusieurs "
                            "documents d'urbanisme restent à mettre en compatibilité.",
    "disponibilite_fonciere": "Le foncier est rare et cher ; la liste régionale du foncier de l'État est en cours "
                              "de cession.",
    "montage_financier": "Les fonds propres des organismes et les aides des collectivités bouclent les opérations ; "
                         "l'aide de la mutualisation est mobilisée.",
    "capacite_btp": "La filière répond à la demande en neuf ; la rénovation thermique manque d'entreprises "
                    "qualifiées.",
    "impact_sru": "Les communes carencées concentrent l'essentiel du rattrapage attendu.",
    "besoins_typologie": "Vieillissement et desserrement des ménages : davantage de petits logements et de "
                         "logements adaptés.",
}
# (code, date, status, what was done, evidence)
MISES_A_JOUR = [
    ("E04", D(2013, 8, 1), "REALISE", "Éco-prêt fixé au taux du livret A − 0,75 point, plancher de 1 %.",
     "Décision du ministre de l'économie"),
    ("E02", D(2014, 1, 1), "REALISE", "TVA à 5 % sur les logements sociaux livrés à compter du 1er janvier 2014.",
     "Loi de finances pour 2014, article 29"),
    ("E03", D(2014, 1, 1), "REALISE", "TVA à 5 % sur les travaux de rénovation des logements sociaux.",
     "Loi de finances pour 2014"),
    ("E18", D(2013, 12, 12), "EN_COURS", "Premier calcul de la mutualisation présenté au comité.", ""),
    ("E18", D(2014, 6, 30), "REALISE", "Mutualisation 2013 validée par la commission et versée.",
     "Décision de la commission de mutualisation"),
    ("E23", D(2014, 12, 18), "REALISE", "Élections des représentants des locataires tenues en 2014.", ""),
    ("E39", D(2013, 12, 12), "EN_COURS", "Trois réunions nationales tenues en 2013.", ""),
    ("E51", D(2014, 12, 31), "REALISE", "SPLS déployé dans toutes les régions.", ""),
    ("E53", D(2014, 12, 9), "EN_COURS", "Diagnostics partagés en Île-de-France, PACA et Languedoc-Roussillon.", ""),
]
PRIORITAIRES = ("11", "93", "91")


def generer(seed: int = 2013) -> str:
    if Reunion.objects.filter(date=REUNIONS[0][0]).exists():
        return "Comité de suivi : jeu de démonstration déjà présent."
    regions = {r.code: r for r in Region.objects.all()}
    if not all(code in regions for code in PRIORITAIRES):
        return "Comité de suivi : référentiels des régions absents, rien à générer."
    with transaction.atomic():
        reunions = [_reunion(jour, regions.get(code), odj, decisions) for jour, code, odj, decisions in REUNIONS]
        for code, theme, titre, description, solution, porteur, statut, indice, fin in BLOCAGES:
            point = services.point_de_blocage_enregistrer(
                acting_user=None, region=regions.get(code) if code else None, theme=theme, titre=titre,
                description=description, responsable=porteur, reunion=reunions[indice], statut="OUVERT")
            services.point_de_blocage_enregistrer(acting_user=None, point=point, statut=statut,
                                                  solution_proposee=solution, commentaire=fin)
        for titre, theme, code, description in BONNES_PRATIQUES:
            services.bonne_pratique_enregistrer(acting_user=None, titre=titre, theme=theme,
                                                region=regions.get(code) if code else None, description=description)
        for annee in (2013, 2014, 2015):
            for code in PRIORITAIRES:
                statut = "PARTAGE" if annee < 2015 or code == "11" else "BROUILLON"
                services.diagnostic_enregistrer(acting_user=None, region=regions[code], annee=annee, statut=statut,
                                                **DIAGNOSTIC)
        engagements = {e.code: e for e in Engagement.objects.filter(code__in={m[0] for m in MISES_A_JOUR})}
        for code, jour, statut, commentaire, preuve in MISES_A_JOUR:
            if code in engagements:
                services.engagement_mettre_a_jour(acting_user=None, engagement=engagements[code], date=jour,
                                                  statut=statut, commentaire=commentaire, preuve=preuve)
    return (f"Comité de suivi : {len(REUNIONS)} réunions, {len(BLOCAGES)} points de blocage, "
            f"{len(BONNES_PRATIQUES)} bonnes pratiques, {3 * len(PRIORITAIRES)} diagnostics, "
            f"{len(MISES_A_JOUR)} mises à jour d'engagements.")


def _reunion(jour: datetime.date, region: Region | None, ordre_du_jour: str, decisions: str) -> Reunion:
    institutions = INSTITUTIONS_NATIONALES if region is None else (
        f"Préfecture de la région {region.nom}", f"DREAL {region.nom}", f"Association régionale Hlm {region.nom}",
        "Caisse des dépôts (direction régionale)", "Action Logement",
        "Collectivités délégataires des aides à la pierre")
    return services.reunion_enregistrer(
        acting_user=None, date=jour, niveau="REGIONAL" if region else "NATIONAL", region=region,
        institutions="\n".join(institutions), ordre_du_jour=ordre_du_jour,
        compte_rendu="Compte rendu diffusé aux membres du comité.", decisions=decisions)
