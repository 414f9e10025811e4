"""submissions_import: KoboToolbox and ODK Central exports (CSV, XLSX, CSV zip) into the submission service.

Two phases. The first reads every table once, recognises each column and each row's parent, and checks every value
against its question's type; any problem of structure (unknown or ambiguous column, a repeat row without its
parent, a value of the wrong type, a file that is not UTF-8…) refuses the whole import, with all the problems
listed, so nothing is ever half imported. The second builds one instance per main row, with its repeat rows, and
sends it through ``submission_receive`` like any other channel: what the registry cannot take waits in quarantine
(listed row by row in the result), and instance IDs taken from the export make a re-import harmless.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from parcours.core.exceptions import ApplicationError, Problem

from ..models import FormVersion, QuarantineEntry, Questionnaire, Submission
from ..selectors import user_may_manage
from ..services import SubmissionRejected, submissions_receive_many
from .columns import META, PARENT_LINKS, UNKNOWN, VALUE, FormColumns, export_format
from .instance import Answers, InstanceBuilder
from .rows import RowReader
from .sources import Table, TableReadError, materialise, read_tables
from .staging import Staging, link

Progress = Callable[[int, int, str], None]
# Identifiers of rows that carry none: uuid5 of the file's SHA-256 and the row number, in this namespace.
ROW_NAMESPACE = uuid.UUID("6b1f7f5e-3c4a-5d2e-9a61-7c0d2b8e4f10")
# Submissions received per transaction: big enough for bulk writes to pay, small enough for a steady progress bar
# and a short lock on the rows written.
BATCH_SIZE = 500


@dataclass
class _Plan:
    table: Table
    scope: str | None  # None: the main table; else the repeat's path
    number: int  # the table's number in the staging file (0: main)
    reader: RowReader | None = None
    parent_kind: str = ""  # which key of the parent row this table's rows name (index, key, uuid, id)
    parent_role: str = ""  # the column role holding it (parent_index, parent_key…)
    parent_header: str = ""
    parent: _Plan | None = None
    roles: dict[str, str] = field(default_factory=dict)  # role of a metadata column → its header
    keys: set[str] = field(default_factory=set)  # the kinds of key this table's rows carry
    wanted: set[str] = field(default_factory=set)  # the kinds its child tables refer to
    seen: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → key → row


def _form_version(questionnaire: Questionnaire, version: str) -> FormVersion:
    versions = questionnaire.versions.all()
    found = versions.filter(version=version).first() if version else (
        versions.filter(is_current=True).first() or versions.first())
    if found is None:
        message = (_("The questionnaire has no version “%(version)s”.") % {"version": version} if version
                   else _("The questionnaire has no version yet."))
        raise ApplicationError(message, [Problem(message, field="version")])
    return found


def _uuid_key(value: str) -> str:
    return value[5:] if value.startswith("uuid:") else value


def _plan_tables(tables: list[Table], columns: FormColumns, form_id: str, ignore_unknown: bool
                 ) -> tuple[list[_Plan], list[Problem], list[Problem]]:
    """Each table's repeat, resolved columns and parent link; (plans, problems, warnings)."""
    problems, warnings, plans = [], [], []
    by_scope: dict[str | None, _Plan] = {}
    for table in tables:
        scope = columns.scope_of(table.name, table.header, form_id)
        if scope is False:
            problems.append(Problem(_("This table matches none of the form's repeats (%(repeats)s).")
                                    % {"repeats": ", ".join(columns.repeats) or "—"}, file=table.file))
            continue
        if scope in by_scope:
            problems.append(Problem(_("This table holds the same rows as %(other)s (%(what)s): import one of them.")
                                    % {"other": by_scope[scope].table.file, "what": scope or _("main table")},
                                    file=table.file))
            continue
        resolved, found = columns.resolve(table.header, scope, table.file)
        problems += found
        unknown = [c for c in resolved if c.kind == UNKNOWN]
        for column in unknown:
            other = columns.elsewhere(scope, column.header)
            message = (_("The column “%(column)s” is a question of another table (%(table)s).")
                       % {"column": column.header, "table": other or _("main table")} if other is not None
                       else _("The column “%(column)s” is not a question of this form version.")
                       % {"column": column.header})
            if ignore_unknown:
                warnings.append(Problem(_("%(message)s It was ignored.") % {"message": message},
                                        file=table.file, field=column.header))
            else:
                problems.append(Problem(message, file=table.file, field=column.header))
        if unknown and len(unknown) * 2 > len([c for c in resolved if c.kind in (VALUE, UNKNOWN)]):
            (warnings if ignore_unknown else problems).append(Problem(
                _("Most columns are not question names: export with “XML values and headers” (KoboToolbox) or "
                  "without labels (ODK Central)."), file=table.file))
        plan = _Plan(table, scope, len(plans) + 1 if scope is not None else 0,
                     RowReader(resolved, columns.answers))
        plan.roles = {c.detail: c.header for c in resolved if c.kind == META and c.detail}
        plan.keys = {kind for kind in ("index", "key", "uuid", "id") if kind in plan.roles}
        by_scope[scope] = plan
        plans.append(plan)
    for repeat in columns.repeats:
        if repeat not in by_scope and columns.parent_of(repeat) in by_scope:
            # Kobo writes no sheet for a repeat nobody filled in, and its CSV export leaves repeats out.
            warnings.append(Problem(_("No file holds the rows of the repeat %(repeat)s: the submissions are "
                                      "imported without them (a KoboToolbox CSV export leaves repeats out; its "
                                      "XLSX export has them).") % {"repeat": repeat}))
    if None not in by_scope and plans:
        problems.append(Problem(_("None of the files holds the main table (one row per submission, without "
                                  "_parent_index or PARENT_KEY).")))
    for plan in plans:
        if plan.scope is None:
            continue
        parent_scope = columns.parent_of(plan.scope)
        parent = by_scope.get(parent_scope)
        if parent is None:
            if parent_scope is not None:
                problems.append(Problem(_("The rows of this table belong to rows of %(parent)s, which no file "
                                          "holds.") % {"parent": parent_scope}, file=plan.table.file))
            continue
        for role, kind in PARENT_LINKS:
            if role in plan.roles and kind in parent.keys and (kind in ("index", "key") or parent.scope is None):
                plan.parent_role, plan.parent_kind, plan.parent_header = role, kind, plan.roles[role]
                plan.parent = parent
                parent.wanted.add(kind)
                break
        else:
            problems.append(Problem(_("Nothing links these rows to those of %(parent)s: the export needs "
                                      "_parent_index (KoboToolbox) or PARENT_KEY (ODK Central).")
                                    % {"parent": parent.table.file}, file=plan.table.file))
    order = {None: -1, **{r: i for i, r in enumerate(columns.repeats)}}
    plans.sort(key=lambda p: order[p.scope])
    return plans, problems, warnings


