"""Write fiche_socio_economique.xlsx, the default household questionnaire, from the Python data beside it.

The form_*.py files are the source of truth for review; the .xlsx is generated and committed so the
server and field teams use exactly what was reviewed. Rebuild after any change:

    .venv/bin/python parcours/questionnaires/forms/default/build.py [--output PATH]
"""

import argparse
import sys
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the form_*.py data modules beside this script (this folder is not a package)

from form_choices_living import LIVING_CHOICES  # noqa: E402
from form_choices_people import PEOPLE_CHOICES  # noqa: E402
from form_household import IDENT, OPENING, SUMMARY  # noqa: E402
from form_kit import CHOICES_COLUMNS, FORM_ID, LANGUAGES, SURVEY_COLUMNS, survey_cells  # noqa: E402
from form_living import ASSETS, DWELLING, INCOME, PROTECTION_RECEIVED  # noqa: E402
from form_roster import ROSTER  # noqa: E402
from form_wellbeing import FOOD, HEALTH, NEEDS, PROTECTION  # noqa: E402

OUTPUT = HERE / "fiche_socio_economique.xlsx"
VERSION = "2026110101"  # yyyymmddnn: raise it for every published change, or devices keep the old form
SETTINGS = {
    "form_title": "Fiche socio-économique du ménage",
    "form_id": FORM_ID,
    "name": FORM_ID,  # the instance's root element: data paths are /fiche_socio_economique/<group>/<field>
    "version": VERSION,
    "default_language": LANGUAGES[0],
    "instance_name": "concat(${hh_code}, ' ', ${today})",
}

SURVEY = [*OPENING, *IDENT, *ROSTER, *DWELLING, *ASSETS, *INCOME, *PROTECTION_RECEIVED, *FOOD, *HEALTH,
          *PROTECTION, *NEEDS, *SUMMARY]
CHOICES = {**PEOPLE_CHOICES, **LIVING_CHOICES}


def choice_rows() -> list[list[str]]:
    if set(PEOPLE_CHOICES) & set(LIVING_CHOICES):
        raise ValueError("a choice list is defined twice")
    return [[list_name, *choice] for list_name, choices in CHOICES.items() for choice in choices]


def _sheet(workbook: Workbook, title: str, header: tuple | list, rows: list[list]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "C2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, name in zip(sheet.columns, header, strict=True):
        wide = name.startswith(("label", "hint", "constraint_message", "required_message"))
        sheet.column_dimensions[column[0].column_letter].width = 48 if wide else 18
        if wide:
            for cell in column[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top",
                                           horizontal="right" if "(ar)" in name else "left")


def build(output: Path = OUTPUT) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(workbook, "survey", SURVEY_COLUMNS, [survey_cells(row) for row in SURVEY])
    _sheet(workbook, "choices", CHOICES_COLUMNS, choice_rows())
    _sheet(workbook, "settings", list(SETTINGS), [list(SETTINGS.values())])
    # Fixed metadata: rebuilding unchanged data gives the same workbook content.
    workbook.properties.creator = "Parcours"
    workbook.properties.created = workbook.properties.modified = datetime(2026, 11, 1)
    output.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(output)
    return output


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write the XLSForm")
    args = parser.parse_args(argv)
    print(build(args.output))


if __name__ == "__main__":
    main()
