"""Targeting with the programme's data: the priority list, the quota table, their CSV/XLSX files, and the targeting
errors of a selection against an uploaded reference list.

Reads go through :mod:`.selectors` (only the households the user may see); the arithmetic is the pure functions of
:mod:`.targeting`. Pages (``targeting_views``) and the ``parcours targeting`` command both call these functions, so
a list exported from the command is the list on the page.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from parcours.accounts.models import Programme
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError, Problem
from parcours.core.models import AuditEvent
from parcours.territories.models import Zone

from . import selectors, targeting
from .engines import EngineError
from .model_file import label_in
from .models import Score, ScoringModel

BASES = {"population": gettext_lazy("population of the zone"), "poor": gettext_lazy("households identified as poor")}
FORMATS = ("csv", "xlsx")
MAX_REFERENCE_FILE = 20 * 1024 * 1024
MAX_PROBLEMS = 20
TRUE = {"1", "true", "yes", "oui", "y", "vrai", "نعم"}
FALSE = {"0", "false", "no", "non", "n", "faux", "لا"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _engine(call, *args, **kwargs):
    """Run a pure targeting function; its (developer English) error becomes a message for the user."""
    try:
        return call(*args, **kwargs)
    except EngineError as exc:
        raise ApplicationError(_("The targeting could not be computed: %(error)s") % {"error": exc}) from exc


# --- priority list --------------------------------------------------------------------------------------------


def tie_break_descriptions() -> list[str]:
    """The order of the priority list, in words (shown on the page and written in the docs)."""
    return [
        _("score: the most vulnerable first (highest deprivation score or points; lowest predicted welfare)"),
        _("then more intersectional flags (female-headed, head aged 60+, child-headed, member with a disability, "
          "single parent, migrant or displaced, child without birth registration)"),
        _("then more children under five"),
        _("then a member with a disability"),
        _("then registered earlier (first come, first served)"),
        _("then the household code, so that no two households ever share a rank"),
        _("a missing value never gives priority; a household without a score is not ranked"),
    ]


def priority_table(*, user, model: ScoringModel, zone: Zone | None = None, places: int | None = None,
                   ) -> pl.DataFrame:
    """The households ``user`` may see, ranked under ``model`` within ``zone``; ``within_quota`` for the first
    ``places`` (every ranked household without ``places``)."""
    units = selectors.targeting_units(user=user, model=model, zone=zone)
    return _engine(targeting.priority_list, units, score="score", key="code",
                   higher_first=selectors.higher_is_poorer(model), quota=places)


PRIORITY_COLUMNS = (
    ("rank", gettext_lazy("Rank")), ("code", gettext_lazy("Household")), ("zone", gettext_lazy("Zone code")),
    ("zone_name", gettext_lazy("Zone")), ("score", gettext_lazy("Score")), ("is_poor", gettext_lazy("Poor")),
    ("band", gettext_lazy("Band")), ("flags", gettext_lazy("Intersectional flags")),
    ("children_under_5", gettext_lazy("Children under 5")),
    ("member_with_disability", gettext_lazy("Member with a disability")),
    ("registered_at", gettext_lazy("Registered on")), ("assessed_on", gettext_lazy("Assessed on")),
    ("within_quota", gettext_lazy("Within the places")),
)


# --- quotas ---------------------------------------------------------------------------------------------------


@dataclass
class QuotaTable:
    rows: list[dict]
    level: int
    total: int
    basis: str
    places_filled: int = 0
    households: int = 0
    zones_without_population: list[str] = field(default_factory=list)


QUOTA_COLUMNS = (
    ("zone", gettext_lazy("Zone code")), ("zone_name", gettext_lazy("Zone")), ("basis", gettext_lazy("Basis")),
    ("share_pct", gettext_lazy("Share (%)")), ("exact", gettext_lazy("Exact share")),
    ("quota", gettext_lazy("Places")), ("at_minimum", gettext_lazy("At the minimum")),
    ("households", gettext_lazy("Households scored")), ("poor", gettext_lazy("Identified as poor")),
    ("selected", gettext_lazy("Places filled")),
)


def quota_table(*, user, model: ScoringModel, total: int, basis: str = "population", within: Zone | None = None,
                level: int | None = None, minimum: int = 0) -> QuotaTable:
    """Share ``total`` places among the zones at ``level`` (under ``within``) by population or number of poor
    (largest remainder), and fill each zone's places from the priority list of the households ``user`` may see."""
    if basis not in BASES:
        raise ApplicationError(_("Share the places by population or by the number of poor."),
                               [Problem(_("Unknown basis “%(basis)s”.") % {"basis": basis}, field="basis")])
    zones, level = selectors.targeting_zones(model.programme, within=within, level=level)
    if not zones:
        raise ApplicationError(_("There is no zone at level %(level)s to share the places among.")
                               % {"level": level}, [Problem(_("Choose another level."), field="level")])
    units = selectors.targeting_units(user=user, model=model, zone=within)
    units = units.with_columns(pl.col("zone_path").str.split("/").list.get(level, null_on_oob=True)
                               .alias("quota_zone"))
    per_zone = units.group_by("quota_zone").agg(pl.len().alias("households"),
                                                 pl.col("is_poor").fill_null(False).sum().alias("poor"))
    counts = {row["quota_zone"]: row for row in per_zone.iter_rows(named=True)}
    missing = [zone.code for zone in zones if zone.population is None]
    if basis == "population" and missing:
        raise ApplicationError(
            _("Zone %(zone)s has no population: record it, or share the places by the number of poor.")
            % {"zone": missing[0]}, [Problem(_("No population."), field=code) for code in missing[:MAX_PROBLEMS]])
    table = pl.DataFrame({
        "zone": [zone.code for zone in zones],
        "population": [float(zone.population or 0) for zone in zones],
        "poor": [float(counts.get(zone.code, {}).get("poor", 0)) for zone in zones],
    })
    shares = _engine(targeting.quotas, table, total=total, basis=basis, minimum=minimum)
    ranked = _engine(targeting.priority_list, units.rename({"zone": "household_zone"}).rename(
        {"quota_zone": "zone"}), score="score", key="code", higher_first=selectors.higher_is_poorer(model))
    chosen = _engine(targeting.apply_quotas, ranked, shares.select("zone", "quota"))
    filled = {row["zone"]: row["selected"] for row in chosen.group_by("zone").agg(
        pl.col("selected").sum()).iter_rows(named=True)}
    rows = []
    for zone, share in zip(zones, shares.iter_rows(named=True), strict=True):
        rows.append({
            "zone": zone.code, "zone_name": zone.display_name, "basis": share["basis"],
            "share_pct": 100 * share["share"], "exact": share["exact"], "quota": share["quota"],
            "at_minimum": share["at_minimum"], "households": counts.get(zone.code, {}).get("households", 0),
            "poor": counts.get(zone.code, {}).get("poor", 0), "selected": int(filled.get(zone.code, 0)),
        })
    return QuotaTable(rows=rows, level=level, total=total, basis=basis,
                      places_filled=sum(row["selected"] for row in rows), households=units.height)


