"""Writers for the synthetic answers of bench/synthetic.py: the instance XML ODK Collect sends, and the flat rows
KoboToolbox and ODK Central export (main table + member repeat table). All stream: one household at a time.

Kobo ("XML values and headers", groups in headers with "/"): answers under their full paths, a select_multiple
as its space-separated values plus one 1/0 column per choice ("assets/assets/tv"), a geopoint plus
``_<path>_latitude/_longitude/_altitude/_precision``; notes left out; Kobo's own columns last (``_id``, ``_uuid``,
``_submission_time``… ``_index``); the repeat sheet links rows by ``_index``/``_parent_index``.

Central (the CSV zip of the Briefcase format): ``SubmissionDate`` first, groups joined by "-", a geopoint as
``-Latitude/-Longitude/-Altitude/-Accuracy``, notes kept (empty), optional ``path/value`` 1/0 columns for
select_multiple, then ``KEY`` (the instanceID), ``SubmitterID``… ``FormVersion``; the repeat file
``fiche_socio_economique-member.csv`` has the member's own field names, then ``PARENT_KEY`` and ``KEY``
(``uuid:…/roster/member[2]``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

FORM_ID = ROOT = "fiche_socio_economique"
VERSION = "2026110101"
TITLE = "Fiche socio-économique du ménage"
REPEAT = "roster/member"
NAMESPACES = 'xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms"'

# The form's fields in the instance's order ("path:kind"; kind note, geo, repeat or multi=<choice list>).
_MAIN = """start end today deviceid consent_note:note consent no_consent_note:note consent_sharing consent_follow_up
ident/hh_code ident/zone_code ident/address ident/gps:geo ident/interview_date ident/respondent_name
roster/household_definition:note roster/hh_size roster/member:repeat roster/roster_check:note
dwelling/tenure dwelling/floor_material dwelling/roof_material dwelling/wall_material dwelling/rooms
dwelling/water_source dwelling/water_time_min dwelling/sanitation dwelling/sanitation_shared dwelling/cooking_fuel
dwelling/electricity assets/assets:multi=assets assets/land_owned assets/land_area_ha assets/livestock_cattle
assets/livestock_small assets/livestock_poultry assets/livestock_other income/income_sources:multi=income_sources
income/income_sources_other income/income_band income/has_debts income/debt_reason
protection_received/social_protection:multi=social_protection protection_received/social_protection_other
food/fies_note:note food/fies_worried food/fies_healthy food/fies_few_kinds food/fies_skipped food/fies_ate_less
food/fies_ran_out food/fies_hungry food/fies_whole_day food/fies_score health/health_access
health/health_barrier:multi=health_barrier health/health_barrier_other health/health_coverage protection_private
protection/protection_note:note protection/protection_concern:multi=protection_concern
protection/protection_referral_wanted needs/needs_expressed:multi=needs needs/need_priority_1 needs/need_priority_2
needs/need_priority_3 needs/comments n_members n_children_5_17 n_under_5 n_60_plus n_disabled head_sex
end_note:note meta/instanceID meta/instanceName"""
_MEMBER = """member_index head_age head_first_note:note given_name given_name_ar family_name family_name_ar father_name
father_name_ar display_name sex relationship dob_known dob age_declared age age_note:note marital_status
education_level attends_school years_schooling literate wg_note:note wg_seeing wg_hearing wg_walking wg_remembering
wg_selfcare wg_communicating has_disability chronic_illness employment_status employment_sector phone
birth_registered has_id_card national_id migrant_status"""
MULTIPLE_CHOICES = {
    "assets": ("radio", "tv", "telephone", "mobile_phone", "computer", "refrigerator", "animal_cart", "bicycle",
               "motorbike", "car", "truck", "none"),
    "income_sources": ("salary", "casual_labour", "own_business", "agriculture", "remittances", "pension",
                       "social_transfer", "charity", "none", "other"),
    "social_protection": ("cash_transfer", "food_aid", "health_coverage", "disability_allowance", "school_support",
                          "housing_support", "none", "other"),
    "health_barrier": ("cost", "distance", "no_documents", "waiting_time", "discrimination", "other"),
    "protection_concern": ("violence_at_home", "child_labour", "early_marriage", "exploitation", "discrimination",
                           "none", "prefer_not_to_say"),
    "needs": ("food", "cash", "health_care", "rehabilitation", "education", "vocational_training", "employment",
              "micro_enterprise", "legal_aid", "civil_documentation", "housing", "psychosocial", "gbv_response",
              "child_protection"),
}


def _fields(spec: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(path, kind, choices) for each "path:kind" of ``spec``."""
    result = []
    for item in spec.split():
        path, _, kind = item.partition(":")
        kind, _, choice_list = kind.partition("=")
        result.append((path, kind, MULTIPLE_CHOICES[choice_list] if choice_list else ()))
    return tuple(result)


