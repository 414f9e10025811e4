"""``deprived_if`` expressions over a flat table (an analyst's model reads the answers; no database)."""

import math

import polars as pl
import pytest

from parcours.scoring.expressions import ExpressionError, evaluate, parse

TABLE = pl.DataFrame({
    "years": ["3", " 7", "", None, "+3", "1e1"],
    "assets": ["radio tv", "tv", "", "electricity", None, "radio  electricity"],
    "size": [1, 2, None, 4, 5, 6],
})
NAN = float("nan")


def values(expression, table=TABLE, kind="boolean"):
    return evaluate(table, {"x": parse(expression)}, kind=kind)["x"].to_list()


def same(actual, expected):
    return len(actual) == len(expected) and all(
        (isinstance(a, float) and math.isnan(a) and isinstance(e, float) and math.isnan(e)) or a == e
        for a, e in zip(actual, expected, strict=True))


@pytest.mark.parametrize(("expression", "expected"), [
    # A missing answer (empty or null cell) makes the deprivation missing…
    ("${years} < 6", [1, 0, NAN, NAN, 1, 0]),
    ("${years} = 3", [1, 0, NAN, NAN, 1, 0]),  # = with a number compares numerically ("+3" is 3)
    ("${years} = '3'", [1, 0, NAN, NAN, 0, 0]),  # = with a string compares text
    ("selected(${assets}, 'tv')", [1, 1, NAN, 0, NAN, 0]),
    ("not(selected(${assets}, 'electricity'))", [1, 1, NAN, 0, NAN, 0]),
    ("count-selected(${assets}) >= 2", [1, 0, NAN, 0, NAN, 1]),
    # … unless the expression handles it.
    ("coalesce(${years}, 0) < 6", [1, 0, 1, 1, 1, 0]),
    ("${years} = ''", [0, 0, 1, 1, 0, 0]),
    ("${years} != ''", [1, 1, 0, 0, 1, 1]),
    ("string-length(${years}) = 0", [0, 0, 1, 1, 0, 0]),
    # Kleene logic: "unknown or true" is true, "unknown and false" is false.
    ("${years} < 6 or selected(${assets}, 'electricity')", [1, 0, NAN, 1, 1, 1]),
    ("${years} < 6 and selected(${assets}, 'tv')", [1, 0, NAN, 0, NAN, 0]),
    ("if(${size} > 3, 1, 0) = 1", [0, 0, NAN, 1, 1, 1]),
    ("min(${size}, 3) = 3", [0, 0, NAN, 1, 1, 1]),
    ("${size} = '4'", [0, 0, NAN, 1, 0, 0]),  # a numeric column read as text
    ("regex(${assets}, '^r')", [1, 0, NAN, 0, NAN, 1]),
])
def test_expressions_follow_xpath_with_missing_answers_propagated(expression, expected):
    assert same(values(expression), [float(value) for value in expected])


@pytest.mark.parametrize("expression", [
    "'abc' < 3", "number('abc') = number('abc')", "'' = 0",  # NaN compares false…
    "not('abc' != 3)",  # … and != is true
])
def test_non_numbers_in_expressions_are_nan_as_in_xpath(expression):
    assert values(expression) == [0.0] * 6


@pytest.mark.parametrize("expression", [
    "-5 mod 3 = -2", "5 mod -3 = 2", "round(2.5) = 3", "round(-2.5) = -2", "round(-2.55, 1) = -2.6",
    "int(-2.7) = -2", "int(2.7) = 2", "7 div 2 = 3.5", "1 div 0 > 1000000", "max(1, 4, 2) = 4", "floor(-1.5) = -2",
    "ceiling(1.2) = 2", "abs(-3) = 3", "concat('a', 1, true()) = 'a1true'", "contains('water', 'ate')",
    "starts-with('water', 'wa')", "ends-with('water', 'er')", "boolean('x')", "not(boolean(''))", "true() = 1",
    "string(3) = '3'", "string(0.5) = '0.5'", "if(1 > 2, 'a', 'b') = 'b'", "(1 + 2) * 3 = 9", "-(2) = -2",
])
def test_operators_and_functions(expression):
    assert values(expression) == [1.0] * 6


