"""Invented households as plain data, drawn from one ``random.Random``: same seed, same households.

No database here: ``generate`` returns dictionaries the registry services accept, so the draw can be checked
on its own and the loader stays a thin loop over services.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from . import data
from .geography import ZoneSpec, point_in

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # same look as the registry's codes: no 0/O, 1/I
REF = data.REFERENCE_DATE


class _Draw:
    """The state of one draw: the generator, and the codes and ID numbers already handed out."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.codes: set[str] = set()
        self.national_ids: set[str] = set()

    def code(self) -> str:
        while True:
            code = "H-" + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(8))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def national_id(self) -> str:
        while True:
            value = f"{self.rng.randrange(0, 2 * 10**7):08d}"  # Tunisian-style 8 digits, often a leading 0/1
            if value not in self.national_ids:
                self.national_ids.add(value)
                return value

    def phone(self) -> str:
        # "+216 00 …": the Tunisian format, but no national number starts with 0, so it reaches nobody.
        return f"+216 00 {self.rng.randrange(100, 1000)} {self.rng.randrange(1000):03d}"

    def birth(self, age: int) -> tuple[datetime.date, bool]:
        """A birth date making someone ``age`` on the reference date; older people's often estimated."""
        if age >= 45 and self.rng.random() < 0.25:
            return datetime.date(REF.year - age - 1, 7, 1), True  # declared age only: mid-year by convention
        start = datetime.date(REF.year - age - 1, 1, 2)
        return start + datetime.timedelta(days=self.rng.randrange(364)), False

    def person(self, *, sex: str, age: int, relationship: str, family: tuple[str, str],
               father: tuple[str, str], given: tuple[str, str] | None = None, phone_rate: float = 0.0,
               ) -> dict:
        given = given or self.name(sex, age, besides=(father,))  # nobody is named after their father here
        born, estimated = self.birth(age)
        person = {
            "given_name": given[0], "given_name_ar": given[1],
            "family_name": family[0], "family_name_ar": family[1],
            "father_name": father[0], "father_name_ar": father[1],
            "sex": sex, "date_of_birth": born, "date_of_birth_estimated": estimated,
            "relationship": relationship,
            "phone": self.phone() if self.rng.random() < phone_rate else "",
        }
        if age >= 18:
            person["identifiers"] = [{"scheme": "national_id", "value": self.national_id()}]
        return person

    def name(self, sex: str, age: int, *, besides: tuple = ()) -> tuple[str, str]:
        """A given name that suits someone of ``sex`` who is ``age`` years old, other than ``besides``."""
        names = data.MALE_NAMES if sex == "M" else data.FEMALE_NAMES
        avoid = (data.CLASSIC_NAMES if age < 40 else frozenset()) | (
            data.MODERN_NAMES if age >= 30 else frozenset()
        )
        return self.rng.choice([n for n in names if n[0] not in avoid and n not in besides])

    def father(self, age: int) -> tuple[str, str]:
        """The given name of the father of someone ``age`` years old (a generation older)."""
        return self.name("M", age + 30)

    def family(self, *, besides: tuple = ()) -> tuple[str, str]:
        return self.rng.choice([n for n in data.FAMILY_NAMES if n not in besides])

    def children(self, *, count: int, mother_age: int, family, father, relationship="child", max_age=25):
        oldest = max(0, min(max_age, mother_age - 18))
        ages = sorted((self.rng.randint(0, oldest) for _ in range(count)), reverse=True)
        children, taken = [], [father]
        for age in ages:
            sex = self.rng.choice("MF")
            child = self.person(sex=sex, age=age, relationship=relationship, family=family, father=father,
                                given=self.name(sex, age, besides=tuple(taken)),
                                phone_rate=0.3 if age >= 18 else 0.0)
            taken.append((child["given_name"], child["given_name_ar"]))
            children.append(child)
        return children


# Each composition returns the members, head first. Women keep their own family name, as in the Maghreb.
def _couple(d: _Draw, *, head_age: int, children: int, parent: bool = False) -> list[dict]:
    family, father = d.family(), d.father(head_age)
    head_name = d.name("M", head_age, besides=(father,))
    members = [d.person(sex="M", age=head_age, relationship="head", family=family, father=father,
                        given=head_name, phone_rate=0.8)]
    wife_age = max(18, head_age - d.rng.randint(0, 10))
    members.append(d.person(sex="F", age=wife_age, relationship="spouse", family=d.family(besides=(family,)),
                            father=d.father(wife_age), phone_rate=0.4))
    members += d.children(count=children, mother_age=wife_age, family=family, father=head_name)
    if parent:
        # The head's widowed mother lives with them: her own family name, her own father.
        mother_age = min(95, head_age + d.rng.randint(20, 32))
        members.append(d.person(sex="F", age=mother_age, relationship="parent",
                                family=d.family(besides=(family,)), father=d.father(mother_age)))
        if d.rng.random() < 0.4:
            # An unmarried brother or sister: same father, same family name as the head.
            sex, age = d.rng.choice("MF"), d.rng.randint(18, max(18, head_age - 2))
            members.append(d.person(sex=sex, age=age, relationship="sibling", family=family, father=father,
                                    given=d.name(sex, age, besides=(head_name, father)), phone_rate=0.5))
    return members


