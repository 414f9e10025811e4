"""The default household questionnaire (Fiche socio-économique) that Parcours ships.

Who acts: a form designer who edits build.py and commits the XLSForm; the server, which converts it with
pyxform and reads mapping.json to fill the registry; field teams, who read it in four languages.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook
from pyxform.xls2xform import convert

FORM_DIR = Path(__file__).resolve().parents[2] / "parcours" / "questionnaires" / "forms" / "default"
XLSX = FORM_DIR / "fiche_socio_economique.xlsx"
LANGUAGES = ("Français (fr)", "العربية (ar)", "English (en)", "Português (pt)")
TRANSLATED = ("label", "hint", "constraint_message", "required_message")
ROOT = "fiche_socio_economique"
NS = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms",
      "jr": "http://openrosa.org/javarosa"}
ARABIC = re.compile("[\u0600-\u06ff]")
NO_LABEL = {"start", "end", "today", "deviceid", "calculate", "end_group", "end_repeat"}

# The field names the server and scoring rely on, at /fiche_socio_economique/<path>.
CONTRACT = [
    "start", "end", "today", "deviceid", "consent",
    *(f"ident/{n}" for n in ("hh_code", "zone_code", "address", "gps", "interview_date", "respondent_name")),
    "roster/hh_size",
    *(f"roster/member/{n}" for n in (
        "given_name", "family_name", "father_name", "given_name_ar", "family_name_ar", "father_name_ar", "sex",
        "relationship", "dob_known", "dob", "age_declared", "age", "marital_status", "education_level",
        "attends_school", "years_schooling", "literate", "wg_seeing", "wg_hearing", "wg_walking", "wg_remembering",
        "wg_selfcare", "wg_communicating", "chronic_illness", "employment_status", "employment_sector", "phone",
        "national_id", "birth_registered", "has_id_card", "migrant_status")),
    *(f"dwelling/{n}" for n in ("tenure", "floor_material", "roof_material", "wall_material", "rooms", "water_source",
                                "water_time_min", "sanitation", "sanitation_shared", "cooking_fuel", "electricity")),
    *(f"assets/{n}" for n in ("assets", "land_owned", "land_area_ha", "livestock_cattle", "livestock_small",
                              "livestock_poultry", "livestock_other")),
    *(f"income/{n}" for n in ("income_sources", "income_band", "has_debts", "debt_reason")),
    "protection_received/social_protection",
    *(f"food/{n}" for n in ("fies_worried", "fies_healthy", "fies_few_kinds", "fies_skipped", "fies_ate_less",
                            "fies_ran_out", "fies_hungry", "fies_whole_day", "fies_score")),
    *(f"health/{n}" for n in ("health_access", "health_barrier", "health_coverage")),
    "protection/protection_concern", "protection/protection_referral_wanted",
    *(f"needs/{n}" for n in ("needs_expressed", "need_priority_1", "need_priority_2", "need_priority_3", "comments")),
    "n_members", "n_children_5_17",
]
CHOICE_CONTRACT = {
    "sex": ["F", "M"],
    "relationship": ["head", "spouse", "child", "parent", "sibling", "grandchild", "other_relative", "non_relative"],
    "education_level": ["none", "primary", "lower_secondary", "upper_secondary", "vocational", "higher"],
    "wg": ["no_difficulty", "some_difficulty", "a_lot_of_difficulty", "cannot_do_at_all"],
    "needs": ["food", "cash", "health_care", "rehabilitation", "education", "vocational_training", "employment",
              "micro_enterprise", "legal_aid", "civil_documentation", "housing", "psychosocial", "gbv_response",
              "child_protection"],
}


@pytest.fixture(scope="module")
def conversion():
    warnings: list[str] = []
    result = convert(xlsform=str(XLSX), warnings=warnings)
    return result, warnings


@pytest.fixture(scope="module")
def xform(conversion):
    return etree.fromstring(conversion[0].xform.encode())


@pytest.fixture(scope="module")
def instance_paths(xform):
    root = xform.find("h:head/x:model/x:instance/x:" + ROOT, NS)
    paths = set()
    for element in root.iter():
        parts = [etree.QName(e).localname for e in (*reversed(list(element.iterancestors())), element)]
        paths.add("/".join(parts[parts.index(ROOT) + 1:]))
    return paths


def sheet_rows(name):
    sheet = load_workbook(XLSX, read_only=True)[name]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def test_designer_committed_xlsx_converts_without_warnings(conversion):
    """The form designer's committed XLSForm converts with pyxform, silently."""
    result, warnings = conversion
    assert result.xform.startswith("<?xml")
    assert warnings == [] and result.warnings == []


def test_designer_committed_xlsx_is_what_build_py_writes(tmp_path):
    """After editing the Python data, the form designer must have rebuilt the committed workbook."""
    rebuilt = tmp_path / "rebuilt.xlsx"
    subprocess.run([sys.executable, str(FORM_DIR / "build.py"), "--output", str(rebuilt)], check=True,
                   capture_output=True)
    committed, fresh = load_workbook(XLSX, read_only=True), load_workbook(rebuilt, read_only=True)
    assert committed.sheetnames == fresh.sheetnames == ["survey", "choices", "settings"]
    for name in committed.sheetnames:
        assert list(committed[name].iter_rows(values_only=True)) == list(fresh[name].iter_rows(values_only=True)), (
            f"{name} differs: run .venv/bin/python parcours/questionnaires/forms/default/build.py")


