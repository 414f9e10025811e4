"""The fields a sender may share with the receiving organisation, and how each is read and shown.

Data minimisation: the sender ticks fields from this list (``DEFAULT_FIELDS`` are ticked at first: first name,
age band, phone and the need); their values are copied into the referral when it is sent, and the receiving
organisation sees that copy only — never the household's page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

AGE_BANDS = ((0, 4), (5, 11), (12, 17), (18, 24), (25, 34), (35, 44), (45, 59), (60, None))


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for low, high in AGE_BANDS:
        if high is None or age <= high:
            return f"{low}+" if high is None else f"{low}–{high}"
    return ""  # pragma: no cover - the last band is open


def _both(latin: str, arabic: str) -> str:
    return " / ".join(part for part in (latin, arabic) if part)


@dataclass(frozen=True)
class SharedField:
    key: str
    label: str
    read: Callable  # (person, household, action, message) -> JSON-safe value


def _need(person, household, action, message):
    term = getattr(getattr(action, "need", None), "term", None)
    return {"term": getattr(term, "code", "") or "", "title": action.title}


FIELDS: dict[str, SharedField] = {
    f.key: f
    for f in (
        SharedField("given_name", _("first name"), lambda p, h, a, m: _both(p.given_name, p.given_name_ar)),
        SharedField("family_name", _("family name"), lambda p, h, a, m: _both(p.family_name, p.family_name_ar)),
        SharedField("age_band", _("age band"), lambda p, h, a, m: age_band(p.age)),
        SharedField("sex", _("sex"), lambda p, h, a, m: p.sex),
        SharedField("phone", _("phone"), lambda p, h, a, m: p.phone or (h.head.phone if h.head else "")),
        SharedField("need", _("need"), _need),
        SharedField("zone", _("area"), lambda p, h, a, m: h.zone.code),
        SharedField("address", _("address"), lambda p, h, a, m: h.address),
        SharedField("date_of_birth", _("date of birth"),
                    lambda p, h, a, m: p.date_of_birth.isoformat() if p.date_of_birth else ""),
        SharedField("household_size", _("household size"), lambda p, h, a, m: h.members.count()),
        SharedField("message", _("message from the sender"), lambda p, h, a, m: m),
    )
}
DEFAULT_FIELDS = ("given_name", "age_band", "phone", "need")


def snapshot(keys, *, person, household, action, message: str = "") -> dict:
    """The values of the fields ``keys`` (in FIELDS' order), as stored on the referral."""
    wanted = set(keys)
    return {key: f.read(person, household, action, message) for key, f in FIELDS.items() if key in wanted}


def shown(key: str, value, *, terms: dict | None = None, zones: dict | None = None) -> str:
    """A stored value as the reader reads it, in the active language.

    ``terms`` maps a taxonomy term code to its name in this language, ``zones`` a zone code to its name: the
    caller reads both from the database, this module reads none.
    """
    if value in (None, ""):
        return "—"
    if key == "need" and isinstance(value, dict):
        term = (terms or {}).get(value.get("term"), value.get("term") or "")
        return " — ".join(part for part in (term, value.get("title", "")) if part)
    if key == "sex":
        from parcours.registry.models import Person

        return str(dict(Person.Sex.choices).get(value, value))
    if key == "zone":
        return (zones or {}).get(value, value)
    return str(value)


def rows(shared: dict, *, terms: dict | None = None, zones: dict | None = None) -> list[tuple[str, str, str]]:
    """(key, label, value) for each shared field, in FIELDS' order, in the active language."""
    return [(key, str(f.label), shown(key, shared[key], terms=terms, zones=zones))
            for key, f in FIELDS.items() if key in shared]


def rows_in(language: str, shared: dict, **kwargs) -> list[tuple[str, str, str]]:
    with translation.override(language):
        return rows(shared, **kwargs)
