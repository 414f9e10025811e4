"""The default questionnaire filled in for each demo household, as the social worker would in the web form.

``interview()`` turns one household of the people draw (:func:`.households.generate`: names in both scripts, ages,
ID numbers, zone, sensitive flag) into the answers of the *Fiche socio-économique*; the dwelling, assets, income,
food insecurity (FIES), health, protection and needs are drawn from a household "wealth" so they hang together.
``instance_xml()`` writes them as the instance XML a form sends, so the demo enters through
``submission_receive`` like every other channel: validation, projection into the registry, scoring on arrival.

Answers follow the form's required fields, constraints and skip logic (a question the skip logic hides is absent,
a relevant note is ``""``). The same generator was written for the benchmarks (bench/synthetic.py); the demo keeps
its own copy because bench/ is not part of the package, and it differs where the demo needs it: every name in both
scripts, the draw's exact birth dates and ID numbers, the sensitive flag from a protection concern.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Mapping

FORM_ID = "fiche_socio_economique"
W = tuple[tuple[str, ...], tuple[float, ...]]


def _w(*pairs) -> W:
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


# Dwelling by wealth tier (0 poor, 1 middle, 2 better off).
TENURE = (_w(("tenant", 3), ("owner_no_title", 3), ("housed_free", 2), ("squatting", 1)),
          _w(("owner_titled", 4), ("tenant", 4), ("owner_no_title", 2)), _w(("owner_titled", 8), ("tenant", 2)))
FLOOR = (_w(("natural_earth", 4), ("rudimentary_planks", 1), ("finished_cement", 5)),
         _w(("finished_cement", 6), ("finished_tiles", 3), ("natural_earth", 1)),
         _w(("finished_tiles", 7), ("finished_cement", 2), ("finished_parquet", 1)))
ROOF = (_w(("rudimentary_planks", 2), ("finished_metal", 3), ("finished_concrete", 4), ("natural_thatch", 1)),
        _w(("finished_concrete", 8), ("finished_metal", 2)), _w(("finished_concrete", 9), ("finished_tiles", 1)))
WALLS = (_w(("rudimentary_stone_mud", 3), ("finished_blocks", 4), ("rudimentary_adobe", 2), ("natural_earth", 1)),
         _w(("finished_blocks", 6), ("finished_bricks", 3), ("finished_stone", 1)),
         _w(("finished_bricks", 5), ("finished_blocks", 4), ("finished_stone", 1)))
WATER = (_w(("public_tap", 4), ("unprotected_well", 2), ("protected_well", 2), ("tanker_truck", 1),
            ("surface_water", 1)),
         _w(("piped_dwelling", 5), ("piped_yard", 2), ("public_tap", 3)), _w(("piped_dwelling", 9), ("bottled", 1)))
SANITATION = (_w(("pit_no_slab", 3), ("pit_slab", 3), ("flush_open", 1), ("open", 1), ("bucket", 1)),
              _w(("flush_septic", 4), ("flush_sewer", 3), ("pit_slab", 3)),
              _w(("flush_sewer", 8), ("flush_septic", 2)))
FUEL = (_w(("lpg_gas", 6), ("wood", 3), ("charcoal", 1)), _w(("lpg_gas", 9), ("natural_gas", 1)),
        _w(("natural_gas", 5), ("lpg_gas", 4), ("electricity", 1)))
ASSET_RATES = {  # probability of owning each asset, by tier; the order is the form's
    "radio": (.4, .4, .3), "tv": (.6, .9, .98), "telephone": (.05, .15, .3), "mobile_phone": (.8, .95, .99),
    "computer": (.02, .15, .5), "refrigerator": (.3, .8, .97), "animal_cart": (.05, .02, 0),
    "bicycle": (.1, .1, .1), "motorbike": (.05, .1, .1), "car": (0, .08, .45), "truck": (0, .01, .03),
}
INCOME_RATES = {
    "salary": (.1, .5, .8), "casual_labour": (.6, .3, .05), "own_business": (.15, .25, .3),
    "agriculture": (.25, .15, .1), "remittances": (.15, .15, .1), "pension": (.05, .15, .2),
    "social_transfer": (.45, .15, .02), "charity": (.15, .03, 0),
}
INCOME_BANDS = (("band_0", "band_1", "band_2"), ("band_2", "band_3", "band_4"), ("band_4", "band_5", "band_6"))
FIES = ("fies_worried", "fies_healthy", "fies_few_kinds", "fies_skipped", "fies_ate_less", "fies_ran_out",
        "fies_hungry", "fies_whole_day")
FIES_SEVERITY = (-1.2, -0.8, -0.6, 0.0, 0.2, 0.6, 1.0, 1.8)  # Rasch-like thresholds, mildest first
WG = ("wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_selfcare", "wg_communicating")
CONCERNS = ("violence_at_home", "child_labour", "early_marriage", "exploitation", "discrimination")
NEEDS = ("food", "cash", "health_care", "rehabilitation", "education", "vocational_training", "employment",
         "micro_enterprise", "legal_aid", "civil_documentation", "housing", "psychosocial", "gbv_response",
         "child_protection")
SCHOOL_YEARS = {"none": (0, 0), "primary": (1, 6), "lower_secondary": (7, 9), "upper_secondary": (10, 13),
                "vocational": (9, 13), "higher": (13, 18)}
ADULT_EDUCATION = _w(("none", 3), ("primary", 4), ("lower_secondary", 3), ("upper_secondary", 3),
                     ("vocational", 1), ("higher", 2))
MIGRANT = _w(("citizen", 93), ("internal_displaced", 2), ("migrant", 2), ("returnee", 2), ("refugee", 1))
COMMENTS = ("", "", "", "Ménage très coopératif.", "Le chef de ménage était absent ; réponses de la conjointe.",
            "Logement difficile d'accès par temps de pluie.")


def _one(rng: random.Random, table: W) -> str:
    return rng.choices(table[0], table[1])[0]


def _some(rng: random.Random, rates: Mapping[str, tuple[float, ...]], tier: int, empty: str = "none") -> str:
    return " ".join(name for name, rate in rates.items() if rng.random() < rate[tier]) or empty


def _education(rng: random.Random, age: int, attends: bool) -> str:
    if attends:
        return ("primary" if age < 12 else "lower_secondary" if age < 15 else "upper_secondary" if age < 19
                else rng.choice(("higher", "higher", "vocational")))
    if age < 15:
        return "none" if age < 7 or rng.random() < .3 else "primary"
    level = _one(rng, ADULT_EDUCATION)
    return "none" if age >= 60 and rng.random() < .4 else level


def _age(born: datetime.date, on: datetime.date) -> int:
    return int((on - born).days / 365.25)  # the form's own formula: int(days div 365.25)


def _member(rng: random.Random, person: dict, index: int, on: datetime.date, head_age: int | None, tier: int,
            married: bool) -> dict:
    """One roster row, in the form's order. A birth date the draw estimated is declared as an age."""
    born = person["date_of_birth"]
    age = max(0, _age(born, on))
    known = not person["date_of_birth_estimated"]
    head_age = age if head_age is None else head_age
    m = {"member_index": str(index), "head_age": str(head_age)}
    if index == 1:
        m["head_first_note"] = ""
    for name in ("given_name", "family_name", "father_name"):
        m[name] = person[name]
        m[f"{name}_ar"] = person[f"{name}_ar"]
    m["display_name"] = m["given_name"]
    m["sex"], m["relationship"], m["dob_known"] = person["sex"], person["relationship"], "yes" if known else "no"
    if known:
        m["dob"] = born.isoformat()
    else:
        m["age_declared"] = str(age)
    m["age"] = str(age)
    if known:
        m["age_note"] = ""
    member_situation(rng, m, person, age=age, tier=tier, married=married)
    if age >= 12:
        m["phone"] = person["phone"].replace(" ", "")  # the draw's "+216 00 123 456": the form takes digits only
    m["birth_registered"] = "yes" if rng.random() < .93 else rng.choice(("no", "dk"))
    if age >= 18:
        ids = person.get("identifiers") or []
        m["has_id_card"] = "yes" if ids else "no"
        if ids:
            m["national_id"] = ids[0]["value"]
    m["migrant_status"] = _one(rng, MIGRANT)
    return m


