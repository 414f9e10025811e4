"""Zone diagnostics on a million households: a dashboard's data from the snapshot against a raw DuckDB GROUP BY
over the same rows, and the refresh after 1,000 new submissions.

    .venv/bin/python bench/insights_dashboard.py [--rows 1000000] [--new 1000] [--repeat 5] [--seed 1]

Set-up (not timed unless said): Django with its own SQLite database in a temporary folder (migrated), the default
questionnaire and MPI model (9 indicators, ``missing: reweight``, k = 1/3) on a programme, a country of 24
governorates × 11 delegations; ``--rows`` synthetic scored households (deprivations 1/0 with 2 % missing, head's
sex and age group, disability, size band, migrant, month of assessment, survey weights 0.5–3), identified by the
engine and written as the model's snapshot base (timed: ``identify_seconds``, ``write_base_seconds``), then loaded
cold by a fresh process-level cache (``cold_open_seconds``: read Parquet + build the cubes).

**Dashboard** (``dashboard_seconds``, median of ``--repeat``): what the dashboard pages ask for — figures of the
24 governorates, of the 264 delegations, of the governorates by each of the 5 population groups, of one
governorate's delegations, and 4 quarters of a trend — 12 calls of ``zone_figures`` with disclosure control on (as
a partner sees them). **Reference** (``duckdb_seconds``): DuckDB GROUP BY queries over the same 1M household rows
in memory (Arrow, no copy), producing the same sums (counts, Σ weights, Σ poor, Σ censored score, per indicator
censored and uncensored headcounts, contributions, band shares and the squared-weight sums of the standard
errors) for the same 12 groupings; and ``duckdb_simple_seconds``: the minimal H and M0 by governorate. Ratio =
dashboard / duckdb (goal ≤ 2).

**Refresh** (``refresh_seconds``): ``--new`` scores written to the database (half new households, half
re-assessments of households already in the snapshot), then ``snapshot_refresh``: read the changed scores,
identify them with the engine, write a delta file, update the cubes. The figures after the refresh are checked
against cubes rebuilt from scratch (exit status 1 if they differ beyond 1e-9). ``refresh_one_seconds``: the same
for a single new score, i.e. what a hook after every scored submission would cost each time.

Memory: peak resident set size of the process (``peak_rss``), and the snapshot's in-memory size.
Prints JSON lines ({"bench", "metric", "value", "unit"}).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = "insights_dashboard"
GOAL = 2.0
GOVERNORATES, DELEGATIONS = 24, 11


def emit(metric: str, value, unit: str = "", **extra) -> None:
    print(json.dumps({"bench": BENCH, "metric": metric, "value": value, "unit": unit, **extra},
                     ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


def memory() -> dict[str, int]:
    with open("/proc/self/status") as status:
        return {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmRSS", "VmHWM"))}


def setup_django(folder: Path):
    # Everything in the temporary folder: its own SQLite database, media and snapshots (never var/).
    os.environ["DJANGO_SETTINGS_MODULE"] = "parcours.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["PARCOURS_VAR_DIR"] = str(folder)
    os.environ["PARCOURS_INSIGHTS_DIR"] = str(folder / "insights")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PARCOURS_INSIGHTS_DIR = folder / "insights"
    settings.PARCOURS_INSIGHTS_REFRESH_SECONDS = 10 ** 9  # the bench refreshes explicitly
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    call_command("migrate", verbosity=0, run_syncdb=True)


def world():
    """Organisation, manager, programme, zones, questionnaire and model, through the services."""
    from parcours.accounts.models import Membership, Organisation, Programme, User
    from parcours.insights.figures import model_for
    from parcours.questionnaires.services import default_questionnaire_deploy
    from parcours.scoring.services import default_model_install
    from parcours.territories.models import Zone

    lead = Organisation.objects.create(slug="office", name="Office", kind=Organisation.Kind.PUBLIC)
    manager = User.objects.create_user(email="manager@bench.example", password="x-bench-2026", full_name="Manager")
    Membership.objects.create(user=manager, organisation=lead, role="manager")
    country = Zone.objects.create(code="ZY", name="Zaytouna", level=0, path="ZY/")
    zones = [country]
    for g in range(1, GOVERNORATES + 1):
        gov = Zone(code=f"ZY{g:02d}", name=f"Gouvernorat {g}", parent=country, level=1, path=f"ZY/ZY{g:02d}/")
        zones.append(gov)
        for d in range(1, DELEGATIONS + 1):
            code = f"ZY{g:02d}{d:02d}"
            zones.append(Zone(code=code, name=f"Délégation {code}", parent=gov, level=2, path=f"{gov.path}{code}/"))
    Zone.objects.bulk_create([z for z in zones[1:] if z.level == 1])
    Zone.objects.bulk_create([z for z in zones if z.level == 2])
    programme = Programme.objects.create(slug="bench", name="Bench", lead=lead)
    programme.zones.add(country)
    version = default_questionnaire_deploy(actor=manager, programme=programme)
    default_model_install(actor=manager, programme=programme, questionnaire=version.questionnaire)
    return {"manager": manager, "lead": lead, "programme": programme, "model": model_for(programme)}


class _ArrowStream:
    """The table as an Arrow C stream (DuckDB reads Polars without pyarrow), as in bench/scoring_mpi.py."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema=None):
        return self.frame.__arrow_c_stream__(requested_schema)