def test_field_team_reads_every_text_in_the_four_languages():
    """An enumerator working in any of the four languages never meets an untranslated text."""
    missing = []
    for sheet in ("survey", "choices"):
        for number, row in enumerate(sheet_rows(sheet), start=2):
            for base in TRANSLATED:
                texts = [row.get(f"{base}::{lang}") for lang in LANGUAGES]
                needed = (
                    any(texts)
                    or (base == "label" and (sheet == "choices" or row["type"] not in NO_LABEL))
                    or (base == "constraint_message" and row.get("constraint"))
                    or (base == "required_message" and row.get("required"))
                )
                if needed and not all(texts):
                    missing.append(f"{sheet}!{number} {row.get('name')} {base}")
    assert missing == []


def test_server_finds_every_mapped_field_in_the_xform(instance_paths, xform):
    """The server projects answers into the registry through mapping.json: each path it names exists."""
    mapping = json.loads((FORM_DIR / "mapping.json").read_text(encoding="utf-8"))
    repeat = mapping["members"]["repeat"]
    named = [mapping[key] for key in ("household_code", "zone_code", "address", "gps", "consent")]
    named += [f"{repeat}/{field}" for field in mapping["members"]["fields"].values()]
    named += mapping["sensitive_groups"] + list(mapping["consent_purposes"].values())
    named += list(mapping["summary"].values())
    for rule in mapping["mpi_classes"].values():
        named += [rule[k] for k in ("field", "round_trip_minutes", "shared") if k in rule]
        named += list(rule.get("deprived_prefixes", {}))
    assert [path for path in named if path not in instance_paths] == []
    assert xform.find(f".//x:repeat[@nodeset='/{ROOT}/{repeat}']", NS) is not None


def test_server_relies_on_the_contract_field_names(instance_paths):
    """Field and choice names are a contract with the registry and scoring: none may move or be renamed."""
    assert [path for path in CONTRACT if path not in instance_paths] == []
    choices = {}
    for row in sheet_rows("choices"):
        choices.setdefault(row["list_name"], []).append(row["name"])
    assert {name: choices[name] for name in CHOICE_CONTRACT} == CHOICE_CONTRACT


def test_arabic_speaking_enumerator_gets_arabic_text(xform):
    """The Arabic translation exists and every one of its texts is written in Arabic script."""
    translation = xform.find("h:head/x:model/x:itext/x:translation[@lang='العربية (ar)']", NS)
    assert translation is not None
    values = ["".join(value.itertext()) for value in translation.iterfind("x:text/x:value", NS)]
    assert len(values) > 300
    assert [v for v in values if not ARABIC.search(v)] == []
    langs = [t.get("lang") for t in xform.iterfind("h:head/x:model/x:itext/x:translation", NS)]
    assert langs == list(LANGUAGES)


def test_collect_can_load_the_xform(xform, instance_paths):
    """ODK Validate-like checks a device would trip on: binds, controls and texts all point somewhere real."""
    model = xform.find("h:head/x:model", NS)
    absolute = {f"/{ROOT}/{path}".rstrip("/") for path in instance_paths}
    binds = [bind.get("nodeset") for bind in model.iterfind("x:bind", NS)]
    assert [nodeset for nodeset in binds if nodeset not in absolute] == []
    refs = [e.get("ref") for e in xform.find("h:body", NS).iter() if e.get("ref", "").startswith("/")]
    assert refs and [ref for ref in refs if ref not in absolute] == []
    declared = {i.get("id") for i in model.iterfind("x:instance", NS) if i.get("id")}
    used = set(re.findall(r"instance\('([^']+)'\)", etree.tostring(xform, encoding="unicode")))
    assert used <= declared and "zones" in declared
    ids = set(re.findall(r"jr:itext\('([^']+)'\)", etree.tostring(xform, encoding="unicode"))) - {"itextId"}
    for translation in model.iterfind("x:itext/x:translation", NS):
        assert ids - {t.get("id") for t in translation.iterfind("x:text", NS)} == set(), translation.get("lang")
    repeat = xform.find(".//x:repeat", NS)
    assert repeat.get("{http://openrosa.org/javarosa}count").strip() == f"/{ROOT}/roster/hh_size"


def test_refusal_stops_the_interview(xform):
    """When the respondent refuses, no group or summary figure is asked or computed."""
    model = xform.find("h:head/x:model", NS)
    top_level = [e for e in model.find("x:instance/x:" + ROOT, NS)
                 if etree.QName(e).localname not in {"start", "end", "today", "deviceid", "consent", "consent_note",
                                                     "no_consent_note", "meta"}]
    ungated = []
    for element in top_level:
        bind = model.find(f"x:bind[@nodeset='/{ROOT}/{etree.QName(element).localname}']", NS)
        if bind is None or "/consent  = 'yes'" not in (bind.get("relevant") or ""):
            ungated.append(etree.QName(element).localname)
    assert ungated == []


def test_settings_identify_the_form_for_devices():
    """Devices tell form versions apart by form_id and a yyyymmddnn version."""
    settings = sheet_rows("settings")[0]
    assert settings["form_id"] == ROOT and settings["name"] == ROOT
    assert re.fullmatch(r"20\d{6}\d{2}", settings["version"])
    assert settings["default_language"] == LANGUAGES[0]
    assert "${hh_code}" in settings["instance_name"]


def test_example_submission_fits_the_form(instance_paths):
    """The example submission (written by the ODK Web Forms engine) still fits the form's structure."""
    example = etree.parse(str(FORM_DIR / "example_submission.xml")).getroot()
    assert etree.QName(example).localname == ROOT
    paths = set()
    for element in example.iter():
        parts = [etree.QName(e).localname for e in (*reversed(list(element.iterancestors())), element)]
        paths.add("/".join(parts[1:]))
    assert {p for p in paths if not p.startswith("meta")} - instance_paths == set()
    assert example.findtext("ident/hh_code") and len(example.findall("roster/member")) == 3
