"""The zone report ("Zone vulnerability diagnostic") written as PDF, XLSX and CSV, and the evidence brief as PDF.

The PDF is an HTML template laid out by WeasyPrint, which shapes Arabic and lays it out right to left with the
system's Pango and fonts. The map is an SVG drawn here from the zones' outlines (``maps.choropleth_svg``); the
charts are bars drawn by the template with CSS widths (``charts.bars``), so their labels get the same text
shaping as the rest of the page. XLSX and CSV carry the same tables, suppressed cells written as the word
"suppressed" rather than a number.
"""

from __future__ import annotations

import base64
import csv
import io

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from . import charts, maps
from .reports import GROUPS, MEASURES, Diagnostic, ZoneFigure, no_data_message


def map_zones(diagnostic: Diagnostic, measure: str = "M0") -> list[maps.MapZone]:
    """The zone's sub-zones on the map, or the zone alone when it has none (or none with an outline)."""
    rows = [row for row in diagnostic.subzones if row.zone is not None and row.zone.geometry]
    if not rows and diagnostic.total is not None and diagnostic.zone.geometry:
        rows = [diagnostic.total]
    return [
        maps.MapZone(code=row.zone.code, name=row.zone.display_name, geometry=row.zone.geometry,
                     value=row.measure(measure)[0], suppressed=measure in row.suppressed, n=row.n)
        for row in rows
    ]