def member_situation(rng: random.Random, m: dict, person: dict, *, age: int, tier: int, married: bool) -> None:
    """Marital status, schooling, Washington Group answers, health and work of one member, drawn into ``m``
    (shared with bench/synthetic.py, so demo and benchmark members are drawn alike)."""
    rel = person["relationship"]
    if age >= 12:
        if rel in ("head", "spouse") and married:
            status = "married"
        elif rel == "head":
            status = ("widowed" if age >= 60 or rng.random() < .3
                      else rng.choice(("divorced", "separated", "never_married")))
        else:
            status = "widowed" if rel == "parent" else "never_married"
        m["marital_status"] = status
    attends = 6 <= age <= 17 and rng.random() < .9 or 18 <= age <= 24 and rng.random() < .35 or (
        age == 5 and rng.random() < .5)
    if age >= 5:
        level = _education(rng, age, attends)
        m["education_level"] = level
        if age <= 24:
            m["attends_school"] = "yes" if attends else "no"
        if age >= 10:
            low, high = SCHOOL_YEARS[level]
            m["years_schooling"] = str(min(rng.randint(low, high), age - 3, 25))
            m["literate"] = "yes" if level != "none" or rng.random() < .1 else "no"
        m["wg_note"] = ""
    disabled = False
    if age >= 5:
        frailty = .03 + max(0, age - 50) / 120 + (.05 if tier == 0 else 0)
        for name in WG:
            roll = rng.random()
            answer = ("cannot_do_at_all" if roll < frailty * .1 else "a_lot_of_difficulty" if roll < frailty * .4
                      else "some_difficulty" if roll < frailty * 2 else "no_difficulty")
            disabled = disabled or answer in ("cannot_do_at_all", "a_lot_of_difficulty")
            m[name] = answer
    m["has_disability"] = "1" if disabled else "0"
    m["chronic_illness"] = "yes" if rng.random() < .04 + age / 150 else "no"
    if age >= 15:
        if attends:
            work = "student"
        elif disabled and rng.random() < .6:
            work = "unable_to_work"
        elif age >= 60:
            work = rng.choice(("retired", "inactive", "self_employed"))
        else:
            work = rng.choices(("employed", "self_employed", "unemployed_seeking", "inactive"),
                               (3 + 3 * tier, 3, 3 - tier, 2 if person["sex"] == "F" else 1))[0]
        m["employment_status"] = work
        if work in ("employed", "self_employed"):
            m["employment_sector"] = rng.choice(("agriculture", "construction", "trade", "services", "industry",
                                                 "public_sector", "domestic_work", "fishing", "other"))


