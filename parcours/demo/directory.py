"""Demo directory: services of the demo organisations and of organisations that do not use Parcours.

Everything goes through the directory services (as "parcours demo"), so the audit trail and checks are the real
ones. The coverage is uneven on purpose: some needs have no active service in some governorates (housing and
gender-based violence response only in Sahel El Bahr, nothing for rehabilitation in Nakhla…), so zone diagnostics
show service gaps; a few services are inactive, temporarily closed or defunct.
"""

from __future__ import annotations

from typing import NamedTuple

from parcours.directory import services as directory
from parcours.directory.models import Location, Organization, Service
from parcours.directory.selectors import term_by_code

ACTOR = "parcours demo"
WEEKDAYS = "MO,TU,WE,TH,FR"


class OrgSpec(NamedTuple):
    key: str
    name: str
    name_ar: str
    description: str
    legal_status: str
    parcours: str | None  # slug of the Parcours organisation, None when it does not use Parcours
    email: str = ""
    website: str = ""


class PlaceSpec(NamedTuple):
    key: str
    org: str
    name: str
    zone: str  # the place is drawn inside this zone's box
    address: str
    city: str


class ServiceSpec(NamedTuple):
    org: str
    name: str
    name_fr: str
    name_ar: str
    terms: tuple[str, ...]
    zones: tuple[str, ...]
    places: tuple[str, ...]
    eligibility: str
    fees: str = "Free of charge."
    documents: str = ""
    languages: tuple[str, ...] = ("ar", "fr")
    status: str = Service.Status.ACTIVE
    hours: tuple[str, str, str] = (WEEKDAYS, "08:30", "16:30")


ORGANISATIONS: tuple[OrgSpec, ...] = (
    OrgSpec("bras", "Bureau régional des affaires sociales", "المكتب الجهوي للشؤون الاجتماعية",
            "Regional office of the Ministry of Social Affairs: social allowances, health coverage, social work.",
            "government", "bras-zaytouna", "bras@demo.parcours.org"),
    OrgSpec("nour", "Association Nour pour l'inclusion économique des femmes", "جمعية نور للإدماج الاقتصادي للمرأة",
            "Women's economic inclusion: training, micro-projects, cooperatives.", "non-profit association", "nour",
            "contact@nour.demo.parcours.org"),
    OrgSpec("amal", "Association Amal pour la réadaptation des personnes handicapées",
            "جمعية أمل لتأهيل الأشخاص ذوي الإعاقة",
            "Rehabilitation, assistive devices and inclusive education for people with disabilities.",
            "non-profit association", "amal", "contact@amal.demo.parcours.org"),
    OrgSpec("huileries", "Huileries du Sahel SARL", "شركة معاصر الساحل",
            "Olive oil mill hiring seasonal and permanent workers, with on-the-job training.", "private company",
            "huileries-sahel", "rh@huileries.demo.parcours.org"),
    OrgSpec("hopital", "Hôpital régional de Sahel El Bahr", "المستشفى الجهوي بساحل البحر",
            "Regional public hospital.", "government", None),
    OrgSpec("emploi", "Bureau de l'emploi et du travail indépendant", "مكتب التشغيل والعمل المستقل",
            "Public employment office: job placement, employment programmes, support to start a business.",
            "government", None),
    OrgSpec("cfp", "Centre de formation professionnelle de Jebel Akhdar", "مركز التكوين المهني بالجبل الأخضر",
            "Public vocational training centre.", "government", None),
    OrgSpec("ecoute", "Espace Écoute et Orientation des femmes", "فضاء الإنصات والتوجيه للنساء",
            "Association supporting survivors of gender-based violence: listening, shelter, legal and medical "
            "accompaniment.", "non-profit association", None),
    OrgSpec("clinique", "Clinique juridique de Zaytouna", "العيادة القانونية بالزيتونة",
            "Free legal advice and civil documentation support by lawyers and law students.",
            "non-profit association", None),
    OrgSpec("microcredit", "Microcrédit Al Baraka", "القروض الصغرى البركة",
            "Microfinance institution.", "private company", None),
    OrgSpec("enfance", "Délégation à la protection de l'enfance", "مندوبية حماية الطفولة",
            "Child protection delegates of the governorates.", "government", None),
    OrgSpec("commune", "Commune de Ras El Ain — service de l'état civil", "بلدية رأس العين — مصلحة الحالة المدنية",
            "Municipal civil registry.", "government", None),
)

