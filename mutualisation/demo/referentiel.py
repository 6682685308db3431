"""Référentiel du jeu de démonstration : régions, communes (code INSEE, zone Hlm), articles des départements,
modèles de raisons sociales, clé de Luhn des SIREN."""

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pacte.validators import siren_completer

# code : (« de » + région, poids des sièges, % de la production hors Île-de-France en zone 2, gentilés)
REGIONS = {
    "11": ("d'Île-de-France", 30, 0, "Francilien Parisien Yvelinois Essonnien Valdoisien Val-de-Marnais"),
    "21": ("de Champagne-Ardenne", 3, 45, "Champenois Rémois Troyen Ardennais"),
    "22": ("de Picardie", 3, 45, "Picard Amiénois Beauvaisien Axonais"),
    "23": ("de Haute-Normandie", 3, 60, "Normand Rouennais Havrais Ébroïcien"),
    "24": ("du Centre", 4, 45, "Orléanais Tourangeau Berrichon Blésois Chartrain"),
    "25": ("de Basse-Normandie", 2, 45, "Caennais Bas-Normand Cotentinois Manchois"),
    "26": ("de Bourgogne", 3, 45, "Bourguignon Dijonnais Nivernais Icaunais"),
    "31": ("du Nord-Pas-de-Calais", 9, 60, "Nordiste Lillois Roubaisien Flamand Artésien Douaisien"),
    "41": ("de Lorraine", 4, 45, "Lorrain Messin Nancéien Vosgien Mosellan"),
    "42": ("d'Alsace", 3, 60, "Alsacien Strasbourgeois Mulhousien Colmarien"),
    "43": ("de Franche-Comté", 2, 45, "Comtois Bisontin Belfortain Jurassien"),
    "52": ("des Pays de la Loire", 5, 45, "Nantais Angevin Manceau Vendéen Lavallois Ligérien"),
    "53": ("de Bretagne", 4, 45, "Breton Rennais Brestois Morbihannais Costarmoricain"),
    "54": ("de Poitou-Charentes", 2, 45, "Poitevin Charentais Rochelais Niortais"),
    "72": ("d'Aquitaine", 5, 45, "Aquitain Bordelais Girondin Béarnais Basque Landais Périgourdin"),
    "73": ("de Midi-Pyrénées", 5, 45, "Toulousain Gascon Tarnais Aveyronnais Bigourdan Quercynois"),
    "74": ("du Limousin", 1, 45, "Limousin Limougeaud Corrézien Creusois"),
    "82": ("de Rhône-Alpes", 12, 60, "Rhodanien Lyonnais Dauphinois Savoyard Stéphanois Grenoblois Drômois"),
    "83": ("d'Auvergne", 2, 45, "Auvergnat Clermontois Bourbonnais Cantalien Vellave"),
    "91": ("du Languedoc-Roussillon", 5, 60, "Languedocien Montpelliérain Nîmois Catalan Gardois Audois"),
    "93": ("de Provence-Alpes-Côte d'Azur", 9, 60, "Provençal Marseillais Niçois Toulonnais Azuréen Varois"),
    "94": ("de Corse", 1, 100, "Corse Ajaccien Bastiais"),
    "01": ("de la Guadeloupe", 0, 50, "Guadeloupéen Pointois"),
    "02": ("de la Martinique", 0, 50, "Martiniquais Foyalais"),
    "03": ("de la Guyane", 0, 50, "Guyanais Cayennais"),
    "04": ("de La Réunion", 0, 50, "Réunionnais Saint-Pierrois"),
    "06": ("de Mayotte", 0, 50, "Mahorais"),
}
ZONES_IDF = (("1bis", 25), ("1", 50), ("2", 25))  # % de la production francilienne par zone

