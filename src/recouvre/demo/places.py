"""Hand-written reference data for the demo portfolio: real French cities with their real postcodes,
a few Belgian and German ones, and the words company names are made of.

Phone numbers: metropolitan landlines are drawn from the ranges ARCEP reserves for fiction
(01 99 00, 02 61 91, 03 53 01, 04 65 71, 05 36 49), so that a demo set up with a real telephony
provider can never ring a real business."""

from __future__ import annotations

from typing import NamedTuple


class City(NamedTuple):
    name: str
    postcode: str
    zone: str  # phone zone: 01-05 in metropolitan France, or the overseas country calling code
    weight: int  # roughly the weight of its economy, so Paris and Lyon hold more debtors


CITIES: tuple[City, ...] = (
    # Île-de-France
    City("Paris", "75008", "01", 9),
    City("Paris", "75011", "01", 6),
    City("Paris", "75015", "01", 6),
    City("Boulogne-Billancourt", "92100", "01", 4),
    City("Nanterre", "92000", "01", 3),
    City("Saint-Denis", "93200", "01", 3),
    City("Créteil", "94000", "01", 2),
    City("Versailles", "78000", "01", 2),
    City("Évry-Courcouronnes", "91000", "01", 2),
    City("Cergy", "95000", "01", 2),
    City("Meaux", "77100", "01", 1),
    # North-west, west, centre
    City("Rouen", "76000", "02", 3),
    City("Le Havre", "76600", "02", 2),
    City("Caen", "14000", "02", 2),
    City("Rennes", "35000", "02", 4),
    City("Brest", "29200", "02", 2),
    City("Quimper", "29000", "02", 1),
    City("Vannes", "56000", "02", 1),
    City("Saint-Brieuc", "22000", "02", 1),
    City("Nantes", "44000", "02", 5),
    City("Angers", "49000", "02", 2),
    City("Le Mans", "72000", "02", 2),
    City("Tours", "37000", "02", 2),
    City("Orléans", "45000", "02", 2),
    # North-east, including Alsace-Moselle (local law, its own public holidays)
    City("Lille", "59000", "03", 5),
    City("Roubaix", "59100", "03", 2),
    City("Amiens", "80000", "03", 2),
    City("Arras", "62000", "03", 1),
    City("Beauvais", "60000", "03", 1),
    City("Reims", "51100", "03", 2),
    City("Troyes", "10000", "03", 1),
    City("Nancy", "54000", "03", 2),
    City("Metz", "57000", "03", 3),
    City("Thionville", "57100", "03", 1),
    City("Forbach", "57600", "03", 1),
    City("Strasbourg", "67000", "03", 4),
    City("Haguenau", "67500", "03", 1),
    City("Colmar", "68000", "03", 2),
    City("Mulhouse", "68100", "03", 2),
    City("Dijon", "21000", "03", 2),
    City("Besançon", "25000", "03", 2),
    # South-east and Corsica
    City("Lyon", "69003", "04", 7),
    City("Villeurbanne", "69100", "04", 2),
    City("Saint-Étienne", "42000", "04", 2),
    City("Grenoble", "38000", "04", 3),
    City("Annecy", "74000", "04", 2),
    City("Chambéry", "73000", "04", 1),
    City("Valence", "26000", "04", 1),
    City("Clermont-Ferrand", "63000", "04", 2),
    City("Marseille", "13008", "04", 5),
    City("Aix-en-Provence", "13100", "04", 2),
    City("Toulon", "83000", "04", 2),
    City("Nice", "06000", "04", 3),
    City("Avignon", "84000", "04", 1),
    City("Montpellier", "34000", "04", 3),
    City("Nîmes", "30000", "04", 1),
    City("Perpignan", "66000", "04", 1),
    City("Ajaccio", "20000", "04", 1),
    # South-west
    City("Toulouse", "31000", "05", 5),
    City("Bordeaux", "33000", "05", 4),
    City("Mérignac", "33700", "05", 2),
    City("Pau", "64000", "05", 1),
    City("Bayonne", "64100", "05", 1),
    City("Limoges", "87000", "05", 1),
    City("Poitiers", "86000", "05", 1),
    City("La Rochelle", "17000", "05", 1),
    City("Agen", "47000", "05", 1),
    City("Montauban", "82000", "05", 1),
    # Overseas departments: French addresses, their own calling codes
    City("Saint-Denis", "97400", "262", 1),
    City("Fort-de-France", "97200", "596", 1),
    City("Baie-Mahault", "97122", "590", 1),
)

