"""Alkire–Foster scoring of a million households: Parcours against hand-written DuckDB SQL and hand-written Polars.

    .venv/bin/python bench/scoring_mpi.py [--rows 1000000] [--indicators 10] [--zones 300] [--repeat 3] [--seed 1]

Draws a flat table (seeded): one row per household with a zone code, a sampling weight and one source column per
indicator (numbers and categorical strings, about 1 % empty in two of them, drawn from a household "wealth" so
deprivations hang together), and an Alkire–Foster model in the model-file format (nested weights: education,
health, living standards 1/3 each; k = 1/3; ``deprived_if`` expressions). Then times, each in its own process
(the table read from a Parquet file first, not timed):

- ``parcours``: parse the model (``load_model``) → ``apply.measure`` (expressions compiled to Polars and the
  Alkire–Foster sums — headcounts, contributions, decomposition by zone — in one Polars query), without standard
  errors;
- ``duckdb``: one SQL query over the same Polars table registered through the Arrow C stream interface (no copy,
  no pyarrow): deprivations, scores, poor flags, H, A, M0 by zone;
- ``polars``: the same as one hand-written lazy Polars query.

Each variant runs ``--repeat`` times (median printed). Missing answers make the deprivation unknown and the
household is left out, as the model's ``missing: exclude`` says, in all three. Per-zone H, A and M0 must agree
within 1e-9, else the exit status is 1. Memory: each process's peak resident set size, and its peak above the
size it had once the table was loaded (Linux: the high-water mark is reset through /proc/self/clear_refs).
Prints JSON lines ({"bench", "metric", "value", "unit"}) and a summary with
ratio = parcours_seconds / min(duckdb_seconds, polars_seconds) (the goal: ≤ 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from the repository
    sys.path.insert(0, str(ROOT))
BENCH = "scoring_mpi"
GOAL = 2.0
TOLERANCE = 1e-9
K = Fraction(1, 3)
EPSILON = 1e-9  # parcours.scoring.engines.common.EPSILON: a score at the cut-off is poor despite floating point
VARIANTS = ("parcours", "duckdb", "polars")


def emit(metric: str, value, unit: str = "", **extra) -> None:
    print(json.dumps({"bench": BENCH, "metric": metric, "value": value, "unit": unit, **extra},
                     ensure_ascii=False), flush=True)


def note(text: str) -> None:
    print(f"# {text}", file=sys.stderr, flush=True)


# Indicator kinds: (source column, dimension, deprived_if, SQL condition, Polars condition). {c} is the column.
KINDS = [
    ("years_schooling", "education", "${c} < 6", "{c} < 6", lambda c: pl.col(c) < 6),
    ("children_out_of_school", "education", "${c} > 0", "{c} > 0", lambda c: pl.col(c) > 0),
    ("child_deaths", "health", "${c} > 0", "{c} > 0", lambda c: pl.col(c) > 0),
    ("undernourished", "health", "${c} = 'yes'", "{c} = 'yes'", lambda c: pl.col(c) == "yes"),
    ("electricity", "living", "${c} = 'no'", "{c} = 'no'", lambda c: pl.col(c) == "no"),
    ("water_minutes", "living", "${c} > 30", "{c} > 30", lambda c: pl.col(c) > 30),
    ("toilet", "living", "${c} = 'none' or ${c} = 'pit_open'", "{c} = 'none' OR {c} = 'pit_open'",
     lambda c: (pl.col(c) == "none") | (pl.col(c) == "pit_open")),
    ("floor", "living", "${c} = 'earth' or ${c} = 'sand'", "{c} = 'earth' OR {c} = 'sand'",
     lambda c: (pl.col(c) == "earth") | (pl.col(c) == "sand")),
    ("cooking_fuel", "living", "${c} = 'wood' or ${c} = 'charcoal'", "{c} = 'wood' OR {c} = 'charcoal'",
     lambda c: (pl.col(c) == "wood") | (pl.col(c) == "charcoal")),
    ("assets", "living", "${c} < 2", "{c} < 2", lambda c: pl.col(c) < 2),
]
LADDERS = {"toilet": ["none", "pit_open", "pit_slab", "flush"], "floor": ["earth", "sand", "cement", "tile"],
           "cooking_fuel": ["wood", "charcoal", "gas", "electric"]}


def indicators(count: int) -> list[dict]:
    """The model's indicators: kind j % 10; nested weights (each dimension 1/3, split among its indicators)."""
    chosen = [(j, KINDS[j % len(KINDS)]) for j in range(count)]
    columns = [kind[0] if count <= len(KINDS) else f"{kind[0]}_{j + 1}" for j, kind in chosen]
    dimensions = [kind[1] for _, kind in chosen]
    present = list(dict.fromkeys(dimensions))
    result = []
    for (j, kind), column, dimension in zip(chosen, columns, dimensions, strict=True):
        weight = Fraction(1, len(present)) / dimensions.count(dimension)
        result.append({"name": f"i{j + 1}_{kind[0]}", "column": column, "kind": j % len(KINDS),
                       "dimension": dimension, "weight": weight})
    return result