# Communes (code INSEE, zone Hlm) par région : sièges, lieux des opérations ; plusieurs lignes par région permises.
_COMMUNES = """
11 Paris 75056 1bis|Boulogne-Billancourt 92012 1bis|Montreuil 93048 1bis|Saint-Ouen 93070 1bis|Pantin 93055 1bis
11 Clichy 92024 1bis|Ivry-sur-Seine 94041 1bis|Bagnolet 93006 1bis|Issy-les-Moulineaux 92040 1bis
11 Levallois-Perret 92044 1bis|Vincennes 94080 1bis|Nanterre 92050 1|Saint-Denis 93066 1|Aubervilliers 93001 1
11 Bobigny 93008 1|Créteil 94028 1|Vitry-sur-Seine 94081 1|Argenteuil 95018 1|Colombes 92025 1|Gennevilliers 92036 1
11 Champigny-sur-Marne 94017 1|Saint-Maur-des-Fossés 94068 1|Sarcelles 95585 1|Massy 91377 1|Drancy 93029 1
11 Aulnay-sous-Bois 93005 1|Noisy-le-Grand 93051 1|Villejuif 94076 1|Rueil-Malmaison 92063 1|Versailles 78646 1
11 Cergy 95127 1|Évry 91228 1|Corbeil-Essonnes 91174 1|Chelles 77108 1|Poissy 78498 1|Melun 77288 2|Meaux 77284 2
11 Mantes-la-Jolie 78361 2|Étampes 91223 2|Fontainebleau 77186 2|Provins 77379 2|Rambouillet 78517 2
21 Reims 51454 2|Troyes 10387 3|Châlons-en-Champagne 51108 3|Charleville-Mézières 08105 3|Chaumont 52121 3
21 Saint-Dizier 52448 3|Épernay 51230 3
22 Amiens 80021 2|Beauvais 60057 3|Compiègne 60159 3|Saint-Quentin 02691 3|Laon 02408 3|Soissons 02722 3
22 Creil 60175 2|Abbeville 80001 3
23 Rouen 76540 2|Le Havre 76351 2|Évreux 27229 3|Dieppe 76217 3|Vernon 27681 2|Elbeuf 76231 2
24 Orléans 45234 2|Tours 37261 2|Bourges 18033 3|Blois 41018 3|Chartres 28085 3|Châteauroux 36044 3|Dreux 28134 3
24 Montargis 45208 3
25 Caen 14118 2|Cherbourg-Octeville 50129 3|Alençon 61001 3|Saint-Lô 50502 3|Lisieux 14366 3
25 Hérouville-Saint-Clair 14327 2
26 Dijon 21231 2|Chalon-sur-Saône 71076 3|Mâcon 71270 3|Nevers 58194 3|Auxerre 89024 3|Sens 89387 3
26 Le Creusot 71153 3
31 Lille 59350 2|Roubaix 59512 2|Tourcoing 59599 2|Villeneuve-d'Ascq 59009 2|Dunkerque 59183 2
31 Valenciennes 59606 2|Douai 59178 2|Lens 62498 2|Calais 62193 3|Boulogne-sur-Mer 62160 3|Arras 62041 3
31 Béthune 62119 2|Maubeuge 59392 3
41 Metz 57463 2|Nancy 54395 2|Thionville 57672 2|Épinal 88160 3|Bar-le-Duc 55029 3|Forbach 57227 3|Verdun 55545 3
42 Strasbourg 67482 2|Mulhouse 68224 2|Colmar 68066 3|Haguenau 67180 3|Schiltigheim 67447 2
43 Besançon 25056 2|Belfort 90010 3|Montbéliard 25388 3|Dole 39198 3|Vesoul 70550 3|Lons-le-Saunier 39300 3
52 Nantes 44109 2|Angers 49007 2|Le Mans 72181 2|Saint-Nazaire 44184 2|Saint-Herblain 44162 2
52 La Roche-sur-Yon 85191 3|Laval 53130 3|Cholet 49099 3
53 Rennes 35238 2|Brest 29019 2|Quimper 29232 3|Lorient 56121 3|Vannes 56260 3|Saint-Brieuc 22278 3
53 Saint-Malo 35288 3
54 Poitiers 86194 2|La Rochelle 17300 2|Niort 79191 3|Angoulême 16015 3|Châtellerault 86066 3|Rochefort 17299 3
72 Bordeaux 33063 2|Mérignac 33281 2|Pessac 33318 2|Pau 64445 2|Bayonne 64102 2|Agen 47001 3|Périgueux 24322 3
72 Mont-de-Marsan 40192 3
73 Toulouse 31555 2|Colomiers 31149 2|Montauban 82121 3|Albi 81004 3|Tarbes 65440 3|Rodez 12202 3|Castres 81065 3
73 Cahors 46042 3|Auch 32013 3
74 Limoges 87085 2|Brive-la-Gaillarde 19031 3|Tulle 19272 3|Guéret 23096 3
82 Lyon 69123 2|Villeurbanne 69266 2|Vénissieux 69259 2|Saint-Étienne 42218 2|Grenoble 38185 2|Annecy 74010 2
82 Chambéry 73065 2|Annemasse 74012 2|Valence 26362 3|Bourg-en-Bresse 01053 3|Roanne 42187 3|Vienne 38544 3
83 Clermont-Ferrand 63113 2|Vichy 03310 3|Montluçon 03185 3|Moulins 03190 3|Aurillac 15014 3
83 Le Puy-en-Velay 43157 3
91 Montpellier 34172 2|Nîmes 30189 2|Perpignan 66136 2|Sète 34301 2|Béziers 34032 3|Narbonne 11262 3
91 Carcassonne 11069 3|Alès 30007 3
93 Marseille 13055 2|Nice 06088 2|Toulon 83137 2|Aix-en-Provence 13001 2|Avignon 84007 2|Cannes 06029 2
93 Antibes 06004 2|Fréjus 83061 2|La Seyne-sur-Mer 83126 2|Arles 13004 3|Gap 05061 3|Digne-les-Bains 04070 3
94 Ajaccio 2A004 2|Bastia 2B033 2|Porto-Vecchio 2A247 2
01 Pointe-à-Pitre 97120 2|Les Abymes 97101 2|Basse-Terre 97105 3
02 Fort-de-France 97209 2|Le Lamentin 97213 3
03 Cayenne 97302 2|Saint-Laurent-du-Maroni 97311 3
04 Saint-Denis 97411 2|Saint-Pierre 97416 3|Le Port 97407 3
06 Mamoudzou 97611 2
"""