def _needs(rng: random.Random, tier: int, members: list[dict], fies: int, floor: str) -> list[str]:
    weight = dict.fromkeys(NEEDS, 1.0)
    weight["food"] += fies * 1.5
    weight["cash"] += 4 - 2 * tier
    weight["health_care"] += 3 * sum(m["chronic_illness"] == "yes" for m in members)
    weight["rehabilitation"] += 4 * sum(m["has_disability"] == "1" for m in members)
    weight["education"] += 2 * sum(m.get("attends_school") == "yes" for m in members)
    weight["employment"] += 4 * sum(m.get("employment_status") == "unemployed_seeking" for m in members)
    weight["civil_documentation"] += 3 * sum(m["birth_registered"] != "yes" for m in members)
    weight["housing"] += 3 if floor.startswith("natural_") else 0
    count = rng.choices((0, 1, 2, 3, 4), (1, 2, 3, 3, 2) if tier < 2 else (4, 3, 2, 1, 0))[0]
    chosen: list[str] = []
    while len(chosen) < count:  # weighted draw without replacement, most pressing first
        chosen.append(rng.choices(NEEDS, [0 if n in chosen else weight[n] for n in NEEDS])[0])
    return chosen


def _stamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+01:00")  # as a form writes it, with Tunisia's offset