FICTION_LANDLINES = {"01": "01 99 00", "02": "02 61 91", "03": "03 53 01", "04": "04 65 71", "05": "05 36 49"}
# Overseas numbers in international form: (landline prefix, mobile prefix) after the calling code.
OVERSEAS_PHONES = {"262": ("262", "692"), "596": ("596", "696"), "590": ("590", "690")}
# VAT rate of the overseas departments (8.5 %) instead of 20 %.
OVERSEAS_VAT_DIVISOR = "1.085"


class ForeignCity(NamedTuple):
    country: str
    name: str
    postcode: str
    area_code: str


FOREIGN_CITIES: tuple[ForeignCity, ...] = (
    ForeignCity("BE", "Bruxelles", "1000", "2"),
    ForeignCity("BE", "Liège", "4000", "4"),
    ForeignCity("BE", "Antwerpen", "2000", "3"),
    ForeignCity("BE", "Gent", "9000", "9"),
    ForeignCity("DE", "Berlin", "10115", "30"),
    ForeignCity("DE", "München", "80331", "89"),
    ForeignCity("DE", "Köln", "50667", "221"),
    ForeignCity("DE", "Frankfurt am Main", "60311", "69"),
    ForeignCity("DE", "Hamburg", "20095", "40"),
)
FOREIGN_STREETS = {
    "BE": ("Rue de la Loi", "Avenue Louise", "Chaussée de Wavre", "Boulevard d'Avroy", "Kortrijksesteenweg"),
    "DE": ("Hauptstraße", "Friedrichstraße", "Industriestraße", "Bahnhofstraße", "Schillerstraße"),
}
FOREIGN_SURNAMES = {
    "BE": ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Lambert"),
    "DE": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"),
}
FOREIGN_ACTIVITIES = {
    "BE": ("Logistics", "Construction", "Trading", "Engineering", "Distribution"),
    "DE": ("Logistik", "Maschinenbau", "Technik", "Handel", "Bau"),
}
FOREIGN_FORMS = {"BE": ("SRL", "SA", "BV", "NV"), "DE": ("GmbH", "GmbH", "AG", "KG")}

# Trades a small company is named after ("Menuiserie Dubois").
TRADES: tuple[str, ...] = (
    "Transports",
    "Boulangerie",
    "Menuiserie",
    "Plomberie",
    "Électricité",
    "Imprimerie",
    "Garage",
    "Charpente",
    "Carrosserie",
    "Maçonnerie",
    "Peinture",
    "Couverture",
    "Fromagerie",
    "Serrurerie",
    "Paysages",
    "Nettoyage",
    "Ateliers",
    "Établissements",
    "Cabinet",
    "Métallerie",
    "Chaudronnerie",
    "Traiteur",
    "Vins",
    "Boucherie",
)
# Sectors larger companies are named after ("Lemoine Industries").
SECTORS: tuple[str, ...] = (
    "Industries",
    "Distribution",
    "Logistique",
    "Services",
    "Technologies",
    "Construction",
    "Énergie",
    "Ingénierie",
    "Emballages",
    "Agroalimentaire",
    "Équipements",
    "Plasturgie",
)
ACRONYM_SYLLABLES: tuple[str, ...] = (
    "SO",
    "GE",
    "TRA",
    "FI",
    "MEC",
    "CO",
    "PRO",
    "TEC",
    "IN",
    "DU",
    "MA",
    "VAL",
    "NOR",
    "SUD",
    "ALP",
    "MO",
    "BA",
)
SCI_NAMES: tuple[str, ...] = (
    "Les Tilleuls",
    "du Moulin",
    "Les Acacias",
    "de la Gare",
    "Le Clos Fleuri",
    "des Vignes",
    "Les Érables",
    "du Port",
    "Saint-Michel",
    "La Source",
)
SITE_LINES: tuple[str, ...] = (
    "ZI des Trois Fontaines",
    "ZA du Moulin",
    "Parc d'activités des Pins",
    "Bâtiment B",
    "CS 30012",
    "BP 214",
    "Zone industrielle Nord",
    "Immeuble Le Pascal",
)
ACCOUNTS_MAILBOXES: tuple[str, ...] = (
    "compta",
    "comptabilite",
    "factures",
    "fournisseurs",
    "contact",
    "admin",
)
# Every generated address is under the reserved .example domain (RFC 2606): a demo set up with a
# real SMTP server must never send dunning emails to a real company that happens to share a name.
EMAIL_TLD = "example"
PERSONAL_MAIL_DOMAINS: tuple[str, ...] = ("messagerie.example", "courriel.example", "webmail.example")