def model_yaml(specs: list[dict]) -> str:
    lines = ["method: alkire-foster", "label: {en: Benchmark MPI}", f"k: {K}", "missing: exclude", "indicators:"]
    for spec in specs:
        rule = KINDS[spec["kind"]][2].replace("${c}", "${" + spec["column"] + "}")
        lines.append(f"  - {{name: {spec['name']}, dimension: {spec['dimension']}, weight: {spec['weight']}, "
                     f"deprived_if: \"{rule}\"}}")
    return "\n".join(lines) + "\n"


def draw_table(rows: int, specs: list[dict], zones: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    sizes = rng.lognormal(0, 1, zones)  # unequal zones
    zone = rng.choice(zones, size=rows, p=sizes / sizes.sum())
    wealth = rng.normal(0, 0.6, zones)[zone] + rng.normal(0, 1, rows)
    columns = {"code": pl.int_range(0, rows, eager=True).cast(pl.Utf8).str.zfill(7),
               "zone": pl.Series(zone).cast(pl.Utf8).str.zfill(3).str.pad_start(4, "Z"),
               "weight": rng.lognormal(0, 0.4, rows)}
    for spec in specs:
        noise = rng.normal(0, 1, rows)
        name = KINDS[spec["kind"]][0]
        if name == "years_schooling":
            values = pl.Series(np.clip(np.round(8 + 3 * wealth + 2 * noise), 0, 16).astype(np.int64))
        elif name in ("children_out_of_school", "child_deaths"):
            rate = np.exp(-1 - 0.8 * wealth) if name == "children_out_of_school" else np.exp(-2.2 - 0.5 * wealth)
            values = pl.Series(rng.poisson(rate).astype(np.int64))
        elif name in ("undernourished", "electricity"):
            yes = 1 / (1 + np.exp(1.2 + wealth + noise)) if name == "undernourished" else (
                1 - 1 / (1 + np.exp(1 + 1.2 * wealth + noise)))
            values = pl.Series(np.where(rng.random(rows) < yes, "yes", "no"))
        elif name == "water_minutes":
            values = pl.Series(np.round(np.exp(3 - 0.5 * wealth + 0.8 * noise), 1))
        elif name == "assets":
            values = pl.Series(np.clip(np.round(3 + 1.5 * wealth + 1.2 * noise), 0, 8).astype(np.int64))
        else:
            step = np.clip(np.floor(1.5 + wealth + noise), 0, 3).astype(np.int64)
            values = pl.Series(step).replace_strict(dict(enumerate(LADDERS[name])), return_dtype=pl.Utf8)
        if name in ("undernourished", "water_minutes"):  # about 1 % not answered
            values = pl.select(pl.when(pl.Series(rng.random(rows) < 0.01)).then(None).otherwise(values)).to_series()
        columns[spec["column"]] = values
    return pl.DataFrame(columns)


# The three variants: each returns {zone: (H, A, M0)}.

def run_parcours(table: pl.DataFrame, text: str, specs: list[dict]) -> dict:
    from parcours.scoring.apply import measure
    from parcours.scoring.model_file import load_model

    model = load_model(text, file_name="bench.yaml")
    result = measure(model, table, by=["zone"], weights="weight", se=None)
    return {key: (group.H, group.A, group.M0) for key, group in result.groups["zone"].items()}


def parcours_phases(table: pl.DataFrame, text: str) -> dict[str, tuple[float, float]]:
    """Where Parcours' time goes: the steps of ``apply.measure`` timed one by one (wall and CPU seconds).

    ``measure`` runs the expressions and the sums as one Polars query (``expressions_and_sums``); the expressions
    alone (``expressions_only``) are also timed, to split that query's time.
    """
    from parcours.scoring import apply
    from parcours.scoring.engines import alkire_foster_frame
    from parcours.scoring.expressions import evaluate, evaluate_lazy
    from parcours.scoring.model_file import load_model

    phases, state = {}, {}

    def timed(name, step):
        wall, cpu = time.perf_counter(), time.process_time()
        state[name] = step()
        phases[name] = (time.perf_counter() - wall, time.process_time() - cpu)

    timed("parse", lambda: load_model(text, file_name="bench.yaml"))
    model = state["parse"]
    expressions = {i.name: i.expression for i in model.indicators}
    timed("weights", lambda: apply.sample_weights(table, "weight"))
    timed("expressions_and_sums", lambda: alkire_foster_frame(
        evaluate_lazy(table, expressions), weights=[i.weight for i in model.indicators], k=model.k,
        dimensions=[i.dimension for i in model.indicators], names=[i.name for i in model.indicators],
        sample_weights=state["weights"], groups={"zone": table.get_column("zone")}, se=None, height=table.height))
    timed("expressions_only", lambda: evaluate(table, expressions))
    return phases


class _ArrowStream:
    """The table as an Arrow C stream that DuckDB may read more than once (a capsule is consumed by one read)."""

    def __init__(self, frame: pl.DataFrame):
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema=None):
        return self.frame.__arrow_c_stream__(requested_schema)


