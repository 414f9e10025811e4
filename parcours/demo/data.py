"""The fixed tables of the demonstration: a fictional country, its organisations, the demo logins, names.

Everything here is invented. Names come in (Latin, Arabic) pairs taken from one table, so a member's two
spellings always agree. Nothing here depends on the seed: the seed only decides who lives where.
"""

from __future__ import annotations

import datetime
from typing import NamedTuple

# Ages, consent dates and expiry are computed from this day, never from "today", so a run is reproducible.
REFERENCE_DATE = datetime.date(2026, 1, 1)
DEFAULT_SEED = 20260101
DEFAULT_HOUSEHOLDS = 300


class Login(NamedTuple):
    email: str
    password: str
    full_name: str
    organisation: str  # slug of an organisation in ORGANISATIONS
    role: str  # a parcours.accounts.models.Role value


# The one place the demo logins are written (README and the command's summary read them from here).
LOGINS: tuple[Login, ...] = (
    Login("admin@demo.parcours.org", "admin-demo-2026", "Karim Hammami", "bras-zaytouna", "administrator"),
    Login("manager@demo.parcours.org", "manager-demo-2026", "Leila Ben Amor", "bras-zaytouna", "manager"),
    Login("worker@demo.parcours.org", "worker-demo-2026", "Sonia Gharbi", "bras-zaytouna", "social_worker"),
    Login("partner@demo.parcours.org", "partner-demo-2026", "Nadia Mansouri", "nour", "partner_worker"),
    Login("viewer@demo.parcours.org", "viewer-demo-2026", "Hichem Dridi", "fonds-solidarite", "viewer"),
)
# ODK Collect / KoboCollect login of the demo programme (server URL: <site>/collect/demo).
DEVICE_LOGIN = ("collect-demo", "collect-demo-2026")
# The manager publishes the default questionnaire and creates the device account.
MANAGER_EMAIL = "manager@demo.parcours.org"
# Households are registered by this login (the social worker), so the audit trail names a real person.
REGISTRAR_EMAIL = "worker@demo.parcours.org"


class OrganisationSpec(NamedTuple):
    slug: str
    kind: str  # a parcours.accounts.models.Organisation.Kind value
    name: str
    name_ar: str
    email: str
    phone: str
    zones: tuple[str, ...]  # zone codes covered


ORGANISATIONS: tuple[OrganisationSpec, ...] = (
    OrganisationSpec(
        "bras-zaytouna", "public", "Bureau régional des affaires sociales", "المكتب الجهوي للشؤون الاجتماعية",
        "bras@demo.parcours.org", "+216 00 100 100", ("ZY01", "ZY02", "ZY03"),
    ),
    OrganisationSpec(
        "nour", "association", "Association Nour pour l'inclusion économique des femmes",
        "جمعية نور للإدماج الاقتصادي للمرأة", "contact@nour.demo.parcours.org", "+216 00 200 200",
        ("ZY01", "ZY02"),
    ),
    OrganisationSpec(
        "amal", "association", "Association Amal pour la réadaptation des personnes handicapées",
        "جمعية أمل لتأهيل الأشخاص ذوي الإعاقة", "contact@amal.demo.parcours.org", "+216 00 300 300",
        ("ZY01", "ZY02", "ZY03"),
    ),
    OrganisationSpec(
        "huileries-sahel", "private", "Huileries du Sahel SARL", "شركة معاصر الساحل",
        "rh@huileries.demo.parcours.org", "+216 00 400 400", ("ZY01",),
    ),
    OrganisationSpec(
        "fonds-solidarite", "donor", "Fonds de solidarité pour l'inclusion", "صندوق التضامن من أجل الإدماج",
        "info@fonds.demo.parcours.org", "+216 00 500 500", ("ZY",),
    ),
)
LEAD_ORGANISATION = "bras-zaytouna"
# Associations a household may agree to share its file with (the employer and the donor never get files).
SHARING_PARTNERS = ("nour", "amal")

PROGRAMME = {
    "slug": "demo",
    "name": "Programme démo d'inclusion sociale",
    "description": (
        "Programme de démonstration : diagnostic des ménages vulnérables, plans d'accompagnement et "
        "orientation vers les associations partenaires et l'employeur local."
    ),
    "partners": ("nour", "amal", "huileries-sahel"),
    "zones": ("ZY01", "ZY02", "ZY03"),
    "starts_on": datetime.date(2025, 1, 1),
    "ends_on": datetime.date(2027, 12, 31),
}