MAIN_FIELDS, MEMBER_FIELDS = _fields(_MAIN), _fields(_MEMBER)


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _leaf(name: str, value: str) -> str:
    return f"<{name}>{_escape(value)}</{name}>" if value else f"<{name}/>"


_SPLIT: dict[str, tuple[tuple[str, ...], str]] = {}  # "ident/hh_code" → (("ident",), "hh_code")


def to_instance_xml(answers: dict, form_id: str = FORM_ID, version: str = VERSION, instance_id: str = "", *,
                    instance_name: str | None = None, deprecated_id: str = "") -> bytes:
    """The submission ODK Collect would send: groups nested, one element per member, empty elements for relevant
    blanks, meta/instanceID (and instanceName, as the form's settings compute it)."""
    out = [f'<?xml version="1.0" encoding="UTF-8"?><{ROOT} {NAMESPACES} id="{form_id}" version="{version}">']
    opened: tuple[str, ...] = ()
    for key, value in answers.items():
        split = _SPLIT.get(key)
        if split is None:
            *groups, name = key.split("/")
            split = _SPLIT[key] = (tuple(groups), name)
        groups, name = split
        if groups != opened:
            keep = 0
            while keep < len(opened) and keep < len(groups) and opened[keep] == groups[keep]:
                keep += 1
            out.extend(f"</{group}>" for group in reversed(opened[keep:]))
            out.extend(f"<{group}>" for group in groups[keep:])
            opened = groups
        if value.__class__ is list:
            for row in value:
                out.append(f"<{name}>")
                out.extend([f"<{k}>{_escape(v)}</{k}>" if v else f"<{k}/>" for k, v in row.items()])
                out.append(f"</{name}>")
        else:
            out.append(f"<{name}>{_escape(value)}</{name}>" if value else f"<{name}/>")
    out.extend(f"</{group}>" for group in reversed(opened))
    if instance_name is None:
        instance_name = f"{answers.get('ident/hh_code', '')} {answers.get('today', '')}".strip()
    deprecated = _leaf("deprecatedID", deprecated_id) if deprecated_id else ""
    out.append(f"<meta>{_leaf('instanceID', instance_id)}{deprecated}{_leaf('instanceName', instance_name)}</meta>"
               f"</{ROOT}>")
    return "".join(out).encode("utf-8")


def _meta(answers: dict, instance_id: str) -> dict:
    return {"meta/instanceID": instance_id,
            "meta/instanceName": f"{answers.get('ident/hh_code', '')} {answers.get('today', '')}".strip()}


def _received(answers: dict) -> datetime.datetime:
    """When the server got it: a few minutes after the interview ended, in UTC."""
    end = datetime.datetime.fromisoformat(answers["end"])
    return (end + datetime.timedelta(minutes=7)).astimezone(datetime.UTC).replace(tzinfo=None)


def _columns(fields, prefix: str, sep: str, *, notes: bool, split: bool, geo: tuple[str, ...], geo_name,
             geo_text: bool) -> list:
    """Header names and, for each, how to read it from the answers: (header, path, how, extra)."""
    columns = []
    for path, kind, choices in fields:
        if kind == "repeat" or (kind == "note" and not notes):
            continue
        name = (prefix + path).replace("/", sep)
        if kind != "geo" or geo_text:
            columns.append((name, path, "value", None))
        if kind == "geo":
            columns.extend((geo_name(name, part), path, "geo", index) for index, part in enumerate(geo))
        elif kind == "multi" and split:
            columns.extend((f"{name}/{choice}", path, "multi", choice) for choice in choices)
    return columns


def _values(columns, answers: dict, unanswered_multi: str) -> list[str]:
    row = []
    for _name, path, how, extra in columns:
        value = answers.get(path, "")
        if how == "value":
            row.append(value)
        elif how == "geo":
            parts = value.split()
            row.append(parts[extra] if len(parts) > extra else "")
        else:
            row.append(("1" if extra in value.split() else "0") if value else unanswered_multi)
    return row


KOBO_GEO = ("latitude", "longitude", "altitude", "precision")
KOBO_MAIN_META = ("_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status", "_submitted_by",
                  "__version__", "_tags", "_index")
