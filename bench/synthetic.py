"""Synthetic households for the default questionnaire (Fiche socio-économique), as an enumerator would fill it.

``households()`` yields plain answer dicts shaped like ``instance_values`` reads a submission: group paths as keys
("ident/hh_code"), the roster as ``"roster/member"`` → list of member dicts, in the form's order. A question the
skip logic hides is absent; a relevant note or unanswered optional question is ``""`` (ODK Collect writes an
empty element for it). Answers obey the form's required fields, constraints and skip logic, so the server's
form validation accepts them.

People (composition, names in Latin and Arabic script, ages, relationships, ID numbers) come from the demo's
household draw (``parcours.demo.households``); the rest of the questionnaire is drawn here from a household
"wealth" so dwelling, assets, income, food insecurity (FIES) and needs hang together. Same seed, same output.
The writers (instance XML, Kobo and Central export rows) are in ``bench/synthetic_formats.py``.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence

from parcours.demo import data as demo_data
from parcours.demo import households as demo_households

# The answer tables and draws the demo uses too: one definition, so demo and benchmark households look alike.
from parcours.demo.answers import (
    ASSET_RATES,
    CONCERNS,
    FIES,
    FIES_SEVERITY,
    FLOOR,
    FUEL,
    INCOME_BANDS,
    MIGRANT,
    NEEDS,
    ROOF,
    SANITATION,
    TENURE,
    WALLS,
    WATER,
    _one,
    _stamp,
    member_situation,
)

from .synthetic_formats import (  # noqa: F401  (the writers are part of this module's interface)
    FORM_ID,
    VERSION,
    central_headers,
    kobo_headers,
    to_central_rows,
    to_instance_xml,
    to_kobo_rows,
)

FIRST_INTERVIEW = datetime.date(2025, 1, 6)  # fixed, so the output does not depend on the day it runs
INTERVIEW_DAYS = 330
_REF_YEAR = demo_data.REFERENCE_DATE.year  # the demo draws ages as on 1 January of that year


INCOME_RATES = {
    "salary": (.1, .5, .8), "casual_labour": (.6, .3, .05), "own_business": (.15, .25, .3),
    "agriculture": (.25, .15, .1), "remittances": (.15, .15, .1), "pension": (.05, .15, .2),
    "social_transfer": (.45, .15, .02), "charity": (.15, .03, 0), "other": (.03, .03, .03),
}
OTHER_INCOME = ("vente de pain fait maison", "location d'une chambre", "couture à domicile", "aide d'un voisin")
COMMENTS = ("", "", "", "", "Ménage très coopératif.", "Le chef de ménage était absent ; réponses de la conjointe.",
            "Logement difficile d'accès par temps de pluie.", "Revenir pour la carte d'identité du fils aîné.")


def _some(rng: random.Random, rates: Mapping[str, tuple[float, ...]], tier: int, empty: str = "none") -> str:
    chosen = [name for name, rate in rates.items() if rng.random() < rate[tier]]
    return " ".join(chosen) or empty


def _birthday(on: datetime.date, years: int) -> datetime.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _member(rng: random.Random, person: dict, index: int, on: datetime.date, head_age: int | None,
            tier: int, married: bool) -> dict:
    """One roster row, in the form's order, from a person of the demo draw."""
    age = _REF_YEAR - 1 - person["date_of_birth"].year
    dob_known = "no" if person["date_of_birth_estimated"] or rng.random() < .08 else "yes"
    born = None
    if dob_known == "yes":
        born = _birthday(on, age) - datetime.timedelta(days=rng.randint(1, 364))
        age = int((on - born).days / 365.25)  # the form's own formula: int(days div 365.25)
    head_age = age if head_age is None else head_age
    script = rng.random()  # most names in both scripts, some in one only
    latin, arabic = script < .92, script >= .78
    m = {"member_index": str(index), "head_age": str(head_age)}
    if index == 1:
        m["head_first_note"] = ""
    for name in ("given_name", "family_name", "father_name"):
        m[name] = person[name] if latin else ""
        m[f"{name}_ar"] = person[f"{name}_ar"] if arabic else ""
    m["display_name"] = m["given_name"] or m["given_name_ar"]
    m["sex"], m["relationship"], m["dob_known"] = person["sex"], person["relationship"], dob_known
    if born:
        m["dob"] = born.isoformat()
    else:
        m["age_declared"] = str(age)
    m["age"] = str(age)
    if born:
        m["age_note"] = ""
    member_situation(rng, m, person, age=age, tier=tier, married=married)
    if age >= 12:
        m["phone"] = person["phone"].replace(" ", "")  # the demo's "+216 00 123 456": the form takes digits only
    m["birth_registered"] = "yes" if rng.random() < .93 else rng.choice(("no", "dk"))
    if age >= 18:
        ids = person.get("identifiers") or []
        m["has_id_card"] = "yes" if ids and rng.random() < .9 else rng.choice(("no", "dk"))
        if m["has_id_card"] == "yes":
            m["national_id"] = ids[0]["value"] if rng.random() < .9 else ""  # card not shown: left blank
    m["migrant_status"] = _one(rng, MIGRANT)
    return m