class _Checker:
    """The first phase: every row read, checked and staged."""

    def __init__(self, plans: list[_Plan], staging: Staging, progress: Progress):
        self.plans, self.staging, self.progress = plans, staging, progress
        self.problems: list[Problem] = []
        self.instance_rows: dict[str, int] = {}
        self.done = 0
        self.total = sum(p.table.estimated_rows for p in plans)
        self.main_rows = 0

    def run(self) -> None:
        message = _("Checking the rows")
        for plan in self.plans:
            try:
                for line, cells in plan.table.rows():
                    if any(c not in (None, "") for c in cells):
                        self._row(plan, line, cells)
                    self.done += 1
                    self.progress(self.done, max(self.total, self.done), message)
            except TableReadError as exc:
                self.problems.append(exc.problem)

    def _row(self, plan: _Plan, line: int, cells: list) -> None:
        table = plan.table
        row = plan.reader.read(cells)
        for column, message in row.problems:
            self.problems.append(Problem(message, row=line, field=column or None, file=table.file))
        meta = row.meta
        if "uuid" in meta:
            meta["uuid"] = _uuid_key(meta["uuid"])
        for kind in plan.wanted:
            key = meta.get(kind, "")
            if not key:
                self.problems.append(Problem(_("The row has no key for its repeat rows to refer to."), row=line,
                                             file=table.file))
                continue
            seen = plan.seen.setdefault(kind, {})
            if key in seen:
                self.problems.append(Problem(_("The key “%(key)s” is already on row %(row)s.")
                                             % {"key": key, "row": seen[key]}, row=line, file=table.file))
            seen[key] = line
        links = {kind: meta[kind] for kind in plan.wanted if kind in meta}
        if plan.scope is None:
            self._main(plan, line, row.values, meta, links)
            return
        parent_plan = plan.parent
        if parent_plan is None:  # already reported: nothing links this table to its parent
            return
        key = meta.get(plan.parent_role, "")
        if plan.parent_kind == "uuid":
            key = _uuid_key(key)
        if not key:
            self.problems.append(Problem(_("The row has no parent key."), row=line, field=plan.parent_header,
                                         file=table.file))
        elif key not in parent_plan.seen.get(plan.parent_kind, {}):
            self.problems.append(Problem(_("No row of %(parent)s has the key “%(key)s” this row belongs to.")
                                         % {"parent": parent_plan.table.file, "key": key}, row=line,
                                         field=plan.parent_header, file=table.file))
        self.staging.add(plan.number, line, link(plan.parent_kind, key), {"v": row.values, "l": links})

    def _main(self, plan: _Plan, line: int, values: dict, meta: dict, links: dict) -> None:
        if meta.get("status"):  # Central: "not decrypted", "missing encrypted form data"
            self.problems.append(Problem(_("The submission's answers are not in the export (“%(status)s”): "
                                           "export it decrypted.") % {"status": meta["status"]}, row=line,
                                         file=plan.table.file))
        instance_id = (values.get("meta/instanceID") or meta.get("instance_id") or meta.get("key")
                       or (f"uuid:{meta['uuid']}" if meta.get("uuid") else "")
                       or f"uuid:{uuid.uuid5(ROW_NAMESPACE, f'{plan.table.digest}:{line}')}")
        values["meta/instanceID"] = instance_id
        if instance_id in self.instance_rows:
            self.problems.append(Problem(_("The instance ID %(id)s is already on row %(row)s.")
                                         % {"id": instance_id, "row": self.instance_rows[instance_id]},
                                         row=line, file=plan.table.file))
        self.instance_rows[instance_id] = line
        self.main_rows += 1
        self.staging.add(0, line, "", {"v": values, "l": links, "d": meta.get("deprecated_id", "")})


