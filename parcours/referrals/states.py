"""The referral's state machine as plain data and functions (no database), shared by services, pages and API.

sent → accepted | declined (with a reason) ; accepted → in progress ; in progress → completed (with an outcome)
| not completed (with a reason). The sender may revoke a referral that is not finished. Every other move is
refused with a message that names the current state and what may happen next.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class State(models.TextChoices):
    SENT = "sent", gettext_lazy("sent")
    ACCEPTED = "accepted", gettext_lazy("accepted")
    DECLINED = "declined", gettext_lazy("declined")
    IN_PROGRESS = "in_progress", gettext_lazy("in progress")
    COMPLETED = "completed", gettext_lazy("completed")
    NOT_COMPLETED = "not_completed", gettext_lazy("not completed")
    REVOKED = "revoked", gettext_lazy("revoked")


FINISHED = frozenset({State.DECLINED, State.COMPLETED, State.NOT_COMPLETED, State.REVOKED})
OPEN = frozenset(set(State) - FINISHED)


class Side(models.TextChoices):
    """Who may make a move: the receiving organisation, or the sender."""

    RECEIVER = "receiver", gettext_lazy("receiving organisation")
    SENDER = "sender", gettext_lazy("sender")


@dataclass(frozen=True)
class Move:
    """One allowed change of state: its name (used in addresses and the API), the states it leaves and enters."""

    name: str
    sources: frozenset
    target: str
    side: str
    note_required: bool  # a reason (decline, not completed, revoke) or an outcome (completed)
    label: str  # the button's words, translated when shown
    note_label: str


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move("accept", frozenset({State.SENT}), State.ACCEPTED, Side.RECEIVER, False,
             gettext_lazy("Accept"), gettext_lazy("Note (optional)")),
        Move("decline", frozenset({State.SENT}), State.DECLINED, Side.RECEIVER, True,
             gettext_lazy("Decline"), gettext_lazy("Reason for declining")),
        Move("start", frozenset({State.ACCEPTED}), State.IN_PROGRESS, Side.RECEIVER, False,
             gettext_lazy("Start the service"), gettext_lazy("Note (optional)")),
        Move("complete", frozenset({State.IN_PROGRESS}), State.COMPLETED, Side.RECEIVER, True,
             gettext_lazy("Completed"), gettext_lazy("Outcome")),
        Move("not_complete", frozenset({State.IN_PROGRESS}), State.NOT_COMPLETED, Side.RECEIVER, True,
             gettext_lazy("Not completed"), gettext_lazy("Why it was not completed")),
        Move("revoke", frozenset(OPEN), State.REVOKED, Side.SENDER, True,
             gettext_lazy("Revoke"), gettext_lazy("Reason for revoking")),
    )
}

# The path a slip's code walks to reach a final outcome recorded in one go (the partner has no account).
PATH_TO = {
    State.COMPLETED: ("accept", "start", "complete"),
    State.NOT_COMPLETED: ("accept", "start", "not_complete"),
}


class MoveRefused(Exception):
    """A move that the state machine does not allow from the current state; the message says why."""


def label(state: str) -> str:
    return str(State(state).label)


def moves_from(state: str, *, side: str | None = None) -> list[Move]:
    """The moves allowed from ``state`` (for one side only when given), in a stable order."""
    return [m for m in MOVES.values() if state in m.sources and (side is None or m.side == side)]


def check(state: str, move_name: str, *, note: str = "") -> Move:
    """The move ``move_name`` if it may happen from ``state`` with ``note``; MoveRefused otherwise."""
    move = MOVES.get(move_name)
    if move is None:
        raise MoveRefused(_("Unknown change “%(move)s”.") % {"move": move_name})
    if state not in move.sources:
        allowed = [str(m.label) for m in moves_from(state)]
        if allowed:
            raise MoveRefused(
                _("This referral is %(state)s: “%(move)s” is not possible now. Possible: %(allowed)s.")
                % {"state": label(state), "move": move.label, "allowed": ", ".join(allowed)}
            )
        raise MoveRefused(_("This referral is %(state)s and can no longer change.") % {"state": label(state)})
    if move.note_required and not note.strip():
        raise MoveRefused(_("%(what)s is required.") % {"what": move.note_label})
    return move
