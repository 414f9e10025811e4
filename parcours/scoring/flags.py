"""Who lives in the household, as zone diagnostics disaggregate it: the head's sex and age, size, and flags.

Intersectional flags (each a typed column of :class:`~parcours.scoring.models.Score`):

- ``female_headed``: the head is a woman;
- ``head_60_plus``: the head is 60 or over;
- ``child_headed``: the head is under 18;
- ``member_with_disability``: a member has *a lot of difficulty* or *cannot do at all* in at least one Washington
  Group domain (the WG-SS cut-off); without WG answers, the form's own ``has_disability`` summary is used;
- ``single_parent``: the head lives with no spouse in the household and with at least one child of theirs under 18;
- ``migrant_or_displaced``: a member is internally displaced, a refugee, an asylum seeker, a foreign migrant or a
  returnee;
- ``child_without_birth_registration``: a member under 18 whose birth was *not* registered ("don't know" is
  not counted: unknown is not the same as unregistered).

Roster questions are found through the questionnaire's registry mapping (members repeat, sex, relationship) and
its ``summary`` (``member_age``, ``member_has_disability``); the rest by the default questionnaire's names, which
a mapping can override under ``"flags"`` (``wg``, ``migrant_status``, ``birth_registered``). Pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WG_DIFFICULTY = frozenset({"a_lot_of_difficulty", "cannot_do_at_all"})
DISPLACED = frozenset({"internal_displaced", "refugee", "asylum_seeker", "migrant", "returnee"})
FLAG_DEFAULTS = {
    "wg": ["wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_selfcare", "wg_communicating"],
    "migrant_status": "migrant_status",
    "birth_registered": "birth_registered",
}


@dataclass
class Profile:
    head_sex: str = ""
    head_age: int | None = None
    household_size: int | None = None
    flags: dict[str, bool] = field(default_factory=dict)

    @property
    def head_age_group(self) -> str:
        if self.head_age is None:
            return ""
        return "under_18" if self.head_age < 18 else "60_plus" if self.head_age >= 60 else "18_59"


def _age(value) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def _relative(path: str | None, repeat: str) -> str | None:
    """A summary path such as "roster/member/age", relative to the members repeat ("age")."""
    if not path:
        return None
    return path[len(repeat) + 1:] if path.startswith(repeat + "/") else None


def household_profile(data: dict, mapping: dict) -> Profile:
    """The profile of the household a submission describes (``data``: its answers; ``mapping``: the registry's)."""
    members = mapping.get("members") or {}
    repeat = members.get("repeat") or ""
    fields = members.get("fields") or {}
    summary = mapping.get("summary") or {}
    names = {**FLAG_DEFAULTS, **(mapping.get("flags") or {})}
    rows = [row for row in (data.get(repeat) or []) if isinstance(row, dict)] if repeat else []
    if not rows:
        return Profile(flags=dict.fromkeys(FLAGS, False))
    age_key = _relative(summary.get("member_age"), repeat) or fields.get("age") or "age"
    disability_key = _relative(summary.get("member_has_disability"), repeat)
    sex_key, relationship_key = fields.get("sex") or "sex", fields.get("relationship") or "relationship"

    def age(row):
        return _age(row.get(age_key))

    def relation(row):
        return (row.get(relationship_key) or "").strip()

    head = next((row for row in rows if relation(row) == "head"), rows[0])
    head_sex = (head.get(sex_key) or "").strip().upper()[:1]
    head_age = age(head)
    wg = [name for name in names["wg"] if any(name in row for row in rows)]

    def disabled(row) -> bool:
        if wg:
            return any((row.get(name) or "").strip() in WG_DIFFICULTY for name in wg)
        return bool(disability_key) and (row.get(disability_key) or "").strip() in {"1", "yes", "true"}

    def minor(row) -> bool:
        return age(row) is not None and age(row) < 18

    flags = {
        "female_headed": head_sex == "F",
        "head_60_plus": head_age is not None and head_age >= 60,
        "child_headed": head_age is not None and head_age < 18,
        "member_with_disability": any(disabled(row) for row in rows),
        "single_parent": not any(relation(row) == "spouse" for row in rows)
        and any(relation(row) == "child" and minor(row) for row in rows),
        "migrant_or_displaced": any((row.get(names["migrant_status"]) or "").strip() in DISPLACED for row in rows),
        "child_without_birth_registration": any(
            minor(row) and (row.get(names["birth_registered"]) or "").strip() == "no" for row in rows),
    }
    return Profile(head_sex=head_sex if head_sex in ("F", "M") else "", head_age=head_age,
                   household_size=len(rows), flags=flags)


FLAGS = ("female_headed", "head_60_plus", "child_headed", "member_with_disability", "single_parent",
         "migrant_or_displaced", "child_without_birth_registration")
