"""Where the time of one submission goes on the server: ``submission_receive`` timed in-process, split in phases.

Run on a database holding the demo (``parcours demo --households 0``), e.g. the one the OpenRosa benchmark left
with ``--keep``::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench .venv/bin/python bench/receive_profile.py 200

Phases (wall time and SQL queries, per submission): ``parse`` (XML to tree), ``read`` (tree to answers and the
form's checks), ``project`` (household, members, consents through the registry services), ``hooks`` (what
runs after a projection: scoring), ``audit``
(audit rows written outside the projection), ``store`` (the rest: look-ups, the submission row, transaction).
The services are not changed: their module-level helpers are wrapped for the run only.
"""

from __future__ import annotations

import collections
import contextlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from the repository
    sys.path.insert(0, str(ROOT))

PHASES = {"parse": ("parse_xml",), "read": ("instance_values", "_check", "_media_choices"),
          "project": ("submission_project",), "hooks": ("_after_projection",), "audit": ("audit_record",)}


def _kind(sql: str) -> str:
    """savepoint, audit insert, insert, update, select, other: what the statements are spent on."""
    head = sql.lstrip()[:12].upper()
    if head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
        return "savepoint"
    if head.startswith("INSERT"):
        return "audit_insert" if '"core_auditevent"' in sql[:40] else "insert"
    return head.split(" ", 1)[0].lower() if head.startswith(("SELECT", "UPDATE", "DELETE")) else "other"


class _Meter:
    """Time and queries spent inside wrapped functions, by phase; nested calls count once (outermost)."""

    def __init__(self):
        self.executed = 0  # every SQL statement, counted by a connection execute wrapper
        self.kinds = collections.Counter()
        self.seconds = collections.Counter()
        self.cpu = collections.Counter()
        self.queries = collections.Counter()
        self.depth = 0

    def wrap(self, phase: str, function):
        def timed(*args, **kwargs):
            if self.depth:
                return function(*args, **kwargs)
            self.depth += 1
            queries, started, cpu = self.executed, time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - started
                self.cpu[phase] += time.process_time() - cpu
                self.queries[phase] += self.executed - queries
                self.depth -= 1
        return timed

    def count(self, execute, sql, params, many, context):
        self.executed += 1
        self.kinds[_kind(sql)] += 1
        return execute(sql, params, many, context)


def _cpu_seconds(pid) -> float | None:
    """User + system CPU of a local process (the PostgreSQL backend serving us), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def profile(count: int = 200, *, seed: int = 777, programme_slug: str = "demo", device: str = "collect-demo",
            code_prefix: str = "P") -> list[dict]:
    """Receive ``count`` synthetic submissions in-process; the figures as JSON-ready dicts (per submission)."""
    from django.db import connection

    from bench import synthetic
    from parcours.accounts.models import DeviceAccount, Programme
    from parcours.questionnaires.models import Submission
    from parcours.questionnaires.services import submission_receive
    from parcours.questionnaires.services import submissions as module
    from parcours.territories.models import Zone

    programme = Programme.objects.get(slug=programme_slug)
    phone = DeviceAccount.objects.get(username=device)
    zones = sorted(Zone.objects.filter(level_name="sector").values_list("code", flat=True))
    xmls = [synthetic.to_instance_xml(answers, instance_id=instance_id) for instance_id, answers
            in synthetic.submissions(count, zones=zones, seed=seed, code_prefix=code_prefix)]
    meter = _Meter()
    patches = contextlib.ExitStack()
    for phase, names in PHASES.items():
        for name in names:
            original = getattr(module, name, None)
            if original is None:  # not in this version of the service
                continue
            setattr(module, name, meter.wrap(phase, original))
            patches.callback(setattr, module, name, original)
    statuses = collections.Counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT NULL")
        backend = cursor.fetchone()[0]
    with patches, connection.execute_wrapper(meter.count):
        started, cpu, db_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(backend)
        for xml in xmls:
            received = submission_receive(programme=programme, xml=xml, channel=Submission.Channel.COLLECT,
                                          actor=phone)
            statuses[received.submission.status] += 1
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        db_cpu = _cpu_seconds(backend) - db_cpu if db_cpu is not None else None
    total_queries = meter.executed
    phases = dict(meter.seconds)
    phases["store"] = elapsed - sum(phases.values())
    cpu_phases = dict(meter.cpu)
    cpu_phases["store"] = cpu - sum(cpu_phases.values())
    query_phases = dict(meter.queries)
    query_phases["store"] = total_queries - sum(query_phases.values())
    lines = [
        {"metric": "inprocess_receive_ms", "value": round(elapsed / count * 1000, 2), "unit": "ms/submission"},
        {"metric": "inprocess_receive_per_second", "value": round(count / elapsed, 1), "unit": "submissions/s",
         "note": "one process, no HTTP"},
        {"metric": "inprocess_cpu_ms", "value": round(cpu / count * 1000, 2), "unit": "ms/submission",
         "note": "CPU of the Django process: what load on the machine does not inflate"},
        {"metric": "queries_per_submission", "value": round(total_queries / count, 1), "unit": "queries"},
        {"metric": "inprocess_projected", "value": statuses.get(Submission.Status.PROJECTED, 0), "unit": "count",
         "of": count},
    ]
    if db_cpu is not None:
        lines.insert(2, {"metric": "inprocess_db_cpu_ms", "value": round(db_cpu / count * 1000, 2),
                         "unit": "ms/submission", "note": "CPU of its PostgreSQL backend"})
        capacity = (os.cpu_count() or 1) / ((cpu + db_cpu) / count)
        lines.insert(3, {"metric": "cpu_bound_capacity", "value": round(capacity, 1), "unit": "submissions/s",
                         "note": f"{os.cpu_count()} cores / (Django + PostgreSQL CPU per submission), no HTTP"})
    lines.append({"metric": "statements_by_kind", "unit": "statements/submission",
                  "value": {kind: round(n / count, 1) for kind, n in meter.kinds.most_common()}})
    for phase in (*PHASES, "store"):
        lines.append({"metric": f"phase_{phase}_ms", "value": round(phases.get(phase, 0) / count * 1000, 2),
                      "unit": "ms/submission", "cpu_ms": round(cpu_phases.get(phase, 0) / count * 1000, 2),
                      "queries": round(query_phases.get(phase, 0) / count, 1)})
    return lines


def main() -> None:
    import json

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings.base")
    import django

    django.setup()
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    for line in profile(count, seed=int(time.time())):
        print(json.dumps({"bench": "receive_profile", **line}, ensure_ascii=False))


if __name__ == "__main__":
    main()
