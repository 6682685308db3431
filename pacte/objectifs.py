"""The pact's national targets (§1): the State's plan and the Hlm movement's share, per year, reached by 2015."""

OBJECTIFS_PACTE = [
    {"libelle": "Logements locatifs sociaux neufs par an (mouvement Hlm)", "valeur": 120000, "sur": 150000,
     "sur_libelle": "logements sociaux du plan de l'État"},
    {"libelle": "Rénovations thermiques par an (mouvement Hlm)", "valeur": 100000, "sur": 120000,
     "sur_libelle": "rénovations de logements sociaux du plan de l'État"},
    {"libelle": "Logements construits par an (plan de l'État)", "valeur": 500000, "sur": None, "sur_libelle": ""},
    {"libelle": "Logements accompagnés (appel à projets)", "valeur": 10000, "sur": None, "sur_libelle": ""},
]