def draw_rows(rows: int, d: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    gov = rng.integers(1, GOVERNORATES + 1, rows)
    dele = rng.integers(1, DELEGATIONS + 1, rows)
    paths = np.array([f"ZY/ZY{g:02d}/ZY{g:02d}{x:02d}/" for g in range(1, GOVERNORATES + 1)
                      for x in range(1, DELEGATIONS + 1)])
    zone_path = paths[(gov - 1) * DELEGATIONS + (dele - 1)]
    wealth = rng.beta(2, 2.5, rows)
    months = np.array([f"2025-{m:02d}" for m in range(1, 13)])
    month_index = rng.integers(0, 12, rows)
    columns = {
        "household_id": [str(uuid.UUID(bytes=bytes(chunk))) for chunk in
                         rng.integers(0, 256, (rows, 16), dtype=np.uint8)],
        "zone_path": zone_path, "month": months[month_index],
        "assessed_on": [datetime.date(2025, int(m) + 1, 15) for m in month_index],
        "sex": np.where(rng.random(rows) < 0.35, "F", "M"),
        "age_group": np.array(["18_59", "60_plus", "under_18"])[rng.choice(3, rows, p=[0.78, 0.2, 0.02])],
        "disability": np.where(rng.random(rows) < 0.15, "yes", "no"),
        "size_band": np.array(["1", "2-3", "4-6", "7+"])[rng.choice(4, rows, p=[0.1, 0.35, 0.45, 0.1])],
        "migrant": np.where(rng.random(rows) < 0.08, "yes", "no"),
        "weight": rng.uniform(0.5, 3.0, rows),
        "stamp": ["2025-01-01T00:00:00+00:00"] * rows,
    }
    for j in range(d):
        deprived = (rng.random(rows) < (0.15 + 0.6 * (1 - wealth))).astype(float)
        deprived[rng.random(rows) < 0.02] = np.nan
        columns[f"g{j}"] = deprived
    return pl.DataFrame(columns)


DASHBOARD = [
    {"level": 1}, {"level": 2}, *[{"level": 1, "by": group} for group in
                                  ("sex", "age_group", "disability", "size_band", "migrant")],
    {"level": 2, "zone": "ZY01"}, *[{"level": 1, "period": f"2025-Q{q}"} for q in range(1, 5)],
]


def dashboard(w, zones) -> list:
    from parcours.insights.figures import zone_figures

    return [zone_figures(programme=w["programme"], viewer=None, zone=zones.get(call.get("zone")),
                         level=call["level"], by=call.get("by"), period=call.get("period"))
            for call in DASHBOARD]


def duckdb_queries(connection, d: int, missing: str) -> list:
    """The same sums as the cubes, straight from the household rows (see the module docstring)."""
    sums = ["count(*) AS n_total", "sum(inc::INT) AS n", "sum(weight * inc::INT) AS W", "sum(weight * poor::INT) AS P",
            "sum(weight * ck) AS C", "sum(weight * vul::INT) AS V", "sum(weight * sev::INT) AS S",
            "sum(weight * weight * inc::INT) AS W2", "sum(weight * weight * poor::INT) AS W2P",
            "sum(weight * weight * ck) AS W2C", "sum(weight * weight * ck * ck) AS W2CC"]
    sums += [f"sum(weight * dep{j}) AS U{j}" for j in range(d)]
    sums += [f"sum(weight * obs{j}) AS O{j}" for j in range(d)]
    sums += [f"sum(weight * dep{j} * poor::INT) AS K{j}" for j in range(d)]
    sums += [f"sum(weight * cw{j}) AS R{j}" for j in range(d)]
    select = ", ".join(sums)
    results = []
    for call in DASHBOARD:
        zone = f"array_to_string(list_slice(string_split(zone_path, '/'), 1, {call['level'] + 1}), '/')"
        keys = [zone] + ([call["by"]] if call.get("by") else [])
        where = []
        if call.get("zone"):
            where.append(f"zone_path LIKE 'ZY/{call['zone']}/%'")
        if call.get("period"):
            quarter = int(call["period"][-1])
            where.append(f"month BETWEEN '2025-{3 * quarter - 2:02d}' AND '2025-{3 * quarter:02d}'")
        sql = (f"SELECT {', '.join(keys)}, {select} FROM households "
               f"{'WHERE ' + ' AND '.join(where) if where else ''} GROUP BY {', '.join(keys)}")
        results.append(connection.execute(sql).fetchall())
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="insights_bench_") as folder:
        setup_django(Path(folder))
        import duckdb

        from parcours.insights import snapshot as snapshots
        from parcours.insights.aggregation import cells
        from parcours.territories.models import Zone

        w = world()
        model = w["model"]
        zones = {z.code: z for z in Zone.objects.filter(level__lte=1)}
        indicators = snapshots.indicators_of(model.current)
        d = len(indicators.names)
        started = time.perf_counter()
        rows = draw_rows(args.rows, d, args.seed)
        note(f"{rows.height} households drawn in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        frame = snapshots.identify(rows, indicators)
        emit("identify_seconds", round(time.perf_counter() - started, 3), "s", rows=args.rows)
        del rows
        started = time.perf_counter()
        snapshots.build_cubes(frame, d)
        emit("cube_build_seconds", round(time.perf_counter() - started, 3), "s",
             note="the cubes of the total and the 5 groups from the household rows")
        started = time.perf_counter()
        snapshots.snapshot_write_base(model, frame, watermark=datetime.datetime.now(datetime.UTC).isoformat())
        emit("write_base_seconds", round(time.perf_counter() - started, 3), "s",
             note="cubes built again, rows and cubes written to Parquet")

        snapshots.snapshot_forget()
        started = time.perf_counter()
        snapshot = snapshots.snapshot_open(model, refresh=False)
        for group in (None, "sex", "age_group", "disability", "size_band", "migrant"):
            snapshot.cube(group)
        emit("cold_open_seconds", round(time.perf_counter() - started, 3), "s",
             note="a web process reads the cubes file (not the household rows)")
        emit("cube_rows", snapshot.cubes_long.height, "rows")
        emit("cubes_memory", round(snapshot.cubes_long.estimated_size() / 2 ** 20, 1), "MiB")

        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            tables = dashboard(w, zones)
            timings.append(time.perf_counter() - started)
        ours = statistics.median(timings)
        emit("dashboard_seconds", round(ours, 4), "s", calls=len(DASHBOARD), runs=[round(t, 4) for t in timings])

        connection = duckdb.connect()
        # A native DuckDB table (copied once, not timed): the strictest reference.
        connection.register("stream", _ArrowStream(frame))
        connection.execute("CREATE TABLE households AS SELECT * FROM stream")
        connection.unregister("stream")
        duckdb_queries(connection, d, indicators.missing)  # warm-up
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            duckdb_queries(connection, d, indicators.missing)
            timings.append(time.perf_counter() - started)
        reference = statistics.median(timings)
        emit("duckdb_seconds", round(reference, 4), "s", runs=[round(t, 4) for t in timings])
        simple = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            connection.execute("SELECT split_part(zone_path, '/', 2) AS zone, count(*), "
                               "sum(weight * poor::INT) / sum(weight * inc::INT), "
                               "sum(weight * ck) / sum(weight * inc::INT) FROM households GROUP BY 1").fetchall()
            simple.append(time.perf_counter() - started)
        emit("duckdb_simple_seconds", round(statistics.median(simple), 4), "s",
             note="H and M0 by governorate only")
        emit("ratio", round(ours / reference, 3), "dashboard / duckdb", goal=GOAL, met=ours / reference <= GOAL)
        lower = statistics.median(simple)
        emit("ratio_vs_simple", round(ours / lower, 3), "dashboard (12 tables) / one minimal GROUP BY",
             met=ours / lower <= GOAL)
        # The figures are the same sums: compare the governorates' M0 with DuckDB's.
        check = dict(connection.execute(
            "SELECT split_part(zone_path, '/', 2), sum(weight * ck) / sum(weight * inc::INT) FROM households "
            "GROUP BY 1"
        ).fetchall())
        worst = max(abs(row.M0 - check[row.zone_code]) for row in tables[0].rows if row.zone_code)
        emit("max_difference_m0_vs_duckdb", worst, "")
        del frame
        connection.close()

        # --- refresh after new submissions ----------------------------------------------------------------------
        started = time.perf_counter()
        rows_in_memory = snapshot.frame  # the refreshing process holds the rows (read once)
        emit("rows_load_seconds", round(time.perf_counter() - started, 3), "s",
             note="once per refreshing process: the household rows it replaces are read from Parquet")
        emit("rows_memory", round(rows_in_memory.estimated_size() / 2 ** 20, 1), "MiB")
        known = rows_in_memory.get_column("household_id").head(args.new // 2).to_list()
        del rows_in_memory
        started = time.perf_counter()
        write_scores(w, model, known, args.new - len(known), args.seed, d)
        note(f"{args.new} scores written to the database in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        outcome = snapshots.snapshot_refresh(model, check_removed=False)
        emit("refresh_seconds", round(time.perf_counter() - started, 4), "s", changed=outcome["changed"],
             rows=outcome["rows"], kind=outcome["kind"])
        started = time.perf_counter()
        after = dashboard(w, zones)
        emit("dashboard_after_refresh_seconds", round(time.perf_counter() - started, 4), "s")
        worst = 0.0
        for group in (None, "sex", "age_group", "disability", "size_band", "migrant"):
            kept = cells(snapshot, level=1, group=group)
            snapshot._cubes[group] = snapshots.build_cube(snapshot.frame, group, d)  # rebuilt from scratch
            exact = cells(snapshot, level=1, group=group)
            snapshot._cubes.pop(group)
            for key, vector in exact.sums.items():
                worst = max(worst, float(np.max(np.abs(vector - kept.sums[key]) / np.maximum(1, np.abs(vector)))))
        emit("refresh_max_relative_difference", worst, "", note="incremental cubes vs cubes rebuilt from scratch")
        assert after[0].totals.n_total == args.rows + (args.new - len(known))
        write_scores(w, model, [], 1, args.seed + 1, d)
        single = []
        for index in range(5):
            write_scores(w, model, [], 1, args.seed + 10 + index, d)
            started = time.perf_counter()
            snapshots.snapshot_refresh(model, check_removed=False)
            single.append(time.perf_counter() - started)
        per_one = statistics.median(single)
        emit("refresh_one_seconds", round(per_one, 4), "s",
             note="per scored submission if refreshed by a hook after scoring")
        emit("hook_vs_batch", round(per_one * args.new / max(1e-9, float(outcome["seconds"])), 1),
             f"times the time of one refresh of {args.new}")
        emit("peak_rss", round(memory()["VmHWM"] / 1024, 1), "MiB")
        emit("load_average", round(os.getloadavg()[0], 2), "runnable processes (1 min)", cores=os.cpu_count())
        return 1 if worst > 1e-9 else 0


def write_scores(w, model, existing: list[str], new: int, seed: int, d: int) -> None:
    """Scores as the scoring service stores them: ``existing`` households re-assessed, ``new`` new ones."""
    from django.utils import timezone

    from parcours.registry.models import Household
    from parcours.scoring.models import Score
    from parcours.territories.models import Zone

    rng = np.random.default_rng(seed)
    zones = list(Zone.objects.filter(level=2)[:50])
    names = snapshots_names(model)
    households = [Household(id=uuid.UUID(pk), code=f"B{pk.replace('-', '')[:30]}", organisation=w["lead"],
                            zone=zones[i % len(zones)], programme=w["programme"]) for i, pk in enumerate(existing)]
    households += [Household(code=f"N{seed}-{i}", organisation=w["lead"], zone=zones[i % len(zones)],
                             programme=w["programme"]) for i in range(new)]
    Household.objects.bulk_create(households, ignore_conflicts=True)
    now = timezone.now()
    scores = []
    for household in households:
        deprivations = {name: int(rng.random() < 0.4) for name in names}
        scores.append(Score(household=household, model=model, model_version=model.current, computed_at=now,
                            assessed_on=datetime.date(2025, 6, 1), value=0.3, is_poor=False,
                            deprivations=deprivations, zone=household.zone, head_sex="F", head_age_group="18_59",
                            household_size=4, is_current=True, is_baseline=False))
    Score.objects.bulk_create(scores)


def snapshots_names(model) -> tuple[str, ...]:
    from parcours.insights.snapshot import indicators_of

    return indicators_of(model.current).names


if __name__ == "__main__":
    sys.exit(main())