# --- files ----------------------------------------------------------------------------------------------------


def _cell(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return " ".join(str(item) for item in value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _csv_safe(value) -> str:
    """A spreadsheet runs a cell starting with "=" as a formula: such text (not a number) gets a quote mark."""
    text = "" if value == "" else str(value)
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def table_rows(records: Sequence[dict], columns) -> tuple[list[str], list[list]]:
    return [str(label) for _name, label in columns], [[_cell(record.get(name)) for name, _l in columns]
                                                       for record in records]


def write_csv(records: Sequence[dict], columns) -> bytes:
    header, rows = table_rows(records, columns)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([[_csv_safe(value) for value in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8 (Arabic names)


def write_xlsx(records: Sequence[dict], columns, *, title: str) -> bytes:
    header, rows = table_rows(records, columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = Font(bold=True)
        bold.append(cell)
    sheet.append(bold)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_file(records: Sequence[dict], columns, *, fmt: str, title: str) -> bytes:
    if fmt not in FORMATS:
        raise ApplicationError(_("Export as CSV or XLSX, not “%(format)s”.") % {"format": fmt})
    return write_csv(records, columns) if fmt == "csv" else write_xlsx(records, columns, title=title)


def export_name(programme: Programme, kind: str, fmt: str, zone: Zone | None = None) -> str:
    parts = [programme.slug, kind, *([zone.code] if zone else []), f"{timezone.localdate():%Y%m%d}"]
    return "-".join(parts) + f".{fmt}"


def export_audit(*, actor, programme: Programme, kind: str, fmt: str, count: int, filters: dict) -> None:
    """An export of a list of households leaves a trace: who, what, how many, with which filters."""
    shown = ", ".join(f"{k}={v}" for k, v in sorted(filters.items()) if v not in (None, ""))
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=programme,
                 note=f"{kind} {fmt}: {count} rows" + (f" ({shown})" if shown else ""))


# --- targeting errors -----------------------------------------------------------------------------------------


@dataclass
class Reference:
    """The reference of who is truly eligible, by household code, read from an uploaded CSV."""

    eligible: dict[str, bool]
    measure: str  # "eligible" or "welfare"
    threshold: float | None = None


def _column(header: list[str], names: Sequence[str]) -> int | None:
    wanted = {name.lower() for name in names}
    for index, name in enumerate(header):
        if name.strip().lower() in wanted:
            return index
    return None


def reference_read(content: bytes, *, file_name: str = "", threshold: float | None = None) -> Reference:
    """Read a reference CSV: a ``code`` column (the household code) and either ``eligible`` (1/0, yes/no,
    true/false) or ``welfare`` (a number: eligible when below ``threshold``). Every problem names its row and
    column; nothing is compared when there is one."""
    if len(content) > MAX_REFERENCE_FILE:
        raise ApplicationError(_("The reference file is larger than 20 MB."), [Problem("", file=file_name)])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApplicationError(_("The reference file is not UTF-8 text (save it as “CSV UTF-8”)."),
                               [Problem(str(exc), file=file_name)]) from exc
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ApplicationError(_("The reference file is empty."), [Problem("", file=file_name)])
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    code_at = _column(header, ("code", "household_code", "household"))
    eligible_at = _column(header, ("eligible",))
    welfare_at = _column(header, ("welfare", "consumption", "income"))
    if code_at is None:
        raise ApplicationError(_("The reference file needs a column “code” (the household code)."),
                               [Problem(_("Columns found: %(columns)s") % {"columns": ", ".join(header)},
                                        file=file_name, row=1, field="code")])
    if eligible_at is None and welfare_at is None:
        raise ApplicationError(_("The reference file needs a column “eligible” (1 or 0) or “welfare” (a number)."),
                               [Problem(_("Columns found: %(columns)s") % {"columns": ", ".join(header)},
                                        file=file_name, row=1, field="eligible")])
    measure = "eligible" if eligible_at is not None else "welfare"
    if measure == "welfare" and threshold is None:
        raise ApplicationError(_("With a welfare column, give the threshold below which a household is eligible."),
                               [Problem(_("No threshold."), field="threshold")])
    column_name = header[eligible_at if measure == "eligible" else welfare_at]
    eligible: dict[str, bool] = {}
    first_row: dict[str, int] = {}
    problems: list[Problem] = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = row[code_at].strip().upper() if code_at < len(row) else ""
        value = (row[eligible_at if measure == "eligible" else welfare_at].strip()
                 if (eligible_at if measure == "eligible" else welfare_at) < len(row) else "")
        if not code:
            problems.append(Problem(_("The household code is empty."), file=file_name, row=number,
                                    field=header[code_at]))
            continue
        if code in first_row:
            problems.append(Problem(_("The household %(code)s is already on row %(row)s.")
                                    % {"code": code, "row": first_row[code]}, file=file_name, row=number,
                                    field=header[code_at]))
            continue
        first_row[code] = number
        if measure == "eligible":
            flag = value.lower()
            if flag in TRUE or flag in FALSE:
                eligible[code] = flag in TRUE
            else:
                problems.append(Problem(_("“%(value)s” is not 1/0, yes/no or true/false.") % {"value": value},
                                        file=file_name, row=number, field=column_name))
        else:
            try:
                amount = float(value.replace(" ", "").replace(",", ".")) if value else math.nan
            except ValueError:
                amount = math.nan
            if math.isnan(amount) or math.isinf(amount):
                problems.append(Problem(_("“%(value)s” is not a number.") % {"value": value}, file=file_name,
                                        row=number, field=column_name))
            else:
                eligible[code] = amount < threshold
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise ApplicationError(_("The reference file has %(count)s problem(s); nothing was compared.")
                               % {"count": len(problems)}, problems)
    if not eligible:
        raise ApplicationError(_("The reference file lists no household."), [Problem("", file=file_name)])
    return Reference(eligible=eligible, measure=measure, threshold=threshold)


SELECTIONS = {"poor": gettext_lazy("households the model identifies as poor"),
              "places": gettext_lazy("the first households of the priority list, up to a number of places")}


@dataclass
class Comparison:
    errors: targeting.TargetingErrors
    compared: int
    not_found: list[str]  # reference codes without a current score the user may see
    not_in_reference: int  # scored households the reference does not list
    undetermined: int  # compared households whose selection is unknown (no score): left out


def targeting_compare(*, user, model: ScoringModel, reference: Reference, selection: str = "poor",
                      places: int | None = None) -> Comparison:
    """Targeting errors of ``model``'s selection (its poor, or the first ``places`` of the priority list) against
    ``reference``, over the households both list (Grosh et al. 2022 definitions, see docs/targeting.md)."""
    if selection not in SELECTIONS:
        raise ApplicationError(_("Unknown selection “%(selection)s”.") % {"selection": selection})
    if selection == "places" and (places is None or places < 0):
        raise ApplicationError(_("Give the number of places."), [Problem(_("Required."), field="places")])
    ranked = priority_table(user=user, model=model, places=places if selection == "places" else None)
    chosen = {code: (within if selection == "places" else poor) for code, within, poor in
              ranked.select("code", "within_quota", "is_poor").iter_rows()}
    if selection == "places":  # an unranked (unscored) household is undetermined, not "not selected"
        unranked = set(ranked.filter(pl.col("rank").is_null()).get_column("code").to_list())
        chosen = {code: (None if code in unranked else value) for code, value in chosen.items()}
    codes = [code for code in reference.eligible if code in chosen]
    determined = [code for code in codes if chosen[code] is not None]
    if not determined:
        raise ApplicationError(_("None of the reference's households has a current score you may see: check the "
                                 "household codes and the model."))
    errors = _engine(targeting.targeting_errors, [bool(chosen[c]) for c in determined],
                     [reference.eligible[c] for c in determined])
    return Comparison(errors=errors, compared=len(determined),
                      not_found=sorted(code for code in reference.eligible if code not in chosen),
                      not_in_reference=len(set(chosen) - set(reference.eligible)),
                      undetermined=len(codes) - len(determined))


def error_rows(errors: targeting.TargetingErrors) -> list[dict]:
    """The rates to show, each with its definition (Grosh et al. 2022, ch. 7); ``pct`` None when undefined."""
    rows = [
        {"name": _("Exclusion error"), "value": errors.exclusion_error,
         "definition": _("Eligible households not selected ÷ eligible households (undercoverage).")},
        {"name": _("Inclusion error"), "value": errors.inclusion_error,
         "definition": _("Selected households not eligible ÷ selected households.")},
        {"name": _("Coverage"), "value": errors.coverage,
         "definition": _("Eligible households selected ÷ eligible households = 1 − exclusion error.")},
        {"name": _("Leakage"), "value": errors.leakage,
         "definition": _("Share of the beneficiaries who are not eligible, counted in households (equal to the "
                         "inclusion error when every beneficiary receives the same).")},
        {"name": _("Non-eligible coverage"), "value": errors.non_eligible_coverage,
         "definition": _("Selected households not eligible ÷ households not eligible (some reports call this the "
                         "inclusion error: not comparable).")},
        {"name": _("Programme size"), "value": errors.program_size,
         "definition": _("Selected households ÷ households compared.")},
        {"name": _("Eligible share"), "value": errors.eligible_share,
         "definition": _("Eligible households ÷ households compared.")},
        {"name": _("Targeting differential"), "value": errors.targeting_differential,
         "definition": _("Coverage − inclusion error: 1 perfect, −1 everything wrong.")},
    ]
    for row in rows:
        row["pct"] = None if math.isnan(row["value"]) else 100 * row["value"]
    return rows


def band_labels(model: ScoringModel) -> dict[str, str]:
    """The model's band names → their labels in the user's language (names alone if the rules cannot be read)."""
    version = model.current
    form_version = selectors.version_form(version)
    if form_version is None:
        return {}
    try:
        spec = selectors.definition_of(version, form_version).spec
    except ApplicationError:
        return {}
    return {band.name: label_in(spec.band_labels.get(band.name, {}), get_language(), band.name)
            for band in spec.bands}


def score_is_percent(model: ScoringModel) -> bool:
    return model.method == ScoringModel.Method.ALKIRE_FOSTER


def priority_records(ranked: pl.DataFrame, *, model: ScoringModel) -> list[dict]:
    """Rows of the priority list for files: the flags by their names in the user's language."""
    names = {flag: str(Score._meta.get_field(flag).verbose_name) for flag in Score.FLAGS}
    records = ranked.drop("zone_path", "household").to_dicts()
    bands = band_labels(model)
    for record in records:
        record["flags"] = ", ".join(names[flag] for flag in record["flags"] or [])
        record["band"] = bands.get(record["band"], record["band"])
        if score_is_percent(model) and record["score"] is not None:
            record["score"] = round(record["score"], 6)
    return records