PLACES: tuple[PlaceSpec, ...] = (
    PlaceSpec("bras-hq", "bras", "Siège du BRAS", "ZY0101", "12 avenue de la République", "Ras El Ain"),
    PlaceSpec("bras-ja", "bras", "Antenne sociale de Jebel Akhdar", "ZY0201", "3 rue de la Mosquée", "Ain Safra"),
    PlaceSpec("bras-nk", "bras", "Antenne sociale de Nakhla", "ZY0301", "Place du marché", "Bir Rmel"),
    PlaceSpec("nour-centre", "nour", "Centre Nour", "ZY0102", "45 rue des Pêcheurs", "Marsa Jadida"),
    PlaceSpec("nour-ja", "nour", "Atelier Nour Ain Safra", "ZY0201", "Route de Kef Ennour", "Ain Safra"),
    PlaceSpec("amal-centre", "amal", "Centre de réadaptation Amal", "ZY0103", "8 rue de l'Olivier", "Oued Ezzitoun"),
    PlaceSpec("amal-ja", "amal", "Unité mobile Amal", "ZY0202", "Dispensaire de Kef Ennour", "Kef Ennour"),
    PlaceSpec("huileries", "huileries", "Huilerie de Sidi Amor", "ZY0104", "Zone industrielle", "Sidi Amor"),
    PlaceSpec("hopital", "hopital", "Hôpital régional", "ZY0101", "Boulevard de l'Environnement", "Ras El Ain"),
    PlaceSpec("emploi-se", "emploi", "Bureau de l'emploi de Ras El Ain", "ZY0101", "5 rue de Tunis", "Ras El Ain"),
    PlaceSpec("emploi-nk", "emploi", "Bureau de l'emploi de Bir Rmel", "ZY0301", "Avenue Habib Thameur", "Bir Rmel"),
    PlaceSpec("cfp", "cfp", "Centre de formation professionnelle", "ZY0203", "Route de Borj Ettout", "Borj Ettout"),
    PlaceSpec("ecoute", "ecoute", "Espace Écoute", "ZY0102", "Adresse communiquée par téléphone", "Marsa Jadida"),
    PlaceSpec("clinique", "clinique", "Clinique juridique", "ZY0101", "Faculté de droit, bloc C", "Ras El Ain"),
    PlaceSpec("microcredit", "microcredit", "Agence Al Baraka", "ZY0102", "17 avenue Farhat Hached",
              "Marsa Jadida"),
    PlaceSpec("enfance-se", "enfance", "Délégué à la protection de l'enfance (Sahel El Bahr)", "ZY0101",
              "Gouvernorat, 2e étage", "Ras El Ain"),
    PlaceSpec("enfance-ja", "enfance", "Délégué à la protection de l'enfance (Jebel Akhdar)", "ZY0201",
              "Gouvernorat", "Ain Safra"),
    PlaceSpec("commune", "commune", "Hôtel de ville", "ZY0101", "Place de l'Indépendance", "Ras El Ain"),
)

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("bras", "Permanent family allowance", "Programme national d'aide aux familles nécessiteuses",
                "البرنامج الوطني لإعانة العائلات المعوزة", ("cash-transfer",), ("ZY01", "ZY02", "ZY03"),
                ("bras-hq", "bras-ja", "bras-nk"),
                "Households classified poor by the social survey.", documents="National identity card; family record"),
    ServiceSpec("bras", "Free health care card", "Carte de soins gratuits", "بطاقة العلاج المجاني",
                ("health-care",), ("ZY01", "ZY02", "ZY03"), ("bras-hq", "bras-ja", "bras-nk"),
                "Poor and low-income households.", documents="National identity card"),
    ServiceSpec("bras", "Social work and psychosocial follow-up", "Accompagnement social et psychosocial",
                "المرافقة الاجتماعية والنفسية", ("psychosocial-support",), ("ZY01", "ZY02"), ("bras-hq", "bras-ja"),
                "Any household followed by the office."),
    ServiceSpec("bras", "Emergency food parcels", "Colis alimentaires d'urgence", "الطرود الغذائية الاستعجالية",
                ("food",), ("ZY01", "ZY02"), ("bras-hq", "bras-ja"), "Households in acute hardship."),
    ServiceSpec("bras", "Housing improvement grant", "Aide à l'amélioration du logement", "منحة تحسين السكن",
                ("housing",), ("ZY01",), ("bras-hq",), "Owners of a dwelling in poor condition, poor households.",
                documents="Proof of ownership; technical survey"),
    ServiceSpec("bras", "Food bank of Nakhla", "Banque alimentaire de Nakhla", "بنك الطعام بالنخلة",
                ("food",), ("ZY03",), ("bras-nk",), "Poor households of Nakhla.",
                status=Service.Status.TEMPORARILY_CLOSED),
    ServiceSpec("nour", "Micro-project coaching for women", "Accompagnement de micro-projets de femmes",
                "مرافقة المشاريع الصغرى للنساء", ("micro-enterprise",), ("ZY01", "ZY02"),
                ("nour-centre", "nour-ja"), "Women aged 18 to 55 with a project idea."),
    ServiceSpec("nour", "Sewing and food processing training", "Formation couture et transformation alimentaire",
                "تكوين في الخياطة والتحويل الغذائي", ("vocational-training",), ("ZY01",), ("nour-centre",),
                "Women aged 16 and over."),
    ServiceSpec("nour", "Women's agricultural cooperative", "Coopérative agricole de femmes",
                "التعاضدية الفلاحية النسائية", ("micro-enterprise", "employment"), ("ZY02",), ("nour-ja",),
                "Rural women of Jebel Akhdar."),
    ServiceSpec("amal", "Physiotherapy and rehabilitation", "Kinésithérapie et réadaptation",
                "العلاج الطبيعي وإعادة التأهيل",
                ("rehabilitation",), ("ZY01",), ("amal-centre",), "Children and adults with a disability.",
                fees="Free for holders of a disability card; otherwise 5 dinars a session."),
    ServiceSpec("amal", "Wheelchairs and hearing aids", "Fauteuils roulants et appareils auditifs",
                "الكراسي المتحركة وآلات السمع", ("rehabilitation",), ("ZY01", "ZY02"), ("amal-centre", "amal-ja"),
                "Holders of a disability card.", documents="Disability card; medical prescription"),
    ServiceSpec("amal", "Inclusive education support", "Soutien à l'éducation inclusive", "دعم التعليم الدامج",
                ("education",), ("ZY01",), ("amal-centre",), "Children with a disability aged 6 to 16."),
    ServiceSpec("huileries", "Seasonal jobs at the olive mill", "Emplois saisonniers à l'huilerie",
                "مواطن شغل موسمية بالمعصرة", ("employment",), ("ZY01",), ("huileries",),
                "Adults aged 18 and over; November to February.", hours=(WEEKDAYS + ",SA", "06:00", "14:00")),
    ServiceSpec("huileries", "Apprenticeship in oil milling", "Apprentissage en huilerie", "التدريب المهني في المعاصر",
                ("vocational-training",), ("ZY01",), ("huileries",), "Young people aged 16 to 25.",
                status=Service.Status.INACTIVE),
    ServiceSpec("hopital", "General and specialist consultations", "Consultations générales et spécialisées",
                "الاستشارات العامة والمختصة", ("health-care",), ("ZY01",), ("hopital",), "Everyone.",
                fees="Free with a free health care card; flat fee otherwise.",
                hours=(WEEKDAYS + ",SA", "08:00", "18:00")),
    ServiceSpec("emploi", "Job placement", "Placement et intermédiation", "التوظيف والوساطة", ("employment",),
                ("ZY01", "ZY03"), ("emploi-se", "emploi-nk"), "Job seekers registered with the office."),
    ServiceSpec("emploi", "Support to start a small business", "Appui à la création de petites entreprises",
                "دعم إحداث المشاريع الصغرى", ("micro-enterprise",), ("ZY01", "ZY03"), ("emploi-se", "emploi-nk"),
                "Job seekers with a business plan."),
    ServiceSpec("cfp", "Vocational training courses", "Formations professionnelles qualifiantes",
                "دورات التكوين المهني", ("vocational-training",), ("ZY02",), ("cfp",),
                "Young people aged 15 to 30.", documents="Last school report"),
    ServiceSpec("ecoute", "Listening, shelter and accompaniment of survivors", "Écoute, hébergement et accompagnement",
                "الإنصات والإيواء ومرافقة الناجيات", ("gbv-response", "psychosocial-support"), ("ZY01",), ("ecoute",),
                "Women and girls survivors of violence.", hours=("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")),
    ServiceSpec("clinique", "Free legal advice", "Conseil juridique gratuit", "الاستشارة القانونية المجانية",
                ("legal-aid",), ("ZY01", "ZY02"), ("clinique",), "Anyone who cannot pay a lawyer."),
    ServiceSpec("clinique", "Help with civil documents", "Aide aux documents d'état civil",
                "المساعدة في وثائق الحالة المدنية", ("civil-documentation",), ("ZY01",), ("clinique",),
                "People without birth certificate or identity card."),
    ServiceSpec("microcredit", "Micro-loans", "Microcrédits", "القروض الصغرى", ("micro-enterprise",),
                ("ZY01", "ZY02", "ZY03"), ("microcredit",), "Adults with an income-generating activity.",
                fees="Interest rate 18% a year; application fee 10 dinars.", documents="National identity card"),
    ServiceSpec("enfance", "Child protection case management", "Signalement et protection de l'enfance",
                "الإشعار وحماية الطفولة", ("child-protection",), ("ZY01", "ZY02"), ("enfance-se", "enfance-ja"),
                "Children under 18 at risk."),
    ServiceSpec("commune", "Birth registration and certificates", "Déclarations de naissance et extraits",
                "تسجيل الولادات ومضامين الولادة", ("civil-documentation",), ("ZY0101",), ("commune",),
                "Residents of Ras El Ain."),
    ServiceSpec("commune", "Municipal social housing programme", "Programme municipal de logement social",
                "البرنامج البلدي للسكن الاجتماعي", ("housing",), ("ZY0101",), ("commune",),
                "Residents of Ras El Ain.", status=Service.Status.DEFUNCT),
)