def test_numbers_and_text_can_be_asked_for():
    table = pl.DataFrame({"hh_size": ["4", "", "2.5"], "roof": ["tin", None, "straw"]})
    assert same(values("${hh_size} * 2", table, "number"), [8.0, NAN, 5.0])
    assert values("${roof}", table, "string") == ["tin", None, "straw"]
    assert values("coalesce(${roof}, 'none')", table, "string") == ["tin", "none", "straw"]


def test_numeric_columns_of_any_type_are_read():
    table = pl.DataFrame({"a": [1.5, float("nan"), None], "b": [True, False, None], "c": [3, None, 1]})
    assert same(values("${a} > 1", table), [1.0, NAN, NAN])
    assert same(values("${c} = 3", table), [1.0, NAN, 0.0])
    assert values("${b} = 'true'", table)[:2] == [1.0, 0.0]


def test_a_syntax_error_gives_the_position():
    with pytest.raises(ExpressionError) as error:
        parse("${years} < ")
    assert error.value.position == 11 and "character 12" in str(error.value)


@pytest.mark.parametrize(("expression", "message"), [
    ("foo(${years})", "foo()"),
    ("round()", "Wrong number of arguments"),
    ("/data/years < 6", "${column}"),
    ("regex(${assets}, '(?<=a)b')", "Invalid regular expression"),
    ("${years} = 'unclosed", "Unexpected character"),
    ("   ", "empty"),
])
def test_unsupported_expressions_are_refused_when_parsed(expression, message):
    with pytest.raises(ExpressionError, match=message.replace("(", r"\(").replace(")", r"\)").replace("$", r"\$")):
        parse(expression)


def test_an_unknown_column_names_the_indicator_and_the_column():
    with pytest.raises(ExpressionError) as error:
        evaluate(TABLE, {"schooling": parse("${years_schooling} < 6")})
    assert error.value.name == "schooling" and error.value.column == "years_schooling"
    assert "years_schooling" in str(error.value) and "schooling" in str(error.value)


def test_a_non_number_names_the_column_and_the_first_bad_row():
    table = pl.DataFrame({"years": ["3", "four", "seven"]})
    with pytest.raises(ExpressionError) as error:
        evaluate(table, {"schooling": parse("${years} < 6")}, first_row=2)
    assert (error.value.column, error.value.row, error.value.value) == ("years", 3, "four")
    assert "row 3" in str(error.value) and "schooling" in str(error.value)


def test_a_text_comparison_does_not_require_numbers():
    table = pl.DataFrame({"roof": ["tin", "straw"]})
    assert values("${roof} = 'straw'", table) == [0.0, 1.0]


def test_constant_expressions_fill_every_row():
    assert values("1 = 1") == [1.0] * 6


def test_a_column_of_a_few_clean_answers_skips_the_cleaning_and_reads_the_same():
    # Answers chosen from a list (few distinct values, no spaces, no empty cell) are read as they are; one stray
    # space or empty cell anywhere in the column and every cell is stripped, an empty one missing.
    from parcours.scoring.expressions.table import clean_text_columns

    clean = pl.DataFrame({"water": ["piped", "well", "piped"] * 500})
    spaced = pl.DataFrame({"water": ["piped", "well", "piped"] * 499 + ["piped", " well ", ""]})
    assert clean_text_columns(clean, ["water"]) == {"water"} and clean_text_columns(spaced, ["water"]) == set()
    assert values("${water} = 'well'", clean)[:3] == [0, 1, 0]
    assert values("${water} = 'well'", spaced)[-3:][:2] == [0, 1] and math.isnan(values("${water} = 'well'",
                                                                                          spaced)[-1])
