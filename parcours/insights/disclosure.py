"""Statistical disclosure control: the one layer every figure passes before it leaves the owning organisation.

Partner and donor dashboards, public links, the API and exports all call :func:`protect_table` (through
:func:`parcours.insights.figures.zone_figures` or a publication); only the owning organisation's casework staff
(administrator, programme manager, social worker of the programme's lead organisation) see raw figures
(:func:`sees_raw`).

The rule (docs/insights.md):

1. **Primary suppression** (``below_k``): a cell — an atom (zone × group) or a published margin — counting
   fewer than *k* households is suppressed (k = ``PARCOURS_SDC_K``, default 5; a diagnostic may raise it).
   Empty cells are not shown at all.
2. **Secondary suppression** (``complementary``): a suppressed cell must not be recoverable from the published
   ones. Each published margin (a zone's total over groups, a group's total over zones, the grand total) is a
   linear equation over the suppressed atoms it contains; a suppressed atom is recoverable exactly when its unit
   vector lies in the row space of those equations, i.e. when its row of the equations' null-space basis is zero
   (one SVD per round). While some suppressed atom or margin is recoverable, the smallest published atom that
   shares a published margin with it is suppressed too (the classic "next smallest in the row or column", made
   exact: it also catches the rarer cases where every row and column holds two suppressed cells yet one cell is
   still pinned down by a chain of equations). When no atom can be added, the margin itself is suppressed.
3. **Extreme rates on small groups** (``extreme_rate``): in a published cell with fewer than 2k households, a
   rate of exactly 0 % or 100 % says something about every household of the group ("all are poor"); such rates
   are hidden (with H at 0 or 1, also A and M0 and their intervals, which would give it away).

Every hidden value is marked with its reason code, so pages can say what was suppressed and why.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from parcours.accounts.selectors import CASEWORK_ROLES, user_has_role

BELOW_K = "below_k"
COMPLEMENTARY = "complementary"
EXTREME_RATE = "extreme_rate"
REASONS = (BELOW_K, COMPLEMENTARY, EXTREME_RATE)
_TOLERANCE = 1e-9
MAX_ROUNDS = 40  # rounds of the exact check (one SVD each) before the whole table is hidden


def default_k() -> int:
    return int(settings.PARCOURS_SDC_K)


def small_group(n: int, k: int) -> bool:
    """A group is small, for the 0 %/100 % rule, below 2k households."""
    return n < 2 * k


def sees_raw(viewer, programme) -> bool:
    """Whether ``viewer`` sees unsuppressed figures of ``programme``: casework staff of its lead organisation (and
    platform superusers). Partners, donors, the public (``viewer`` None) and anyone else see suppressed figures."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    return user_has_role(viewer, programme.lead, CASEWORK_ROLES)


@dataclass(frozen=True)
class Decision:
    """What the layer decided: the reason of each suppressed key (atoms and margins)."""

    suppressed: dict  # key → reason code
    k: int

    def reason(self, key) -> str | None:
        return self.suppressed.get(key)


def protect(atoms: Mapping[Hashable, int], margins: Mapping[Hashable, Iterable[Hashable]], *, k: int,
            hidden: Mapping[Hashable, str] | None = None, shown: Iterable[Hashable] = ()) -> Decision:
    """Primary and secondary suppression of a table of counts.

    ``atoms`` maps each elementary cell to its count of households; ``margins`` maps each published total to the
    atoms it sums. Returns the suppressed atoms and margins with their reason.

    Tables published together must agree: ``hidden`` margins (with their reason) were suppressed by another table
    and stay suppressed; ``shown`` margins are published by another table, so suppressing them here would protect
    nothing: they are never chosen for complementary suppression.
    """
    margins = {key: tuple(members) for key, members in margins.items()}
    suppressed: dict = {}
    for key, n in atoms.items():
        if n < k:
            suppressed[key] = BELOW_K
    for key, members in margins.items():
        if sum(atoms[m] for m in members) < k:
            suppressed[key] = BELOW_K
    for key, reason in (hidden or {}).items():
        if key in margins:
            suppressed.setdefault(key, reason)
    shown = set(shown)
    containing: dict = {}
    for key, members in margins.items():
        for member in members:
            containing.setdefault(member, []).append(key)

    alone = {margins[m][0] for m in shown if m in margins and len(margins[m]) == 1}
    _classic(atoms, margins, suppressed, shown, alone)
    # The classic rule leaves rare chains of equations that still pin a cell: the exact check finds them, and each
    # round hides, for every pinned cell, the preferred candidate (an atom alone in a margin another table
    # publishes can never be hidden; such a margin is the last resort: hiding it here does not take its equation
    # away from a reader of both tables).
    for _round in range(MAX_ROUNDS):
        unknowns = [key for key in atoms if key in suppressed]
        if not unknowns:
            break
        pinned_atoms, pinned_margins = _recoverable(unknowns, margins, suppressed)
        if not pinned_atoms and not pinned_margins:
            break
        chosen = set()
        for target in [*pinned_atoms, *pinned_margins]:
            candidates = _complements([target] if target in atoms else [], [] if target in atoms else [target],
                                      atoms, margins, containing, suppressed, shown)
            ours = [c for c in candidates if (c in atoms and c not in alone) or (c not in atoms and c not in shown)]
            if ours or candidates:
                chosen.add((ours or candidates)[0])
        if not chosen:
            break
        for cell in chosen:
            suppressed[cell] = COMPLEMENTARY
        _classic(atoms, margins, suppressed, shown, alone)
    else:
        # Not settled in MAX_ROUNDS: hide the whole table rather than risk a recoverable cell.
        for key in [*atoms, *margins]:
            suppressed.setdefault(key, COMPLEMENTARY)
    return Decision(suppressed, k)


