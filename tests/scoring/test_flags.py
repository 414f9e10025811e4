"""Intersectional flags of a household, from a submission's answers (pure functions; no persona acts)."""

import json

import pytest

from parcours.questionnaires.services.forms import DEFAULT_FORM_DIR
from parcours.scoring.flags import FLAGS, household_profile

MAPPING = json.loads((DEFAULT_FORM_DIR / "mapping.json").read_text(encoding="utf-8"))
WG = ("wg_seeing", "wg_hearing", "wg_walking", "wg_remembering", "wg_selfcare", "wg_communicating")


def member(relationship="head", sex="F", age=40, **answers):
    row = {"relationship": relationship, "sex": sex, "age": str(age), "birth_registered": "yes",
           "migrant_status": "citizen", **dict.fromkeys(WG, "no_difficulty")}
    row.update(answers)
    return row


def flags_of(*members):
    profile = household_profile({"roster/member": list(members)}, MAPPING)
    return profile, {name for name, on in profile.flags.items() if on}


def test_a_couple_with_children_raises_no_flag():
    profile, flags = flags_of(member(sex="M", age=45), member("spouse", age=40), member("child", "M", 10))
    assert flags == set()
    assert (profile.head_sex, profile.head_age_group, profile.household_size) == ("M", "18_59", 3)


def test_a_widow_with_her_son_is_a_female_headed_single_parent_household():
    _, flags = flags_of(member(age=46, marital_status="widowed"), member("child", "M", 12))
    assert flags == {"female_headed", "single_parent"}


def test_a_head_alone_with_adult_children_is_not_a_single_parent():
    _, flags = flags_of(member(sex="M", age=70), member("child", "M", 30))
    assert flags == {"head_60_plus"}


def test_a_child_heading_the_household():
    profile, flags = flags_of(member(sex="M", age=16), member("sibling", "F", 9))
    assert "child_headed" in flags and profile.head_age_group == "under_18"


@pytest.mark.parametrize("answer, flagged", [("no_difficulty", False), ("some_difficulty", False),
                                             ("a_lot_of_difficulty", True), ("cannot_do_at_all", True)])
def test_disability_uses_the_washington_group_cut_off(answer, flagged):
    _, flags = flags_of(member(), member("parent", age=75, wg_walking=answer))
    assert ("member_with_disability" in flags) is flagged


def test_without_washington_group_answers_the_form_summary_is_used():
    rows = [{"relationship": "head", "sex": "F", "age": "30", "has_disability": "1"}]
    assert household_profile({"roster/member": rows}, MAPPING).flags["member_with_disability"]


@pytest.mark.parametrize("status", ["internal_displaced", "refugee", "asylum_seeker", "migrant", "returnee"])
def test_any_displaced_or_migrant_member(status):
    _, flags = flags_of(member(), member("child", age=5, migrant_status=status))
    assert "migrant_or_displaced" in flags


@pytest.mark.parametrize("registered, age, flagged", [("no", 3, True), ("dk", 3, False), ("yes", 3, False),
                                                      ("no", 25, False)])
def test_a_child_without_birth_registration(registered, age, flagged):
    _, flags = flags_of(member(), member("grandchild", age=age, birth_registered=registered))
    assert ("child_without_birth_registration" in flags) is flagged


def test_the_head_is_found_by_relationship_not_by_order():
    profile, _ = flags_of(member("child", "M", 8), member("head", "F", 33))
    assert profile.head_sex == "F" and profile.head_age == 33


def test_no_roster_gives_no_flag():
    profile = household_profile({}, MAPPING)
    assert set(profile.flags) == set(FLAGS) and not any(profile.flags.values()) and profile.household_size is None