KOBO_MEMBER_META = ("_index", "_parent_table_name", "_parent_index", "_submission__id", "_submission__uuid",
                    "_submission__submission_time", "_submission__validation_status", "_submission__notes",
                    "_submission__status", "_submission__submitted_by", "_submission___version__",
                    "_submission__tags")
KOBO_MAIN_TABLE = TITLE[:31]  # Kobo names the main sheet after the form's title (31 characters at most)
KOBO_MEMBER_TABLE = "member"


def _kobo_columns(split_multiple: bool):
    def geo(name, part):
        return f"_{name}_{part}"
    options = {"notes": False, "split": split_multiple, "geo": KOBO_GEO, "geo_name": geo, "geo_text": True}
    return _columns(MAIN_FIELDS, "", "/", **options), _columns(MEMBER_FIELDS, REPEAT + "/", "/", **options)


def kobo_headers(*, split_multiple: bool = True) -> dict[str, list[str]]:
    """{table: header}: the main sheet, then the member sheet."""
    main, member = _kobo_columns(split_multiple)
    return {KOBO_MAIN_TABLE: [c[0] for c in main] + list(KOBO_MAIN_META),
            KOBO_MEMBER_TABLE: [c[0] for c in member] + list(KOBO_MEMBER_META)}


def to_kobo_rows(submissions: Iterable[tuple[str, dict]], *, version: str = VERSION, first_id: int = 1,
                 split_multiple: bool = True) -> Iterator[tuple[str, list[str]]]:
    """(table, row) for each household then each of its members, matching ``kobo_headers``."""
    main, member = _kobo_columns(split_multiple)
    member_index = 0
    for index, (instance_id, answers) in enumerate(submissions, start=1):
        values = answers | _meta(answers, instance_id)
        received = _received(answers).strftime("%Y-%m-%dT%H:%M:%S")
        kobo_meta = [str(first_id + index - 1), instance_id.removeprefix("uuid:"), received, "", "",
                     "submitted_via_web", "", version, ""]
        yield KOBO_MAIN_TABLE, [*_values(main, values, ""), *kobo_meta, str(index)]
        for row in answers.get(REPEAT, ()):
            member_index += 1
            yield KOBO_MEMBER_TABLE, [*_values(member, row, ""), str(member_index), KOBO_MAIN_TABLE, str(index),
                                      *kobo_meta]


CENTRAL_GEO = ("Latitude", "Longitude", "Altitude", "Accuracy")
CENTRAL_MAIN_META = ("KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent", "AttachmentsExpected", "Status",
                     "ReviewState", "DeviceID", "Edits", "FormVersion")
CENTRAL_MAIN_TABLE = FORM_ID
CENTRAL_MEMBER_TABLE = f"{FORM_ID}-member"


def _central_columns(split_multiple: bool):
    def geo(name, part):
        return f"{name}-{part}"
    options = {"notes": True, "split": split_multiple, "geo": CENTRAL_GEO, "geo_name": geo, "geo_text": False}
    return _columns(MAIN_FIELDS, "", "-", **options), _columns(MEMBER_FIELDS, "", "-", **options)


def central_headers(*, split_multiple: bool = False) -> dict[str, list[str]]:
    """{table: header}: ``fiche_socio_economique`` (.csv), then ``fiche_socio_economique-member``."""
    main, member = _central_columns(split_multiple)
    return {CENTRAL_MAIN_TABLE: ["SubmissionDate", *(c[0] for c in main), *CENTRAL_MAIN_META],
            CENTRAL_MEMBER_TABLE: [*(c[0] for c in member), "PARENT_KEY", "KEY"]}


def to_central_rows(submissions: Iterable[tuple[str, dict]], *, version: str = VERSION, submitter_id: str = "5",
                    submitter_name: str = "collect-demo", split_multiple: bool = False,
                    ) -> Iterator[tuple[str, list[str]]]:
    """(table, row) for each household then each of its members, matching ``central_headers``."""
    main, member = _central_columns(split_multiple)
    for instance_id, answers in submissions:
        values = answers | _meta(answers, instance_id)
        received = _received(answers).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        # Central fills unanswered select_multiple choice columns with 0 (its export's default frame).
        yield CENTRAL_MAIN_TABLE, [received, *_values(main, values, "0"), instance_id, submitter_id,
                                   submitter_name, "0", "0", "", "", answers.get("deviceid", ""), "0", version]
        for number, row in enumerate(answers.get(REPEAT, ()), start=1):
            yield CENTRAL_MEMBER_TABLE, [*_values(member, row, "0"), instance_id,
                                         f"{instance_id}/{REPEAT}[{number}]"]