# Article de chaque département : l = « de l' », a = « de la », u = « du », s = « des », d = « d' », e = « de ».
ARTICLES = dict(a.split(":") for a in (
    "01:l 02:l 03:l 04:s 05:s 06:s 07:l 08:s 09:l 10:l 11:l 12:l 13:s 14:u 15:u 16:a 17:a 18:u 19:a 2A:a 2B:a "
    "21:a 22:s 23:a 24:a 25:u 26:a 27:l 28:d 29:u 30:u 31:a 32:u 33:a 34:l 35:d 36:l 37:d 38:l 39:u 40:s 41:u "
    "42:a 43:a 44:a 45:u 46:u 47:u 48:a 49:e 50:a 51:a 52:a 53:a 54:e 55:a 56:u 57:a 58:a 59:u 60:l 61:l 62:u "
    "63:u 64:s 65:s 66:s 67:u 68:u 69:u 70:a 71:e 72:a 73:a 74:a 75:e 76:a 77:e 78:s 79:s 80:a 81:u 82:u 83:u "
    "84:u 85:a 86:a 87:a 88:s 89:l 90:u 91:l 92:s 93:a 94:u 95:u"
).split())
FORMES_ARTICLE = {"l": "de l'", "a": "de la ", "u": "du ", "s": "des ", "d": "d'", "e": "de "}

MODELES_NOMS = {
    "OPH": ("{ville} Habitat", "Office public de l'habitat {de_ville}", "OPH {de_ville}", "{ville} Métropole Habitat",
            "Office public intercommunal de l'habitat {de_ville}"),
    "ESH": ("Le Foyer {adj}", "Logis {adj}", "Habitat {adj}", "Le Logement {adj}", "Toit {adj}", "Immobilière {ville}",
            "SA d'HLM {de_ville}", "Société d'HLM {de_ville}", "Les Résidences {de_ville}", "{ville} Logement"),
    "COOP": ("Coopérative d'Hlm {de_ville}", "{adj} Accession", "Coop Habitat {adj}", "Le Toit {adj} coopératif",
             "SCIC d'Hlm {de_ville}", "Accession sociale {de_ville}"),
    "SACICAP": ("SACICAP {de_region}",),
    "SEM": ("Société d'économie mixte {de_ville}", "SEM {ville} Habitat", "SEM immobilière {de_ville}"),
    "AGREE_L365": ("Agence immobilière à vocation sociale {de_ville}", "Habitat et Insertion {de_ville}",
                   "Solidarité Logement {de_ville}"),
    "ARHLM": ("Association régionale des organismes Hlm {de_region}",),
    "COLLECTIVITE": ("Commune {de_ville}", "Communauté d'agglomération {de_ville}"),
    "ASSOCIATION": ("Association pour le logement des jeunes {de_ville}", "Association d'aide au logement {de_ville}"),
    "AUTRE": ("GIE {adj} Habitat Services", "Union d'économie sociale {de_region}"),
}
PREFIXES_SIREN = {"OPH": "27", "COLLECTIVITE": "21", "ARHLM": "78", "ASSOCIATION": "77", "AGREE_L365": "79"}


@dataclass(frozen=True)
class Commune:
    nom: str
    insee: str
    zone: str


@cache
def communes() -> dict[str, tuple[Commune, ...]]:
    par_region = defaultdict(list)
    for ligne in _COMMUNES.strip().splitlines():
        code, villes = ligne.split(" ", 1)
        par_region[code] += [Commune(*ville.rsplit(" ", 2)) for ville in villes.split("|")]
    return {code: tuple(villes) for code, villes in par_region.items()}


@cache
def departements() -> dict[str, tuple[str, str]]:
    """Code → (nom, code région), depuis le référentiel livré (fixtures/regions.json)."""
    regions = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "regions.json").read_text("utf-8"))
    return {d["code"]: (d["nom"], r["code"]) for r in regions for d in r["departements"]}


def de(nom: str) -> str:
    """« de Lyon », « du Havre », « des Abymes », « d'Angers »."""
    if nom.startswith(("Le ", "Les ")):
        article, reste = nom.split(" ", 1)
        return ("du " if article == "Le" else "des ") + reste
    return ("d'" if nom[0] in "AEIOUYÉÈÎ" else "de ") + nom


siren_avec_cle = siren_completer  # the 8 first digits completed with the Luhn check digit