# The fictional country: (code, French name, Arabic name). Level names follow the tests' vocabulary.
LEVEL_NAMES = ("country", "governorate", "delegation", "sector")
COUNTRY = ("ZY", "République de Zaytouna", "جمهورية الزيتونة")
COUNTRY_BBOX = (8.0, 33.0, 11.0, 37.0)  # west, south, east, north
# governorate → delegations → sectors; codes are derived from the position (ZY01, ZY0101, ZY010101).
TERRITORY: tuple = (
    (("Sahel El Bahr", "ساحل البحر"), (
        (("Ras El Ain", "رأس العين"), (("Cité Ennour", "حي النور"), ("El Amal", "الأمل"),
                                       ("Ennasr", "النصر"))),
        (("Marsa Jadida", "المرسى الجديدة"), (("Essalem", "السلام"), ("El Hana", "الهناء"),
                                              ("Port de pêche", "ميناء الصيد"))),
        (("Oued Ezzitoun", "وادي الزيتون"), (("El Manar", "المنار"), ("Ezzouhour", "الزهور"),
                                            ("Ouled Ali", "أولاد علي"))),
        (("Sidi Amor", "سيدي عمر"), (("Errahma", "الرحمة"), ("El Bassatine", "البساتين"),
                                     ("Sidi Salem", "سيدي سالم"))),
    )),
    (("Jebel Akhdar", "الجبل الأخضر"), (
        (("Ain Safra", "عين الصفراء"), (("Ettahrir", "التحرير"), ("El Kalaa", "القلعة"),
                                         ("Ouled Brahim", "أولاد إبراهيم"))),
        (("Kef Ennour", "كاف النور"), (("Ennakhla", "النخلة"), ("El Ksour", "القصور"),
                                       ("Bir Lahmar", "بئر الأحمر"))),
        (("Borj Ettout", "برج التوت"), (("Errimel", "الرمل"), ("Sidi Brahim", "سيدي إبراهيم"),
                                        ("El Ghaba", "الغابة"))),
    )),
    (("Nakhla", "النخلة الكبرى"), (
        (("Bir Rmel", "بئر الرمل"), (("Ain Tebournok", "عين طبرنق"), ("El Mida", "الميدة"),
                                     ("Ouled Amor", "أولاد عمر"))),
        (("Ksar Ennakhil", "قصر النخيل"), (("Ennouhoudh", "النهوض"), ("El Jedida", "الجديدة"),
                                           ("Sidi Mansour", "سيدي منصور"))),
        (("Oum Essaad", "أم السعد"), (("El Fejja", "الفجة"), ("Hay Ettadhamen", "حي التضامن"),
                                      ("Bou Hajla Sud", "بوحجلة الجنوبية"))),
    )),
)