def _where(reason: dict, main: tuple[str, int], rows: dict[str, list[tuple[str, int]]]) -> tuple[str, int]:
    """The file and row a reason of submission_receive points at (a member's problem → the member's row)."""
    path, index = reason.get("field") or "", reason.get("row")
    for repeat, places in rows.items():
        if (path == repeat or path.startswith(repeat + "/")) and isinstance(index, int) and 0 < index <= len(places):
            return places[index - 1]
    return main


class _Sender:
    """The second phase: one instance per main row, through submission_receive."""

    def __init__(self, *, plans: list[_Plan], staging: Staging, builder: InstanceBuilder, programme, actor,
                 progress: Progress, total: int, batch_size: int = BATCH_SIZE):
        self.staging, self.builder, self.programme, self.actor = staging, builder, programme, actor
        self.progress, self.total = progress, total
        self.main = plans[0]
        self.children: dict[str | None, list[_Plan]] = {}
        for plan in plans:
            if plan.parent is not None:
                self.children.setdefault(plan.parent.scope, []).append(plan)
        self.counts = dict.fromkeys(("total", "created", "edited", "duplicates", "quarantined", "flagged",
                                     "refused"), 0)
        self.report: list[Problem] = []
        self.quarantined: list[dict] = []
        self.receive_seconds = 0.0
        self.timings: dict[str, float] = {}  # seconds per stage of submissions_receive_many
        self.batch_size = batch_size

    def _answers(self, values: dict, links: dict, scope: str | None, rows: dict | None) -> Answers:
        answers = Answers(values)
        for plan in self.children.get(scope, ()):
            items = []
            for line, data in self.staging.children(plan.number, link(plan.parent_kind,
                                                                      links.get(plan.parent_kind, ""))):
                items.append(self._answers(data["v"], data.get("l", {}), plan.scope, None))
                if rows is not None:
                    rows.setdefault(plan.scope, []).append((plan.table.file, line))
            answers.repeats[plan.scope] = items
        return answers

    def run(self) -> None:
        file, message = self.main.table.file, _("Importing the submissions")
        batch: list[tuple] = []
        done = 0
        for line, data in self.staging.rows(0):
            rows: dict[str, list[tuple[str, int]]] = {}
            answers = self._answers(data["v"], data.get("l", {}), None, rows)
            if data.get("d"):
                answers.values["meta/deprecatedID"] = data["d"]
            batch.append((self.builder.build(answers), (file, line), rows, data["v"]["meta/instanceID"]))
            if len(batch) >= self.batch_size:
                done += self._send(batch)
                batch = []
                self.progress(done, self.total, message)
        if batch:
            done += self._send(batch)
            self.progress(done, self.total, message)

    def _send(self, batch: list[tuple]) -> int:
        """One batch through submissions_receive_many (one transaction); the counts and the row-level report."""
        started = time.perf_counter()
        try:
            outcomes = submissions_receive_many(programme=self.programme, xmls=[xml for xml, *_r in batch],
                                                channel=Submission.Channel.IMPORT, actor=self.actor,
                                                timings=self.timings)
        finally:
            self.receive_seconds += time.perf_counter() - started
        quarantined = [o.submission.pk for o in outcomes if not isinstance(o, SubmissionRejected)
                       and o.outcome != "duplicate" and o.submission.status == Submission.Status.QUARANTINED]
        reasons: dict = {}
        if quarantined:
            for entry in QuarantineEntry.objects.filter(submission_id__in=quarantined,
                                                        state=QuarantineEntry.State.OPEN).order_by("created_at"):
                reasons[entry.submission_id] = entry.reasons
        for (_xml, main, rows, instance_id), outcome in zip(batch, outcomes, strict=True):
            self._record(outcome, main, rows, instance_id, reasons)
        return len(batch)

    def _record(self, received, main: tuple[str, int], rows: dict, instance_id: str, reasons: dict) -> None:
        self.counts["total"] += 1
        if isinstance(received, SubmissionRejected):
            self.counts["refused"] += 1
            self.report.append(Problem(_("Refused: %(reason)s") % {"reason": received.message}, row=main[1],
                                       file=main[0]))
            return
        submission = received.submission
        if received.outcome == "duplicate":
            self.counts["duplicates"] += 1
            return
        self.counts["edited" if received.outcome == "edited" else "created"] += 1
        if submission.flags:
            self.counts["flagged"] += 1
            for flag in submission.flags:
                file, line = _where(flag, main, rows)
                self.report.append(Problem(_("Flagged: %(reason)s") % {"reason": flag.get("message", "")},
                                           row=line, field=flag.get("field"), file=file))
        if submission.status == Submission.Status.QUARANTINED:
            self.counts["quarantined"] += 1
            found = reasons.get(submission.pk, [])
            for reason in found:
                file, line = _where(reason, main, rows)
                self.report.append(Problem(_("In quarantine: %(reason)s") % {"reason": reason.get("message", "")},
                                           row=line, field=reason.get("field"), file=file))
            self.quarantined.append({"file": main[0], "row": main[1], "instance_id": instance_id,
                                     "submission": str(submission.pk), "reasons": found})