def report_context(diagnostic: Diagnostic, *, measure: str = "M0") -> dict:
    rtl = translation.get_language_bidi()
    svg = maps.choropleth_svg(map_zones(diagnostic, measure), measure=measure, rtl=rtl)
    return {
        "diagnostic": diagnostic,
        "measure": measure,
        "measure_label": MEASURES[measure],
        "map_svg": ("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()) if svg else "",
        "legend": maps.legend(measure),
        "indicator_bars": charts.bars(diagnostic.indicator_bars()),
        "contribution_bars": charts.bars(diagnostic.contribution_bars()),
        "subzone_bars": charts.bars([row.bar(measure) for row in diagnostic.subzones]),
        "group_sections": [(str(GROUPS.get(by, by)), rows) for by, rows in diagnostic.groups.items()],
        "trend_bars": charts.bars([row.bar("H") for row in diagnostic.trend]),
        "methodology": methodology_lines(diagnostic),
        "no_data_message": no_data_message(zone=diagnostic.zone, period=diagnostic.period),
        "rtl": rtl,
    }


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s, pages that show no PDF don't pay it

    html = render_to_string(template, context)
    return HTML(string=html, base_url=None).write_pdf()


def report_pdf(diagnostic: Diagnostic, *, measure: str = "M0") -> bytes:
    return render_pdf("insights/report_pdf.html", report_context(diagnostic, measure=measure))


# --- tables (XLSX and CSV) ---------------------------------------------------------------------------------------


def _bound(measure: str, side: str) -> str:
    if side == "low":
        return _("%(measure)s, %(level)s%% low") % {"measure": measure, "level": 95}
    return _("%(measure)s, %(level)s%% high") % {"measure": measure, "level": 95}


def _headers(diagnostic: Diagnostic) -> list[str]:
    headers = [_("Code"), _("Name"), _("Households (n)"), _("Weighted households"), _("H"), _bound("H", "low"),
               _bound("H", "high"), _("A"), _("M0"), _bound("M0", "low"), _bound("M0", "high"), _("Vulnerable"),
               _("Severely poor")]
    indicators = diagnostic.total.indicators if diagnostic.total else []
    headers += [_("Censored headcount: %(indicator)s") % {"indicator": item.label} for item in indicators]
    headers += [_("Contribution: %(indicator)s") % {"indicator": item.label} for item in indicators]
    return headers


def _cells(row: ZoneFigure) -> list:
    """One table row; a suppressed figure is the word "suppressed", never its value."""
    suppressed = _("suppressed")

    def cell(name: str, value):
        return suppressed if name in row.suppressed else value

    values = [
        row.key, row.label, cell("n", row.n), cell("n", row.weighted_n),
        cell("H", row.H), cell("H", row.H_low), cell("H", row.H_high), cell("A", row.A),
        cell("M0", row.M0), cell("M0", row.M0_low), cell("M0", row.M0_high),
        cell("vulnerable", row.vulnerable), cell("severe", row.severe),
    ]
    values += [suppressed if item.suppressed else item.censored for item in row.indicators]
    values += [suppressed if item.suppressed else item.contribution for item in row.indicators]
    return values


def table_sections(diagnostic: Diagnostic) -> list[tuple[str, list[ZoneFigure]]]:
    """The report's tables in order: the zone, its sub-zones, each population group, the trend by period."""
    sections = [(_("Zone"), [diagnostic.total] if diagnostic.total else [])]
    if diagnostic.subzones:
        sections.append((_("Sub-zones"), diagnostic.subzones))
    for by, rows in diagnostic.groups.items():
        sections.append((str(GROUPS.get(by, by)), rows))
    if diagnostic.trend:
        sections.append((_("Trend by period"), diagnostic.trend))
    return sections


def methodology_lines(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    start, end = diagnostic.data_period
    return [
        (_("Programme"), diagnostic.programme.name),
        (_("Zone"), f"{diagnostic.zone.display_name} ({diagnostic.zone.code})"),
        (_("Scoring model"), diagnostic.model_name),
        (_("Model version"), diagnostic.model_version),
        (_("Poverty cutoff (k)"), diagnostic.k_text),
        (_("Suppression rule"), suppression_rule(diagnostic)),
        (_("Data period"), diagnostic.period or _("%(start)s to %(end)s") % {
            "start": start or "…", "end": end or "…"}),
    ]


def suppression_rule(diagnostic: Diagnostic) -> str:
    if diagnostic.suppression_k is None:
        return _("No suppression: figures shown to staff of the owning organisation.")
    return _("Cells with fewer than %(k)s households are suppressed, with secondary suppression so that totals "
             "cannot reveal them; 0 %% and 100 %% rates of small groups are hidden.") % {"k": diagnostic.suppression_k}


def report_xlsx(diagnostic: Diagnostic) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("Methodology")[:31]
    if translation.get_language_bidi():
        sheet.sheet_view.rightToLeft = True
    sheet.append([_("Zone vulnerability diagnostic")])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, value in methodology_lines(diagnostic):
        sheet.append([label, value])
    headers = _headers(diagnostic)
    for title, rows in table_sections(diagnostic):
        tab = book.create_sheet(title=_sheet_title(title, book))
        if translation.get_language_bidi():
            tab.sheet_view.rightToLeft = True
        tab.append(headers)
        for cell in tab[1]:
            cell.font = Font(bold=True)
        formats = _number_formats(diagnostic)
        for row in rows:
            tab.append(_cells(row))
            for cell, number_format in zip(tab[tab.max_row], formats, strict=False):
                if number_format and isinstance(cell.value, int | float):
                    cell.number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number_formats(diagnostic: Diagnostic) -> list[str | None]:
    """Excel number formats matching ``_headers``: counts, shares as percentages, M0 with three decimals."""
    share, decimal = "0.0%", "0.000"
    indicators = len(diagnostic.total.indicators) if diagnostic.total else 0
    return ([None, None, "#,##0", "#,##0", share, share, share, share, decimal, decimal, decimal, share, share]
            + [share] * (2 * indicators))


def _sheet_title(title: str, book) -> str:
    # Excel: 31 characters at most, no []:*?/\ and unique in the workbook.
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "-"
    candidate, number = clean, 2
    while candidate in book.sheetnames:
        candidate = f"{clean[:28]} {number}"
        number += 1
    return candidate


def report_csv(diagnostic: Diagnostic) -> str:
    """One CSV of every table, with a first column naming the section (zone, sub-zones, a group, the trend)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Section"), *_headers(diagnostic)])
    for title, rows in table_sections(diagnostic):
        for row in rows:
            writer.writerow([title, *_cells(row)])
    return buffer.getvalue()