def _classic(atoms, margins, suppressed, shown, alone) -> None:
    """The classic secondary rule, repeated until stable: a published margin holding exactly one suppressed atom
    gets its smallest published atom suppressed too; a suppressed margin whose atoms are all published, its
    smallest atom. Cheap, and it settles most tables before the exact check."""
    changed = True
    while changed:
        changed = False
        for key, members in margins.items():
            hidden = sum(1 for m in members if m in suppressed)
            if (key not in suppressed and hidden == 1) or (key in suppressed and hidden == 0 and members):
                pool = [m for m in members if m not in suppressed and m not in alone]
                if pool:
                    suppressed[min(pool, key=lambda m: (atoms[m], str(m)))] = COMPLEMENTARY
                    changed = True


def _complements(pinned_atoms, pinned_margins, atoms, margins, containing, suppressed, shown) -> list:
    """Cells (atoms or margins) whose suppression may stop a recoverable cell being so, by preference.

    First the published atoms sharing with a pinned atom a margin only this table publishes, smallest first (the
    classic "next smallest in the row or column"); the atoms of a pinned margin; the published margins holding a
    suppressed atom (a chain of equations through margins that do not contain the pinned cell); then the same
    through margins another table publishes too.
    """
    def size(margin):
        return sum(atoms[a] for a in margins[margin]), str(margin)

    ordered: list = []
    for allowed in (lambda m: m not in shown, lambda m: True):
        pool = {m for target in pinned_atoms for margin in containing.get(target, ())
                if margin not in suppressed and allowed(margin) for m in margins[margin] if m not in suppressed}
        pool |= {m for target in pinned_margins for m in margins[target] if m not in suppressed}
        ordered += sorted(pool, key=lambda m: (atoms[m], str(m)))
        ordered += sorted([m for m in margins if m not in suppressed and allowed(m)
                           and any(member in suppressed for member in margins[m])], key=size)
    return list(dict.fromkeys(ordered))


def _recoverable(unknowns: list, margins: Mapping, suppressed: Mapping) -> tuple[list, list]:
    """Suppressed atoms and suppressed margins that the published margins determine exactly."""
    index = {key: i for i, key in enumerate(unknowns)}
    rows = []
    for key, members in margins.items():
        if key in suppressed:
            continue
        row = np.zeros(len(unknowns))
        for member in members:
            if member in index:
                row[index[member]] = 1.0
        if row.any():
            rows.append(row)
    if rows:
        matrix = np.vstack(rows)
        _u, values, vt = np.linalg.svd(matrix, full_matrices=True)
        rank = int((values > _TOLERANCE * max(1.0, values.max(initial=0.0))).sum())
        null = vt[rank:].T  # unknowns × (unknowns − rank)
    else:
        null = np.eye(len(unknowns))
    pinned_atoms = [key for key in unknowns if np.linalg.norm(null[index[key]]) < 1e-7]
    pinned_margins = []
    for key, members in margins.items():
        if suppressed.get(key) is None:
            continue
        vector = np.zeros(len(unknowns))
        for member in members:
            if member in index:
                vector[index[member]] = 1.0
        if np.linalg.norm(vector @ null) < 1e-7 and vector.any():
            pinned_margins.append(key)
        elif not vector.any():
            pinned_margins.append(key)  # all its atoms are published: the margin is their sum
    return pinned_atoms, pinned_margins


def extreme_rates(rates: Mapping[str, float | None], *, n: int, k: int) -> set[str]:
    """Names of the rates to hide in a published cell of ``n`` households: 0 or 1 on a small group."""
    if not small_group(n, k):
        return set()
    return {name for name, value in rates.items()
            if value is not None and (abs(value) < _TOLERANCE or abs(value - 1) < _TOLERANCE)}