def submissions_import(
    *,
    actor,
    questionnaire: Questionnaire,
    files: list[tuple[str, IO[bytes]]],
    version: str = "",
    ignore_unknown_columns: bool = False,
    bundled: bool = False,
    progress: Progress | None = None,
    timings: dict | None = None,
) -> dict:
    """Import the submissions of ``files`` (name, open binary file) into ``questionnaire``; returns the job result.

    ``bundled``: ``files`` is one ZIP that only wraps files uploaded together (members keep their own names).
    ``timings``: a dictionary the receiving's seconds per stage are added to as batches go (benchmarks).
    """
    if isinstance(actor, str) or not user_may_manage(actor, questionnaire.programme):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may import submissions."))
    form_version = _form_version(questionnaire, version)
    progress = progress or (lambda done, total, message="": None)
    columns = FormColumns(form_version.schema)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="parcours-import-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        locals_, problems = materialise(files, workdir, bundled=bundled)
        closers: list[Callable[[], None]] = []
        tables, found = read_tables(locals_, closers)
        for close in closers:
            stack.callback(close)
        problems += found
        plans, found, warnings = _plan_tables(tables, columns, questionnaire.form_id, ignore_unknown_columns)
        problems += found
        staging = Staging(workdir)
        stack.callback(staging.close)
        checker = _Checker(plans, staging, progress)
        checker.run()
        problems += checker.problems
        if problems:
            raise ApplicationError(_("The files have %(count)s problem(s): nothing was imported.")
                                   % {"count": len(problems)}, problems)
        if not checker.main_rows:
            message = _("The files hold no submission.")
            raise ApplicationError(message, [Problem(message)])
        staging.seal()
        checked = time.perf_counter()
        sender = _Sender(plans=plans, staging=staging, builder=InstanceBuilder(form_version),
                         programme=questionnaire.programme, actor=actor, progress=progress,
                         total=checker.main_rows)
        if timings is not None:
            sender.timings = timings
        sender.run()
    finished = time.perf_counter()
    counts = sender.counts
    return {
        "message": _("%(created)s created, %(duplicates)s already received, %(quarantined)s in quarantine, "
                     "%(refused)s refused.") % counts,
        "counts": counts,
        "problems": [p.as_dict() for p in warnings + sender.report],
        "quarantined": sender.quarantined,
        "format": export_format([h for p in plans for h in p.table.header]),
        "version": form_version.version,
        "files": [p.table.file for p in plans],
        "timings": {"checking": round(checked - started, 3), "importing": round(finished - checked, 3),
                    "receiving": round(sender.receive_seconds, 3),
                    # building each instance from its rows (the rest of "importing"), then the receiving's stages
                    "stages": {"build": round(finished - checked - sender.receive_seconds, 3),
                               **{stage: round(seconds, 3) for stage, seconds in sender.timings.items()}},
                    "rows_per_second": round(counts["total"] / max(finished - started, 1e-9), 1)},
    }
