"""Charts of a zone diagnostic: Vega-Lite specifications for the dashboards, plain bars for the reports.

The specifications are built here, on the server, and put in the page as JSON; the browser only draws them with
the vendored Vega (no spec is written in JavaScript). Labels and titles come out in the reader's language, and in
a right-to-left language the value axis is reversed and the category axis moved to the right, so bars grow from
the right like the text around them. Suppressed figures are drawn as grey marks labelled "suppressed", confidence
intervals as whiskers (bars) or a band (trends), and every tooltip gives n.

Reports are not drawn with Vega: there is no JavaScript at run time on the server. ``bars`` gives the same
figures as rows an HTML template draws with CSS widths, which WeasyPrint lays out with its full text shaping
(Arabic included) — see docs/dashboards.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
BAR_COLOUR = "#0f5c6e"
SUPPRESSED_COLOUR = "#b0b7bc"


def percent(value: float | None, digits: int = 1) -> str:
    """A share as a percentage in the active language's format ("34,5 %" in French); "" for none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _("%(value)s %%") % {"value": number_format(round(100 * value, digits), decimal_pos=digits)}


def decimal(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return number_format(round(value, digits), decimal_pos=digits)


def count(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return number_format(round(value), force_grouping=True)


def interval(low: float | None, high: float | None, *, as_percent: bool) -> str:
    if low is None or high is None:
        return ""
    if as_percent:
        return _("%(low)s to %(high)s") % {"low": percent(low), "high": percent(high)}
    return _("%(low)s to %(high)s") % {"low": decimal(low), "high": decimal(high)}


@dataclass(frozen=True)
class Bar:
    """One figure of a chart: a share in [0, 1] with its interval and n, or suppressed."""

    key: str
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    suppressed: bool = False


def format_locale() -> dict:
    """The d3-format locale of the active language, from Django's own formats (so charts and tables agree)."""
    thousands = get_format("THOUSAND_SEPARATOR") or ","
    return {
        "decimal": get_format("DECIMAL_SEPARATOR") or ".",
        "thousands": thousands,
        "grouping": [3],
        "currency": ["", ""],
        "percent": "\u202f%" if get_format("DECIMAL_SEPARATOR") == "," else "%",
    }


def _records(bars: list[Bar]) -> list[dict]:
    suppressed = _("suppressed")
    return [
        {
            "key": bar.key, "label": bar.label,
            "value": None if bar.suppressed else bar.value,
            "low": None if bar.suppressed else bar.low,
            "high": None if bar.suppressed else bar.high,
            "n": None if bar.suppressed else bar.n,
            "suppressed": bar.suppressed,
            # A suppressed or missing figure still gets a thin grey stub so the reader sees the row exists.
            "stub": 0.02 if bar.suppressed or bar.value is None else None,
            "note": suppressed if bar.suppressed else ("" if bar.value is not None else _("no data")),
        }
        for bar in bars
    ]


def _tooltip(value_title: str) -> list[dict]:
    low, high = (_("%(level)s%% interval, low") % {"level": 95}, _("%(level)s%% interval, high") % {"level": 95})
    return [
        {"field": "label", "type": "nominal", "title": _("Name")},
        {"field": "value", "type": "quantitative", "title": value_title, "format": ".1%"},
        {"field": "low", "type": "quantitative", "title": low, "format": ".1%"},
        {"field": "high", "type": "quantitative", "title": high, "format": ".1%"},
        {"field": "n", "type": "quantitative", "title": _("Households (n)"), "format": ","},
        {"field": "note", "type": "nominal", "title": _("Note")},
    ]


def bar_spec(bars: list[Bar], *, title: str, value_title: str, rtl: bool, domain_max: float | None = 1.0) -> dict:
    """Horizontal bars with 95% interval whiskers, one row per figure, in the given order."""
    y = {"field": "label", "type": "nominal", "sort": None, "title": None,
         "axis": {"orient": "right" if rtl else "left", "labelLimit": 220}}
    scale: dict = {"reverse": rtl, "zero": True}
    if domain_max is not None:
        scale["domain"] = [0, domain_max]
    x = {"field": "value", "type": "quantitative", "title": value_title, "scale": scale,
         "axis": {"format": ".0%", "orient": "bottom"}}
    tooltip = _tooltip(value_title)
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "end" if rtl else "start"},
        "width": "container",
        "height": {"step": 24},
        "data": {"values": _records(bars)},
        "encoding": {"y": y},
        "layer": [
            {"mark": {"type": "bar", "color": BAR_COLOUR, "tooltip": True}, "encoding": {"x": x, "tooltip": tooltip}},
            {"mark": {"type": "bar", "color": SUPPRESSED_COLOUR},
             "encoding": {"x": {**x, "field": "stub"}, "tooltip": tooltip}},
            {"mark": {"type": "rule", "color": "#263238"},
             "encoding": {"x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}}},
            {"mark": {"type": "text", "align": "right" if rtl else "left", "dx": -4 if rtl else 4,
                      "color": "#455a64", "fontStyle": "italic"},
             "encoding": {"x": {"datum": 0.02, "type": "quantitative"}, "text": {"field": "note"}}},
        ],
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 12, "titleFontSize": 12}},
    }


def trend_spec(points: list[Bar], *, title: str, value_title: str, rtl: bool) -> dict:
    """A line over periods (oldest first) with its 95% interval as a band; suppressed periods leave a gap."""
    x = {"field": "label", "type": "ordinal", "sort": None, "title": _("Period"),
         "scale": {"reverse": rtl}, "axis": {"labelAngle": 0}}
    y = {"field": "value", "type": "quantitative", "title": value_title,
         "axis": {"format": ".0%", "orient": "right" if rtl else "left"}, "scale": {"zero": True}}
    tooltip = _tooltip(value_title)
    return {
        "$schema": SCHEMA,
        "title": {"text": title, "anchor": "end" if rtl else "start"},
        "width": "container",
        "height": 220,
        "data": {"values": _records(points)},
        "encoding": {"x": x},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.2, "color": BAR_COLOUR},
             "encoding": {"y": {**y, "field": "low"}, "y2": {"field": "high"}}},
            {"mark": {"type": "line", "color": BAR_COLOUR, "point": True, "tooltip": True},
             "encoding": {"y": y, "tooltip": tooltip}},
            {"mark": {"type": "text", "dy": -8, "color": "#455a64", "fontStyle": "italic"},
             "encoding": {"y": {"datum": 0, "type": "quantitative"}, "text": {"field": "note"}}},
        ],
        "config": {"view": {"stroke": None}, "axis": {"labelFontSize": 12, "titleFontSize": 12}},
    }


def bars(items: list[Bar], *, domain_max: float = 1.0, as_decimal: bool = False) -> list[dict]:
    """Rows for an HTML bar chart (reports): widths and interval positions as percentages of the track."""
    def pct(value):
        return None if value is None else max(0.0, min(100.0, 100 * value / domain_max))

    rows = []
    for item in items:
        shown = not item.suppressed and item.value is not None
        low, high = (pct(item.low), pct(item.high)) if shown and None not in (item.low, item.high) else (None, None)
        rows.append({
            "label": item.label, "value": None if item.suppressed else item.value, "n": item.n,
            "suppressed": item.suppressed,
            "text": (decimal(item.value) if as_decimal else percent(item.value)) if shown else "",
            "ci_text": interval(item.low, item.high, as_percent=not as_decimal) if shown else "",
            "n_text": count(item.n) if item.n is not None else "",
            "width": pct(item.value) if shown else 0,
            "ci_start": low, "ci_width": (high - low) if low is not None else None,
        })
    return rows