def duckdb_sql(specs: list[dict]) -> str:
    flags = ",\n    ".join(f"CAST(({KINDS[s['kind']][3].format(c=s['column'])}) AS DOUBLE) AS g{j}"
                           for j, s in enumerate(specs))
    known = " AND ".join(f"g{j} IS NOT NULL" for j in range(len(specs)))
    score = " + ".join(f"{float(s['weight'])!r} * g{j}" for j, s in enumerate(specs))
    cutoff = min(float(K), float(sum(s["weight"] for s in specs))) - EPSILON
    return f"""
WITH deprivations AS (SELECT zone, weight,
    {flags}
  FROM households),
scores AS (SELECT zone, weight, {score} AS c FROM deprivations WHERE {known}),
poor AS (SELECT zone, weight, c, CAST(c >= {cutoff!r} AND c > 0 AS DOUBLE) AS q FROM scores)
SELECT zone, SUM(weight * q) / SUM(weight) AS H, SUM(weight * q * c) / SUM(weight) AS M0
FROM poor GROUP BY zone"""


def run_duckdb(table: pl.DataFrame, text: str, specs: list[dict]) -> dict:
    import duckdb

    connection = duckdb.connect()
    try:
        connection.register("households", _ArrowStream(table))
        rows = connection.execute(duckdb_sql(specs)).fetchall()
    finally:
        connection.close()
    return {zone: (H, M0 / H if H > 0 else 0.0, M0) for zone, H, M0 in rows}


def run_polars(table: pl.DataFrame, text: str, specs: list[dict]) -> dict:
    g = [KINDS[s["kind"]][4](s["column"]).cast(pl.Float64).alias(f"g{j}") for j, s in enumerate(specs)]
    score = pl.sum_horizontal([float(s["weight"]) * pl.col(f"g{j}") for j, s in enumerate(specs)])
    known = pl.all_horizontal([pl.col(f"g{j}").is_not_null() for j in range(len(specs))])
    cutoff = min(float(K), float(sum(s["weight"] for s in specs))) - EPSILON
    q = ((pl.col("c") >= cutoff) & (pl.col("c") > 0)).cast(pl.Float64)
    frame = (table.lazy().select("zone", "weight", *g).filter(known).select("zone", "weight", score.alias("c"))
             .with_columns(q.alias("q"))
             .group_by("zone").agg(((pl.col("weight") * pl.col("q")).sum() / pl.col("weight").sum()).alias("H"),
                                   ((pl.col("weight") * pl.col("q") * pl.col("c")).sum() / pl.col("weight").sum())
                                   .alias("M0"))
             .collect())
    return {zone: (H, M0 / H if H > 0 else 0.0, M0) for zone, H, M0 in frame.iter_rows()}


RUNNERS = {"parcours": run_parcours, "duckdb": run_duckdb, "polars": run_polars}