def _nuclear(d: _Draw) -> list[dict]:
    head_age = d.rng.randint(26, 62)
    return _couple(d, head_age=head_age, children=d.rng.choices([1, 2, 3, 4, 5], [20, 30, 25, 15, 10])[0])


def _extended(d: _Draw) -> list[dict]:
    return _couple(d, head_age=d.rng.randint(32, 58), children=d.rng.randint(1, 4), parent=True)


def _young_couple(d: _Draw) -> list[dict]:
    return _couple(d, head_age=d.rng.randint(22, 34), children=0)


def _elderly_couple(d: _Draw) -> list[dict]:
    return _couple(d, head_age=d.rng.randint(65, 88), children=0)


def _single_mother(d: _Draw) -> list[dict]:
    age = d.rng.randint(22, 55)
    family = d.family()
    members = [d.person(sex="F", age=age, relationship="head", family=family, father=d.father(age),
                        phone_rate=0.8)]
    # Divorced or widowed: the children carry their absent father's names.
    members += d.children(count=d.rng.randint(1, 4), mother_age=age, family=d.family(besides=(family,)),
                          father=d.name("M", age + 3), max_age=20)
    return members


def _elderly_alone(d: _Draw) -> list[dict]:
    sex, age = ("F" if d.rng.random() < 0.7 else "M"), d.rng.randint(65, 92)
    return [d.person(sex=sex, age=age, relationship="head", family=d.family(), father=d.father(age),
                     phone_rate=0.3)]


def _grandmother(d: _Draw) -> list[dict]:
    age = d.rng.randint(56, 80)
    family = d.family()
    members = [d.person(sex="F", age=age, relationship="head", family=family, father=d.father(age),
                        phone_rate=0.4)]
    # Her late son's children: his family name (her husband's), his given name as their father's name.
    members += d.children(count=d.rng.randint(1, 3), mother_age=age - 25, family=d.family(besides=(family,)),
                          father=d.name("M", age - 25), relationship="grandchild", max_age=16)
    return members


def _single_adult(d: _Draw) -> list[dict]:
    sex, age = d.rng.choice("MF"), d.rng.randint(20, 50)
    return [d.person(sex=sex, age=age, relationship="head", family=d.family(), father=d.father(age),
                     phone_rate=0.9)]


COMPOSITIONS = (
    (_nuclear, 42), (_extended, 14), (_single_mother, 15), (_elderly_alone, 9), (_elderly_couple, 6),
    (_young_couple, 5), (_grandmother, 4), (_single_adult, 5),
)


def _day_in_2025(rng: random.Random, first: int = 0, last: int = 354) -> datetime.date:
    return datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(first, last))


def _consents(d: _Draw) -> list[dict]:
    """About 60% consent to registration; half of them also to sharing, a few since withdrawn or expired."""
    rng = d.rng
    if rng.random() >= 0.6:
        return []
    given_on = _day_in_2025(rng, 0, 300)
    consents = [{"purpose": "registration", "organisations": (), "given_on": given_on}]
    if rng.random() < 0.5:
        partners = tuple(sorted(rng.sample(data.SHARING_PARTNERS, rng.choice([1, 1, 2]))))
        sharing = {"purpose": "sharing", "organisations": partners, "given_on": given_on}
        fate = rng.random()
        if fate < 0.08:
            sharing["withdrawn_on"] = given_on + datetime.timedelta(days=rng.randint(10, 60))
            sharing["reason"] = rng.choice(data.WITHDRAWAL_REASONS)
        elif fate < 0.14:
            sharing["expires_on"] = given_on + datetime.timedelta(days=rng.randint(10, 60))  # long past
        consents.append(sharing)
    return consents


def generate(*, count: int, seed: int, sectors: list[ZoneSpec]) -> list[dict]:
    """``count`` households spread over ``sectors`` in proportion to their population."""
    d = _Draw(random.Random(seed))
    rng = d.rng
    functions, weights = zip(*COMPOSITIONS, strict=True)
    households = []
    for _ in range(count):
        sector = rng.choices(sectors, [s.population for s in sectors])[0]
        members = rng.choices(functions, weights)[0](d)[:9]
        lon, lat = point_in(rng, sector.bbox)
        # Women heading a household with dependants are the protection cases most often marked sensitive.
        at_risk = members[0]["sex"] == "F" and len(members) > 1
        sensitive = rng.random() < (0.15 if at_risk else 0.03)
        households.append({
            "code": d.code(),
            "zone": sector.code,
            "address": f"{rng.randint(1, 120)}, {rng.choice(data.STREETS)}, {sector.name}",
            "latitude": Decimal(f"{lat:.6f}"),
            "longitude": Decimal(f"{lon:.6f}"),
            "sensitive": sensitive,
            "notes": data.SENSITIVE_NOTE if sensitive else "",
            "members": members,
            "consents": _consents(d),
        })
    return households
