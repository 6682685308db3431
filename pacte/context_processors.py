from django.urls import reverse

ESPACES = [
    ("accueil", "Pacte et engagements"),
    ("mutualisation:index", "Mutualisation"),
    ("suivi:index", "Suivi"),
    ("innovation:index", "Fonds d'innovation"),
    ("logements_accompagnes:index", "Logements accompagnés"),
]


def navigation(request):
    """The five areas of the application, the current one marked for the DSFR navigation."""
    chemin = request.path
    entrees = []
    for nom, libelle in ESPACES:
        url = reverse(nom)
        actif = chemin == url if url == "/" else chemin.startswith(url)
        entrees.append({"url": url, "libelle": libelle, "actif": actif})
    return {"navigation": entrees}