def _memory() -> dict[str, int]:
    """VmRSS and VmHWM of this process in KiB (Linux)."""
    with open("/proc/self/status") as status:
        return {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmRSS", "VmHWM"))}


def worker(args) -> int:
    if args.worker == "parcours":
        from django.conf import settings

        # The model file and apply translate their messages; no app, database or translation catalogue is needed.
        settings.configure(USE_I18N=False)
        import parcours.scoring.apply  # noqa: F401  (imports are not part of the timing)
    elif args.worker == "duckdb":
        import duckdb  # noqa: F401
    specs = indicators(args.indicators)
    text = Path(args.model).read_text()
    table = pl.read_parquet(args.data)
    before = _memory()["VmRSS"]
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark to the current size
        reset = True
    except OSError:
        reset = False
    seconds, cpu, result = [], [], None
    for _ in range(args.repeat):
        started, processor = time.perf_counter(), time.process_time()
        result = RUNNERS[args.worker](table, text, specs)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - processor)  # every thread's CPU: > wall time when several cores work
    peak = _memory()["VmHWM"]
    phases = parcours_phases(table, text) if args.worker == "parcours" else {}
    Path(args.out).write_text(json.dumps({
        "seconds": seconds, "cpu_seconds": cpu, "result": {str(key): value for key, value in result.items()},
        "rss_before_kib": before, "peak_delta_kib": peak - before if reset else None, "phases": phases,
    }))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--indicators", type=int, default=10)
    parser.add_argument("--zones", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--worker", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.indicators < 1 or args.rows < 1 or args.zones < 1 or args.repeat < 1:
        parser.error("--rows, --indicators, --zones and --repeat must be at least 1")

    specs = indicators(args.indicators)
    with tempfile.TemporaryDirectory(prefix="scoring_mpi_") as folder:
        data, model = Path(folder) / "households.parquet", Path(folder) / "model.yaml"
        started = time.perf_counter()
        table = draw_table(args.rows, specs, args.zones, args.seed)
        table.write_parquet(data)
        model.write_text(model_yaml(specs))
        note(f"{table.height} households, {len(specs)} indicators, {table['zone'].n_unique()} zones drawn in "
             f"{time.perf_counter() - started:.1f} s")
        del table
        outputs = {}
        for variant in VARIANTS:
            out = Path(folder) / f"{variant}.json"
            command = [sys.executable, __file__, "--worker", variant, "--data", str(data), "--model", str(model),
                       "--out", str(out), "--indicators", str(args.indicators), "--repeat", str(args.repeat)]
            process = subprocess.Popen(command, cwd=ROOT, stdout=sys.stderr)  # stdout: JSON lines only
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode:
                note(f"the {variant} variant failed (exit status {process.returncode})")
                return 1
            outputs[variant] = json.loads(out.read_text())
            outputs[variant]["max_rss_kib"] = usage.ru_maxrss  # KiB on Linux

    emit("load_average", round(os.getloadavg()[0], 2), "runnable processes (1 min)", cores=os.cpu_count())
    emit("rows", args.rows, "households")
    emit("indicators", len(specs), "indicators")
    emit("zones", len(outputs["parcours"]["result"]), "zones")
    medians = {}
    for variant, output in outputs.items():
        medians[variant] = statistics.median(output["seconds"])
        emit(f"{variant}_seconds", round(medians[variant], 4), "s", runs=[round(s, 4) for s in output["seconds"]])
        emit(f"{variant}_cpu_seconds", round(statistics.median(output["cpu_seconds"]), 4), "s",
             runs=[round(s, 4) for s in output["cpu_seconds"]])
        emit(f"{variant}_peak_rss", round(output["max_rss_kib"] / 1024, 1), "MiB")
        if output["peak_delta_kib"] is not None:
            emit(f"{variant}_peak_rss_above_table", round(output["peak_delta_kib"] / 1024, 1), "MiB",
                 table_loaded=round(output["rss_before_kib"] / 1024, 1))

    for phase, (wall, cpu) in outputs["parcours"]["phases"].items():
        emit(f"parcours_phase_{phase}_seconds", round(wall, 4), "s", cpu_seconds=round(cpu, 4))
    reference = outputs["parcours"]["result"]
    worst = 0.0
    for variant in ("duckdb", "polars"):
        other = outputs[variant]["result"]
        if set(other) != set(reference):
            note(f"{variant}: zones differ from parcours ({len(set(other) ^ set(reference))} not in both)")
            worst = float("inf")
            continue
        difference = max((abs(a - b) for zone in reference for a, b in zip(reference[zone], other[zone],
                                                                            strict=True)), default=0.0)
        emit(f"max_abs_diff_{variant}", difference, "", measures="H, A, M0 by zone")
        worst = max(worst, difference)
    ratio = medians["parcours"] / min(medians["duckdb"], medians["polars"])
    cpu = {variant: statistics.median(output["cpu_seconds"]) for variant, output in outputs.items()}
    cpu_ratio = cpu["parcours"] / min(cpu["duckdb"], cpu["polars"])  # steadier than wall time on a busy machine
    agree = worst < TOLERANCE
    print(json.dumps({"bench": BENCH, "metric": "summary", "rows": args.rows, "indicators": len(specs),
                      "zones": len(reference), **{f"{v}_seconds": round(medians[v], 4) for v in VARIANTS},
                      "ratio": round(ratio, 3), "goal": GOAL, "cpu_ratio": round(cpu_ratio, 3), "results_agree": agree,
                      "max_abs_diff": worst}, ensure_ascii=False), flush=True)
    note(f"parcours {medians['parcours']:.3f} s, duckdb {medians['duckdb']:.3f} s, polars {medians['polars']:.3f} s"
         f" → ratio {ratio:.2f} (goal ≤ {GOAL:g}); results {'agree' if agree else 'DIFFER'}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