def _needs(rng: random.Random, tier: int, members: list[dict], fies: int, dwelling: dict) -> list[str]:
    weight = dict.fromkeys(NEEDS, 1.0)
    weight["food"] += fies * 1.5
    weight["cash"] += 4 - 2 * tier
    weight["health_care"] += 3 * sum(m["chronic_illness"] == "yes" for m in members)
    weight["rehabilitation"] += 4 * sum(m["has_disability"] == "1" for m in members)
    weight["education"] += 2 * sum(m.get("attends_school") == "yes" for m in members)
    weight["employment"] += 4 * sum(m.get("employment_status") == "unemployed_seeking" for m in members)
    weight["civil_documentation"] += 3 * sum(m["birth_registered"] != "yes" for m in members)
    weight["housing"] += 3 if dwelling["dwelling/floor_material"].startswith("natural_") else 0
    count = rng.choices((0, 1, 2, 3, 4), (1, 2, 3, 3, 2) if tier < 2 else (4, 3, 2, 1, 0))[0]
    chosen: list[str] = []
    while len(chosen) < count:  # weighted draw without replacement, most pressing first
        need = rng.choices(NEEDS, [0 if n in chosen else weight[n] for n in NEEDS])[0]
        chosen.append(need)
    return chosen


def household(rng: random.Random, draw, *, code: str, zone: str, on: datetime.date, device: str,
              box: tuple[float, float, float, float] | None = None) -> dict:
    """One household's answers (see the module docstring)."""
    functions, weights = zip(*demo_households.COMPOSITIONS, strict=True)
    people = rng.choices(functions, weights)[0](draw)[:9]
    wealth = rng.betavariate(2, 2.5)
    tier = 0 if wealth < .35 else 1 if wealth < .7 else 2
    married = any(p["relationship"] == "spouse" for p in people)
    members, head_age = [], None
    for index, person in enumerate(people, start=1):
        row = _member(rng, person, index, on, head_age, tier, married)
        head_age = int(row["head_age"])
        members.append(row)
    start = datetime.datetime.combine(on, datetime.time(8)) + datetime.timedelta(minutes=rng.randint(0, 540))
    end = start + datetime.timedelta(minutes=rng.randint(22, 55), seconds=rng.randint(0, 59))
    head = members[0]
    a = {"start": _stamp(start), "end": _stamp(end), "today": on.isoformat(), "deviceid": device,
         "consent_note": "", "consent": "yes", "consent_sharing": "yes", "consent_follow_up": "yes",
         "ident/hh_code": code, "ident/zone_code": zone,
         "ident/address": f"{rng.randint(1, 120)}, {rng.choice(demo_data.STREETS)}" if rng.random() < .85 else "",
         "ident/gps": _gps(rng, box) if box and rng.random() < .9 else "",
         "ident/interview_date": on.isoformat(),
         "ident/respondent_name": " ".join(filter(None, (head["given_name"], head["family_name"])))
         or " ".join(filter(None, (head["given_name_ar"], head["family_name_ar"]))),
         "roster/household_definition": "", "roster/hh_size": str(len(members)), "roster/member": members}
    water, sanitation = _one(rng, WATER[tier]), _one(rng, SANITATION[tier])
    a["dwelling/tenure"] = _one(rng, TENURE[tier])
    a["dwelling/floor_material"] = _one(rng, FLOOR[tier])
    a["dwelling/roof_material"] = _one(rng, ROOF[tier])
    a["dwelling/wall_material"] = _one(rng, WALLS[tier])
    a["dwelling/rooms"] = str(min(30, max(1, len(members) // 2 + rng.randint(0, 1 + tier))))
    a["dwelling/water_source"] = water
    if water not in ("piped_dwelling", "piped_yard"):
        a["dwelling/water_time_min"] = str(rng.choice((5, 10, 15, 20, 30, 45, 60)) if tier < 2 else 5)
    a["dwelling/sanitation"] = sanitation
    if sanitation != "open":
        a["dwelling/sanitation_shared"] = "yes" if rng.random() < (.3, .1, .02)[tier] else "no"
    a["dwelling/cooking_fuel"] = _one(rng, FUEL[tier])
    a["dwelling/electricity"] = "yes" if rng.random() < (.85, .99, 1)[tier] else "no"
    a["assets/assets"] = _some(rng, ASSET_RATES, tier)
    a["assets/land_owned"] = "yes" if rng.random() < .2 else "no"
    if a["assets/land_owned"] == "yes":
        a["assets/land_area_ha"] = f"{rng.choice((0.25, 0.5, 1, 1.5, 2, 3, 5, 8)):g}"
    for name, mean in (("cattle", .3), ("small", 2), ("poultry", 4), ("other", .3)):
        a[f"assets/livestock_{name}"] = str(int(rng.expovariate(1 / mean)) if rng.random() < .35 else 0)
    sources = _some(rng, INCOME_RATES, tier)
    a["income/income_sources"] = sources
    if "other" in sources.split():
        a["income/income_sources_other"] = rng.choice(OTHER_INCOME)
    roll = rng.random()
    a["income/income_band"] = ("band_0" if sources == "none" and roll < .9 else "dk" if roll < .04
                               else "refused" if roll < .06 else rng.choice(INCOME_BANDS[tier]))
    if sources == "none" and a["income/income_band"] not in ("band_0", "dk", "refused"):
        a["income/income_band"] = "band_0"
    a["income/has_debts"] = "yes" if rng.random() < (.55, .4, .25)[tier] else "no"
    if a["income/has_debts"] == "yes":
        a["income/debt_reason"] = rng.choice(("food", "health", "education", "housing", "business", "ceremony"))
    children = sum(6 <= int(m["age"]) <= 17 for m in members)
    disabled = any(m["has_disability"] == "1" for m in members)
    support = {"cash_transfer": (.5, .15, .01), "food_aid": (.25, .05, 0), "health_coverage": (.6, .3, .05),
               "disability_allowance": (.5, .3, .1) if disabled else (0, 0, 0),
               "school_support": (.4, .1, 0) if children else (0, 0, 0), "housing_support": (.05, .01, 0),
               "other": (.02, .01, 0)}
    a["protection_received/social_protection"] = _some(rng, support, tier)
    if "other" in a["protection_received/social_protection"].split():
        a["protection_received/social_protection_other"] = "aide ponctuelle de la municipalité"
    a["food/fies_note"] = ""
    severity = (1 - wealth) * 3 - 1.4 + rng.gauss(0, .7)
    fies = 0
    for name, threshold in zip(FIES, FIES_SEVERITY, strict=True):
        roll = rng.random()
        answer = ("dk" if roll < .015 else "refused" if roll < .025
                  else "yes" if severity > threshold + rng.gauss(0, .4) else "no")
        fies += answer == "yes"
        a[f"food/{name}"] = answer
    a["food/fies_score"] = str(fies)
    access = rng.choices(("always", "sometimes", "never", "not_needed"),
                         ((3, 4, 1, 1), (5, 3, .5, 1), (8, 1, 0, 1))[tier])[0]
    a["health/health_access"] = access
    if access in ("sometimes", "never"):
        barriers = {"cost": .7 - .2 * tier, "distance": .35, "no_documents": .08, "waiting_time": .3,
                    "discrimination": .03, "other": .03}
        chosen = [b for b, rate in barriers.items() if rng.random() < rate] or ["cost"]
        a["health/health_barrier"] = " ".join(chosen)
        if "other" in chosen:
            a["health/health_barrier_other"] = "pas de médecin le week-end"
    a["health/health_coverage"] = "yes" if rng.random() < (.5, .7, .9)[tier] else "no"
    a["protection_private"] = "yes" if rng.random() < .75 else "no"
    if a["protection_private"] == "yes":
        a["protection/protection_note"] = ""
        roll = rng.random()
        if roll < .82:
            concern = "none"
        elif roll < .87:
            concern = "prefer_not_to_say"
        else:
            said = rng.choices(CONCERNS, (3, 2 if children else 0, 1, 1, 1), k=rng.randint(1, 2))
            concern = " ".join(sorted(set(said), key=CONCERNS.index))
        a["protection/protection_concern"] = concern
        if concern != "none":  # the form asks it after "prefer not to say" too
            wants = .2 if concern == "prefer_not_to_say" else .6
            a["protection/protection_referral_wanted"] = "yes" if rng.random() < wants else "no"
    needs = _needs(rng, tier, members, fies, a)
    a["needs/needs_expressed"] = " ".join(sorted(needs, key=NEEDS.index))
    for rank, need in enumerate(needs[:3], start=1):
        a[f"needs/need_priority_{rank}"] = need
    a["needs/comments"] = rng.choice(COMMENTS)
    ages = [int(m["age"]) for m in members]
    a["n_members"] = str(len(members))
    a["n_children_5_17"] = str(sum(5 <= x <= 17 for x in ages))
    a["n_under_5"] = str(sum(x < 5 for x in ages))
    a["n_60_plus"] = str(sum(x >= 60 for x in ages))
    a["n_disabled"] = str(sum(m["has_disability"] == "1" for m in members))
    a["head_sex"] = head["sex"]
    a["end_note"] = ""
    return a


def _gps(rng: random.Random, box: tuple[float, float, float, float]) -> str:
    west, south, east, north = box
    return (f"{rng.uniform(south, north):.6f} {rng.uniform(west, east):.6f} "
            f"{rng.uniform(5, 400):.1f} {rng.uniform(3, 15):.1f}")


def households(count: int, *, zones: Sequence[str], seed: int = 2026, code_prefix: str = "S",
               boxes: Mapping[str, tuple[float, float, float, float]] | None = None,
               first_interview: datetime.date = FIRST_INTERVIEW, interview_days: int = INTERVIEW_DAYS,
               ) -> Iterator[dict]:
    """``count`` households with unique codes, in ``zones`` (codes; ``boxes`` gives GPS points inside them)."""
    if not zones:
        raise ValueError("households() needs at least one zone code")
    rng = random.Random(seed)
    draw = demo_households._Draw(random.Random(f"{seed}-people"))  # the demo's people, names and ID numbers
    devices = [f"collect:{rng.getrandbits(64):016X}" for _ in range(12)]
    codes: set[str] = set()
    for _ in range(count):
        while True:
            code = f"{code_prefix}-" + "".join(rng.choices(demo_households.CODE_ALPHABET, k=8))
            if code not in codes:
                codes.add(code)
                break
        zone = rng.choice(zones)
        on = first_interview + datetime.timedelta(days=rng.randrange(interview_days))
        yield household(rng, draw, code=code, zone=zone, on=on, device=rng.choice(devices),
                        box=boxes.get(zone) if boxes else None)


def submissions(count: int, *, zones: Sequence[str], seed: int = 2026, **options) -> Iterator[tuple[str, dict]]:
    """(instanceID, answers) pairs: ``households`` with a deterministic ``uuid:`` instance ID each."""
    ids = random.Random(f"{seed}-instances")
    for answers in households(count, zones=zones, seed=seed, **options):
        yield f"uuid:{uuid.UUID(int=ids.getrandbits(128), version=4)}", answers