# (Latin, Arabic) pairs. Latin spellings follow Tunisian French transliteration.
MALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Mohamed", "محمد"), ("Ahmed", "أحمد"), ("Ali", "علي"), ("Youssef", "يوسف"), ("Hamza", "حمزة"),
    ("Omar", "عمر"), ("Khaled", "خالد"), ("Sami", "سامي"), ("Hichem", "هشام"), ("Karim", "كريم"),
    ("Nabil", "نبيل"), ("Mourad", "مراد"), ("Slim", "سليم"), ("Walid", "وليد"), ("Anis", "أنيس"),
    ("Bilel", "بلال"), ("Mehdi", "مهدي"), ("Aymen", "أيمن"), ("Skander", "إسكندر"), ("Rached", "راشد"),
    ("Habib", "حبيب"), ("Moncef", "منصف"), ("Mokhtar", "مختار"), ("Taoufik", "توفيق"), ("Hedi", "الهادي"),
    ("Lotfi", "لطفي"), ("Fethi", "فتحي"), ("Sofiene", "سفيان"), ("Wassim", "وسيم"), ("Iyed", "إياد"),
    ("Adam", "آدم"), ("Rayen", "ريان"), ("Yassine", "ياسين"), ("Amine", "أمين"),
    ("Abdelkader", "عبد القادر"), ("Brahim", "إبراهيم"), ("Salah", "صالح"), ("Tarek", "طارق"),
    ("Chokri", "شكري"), ("Noureddine", "نور الدين"),
)
FEMALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Fatma", "فاطمة"), ("Salma", "سلمى"), ("Amira", "أميرة"), ("Mariem", "مريم"), ("Leila", "ليلى"),
    ("Sonia", "سونيا"), ("Nadia", "نادية"), ("Samia", "سامية"), ("Hela", "هالة"), ("Rim", "ريم"),
    ("Ines", "إيناس"), ("Asma", "أسماء"), ("Khadija", "خديجة"), ("Aicha", "عائشة"), ("Zeineb", "زينب"),
    ("Saida", "سعيدة"), ("Monia", "منية"), ("Najet", "نجاة"), ("Latifa", "لطيفة"), ("Habiba", "حبيبة"),
    ("Mabrouka", "مبروكة"), ("Houda", "هدى"), ("Emna", "آمنة"), ("Olfa", "ألفة"), ("Wafa", "وفاء"),
    ("Sarra", "سارة"), ("Yasmine", "ياسمين"), ("Nour", "نور"), ("Eya", "آية"), ("Chaima", "شيماء"),
    ("Rania", "رانية"), ("Malek", "ملاك"), ("Lina", "لينا"), ("Jamila", "جميلة"), ("Souad", "سعاد"),
    ("Henda", "هند"), ("Dalila", "دليلة"), ("Naima", "نعيمة"), ("Besma", "بسمة"), ("Sihem", "سهام"),
)
FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("Ben Ali", "بن علي"), ("Trabelsi", "الطرابلسي"), ("Jlassi", "الجلاصي"), ("Mejri", "الماجري"),
    ("Ben Salah", "بن صالح"), ("Hammami", "الحمامي"), ("Gharbi", "الغربي"), ("Mansouri", "المنصوري"),
    ("Dridi", "الدريدي"), ("Ben Amor", "بن عمر"), ("Saidi", "السعيدي"), ("Chaabane", "شعبان"),
    ("Kefi", "الكافي"), ("Zouari", "الزواري"), ("Ayari", "العياري"), ("Hamdi", "حمدي"),
    ("Khelifi", "الخليفي"), ("Riahi", "الرياحي"), ("Sassi", "الساسي"), ("Jebali", "الجبالي"),
    ("Masmoudi", "المصمودي"), ("Ferchichi", "الفرشيشي"), ("Baccouche", "بكوش"), ("Ben Youssef", "بن يوسف"),
    ("Toumi", "التومي"), ("Belhaj", "بالحاج"), ("Oueslati", "الوسلاتي"), ("Arfaoui", "العرفاوي"),
    ("Chebbi", "الشابي"), ("Nasri", "النصري"), ("Slimani", "السليماني"), ("Haddad", "الحداد"),
    ("Mabrouk", "مبروك"), ("Ben Kacem", "بن قاسم"), ("Labidi", "العبيدي"), ("Hajji", "الحاجي"),
    ("Rezgui", "الرزقي"), ("Zribi", "الزريبي"), ("Souissi", "السويسي"), ("Bouzid", "بوزيد"),
    ("Ammar", "عمار"), ("Tlili", "التليلي"), ("Mathlouthi", "المثلوثي"), ("Msakni", "المساكني"),
    ("Chtioui", "الشتيوي"), ("Guesmi", "القاسمي"),
)

# Given names tied to a generation: modern ones only for people under 30, old-fashioned ones from 40 up.
MODERN_NAMES = frozenset({
    "Adam", "Rayen", "Iyed", "Yassine", "Amine", "Wassim", "Aymen", "Mehdi", "Skander",
    "Eya", "Chaima", "Yasmine", "Nour", "Malek", "Lina", "Rania", "Sarra", "Ines",
})
CLASSIC_NAMES = frozenset({
    "Abdelkader", "Mokhtar", "Brahim", "Salah", "Habib", "Hedi", "Moncef", "Taoufik", "Noureddine",
    "Mabrouka", "Habiba", "Saida", "Latifa", "Najet", "Khadija", "Jamila", "Naima", "Souad",
})

STREETS: tuple[str, ...] = (
    "rue des Oliviers", "rue Ibn Khaldoun", "rue de la Mosquée", "avenue de la République",
    "impasse des Jasmins", "rue du Marché", "rue des Orangers", "avenue de l'Indépendance", "rue de l'École",
    "rue des Palmiers",
    "rue d'Alger", "rue Ibn Rochd", "impasse du Puits", "rue de la Gare", "rue des Artisans",
)
WITHDRAWAL_REASONS: tuple[str, ...] = (
    "Le ménage a déménagé hors de la zone.",
    "Le chef de ménage ne souhaite plus que son dossier soit partagé.",
    "Demande de la bénéficiaire lors de la visite de suivi.",
)
SENSITIVE_NOTE = (
    "Situation de protection : ne rien partager sans l'accord de la travailleuse sociale référente."
)
# Share of demo households interviewed a second time (a re-assessment months later): baseline vs current score.
FOLLOW_UP_RATE = 0.2