def _point(zone) -> tuple[float, float]:
    """(latitude, longitude) near the middle of ``zone``'s outline (its geometry is a box)."""
    ring = (zone.geometry or {}).get("coordinates", [[]])[0]
    if not ring:
        return 35.0, 9.5
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return round((min(lats) + max(lats)) / 2, 6), round((min(lons) + max(lons)) / 2, 6)


def load(world) -> None:
    """Create the demo directory once (a second run finds the organisations and stops)."""
    if Organization.objects.filter(name=ORGANISATIONS[0].name).exists():
        return
    organizations: dict[str, Organization] = {}
    for spec in ORGANISATIONS:
        organizations[spec.key] = directory.organization_create(
            actor=ACTOR, name=spec.name, name_ar=spec.name_ar, description=spec.description,
            legal_status=spec.legal_status, email=spec.email, website=spec.website,
            parcours_organisation=world.organisations.get(spec.parcours) if spec.parcours else None,
        )
    places: dict[str, Location] = {}
    for number, spec in enumerate(PLACES):
        latitude, longitude = _point(world.zones[spec.zone])
        # Places of the same sector are set a little apart, as they would be on a street map.
        places[spec.key] = directory.location_create(
            actor=ACTOR, organization=organizations[spec.org], name=spec.name, address_1=spec.address,
            city=spec.city, country="ZY", state_province=world.zones[spec.zone[:4]].name,
            latitude=round(latitude + 0.004 * (number % 5), 6), longitude=round(longitude + 0.003 * (number % 3), 6),
        )
    for spec in SERVICES:
        organization = organizations[spec.org]
        service = directory.service_create(
            actor=ACTOR, organization=organization, name=spec.name, name_fr=spec.name_fr, name_ar=spec.name_ar,
            description=spec.name_fr, eligibility_description=spec.eligibility, fees_description=spec.fees,
            status=spec.status, taxonomy_terms=[term_by_code(code) for code in spec.terms],
            zones=[world.zones[code] for code in spec.zones], languages=spec.languages,
            application_process="Come to the office with the documents listed, or be referred by a social worker.",
        )
        if spec.documents:
            directory.required_documents_set(actor=ACTOR, service=service, documents=spec.documents.split("; "))
        for key in spec.places:
            directory.service_location_add(actor=ACTOR, service=service, location=places[key])
        days, opens, closes = spec.hours
        directory.schedule_add(actor=ACTOR, service=service, byday=days, opens_at=opens, closes_at=closes)
        # Organisations outside Parcours get referrals on a printed slip: their phone number matters.
        if organization.parcours_organisation_id is None:
            directory.phone_add(actor=ACTOR, service=service, number=f"+216 00 {700 + SERVICES.index(spec)} 000")
