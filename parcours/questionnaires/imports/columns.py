"""Which question each column of an export holds, and which table of the form (main or a repeat) each file is.

KoboToolbox ("XML values and headers") names a column by the question's path with its group separator ("/" by
default, or none when groups are left out of headers), a select_multiple's choice columns "question/choice",
and a geopoint's parts "_gps_latitude"…; its own columns start with "_". ODK Central joins groups with "-" (repeat
tables start at the repeat), names choice columns "question/choice" and geopoint parts "gps-Latitude"…, and adds
SubmissionDate, KEY, PARENT_KEY… Headers are matched on full paths first, then on the question's bare name when
only one question of that table has it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from parcours.core.exceptions import Problem

from ..exports import ordered_fields

SEPARATORS = ("/", "-", ".")
KOBO_GEO_PARTS = ("latitude", "longitude", "altitude", "precision")
CENTRAL_GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")

VALUE, CHOICE, GEO, META, IGNORED, UNKNOWN, BLANK = "value", "choice", "geo", "meta", "ignored", "unknown", "blank"

# Columns the tools add themselves → the role they play here ("" = read nothing from it).
META_COLUMNS = {
    # KoboToolbox
    "_id": "id", "_uuid": "uuid", "_index": "index", "_parent_index": "parent_index", "_parent_table_name": "",
    "_submission__uuid": "submission_uuid", "_submission__id": "submission_id", "_submission_time": "",
    "_validation_status": "", "_notes": "", "_status": "", "_submitted_by": "", "__version__": "", "_tags": "",
    "_xform_id_string": "", "_attachments": "", "_geolocation": "", "_media_count": "", "_total_media": "",
    "_media_all_received": "", "formhub/uuid": "",
    # ODK Central (and Briefcase)
    "SubmissionDate": "", "KEY": "key", "PARENT_KEY": "parent_key", "SubmitterID": "", "SubmitterName": "",
    "AttachmentsPresent": "", "AttachmentsExpected": "", "Status": "status", "ReviewState": "", "DeviceID": "",
    "Edits": "", "FormVersion": "", "instanceID": "instance_id",
}
META_PREFIXES = ("_submission_", "_version_")
META_BLOCK = {"instanceID": "instance_id", "deprecatedID": "deprecated_id"}
PARENT_LINKS = (("parent_index", "index"), ("parent_key", "key"), ("submission_uuid", "uuid"),
                ("submission_id", "id"))
KOBO_MARKERS = {"_uuid", "_id", "_index", "_submission_time", "_parent_index"}
CENTRAL_MARKERS = {"KEY", "PARENT_KEY", "SubmissionDate"}
_COPY_SUFFIX = re.compile(r"~\d+$")


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    kind: str
    path: str = ""  # the question (VALUE, CHOICE, GEO)
    detail: str = ""  # the choice (CHOICE), the part 0–3 (GEO) or the role (META)


class FormColumns:
    """The header names a form version's questions may have in an export, per table (main or repeat)."""

    def __init__(self, schema: dict):
        self.schema = schema
        fields = schema.get("fields", {})
        self.repeats: list[str] = list(schema.get("repeats", []))
        containers = set(schema.get("groups", {})) | set(self.repeats)
        for path in fields:
            parts = path.split("/")
            containers.update("/".join(parts[:i]) for i in range(1, len(parts)))
        self.answers = {path: info for path, info in ordered_fields(schema) if path not in containers}
        self.scopes: dict[str | None, tuple[dict, dict]] = {None: (defaultdict(set), defaultdict(set))}
        for repeat in self.repeats:
            self.scopes[repeat] = (defaultdict(set), defaultdict(set))
        for path, info in self.answers.items():
            self._add(path, info)

    def _add(self, path: str, info: dict) -> None:
        scope = info.get("repeat")
        if scope not in self.scopes:
            return
        exact, bare = self.scopes[scope]
        relative = path if scope is None else path[len(scope) + 1:]
        name = path.rsplit("/", 1)[-1]
        spellings = {form.replace("/", sep) for form in (path, relative) for sep in SEPARATORS}
        for spelling in spellings:
            exact[spelling].add((VALUE, path, ""))
        bare[name].add((VALUE, path, ""))
        if info.get("control") == "select" and info.get("list"):
            for choice in self.schema.get("choices", {}).get(info["list"], []):
                value = choice.get("value") or ""
                for sep in SEPARATORS:
                    for spelling in spellings:
                        exact[f"{spelling}{sep}{value}"].add((CHOICE, path, value))
                    bare[f"{name}{sep}{value}"].add((CHOICE, path, value))
        if info.get("type") == "geopoint":
            for part, (kobo, central) in enumerate(zip(KOBO_GEO_PARTS, CENTRAL_GEO_PARTS, strict=True)):
                target = (GEO, path, str(part))
                for spelling in spellings:
                    exact[f"{spelling}-{central}"].add(target)
                    exact[f"_{spelling}_{kobo}"].add(target)  # the whole path inside: seen in hand-made files
                for form in (path, relative):
                    prefix = form.rsplit("/", 1)[0] if "/" in form else ""
                    for sep in SEPARATORS:
                        exact[f"{prefix.replace('/', sep)}{sep}_{name}_{kobo}" if prefix else f"_{name}_{kobo}"].add(
                            target)
                bare[f"_{name}_{kobo}"].add(target)
                bare[f"{name}-{central}"].add(target)
        if info.get("type") == "binary":  # Kobo's link to the file on its server
            for spelling in spellings:
                exact[f"{spelling}_URL"].add((IGNORED, path, ""))
            bare[f"{name}_URL"].add((IGNORED, path, ""))

    def _lookup(self, scope: str | None, header: str) -> set | None:
        exact, bare = self.scopes[scope]
        return exact.get(header) or bare.get(header)

    def resolve(self, header: list[str], scope: str | None, file: str) -> tuple[list[Column], list[Problem]]:
        columns, problems, seen = [], [], {}
        for index, raw in enumerate(header):
            name = (raw or "").strip()
            if not name:
                columns.append(Column(index, name, BLANK))
                continue
            if name in seen:
                problems.append(Problem(_("The column “%(column)s” appears twice (columns %(first)s and "
                                          "%(second)s).") % {"column": name, "first": seen[name] + 1,
                                                            "second": index + 1}, file=file, field=name))
                columns.append(Column(index, name, IGNORED))
                continue
            seen[name] = index
            targets = self._lookup(scope, name)
            if targets and len(targets) > 1:
                paths = ", ".join(sorted({path for _kind, path, _detail in targets}))
                problems.append(Problem(_("The column “%(column)s” could be several questions (%(paths)s): name it "
                                          "by the question's full path.") % {"column": name, "paths": paths},
                                        file=file, field=name))
                columns.append(Column(index, name, IGNORED))
            elif targets:
                kind, path, detail = next(iter(targets))
                columns.append(Column(index, name, kind, path, detail))
            else:
                columns.append(self._metadata(index, name))
        return columns, problems

    def _metadata(self, index: int, name: str) -> Column:
        if name in META_COLUMNS:
            return Column(index, name, META, detail=META_COLUMNS[name])
        if name.startswith(META_PREFIXES):
            return Column(index, name, META)
        for sep in ("/", "-"):
            if name.startswith(f"meta{sep}"):
                return Column(index, name, META, detail=META_BLOCK.get(name[5:], ""))
        return Column(index, name, UNKNOWN)

    def elsewhere(self, scope: str | None, header: str) -> str | None:
        """The other table (repeat path, or "" for the main one) where ``header`` is a question, if any."""
        for other in self.scopes:
            if other != scope and self._lookup(other, header):
                return other or ""
        return None

    def scope_of(self, name: str, header: list[str], form_id: str) -> str | None | bool:
        """The repeat a table holds (None: the main table; False: none recognised).

        A table with no parent column is the main one. A repeat's table is recognised by its name (Kobo's sheet
        title, Central's "<form>-<repeat>.csv"), else by the repeat whose questions its headers name most.
        """
        names = {h.strip() for h in header}
        if not names & {"_parent_index", "PARENT_KEY", "_parent_table_name", "_submission__uuid"}:
            return None
        stem = _COPY_SUFFIX.sub("", name)
        if stem.startswith(f"{form_id}-"):
            stem = stem[len(form_id) + 1:]
        by_name = [r for r in self.repeats
                   if stem in {r.rsplit("/", 1)[-1], r.rsplit("/", 1)[-1][:31], r.replace("/", "-"), r}]
        if len(by_name) == 1:
            return by_name[0]
        scores = {r: sum(1 for h in names if self._lookup(r, h)) for r in self.repeats}
        best = max(scores.values(), default=0)
        winners = [r for r, score in scores.items() if score == best]
        return winners[0] if best and len(winners) == 1 else False

    def parent_of(self, repeat: str) -> str | None:
        return max((r for r in self.repeats if repeat.startswith(r + "/")), key=len, default=None)


def export_format(headers: list[str]) -> str:
    names = set(headers)
    if names & KOBO_MARKERS:
        return "kobotoolbox"
    if names & CENTRAL_MARKERS:
        return "odk-central"
    return "csv"
