"""``parcours mpi``: an analyst measures multidimensional poverty of a CSV file from the console.

The data (tests/scoring/data/households.csv) are the hand-computed example of test_alkire_foster.py plus h7,
whose water answer is missing, and sampling weights 2, 1, 1, 1, 3, 2, 1.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .conftest import DATA

CSV = str(DATA / "households.csv")
MODEL = str(DATA / "mpi_model.yaml")


def run(*args):
    out = io.StringIO()
    call_command("mpi", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def run_json(*args):
    return json.loads(run(CSV, "--model", MODEL, "--format", "json", *args))


def test_an_analyst_gets_the_json_figures():
    data = run_json("--by", "zone")
    # h7 is excluded (missing water): the six others are the hand-computed example.
    assert (data["n"], data["excluded"], data["missing_policy"]) == (6, 1, "exclude")
    assert data["k"] == pytest.approx(1 / 3)
    assert (data["H"], data["A"], data["M0"]) == pytest.approx((2 / 3, 13 / 24, 13 / 36))
    assert data["se"] == pytest.approx({"H": (2 / 45) ** 0.5, "M0": (894 / 1296 / 30) ** 0.5})
    assert data["indicators"]["electricity"] == pytest.approx(
        {"uncensored_h": 1 / 3, "censored_h": 1 / 6, "contribution": 1 / 13, "contribution_pct": 100 / 13})
    assert list(data["indicators"]) == ["schooling", "nutrition", "water", "electricity"]
    assert data["groups"]["zone"]["A"] == pytest.approx(
        {"n": 3, "population_share": 0.5, "H": 1, "A": 11 / 18, "M0": 11 / 18, "contribution_pct": 1100 / 13})
    assert data["groups"]["zone"]["B"]["contribution_pct"] == pytest.approx(200 / 13)
    assert data["bands"]["severe"] == {"share": pytest.approx(1 / 3), "n": 2}


def test_weights_k_and_several_groupings():
    data = run_json("--weights", "weight", "--by", "zone", "--by", "undernourished")
    # Weights 2, 1, 1, 1, 3, 2 (h7 excluded): H = 6/10, M0 = 3.5/10.
    assert (data["H"], data["M0"]) == pytest.approx((0.6, 0.35))
    assert set(data["groups"]) == {"zone", "undernourished"}
    assert sum(g["population_share"] for g in data["groups"]["zone"].values()) == pytest.approx(1)
    assert run_json("--k", "1")["H"] == pytest.approx(1 / 6)
    assert run_json("--k", "1/2")["H"] == pytest.approx(2 / 6)


def test_the_reweight_policy_keeps_the_unit_with_a_missing_answer(tmp_path):
    model = tmp_path / "reweight.yaml"
    model.write_text((DATA / "mpi_model.yaml").read_text().replace("missing: exclude", "missing: reweight"))
    data = json.loads(run(CSV, "--model", str(model), "--format", "json"))
    # h7: schooling 1/3 + electricity carrying the living weight 1/3 = 2/3 → poor. H = 5/7, M0 = (13/6 + 2/3)/7.
    assert (data["n"], data["excluded"], data["missing_policy"]) == (7, 0, "reweight")
    assert (data["H"], data["M0"]) == pytest.approx((5 / 7, 17 / 42))


def test_bootstrap_standard_errors_are_reproducible():
    first = run_json("--bootstrap", "50", "--seed", "3")["se"]
    assert first == run_json("--bootstrap", "50", "--seed", "3")["se"]
    assert first != run_json()["se"]


def test_the_table_is_aligned_and_translatable():
    text = run(CSV, "--model", MODEL, "--by", "zone", "--language", "en")
    assert text.startswith("Test MPI\n")
    assert "Units counted: 6 (excluded: 1; missing data: exclude)" in text
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("Indicator"))
    row = next(line for line in lines if line.startswith("Years of schooling"))
    assert len(row) == len(header) and row.endswith("46.2")
    assert any(line.startswith("A ") and line.endswith("84.6") for line in lines)
    french = run(CSV, "--model", MODEL, "--language", "fr")
    assert french.startswith("IPM d'essai\n")


def test_semicolon_separated_files_with_a_bom_are_read(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "households.csv").read_text().replace(",", ";").encode())
    data = json.loads(run(str(path), "--model", MODEL, "--format", "json"))
    assert data["M0"] == pytest.approx(13 / 36)


def cli_error(tmp_path, csv_text=None, *args):
    path = tmp_path / "input.csv"
    if csv_text is not None:
        path.write_text(csv_text)
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("mpi", str(path), "--model", MODEL, "--format", "json", *args, stdout=out, stderr=io.StringIO())
    assert out.getvalue() == ""  # no partial output
    return str(error.value)


HEADER = "household,zone,weight,years_schooling,undernourished,water,assets\n"


def test_a_non_number_names_the_indicator_the_column_and_the_row(tmp_path):
    message = cli_error(tmp_path, HEADER + "h1,A,1,3,yes,piped,radio\nh2,A,1,six,no,piped,radio\n")
    assert "Indicator “schooling”" in message and "“years_schooling”" in message and "row 3" in message
    assert "“six”" in message


def test_a_missing_column_names_the_indicator(tmp_path):
    message = cli_error(tmp_path, "household,years_schooling\nh1,3\n")
    assert "Indicator “nutrition”" in message and "no column “undernourished”" in message


@pytest.mark.parametrize(("args", "message"), [
    (["--weights", "poids"], "Weights: no column “poids”"),
    (["--by", "region"], "Group: no column “region”"),
    (["--k", "2"], "--k must be a number with 0 < k ≤ 1"),
    (["--bootstrap", "1"], "at least 2 replications"),
])
def test_bad_options_are_refused(tmp_path, args, message):
    assert message in cli_error(tmp_path, HEADER + "h1,A,1,3,yes,piped,radio\n", *args)


def test_bad_weights_name_the_row(tmp_path):
    message = cli_error(tmp_path, HEADER + "h1,A,1,3,yes,piped,radio\nh2,A,-2,3,yes,piped,radio\n",
                        "--weights", "weight")
    assert "row 3" in message and "“-2”" in message


def test_missing_or_unreadable_files_are_refused(tmp_path):
    assert "No such file" in cli_error(tmp_path)
    (tmp_path / "input.csv").write_bytes(b"a,b\n\xff\xfe,1\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("mpi", str(tmp_path / "input.csv"), "--model", MODEL, stdout=out)
    with pytest.raises(CommandError, match="Cannot read the model file"):
        call_command("mpi", CSV, "--model", str(tmp_path / "nowhere.yaml"), stdout=out)


def test_a_broken_model_lists_its_problems(tmp_path):
    model = tmp_path / "bad.yaml"
    model.write_text("method: alkire-foster\nk: 2\nindicators:\n  - {name: a, dimension: x, weight: 1}\n")
    with pytest.raises(CommandError) as error:
        call_command("mpi", CSV, "--model", str(model), stdout=io.StringIO())
    message = str(error.value)
    assert "2 problems" in message and "bad.yaml, row 2" in message and "Indicator “a”: “deprived_if” is missing" \
        in message


def test_a_model_of_another_method_is_refused(tmp_path):
    model = tmp_path / "pmt.yaml"
    model.write_text("method: pmt\npmt: {constant: 1, threshold: 2, variables: [{name: a, value: '${a}', "
                     "coefficient: 1}]}\n")
    with pytest.raises(CommandError, match="needs alkire-foster"):
        call_command("mpi", CSV, "--model", str(model), stdout=io.StringIO())


@pytest.mark.parametrize(("csv_text", "message"), [
    ("", "empty"),
    ("household,zone,zone\nh1,A,B\n", "the column “zone” appears twice"),
    (HEADER + "h1,A,1,3\n", "line 2 has 4 fields, the header 7"),
    (HEADER, "No unit can be measured"),
])
def test_malformed_files_are_refused_with_the_line(tmp_path, csv_text, message):
    assert message in cli_error(tmp_path, csv_text)


def test_a_model_in_the_issue_s_form_with_decimal_weights_is_read(tmp_path):
    # The form of the issue: k 0.3333 and weights rounded to four decimals (sum 1.0001, within the tolerance).
    model = tmp_path / "decimal.yaml"
    model.write_text(
        "method: alkire-foster\nk: 0.3333\nmissing: exclude\nindicators:\n"
        "  - {name: schooling, dimension: education, weight: 0.3333, deprived_if: \"${years_schooling} < 6\"}\n"
        "  - {name: nutrition, dimension: health, weight: 0.3334, deprived_if: \"${undernourished} = 'yes'\"}\n"
        "  - {name: water, dimension: living, weight: 0.1667, deprived_if: \"${water} = 'unprotected'\"}\n"
        "  - {name: electricity, dimension: living, weight: 0.1667,"
        " deprived_if: \"not(selected(${assets}, 'electricity'))\"}\n")
    data = json.loads(run(CSV, "--model", str(model), "--format", "json"))
    assert set(data) >= {"n", "k", "H", "A", "M0", "se", "indicators"} and "groups" not in data
    assert data["k"] == pytest.approx(0.3333) and data["H"] == pytest.approx(2 / 3)
    assert set(data["indicators"]["water"]) == {"uncensored_h", "censored_h", "contribution", "contribution_pct"}
    assert sum(i["contribution_pct"] for i in data["indicators"].values()) == pytest.approx(100)


def test_a_model_with_bad_weights_and_an_unparsable_expression_reports_both_and_writes_nothing(tmp_path):
    model = tmp_path / "bad.yaml"
    model.write_text("method: alkire-foster\nk: 0.3333\nindicators:\n"
                     "  - {name: schooling, dimension: education, weight: 0.5,"
                     " deprived_if: \"${years_schooling} < 6\"}\n"
                     "  - {name: nutrition, dimension: health, weight: 0.4,"
                     " deprived_if: \"${undernourished} = 'yes' and (\"}\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("mpi", CSV, "--model", str(model), "--format", "json", stdout=out, stderr=io.StringIO())
    message = str(error.value)
    assert out.getvalue() == ""
    assert "2 problems" in message and "Indicator “nutrition”" in message and "row 5" in message
    assert "weights sum to 0.9000, not 1" in message and "education 0.5000, health 0.4000" in message
