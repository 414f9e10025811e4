"""Bulk import end to end: N synthetic households of the default questionnaire, exported as ODK Central (CSV zip) or
KoboToolbox (XLSX) would, imported by ``submissions_import`` — the service behind ``parcours submissions import``
and the web import job — with validation against the form's binds, registry projection and scoring.

    createdb -h 127.0.0.1 -U postgres parcours_bench_import
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench_import .venv/bin/parcours migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench_import \\
        .venv/bin/python bench/import_bulk.py --households 100000 [--format central|kobo] [--batch-size 500]
        [--seed 2026] [--reimport]
    dropdb -h 127.0.0.1 -U postgres parcours_bench_import

The database gets the demo's reference data (``parcours demo --households 0``) if it has no demo programme. The
export is written first (not timed), then imported; the figures are JSON lines: households per second end to end,
seconds per stage (read and check the files, build each instance, parse, validate, store submissions, project,
score, audit), peak memory, the ratio to the goal (2,000 households/s), and a check that every household landed
once. On SQLite the figures are labelled ``"database": "sqlite"`` and are not the headline.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from the repository
    sys.path.insert(0, str(ROOT))

GOAL = 2000  # households per second, end to end (issue #4, item 5)


def _print(**line) -> None:
    print(json.dumps({"bench": "import_bulk", **line}, ensure_ascii=False), flush=True)


def _write_central(path: Path, submissions) -> None:
    from bench import synthetic

    headers = synthetic.central_headers()
    with tempfile.TemporaryDirectory() as tmp:
        handles = {name: open(Path(tmp) / f"{name}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
                   for name in headers}
        writers = {name: csv.writer(handle) for name, handle in handles.items()}
        for name, header in headers.items():
            writers[name].writerow(header)
        for name, row in synthetic.to_central_rows(submissions):
            writers[name].writerow(row)
        for handle in handles.values():
            handle.close()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name in headers:
                archive.write(Path(tmp) / f"{name}.csv", f"{name}.csv")


def _write_kobo(path: Path, submissions) -> None:
    from openpyxl import Workbook

    from bench import synthetic

    book = Workbook(write_only=True)
    sheets = {}
    for title, header in synthetic.kobo_headers().items():
        sheets[title] = book.create_sheet(title)
        sheets[title].append(header)
    for title, row in synthetic.to_kobo_rows(submissions):
        sheets[title].append(row)
    book.save(path)


class _Reporter:
    """A JSON line every minute while importing, so that a long run says where it stands."""

    def __init__(self, label: str, started: float, live: dict):
        self.label, self.started, self.live, self.last = label, started, live, started

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.perf_counter()
        if now - self.last < 60:
            return
        self.last = now
        _print(metric=f"{self.label}_progress", step=str(message), value=done, of=total,
               seconds=round(now - self.started, 1),
               households_per_second=round(done / (now - self.started), 1), load_average=os.getloadavg()[0],
               cpu_ms_per_household={k[:-4]: round(v / max(done, 1) * 1000, 2) for k, v in self.live.items()
                                     if k.endswith("_cpu")})


def _backend_pid(connection):
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid) -> float | None:
    """User + system CPU of a local process (the PostgreSQL backend serving us), from /proc; None elsewhere."""
    try:
        fields = Path(f"/proc/{int(pid)}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, TypeError, ValueError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _setup():
    """The demo programme with the default questionnaire and its scoring model (reference data only)."""
    from django.core.management import call_command

    from parcours.accounts.models import Programme

    if not Programme.objects.filter(slug="demo").exists():
        call_command("demo", households=0, verbosity=0, stdout=io.StringIO())
    programme = Programme.objects.get(slug="demo")
    return programme, programme.questionnaires.get(form_id="fiche_socio_economique")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--format", choices=("central", "kobo"), default="central")
    parser.add_argument("--batch-size", type=int, default=None, help="submissions per transaction")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--code-prefix", default="B", help="household codes <prefix>-XXXXXXXX (one per run)")
    parser.add_argument("--reimport", action="store_true", help="import the same file again: nothing new")
    parser.add_argument("--hooks", choices=("all", "scoring"), default="all",
                        help="projection hooks to run: all (scoring, casework…) or scoring only (issue #4's scope: "
                             "import, validation, projection, scores)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parcours.settings.base")
    import django

    django.setup()
    from django.db import connection

    from bench import synthetic
    from parcours.questionnaires.imports import service
    from parcours.questionnaires.management.actors import programme_actor
    from parcours.questionnaires.models import Submission
    from parcours.questionnaires.services import submissions as receiving
    from parcours.registry.models import Household, Person
    from parcours.scoring.models import Score
    from parcours.territories.models import Zone

    if args.hooks == "scoring":  # for this run only: the other apps' hooks are measured with --hooks all
        receiving.PROJECTED_HOOKS[:] = [h for h in receiving.PROJECTED_HOOKS if h.__module__.startswith(
            "parcours.scoring")]
    hooks = [f"{h.__module__}.{h.__name__}" for h in receiving.PROJECTED_HOOKS]
    database = connection.vendor
    if args.batch_size:
        service.BATCH_SIZE = args.batch_size
    programme, questionnaire = _setup()
    actor = programme_actor(programme, None)
    zones = sorted(Zone.objects.filter(level_name="sector").values_list("code", flat=True))
    before = {"households": Household.objects.count(), "persons": Person.objects.count(),
              "scores": Score.objects.count(), "submissions": Submission.objects.count()}

    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as tmp:
        path = Path(tmp) / ("central.zip" if args.format == "central" else "kobo.xlsx")
        started = time.perf_counter()
        households = synthetic.submissions(args.households, zones=zones, seed=args.seed,
                                           code_prefix=args.code_prefix)
        (_write_central if args.format == "central" else _write_kobo)(path, households)
        _print(metric="export_written", value=round(time.perf_counter() - started, 1), unit="s",
               format=args.format, households=args.households, size_mb=round(path.stat().st_size / 1e6, 1))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        runs = [("import", args.households)] + ([("reimport", args.households)] if args.reimport else [])
        backend = _backend_pid(connection)
        for label, count in runs:
            started, cpu, db_cpu = time.perf_counter(), time.process_time(), _cpu_seconds(backend)
            live: dict = {}
            with path.open("rb") as handle:
                result = service.submissions_import(actor=actor, questionnaire=questionnaire,
                                                    files=[(path.name, handle)], timings=live,
                                                    progress=_Reporter(label, started, live))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
            db_cpu = _cpu_seconds(backend) - db_cpu if db_cpu is not None else None
            timings = result["timings"]
            measured = {"read_and_check_files": timings["checking"], **timings.get("stages", {})}
            stages = {k: v for k, v in measured.items() if not k.endswith("_cpu")}
            stages["other"] = max(0.0, elapsed - sum(stages.values()))  # commits, rows the single path took
            cpu_stages = {k[:-4]: v for k, v in measured.items() if k.endswith("_cpu")}
            rate = count / elapsed
            line = {"goal": GOAL, "ratio": round(rate / GOAL, 4), "database": database, "hooks": hooks,
                    "seconds": round(elapsed, 1),
                    "django_cpu_ms_per_household": round(cpu / count * 1000, 2), "counts": result["counts"],
                    "load_average": os.getloadavg()[0], "cores": os.cpu_count()}
            if db_cpu is not None:
                line["postgresql_cpu_ms_per_household"] = round(db_cpu / count * 1000, 2)
                capacity = (os.cpu_count() or 1) / ((cpu + db_cpu) / count)
                line["cpu_bound_capacity"] = round(capacity, 1)  # households/s if the cores were ours alone
            if database != "postgresql":
                line["note"] = "not PostgreSQL: not the headline figure"
            _print(metric=f"{label}_households_per_second", value=round(rate, 1), unit="households/s", **line)
            total = sum(stages.values()) or 1
            _print(metric=f"{label}_stages", unit="s", database=database,
                   value={k: round(v, 2) for k, v in stages.items()},
                   share={k: round(v / total, 3) for k, v in stages.items()},
                   per_household_ms={k: round(v / count * 1000, 3) for k, v in stages.items()},
                   cpu_per_household_ms={k: round(v / count * 1000, 3) for k, v in cpu_stages.items()})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    _print(metric="peak_rss", value=round(peak, 1), unit="MiB", before_import=round(rss_before, 1))
    after = {"households": Household.objects.count(), "persons": Person.objects.count(),
             "scores": Score.objects.count(), "submissions": Submission.objects.count()}
    landed = {key: after[key] - before[key] for key in after}
    projected = Submission.objects.filter(status=Submission.Status.PROJECTED).count()
    _print(metric="landed", value=landed, projected_total=projected)
    lost = landed["submissions"] != args.households or landed["households"] != args.households
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
