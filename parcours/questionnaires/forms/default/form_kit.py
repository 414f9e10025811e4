"""Small vocabulary for writing XLSForm rows as readable Python data (used by build.py).

A row is a dict of XLSForm survey columns; translated columns hold a ``Tr`` (French, Arabic, English,
Portuguese, in that order). Answerable questions are required unless ``required=False``: an optional
question is the exception in a registration form, so it has to be said.
"""

from typing import NamedTuple

FORM_ID = "fiche_socio_economique"
ROOT = f"/{FORM_ID}"
ROSTER = f"{ROOT}/roster/member"  # absolute path, for count() with a predicate over the members

LANGUAGES = ("Français (fr)", "العربية (ar)", "English (en)", "Português (pt)")
TRANSLATED = ("label", "hint", "required_message", "constraint_message")
SURVEY_COLUMNS = (
    "type", "name", *(f"label::{lang}" for lang in LANGUAGES), *(f"hint::{lang}" for lang in LANGUAGES),
    "required", *(f"required_message::{lang}" for lang in LANGUAGES),
    "constraint", *(f"constraint_message::{lang}" for lang in LANGUAGES),
    "relevant", "calculation", "default", "appearance", "choice_filter", "repeat_count", "parameters",
)
CHOICES_COLUMNS = ("list_name", "name", *(f"label::{lang}" for lang in LANGUAGES))


class Tr(NamedTuple):
    """One text in the form's four languages."""

    fr: str
    ar: str
    en: str
    pt: str


REQUIRED = Tr("Cette question est obligatoire.", "هذا السؤال إجباري.", "This question is required.",
              "Esta pergunta é obrigatória.")


def q(type_: str, name: str, label: Tr, *, hint: Tr | None = None, required: bool | str = True,
      required_message: Tr | None = None, constraint: str | None = None, message: Tr | None = None,
      relevant: str | None = None, **extra: str) -> dict:
    """A question; ``extra`` takes the other survey columns (default, appearance, choice_filter...)."""
    if constraint and message is None:
        raise ValueError(f"{name}: a constraint needs a message the enumerator can act on")
    row = {"type": type_, "name": name, "label": label, "hint": hint, "constraint": constraint,
           "constraint_message": message, "relevant": relevant, **extra}
    if required:
        row["required"] = "yes" if required is True else required
        row["required_message"] = required_message or REQUIRED
    return row


def note(name: str, label: Tr, *, relevant: str | None = None, hint: Tr | None = None) -> dict:
    return {"type": "note", "name": name, "label": label, "hint": hint, "relevant": relevant}


def calc(name: str, expression: str, *, relevant: str | None = None) -> dict:
    return {"type": "calculate", "name": name, "calculation": expression, "relevant": relevant}


def meta(type_: str) -> dict:
    return {"type": type_, "name": type_}


def group(name: str, label: Tr, rows: list[dict], *, relevant: str | None = None,
          appearance: str | None = None) -> list[dict]:
    return [{"type": "begin_group", "name": name, "label": label, "relevant": relevant,
             "appearance": appearance}, *rows, {"type": "end_group", "name": ""}]


def repeat(name: str, label: Tr, rows: list[dict], *, count: str) -> list[dict]:
    return [{"type": "begin_repeat", "name": name, "label": label, "repeat_count": count},
            *rows, {"type": "end_repeat", "name": ""}]


def exclusive(*names: str) -> str:
    """Constraint for a select_multiple: each of ``names`` (none, prefer not to say...) stands alone."""
    return " and ".join(f"(not(selected(., '{n}')) or count-selected(.) = 1)" for n in names)


def one_of(field: str, *values: str) -> str:
    return "(" + " or ".join(f"${{{field}}} = '{v}'" for v in values) + ")"


def survey_cells(row: dict) -> list:
    """The row as cells in SURVEY_COLUMNS order."""
    cells = []
    for column in SURVEY_COLUMNS:
        base, _, lang = column.partition("::")
        value = row.get(base)
        if lang and value is not None:
            value = value[LANGUAGES.index(lang)]
        cells.append(value if value not in ("", None) else None)
    return cells