def interview(rng: random.Random, spec: dict, *, on: datetime.date, wealth: float) -> dict:
    """The answers of the household ``spec`` (from the people draw) interviewed on ``on``, by ``wealth`` (0–1)."""
    tier = 0 if wealth < .35 else 1 if wealth < .7 else 2
    people = spec["members"]
    married = any(p["relationship"] == "spouse" for p in people)
    members, head_age = [], None
    for index, person in enumerate(people, start=1):
        row = _member(rng, person, index, on, head_age, tier, married)
        head_age = int(row["head_age"])
        members.append(row)
    start = datetime.datetime.combine(on, datetime.time(8)) + datetime.timedelta(minutes=rng.randint(0, 540))
    end = start + datetime.timedelta(minutes=rng.randint(22, 55), seconds=rng.randint(0, 59))
    head = members[0]
    a = {"start": _stamp(start), "end": _stamp(end), "today": on.isoformat(), "deviceid": "",
         "consent_note": "", "consent": "yes",
         # Sharing is recorded by the loader with the associations the household named (the form's question
         # covers every partner of the programme, the employer included).
         "consent_sharing": "no", "consent_follow_up": "yes" if rng.random() < .7 else "no",
         "ident/hh_code": spec["code"], "ident/zone_code": spec["zone"], "ident/address": spec["address"],
         "ident/gps": f"{spec['latitude']} {spec['longitude']} {rng.uniform(5, 400):.1f} {rng.uniform(3, 15):.1f}",
         "ident/interview_date": on.isoformat(),
         "ident/respondent_name": f"{head['given_name']} {head['family_name']}",
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
    a["income/income_band"] = "band_0" if sources == "none" else rng.choice(INCOME_BANDS[tier])
    a["income/has_debts"] = "yes" if rng.random() < (.55, .4, .25)[tier] else "no"
    if a["income/has_debts"] == "yes":
        a["income/debt_reason"] = rng.choice(("food", "health", "education", "housing", "business", "ceremony"))
    children = sum(6 <= int(m["age"]) <= 17 for m in members)
    disabled = any(m["has_disability"] == "1" for m in members)
    support = {"cash_transfer": (.5, .15, .01), "food_aid": (.25, .05, 0), "health_coverage": (.6, .3, .05),
               "disability_allowance": (.5, .3, .1) if disabled else (0, 0, 0),
               "school_support": (.4, .1, 0) if children else (0, 0, 0), "housing_support": (.05, .01, 0)}
    a["protection_received/social_protection"] = _some(rng, support, tier)
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
                    "discrimination": .03}
        a["health/health_barrier"] = " ".join(b for b, rate in barriers.items() if rng.random() < rate) or "cost"
    a["health/health_coverage"] = "yes" if rng.random() < (.5, .7, .9)[tier] else "no"
    # A protection concern is what makes a file sensitive (the registry's projection reads it): the draw's
    # sensitive households name one, the others none, "prefer not to say" or skip the private section.
    if spec["sensitive"]:
        a["protection_private"] = "yes"
        a["protection/protection_note"] = ""
        said = rng.choices(CONCERNS, (3, 2 if children else 0, 1, 1, 1), k=rng.randint(1, 2))
        a["protection/protection_concern"] = " ".join(sorted(set(said), key=CONCERNS.index))
        a["protection/protection_referral_wanted"] = "yes" if rng.random() < .6 else "no"
    else:
        a["protection_private"] = "yes" if rng.random() < .75 else "no"
        if a["protection_private"] == "yes":
            a["protection/protection_note"] = ""
            concern = "none" if rng.random() < .9 else "prefer_not_to_say"
            a["protection/protection_concern"] = concern
            if concern != "none":
                a["protection/protection_referral_wanted"] = "yes" if rng.random() < .2 else "no"
    needs = _needs(rng, tier, members, fies, a["dwelling/floor_material"])
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


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def instance_xml(answers: dict, *, version: str, instance_id: str) -> bytes:
    """The instance a form sends: groups nested, one element per member, empty elements for relevant blanks."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?><{FORM_ID} id="{FORM_ID}" version="{_escape(version)}">']
    opened: tuple[str, ...] = ()
    for key, value in answers.items():
        *groups, name = key.split("/")
        groups = tuple(groups)
        if groups != opened:
            keep = 0
            while keep < min(len(opened), len(groups)) and opened[keep] == groups[keep]:
                keep += 1
            out.extend(f"</{group}>" for group in reversed(opened[keep:]))
            out.extend(f"<{group}>" for group in groups[keep:])
            opened = groups
        rows = value if isinstance(value, list) else None
        if rows is None:
            out.append(f"<{name}>{_escape(value)}</{name}>" if value else f"<{name}/>")
            continue
        for row in rows:
            out.append(f"<{name}>")
            out.extend(f"<{k}>{_escape(v)}</{k}>" if v else f"<{k}/>" for k, v in row.items())
            out.append(f"</{name}>")
    out.extend(f"</{group}>" for group in reversed(opened))
    name = f"{answers.get('ident/hh_code', '')} {answers.get('today', '')}".strip()
    out.append(f"<meta><instanceID>{instance_id}</instanceID><instanceName>{_escape(name)}</instanceName></meta>"
               f"</{FORM_ID}>")
    return "".join(out).encode("utf-8")


def instance_id(rng: random.Random) -> str:
    return f"uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
