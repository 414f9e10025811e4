"""Evidence brief for policy dialogue: a zone's diagnostic next to the services that cover the zone.

For each indicator on which households of the zone are deprived, the needs it stands for
(``parcours.casework.needs.terms_for_indicator``) are looked up in the service directory: the active services
whose service areas include the zone (or a zone above it). A need with no such service is a *service gap*. The
figures are those of the diagnostic, already passed through the disclosure layer for whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from parcours.casework.needs import terms_for_indicator
from parcours.directory.selectors import services_for_terms, term_by_code

from .reports import Diagnostic


@dataclass
class NeedCoverage:
    """One need (taxonomy term) linked to a deprivation, with the services of the zone that answer it."""

    code: str
    name: str
    indicators: list[str] = field(default_factory=list)
    services: list = field(default_factory=list)

    @property
    def is_gap(self) -> bool:
        return not self.services


@dataclass
class Brief:
    """The evidence brief of one zone: the diagnostic, and needs with and without services."""

    diagnostic: Diagnostic
    needs: list[NeedCoverage]

    @property
    def gaps(self) -> list[NeedCoverage]:
        return [need for need in self.needs if need.is_gap]

    @property
    def covered(self) -> list[NeedCoverage]:
        return [need for need in self.needs if not need.is_gap]


def brief_build(diagnostic: Diagnostic) -> Brief:
    """Needs of the zone's deprivations, most widespread deprivation first, with the services covering the zone.

    A deprivation counts when its censored headcount is above zero, or when it was suppressed (small numbers
    must not hide a need: the need is listed, its share is not shown).
    """
    needs: dict[str, NeedCoverage] = {}
    total = diagnostic.total
    if total is None:
        return Brief(diagnostic=diagnostic, needs=[])
    ranked = sorted(total.indicators, key=lambda item: -(item.censored or 0))
    for indicator in ranked:
        if not indicator.suppressed and not indicator.censored:
            continue
        for code in terms_for_indicator(indicator.name):
            if code not in needs:
                term = term_by_code(code)
                needs[code] = NeedCoverage(code=code, name=_term_name(term, code))
            needs[code].indicators.append(indicator.label)
    for need in needs.values():
        need.services = list(
            services_for_terms(term_codes=[need.code], zone=diagnostic.zone)
            .select_related("organization").order_by("name")[:20]
        )
    return Brief(diagnostic=diagnostic, needs=list(needs.values()))


def _term_name(term, code: str) -> str:
    if term is None:
        return code
    for attribute in ("display_name", "name"):
        value = getattr(term, attribute, None)
        if value:
            return str(value)
    return code


def no_service_message() -> str:
    return _("No active service of the directory covers this zone for this need.")
