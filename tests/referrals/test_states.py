"""The referral state machine on its own: every state, every move (no database)."""

import pytest

from parcours.referrals import states
from parcours.referrals.states import State

ALLOWED = {
    (State.SENT, "accept"): State.ACCEPTED,
    (State.SENT, "decline"): State.DECLINED,
    (State.SENT, "revoke"): State.REVOKED,
    (State.ACCEPTED, "start"): State.IN_PROGRESS,
    (State.ACCEPTED, "revoke"): State.REVOKED,
    (State.IN_PROGRESS, "complete"): State.COMPLETED,
    (State.IN_PROGRESS, "not_complete"): State.NOT_COMPLETED,
    (State.IN_PROGRESS, "revoke"): State.REVOKED,
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("move", list(states.MOVES))
def test_each_move_is_allowed_exactly_from_its_states(state, move):
    """Every (state, move) pair: the table above is the whole machine; everything else is refused."""
    if (state, move) in ALLOWED:
        assert states.check(state, move, note="because").target == ALLOWED[(state, move)]
    else:
        with pytest.raises(states.MoveRefused):
            states.check(state, move, note="because")


def test_an_out_of_order_move_names_the_state_and_what_is_possible():
    with pytest.raises(states.MoveRefused) as refused:
        states.check(State.SENT, "complete", note="done")
    message = str(refused.value)
    assert "sent" in message and "Accept" in message and "Decline" in message and "Revoke" in message


def test_a_finished_referral_can_no_longer_change():
    for state in states.FINISHED:
        assert states.moves_from(state) == []
        with pytest.raises(states.MoveRefused, match="can no longer change"):
            states.check(state, "revoke", note="x")


@pytest.mark.parametrize("move", ["decline", "complete", "not_complete", "revoke"])
def test_moves_that_need_a_reason_or_outcome_refuse_a_blank_one(move):
    source = next(s for (s, m) in ALLOWED if m == move)
    with pytest.raises(states.MoveRefused, match="required"):
        states.check(source, move, note="   ")


def test_accept_and_start_need_no_note():
    assert states.check(State.SENT, "accept").target == State.ACCEPTED
    assert states.check(State.ACCEPTED, "start").target == State.IN_PROGRESS


def test_the_sides_the_receiver_answers_and_the_sender_revokes():
    assert {m.name for m in states.moves_from(State.SENT, side=states.Side.RECEIVER)} == {"accept", "decline"}
    assert {m.name for m in states.moves_from(State.IN_PROGRESS, side=states.Side.SENDER)} == {"revoke"}


def test_an_unknown_move_is_refused():
    with pytest.raises(states.MoveRefused, match="Unknown"):
        states.check(State.SENT, "teleport")
