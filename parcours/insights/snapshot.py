"""The columnar snapshot of a scoring model's households, and its pre-aggregated cubes, refreshed incrementally.

Zone diagnostics must answer in milliseconds on a national registry. Reading a million ``Score`` rows out of the
database per page would take seconds (facts: 10M rows out of PostgreSQL ≈ 12 s), so each scoring model keeps:

1. **a household table** (Parquet files under ``PARCOURS_INSIGHTS_DIR/<model id>/``): one row per household with
   its current score — zone path, the groups diagnostics disaggregate by, the sampling weight, and what the
   Alkire–Foster engine said of it (counted or excluded, poor, censored score, per-indicator deprivation, observed
   and contribution weight). Identification is done by the engine
   (:func:`parcours.scoring.engines.alkire_foster`) on each batch of rows, never re-implemented here. Files are
   immutable: a base file plus one small delta file per refresh, listed in ``manifest.json``; a refresh only reads
   the scores changed since the last one (``updated_at`` watermark), and deltas are folded into a new base when
   they grow.
2. **cubes** in memory: per group variable, additive sums (Σs, Σs·poor, Σs·cᵢ(k), Σs·gᵢⱼ, Σs²…) per
   (leaf zone, group value, month). Every figure of a dashboard — any zone level, any group, any period of whole
   months — is a ratio of sums over cubes rows (:mod:`.aggregation`). A refresh adds the new rows' sums and
   subtracts the old rows' sums of the same households, so it costs O(changed households), not O(registry).

Why Polars and Parquet rather than a DuckDB database file: several web processes read the same snapshot while a
job refreshes it; immutable Parquet files plus an atomically replaced manifest need no database lock, while a
DuckDB file admits one writing process and no concurrent readers in other processes. DuckDB stays the reference
in the benchmark (bench/insights_dashboard.py) and reads the same Parquet files.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import math
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from django.conf import settings
from django.utils import timezone

from parcours.scoring.engines import NoUnitsError, alkire_foster
from parcours.scoring.engines.alkire_foster import unit_weights
from parcours.scoring.model_file import ModelSpec, model_from_dict

# Group variables of the cubes (besides the zone): name → the household column it reads.
GROUPS = ("sex", "age_group", "disability", "size_band", "migrant")
SIZE_BANDS = ((1, 1, "1"), (2, 3, "2-3"), (4, 6, "4-6"), (7, None, "7+"))
COMPACT_AFTER = 20  # delta files before the deltas are folded into a new base
VULNERABLE_BAND, SEVERE_BAND = "vulnerable", "severe"


def insights_dir() -> Path:
    return Path(getattr(settings, "PARCOURS_INSIGHTS_DIR", None) or Path("var") / "insights")


@dataclass(frozen=True)
class Indicators:
    """What the aggregation needs of a model version: names, dimensions, weights, k, missing policy, bands."""

    names: tuple[str, ...]
    dimensions: tuple[str, ...]
    weights: tuple[float, ...]
    labels: tuple[dict, ...]
    k: float
    missing: str
    bands: tuple
    band_labels: dict

    @classmethod
    def of(cls, spec: ModelSpec) -> Indicators:
        return cls(tuple(i.name for i in spec.indicators), tuple(i.dimension for i in spec.indicators),
                   tuple(i.weight for i in spec.indicators), tuple(i.label for i in spec.indicators), spec.k,
                   spec.missing, tuple(spec.bands), dict(spec.band_labels))

    def band(self, name: str):
        return next((band for band in self.bands if band.name == name), None)


def indicators_of(version) -> Indicators:
    """The indicators of a stored model version, read from its parsed YAML (expressions are not needed here)."""
    data = dict(version.parsed)
    data.pop("over", None)
    data.pop("dimensions", None)
    # The expressions are not evaluated here: replace them by a placeholder that always compiles.
    for indicator in data.get("indicators", []) or []:
        if isinstance(indicator, dict):
            indicator["deprived_if"] = "${x} = 1"
    return Indicators.of(model_from_dict(data))


def size_band(size) -> str:
    if size is None:
        return ""
    for low, high, label in SIZE_BANDS:
        if size >= low and (high is None or size <= high):
            return label
    return ""


# --- identification (the engine) --------------------------------------------------------------------------------


def identify(rows: pl.DataFrame, indicators: Indicators) -> pl.DataFrame:
    """Add what the Alkire–Foster engine says of each household: counted, poor, censored score, bands, and per
    indicator the deprivation (missing as 0), whether observed, and the weighted censored deprivation.

    ``rows`` has one float column ``g<j>`` per indicator (1, 0 or NaN). Identification is per unit, so batches
    (a delta of 1,000 households) give the same values as the whole registry.
    """
    d = len(indicators.names)
    g0 = rows.select([f"g{j}" for j in range(d)]).to_numpy().astype(float) if rows.height else np.zeros((0, d))
    n = g0.shape[0]
    weights = np.asarray(indicators.weights)
    try:
        result = alkire_foster(g0, weights=weights, dimensions=indicators.dimensions, names=indicators.names,
                               k=indicators.k, missing=indicators.missing, se=None)
        included, poor, scores = result.included, result.poor, result.scores
        unit_w = np.nan_to_num(result.unit_weights)
        deprived = result.deprived
    except NoUnitsError:  # every row excluded (or none): nothing counted
        included = np.zeros(n, dtype=bool)
        poor = np.zeros(n, dtype=bool)
        scores = np.full(n, np.nan)
        deprived = np.where(np.isnan(g0), 0.0, g0)
        unit_w = np.nan_to_num(unit_weights(~np.isnan(g0), weights, indicators.dimensions))
    observed = ~np.isnan(g0)
    ck = np.where(poor, np.nan_to_num(scores), 0.0)
    columns = {
        "inc": included, "poor": poor, "ck": ck, "score": scores,
        "vul": _in_band(indicators.band(VULNERABLE_BAND), scores, included),
        "sev": _in_band(indicators.band(SEVERE_BAND), scores, included),
    }
    for j in range(d):
        columns[f"dep{j}"] = deprived[:, j] * included
        columns[f"obs{j}"] = (observed[:, j] & included).astype(float)
        columns[f"cw{j}"] = unit_w[:, j] * deprived[:, j] * poor
    return rows.with_columns([pl.Series(name, values) for name, values in columns.items()])


def _in_band(band, scores: np.ndarray, included: np.ndarray) -> np.ndarray:
    if band is None:
        return np.zeros(scores.shape, dtype=bool)
    return band.contains(np.nan_to_num(scores, nan=-1.0)) & included


# --- cubes ------------------------------------------------------------------------------------------------------


def sum_columns(d: int) -> list[str]:
    return ["n_total", "n", "W", "P", "C", "V", "S", "W2", "W2P", "W2C", "W2CC",
            *[f"U{j}" for j in range(d)], *[f"O{j}" for j in range(d)], *[f"K{j}" for j in range(d)],
            *[f"R{j}" for j in range(d)]]


def _sums(d: int) -> list[pl.Expr]:
    s = pl.col("weight")
    inc = pl.col("inc").cast(pl.Float64)
    poor = pl.col("poor").cast(pl.Float64)
    ck = pl.col("ck")
    exprs = [
        pl.len().cast(pl.Int64).alias("n_total"), pl.col("inc").cast(pl.Int64).sum().alias("n"),
        (s * inc).sum().alias("W"), (s * poor).sum().alias("P"), (s * ck).sum().alias("C"),
        (s * pl.col("vul").cast(pl.Float64)).sum().alias("V"), (s * pl.col("sev").cast(pl.Float64)).sum().alias("S"),
        (s * s * inc).sum().alias("W2"), (s * s * poor).sum().alias("W2P"), (s * s * ck).sum().alias("W2C"),
        (s * s * ck * ck).sum().alias("W2CC"),
    ]
    exprs += [(s * pl.col(f"dep{j}")).sum().alias(f"U{j}") for j in range(d)]
    exprs += [(s * pl.col(f"obs{j}")).sum().alias(f"O{j}") for j in range(d)]
    exprs += [(s * pl.col(f"dep{j}") * poor).sum().alias(f"K{j}") for j in range(d)]
    exprs += [(s * pl.col(f"cw{j}")).sum().alias(f"R{j}") for j in range(d)]
    return exprs


def cube_keys(group: str | None) -> list[str]:
    return ["zone_path", "month"] + ([group] if group else [])


def build_cube(frame: pl.DataFrame, group: str | None, d: int) -> pl.DataFrame:
    return frame.group_by(cube_keys(group)).agg(_sums(d))


def merge_cube(cube: pl.DataFrame, added: pl.DataFrame, removed: pl.DataFrame, group: str | None,
               d: int) -> pl.DataFrame:
    """``cube`` + sums of ``added`` − sums of ``removed``, cells left empty dropped (O(cells), not O(rows))."""
    keys = cube_keys(group)
    columns = sum_columns(d)
    plus = build_cube(added, group, d) if added.height else None
    minus = build_cube(removed, group, d) if removed.height else None
    parts = [cube]
    if plus is not None:
        parts.append(plus.select(cube.columns))
    if minus is not None:
        parts.append(minus.select(keys + [(-pl.col(c)).alias(c) for c in columns]).select(cube.columns))
    if len(parts) == 1:
        return cube
    merged = pl.concat(parts, how="vertical_relaxed").group_by(keys).agg([pl.col(c).sum() for c in columns])
    return merged.filter(pl.col("n_total") > 0)


# --- the snapshot -----------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """The household table and cubes of one scoring model version, as held in a process."""

    model_id: str
    version_id: str
    indicators: Indicators
    frame: pl.DataFrame
    watermark: str  # ISO timestamp: scores changed after it are not in the snapshot yet
    generation: int  # number of files applied (base + deltas)
    files: list[str] = field(default_factory=list)
    cubes: dict = field(default_factory=dict)
    checked_at: float = 0.0
    version_number: int = 0  # ScoringModel.version the snapshot was built with

    @property
    def d(self) -> int:
        return len(self.indicators.names)

    def cube(self, group: str | None) -> pl.DataFrame:
        if group not in self.cubes:
            self.cubes[group] = build_cube(self.frame, group, self.d)
        return self.cubes[group]

    def apply(self, delta: pl.DataFrame) -> None:
        """Replace the rows of the households in ``delta`` (identified rows) and update the cubes built so far."""
        if not delta.height:
            return
        ids = delta.get_column("household_id")
        gone = self.frame.filter(pl.col("household_id").is_in(ids.implode()))
        for group, cube in list(self.cubes.items()):
            self.cubes[group] = merge_cube(cube, delta, gone, group, self.d)
        kept = self.frame.filter(~pl.col("household_id").is_in(ids.implode())) if gone.height else self.frame
        self.frame = pl.concat([kept, delta.select(self.frame.columns)], how="vertical_relaxed") \
            if self.frame.width else delta

    def remove(self, household_ids: list[str]) -> None:
        if not household_ids:
            return
        gone = self.frame.filter(pl.col("household_id").is_in(household_ids))
        empty = gone.clear()
        for group, cube in list(self.cubes.items()):
            self.cubes[group] = merge_cube(cube, empty, gone, group, self.d)
        self.frame = self.frame.filter(~pl.col("household_id").is_in(household_ids))


def household_columns(d: int) -> dict:
    schema = {"household_id": pl.Utf8, "zone_path": pl.Utf8, "month": pl.Utf8, "assessed_on": pl.Date,
              "sex": pl.Utf8, "age_group": pl.Utf8, "disability": pl.Utf8, "size_band": pl.Utf8, "migrant": pl.Utf8,
              "weight": pl.Float64, "stamp": pl.Utf8}
    schema.update({f"g{j}": pl.Float64 for j in range(d)})
    return schema


def rows_frame(records: list[dict], d: int) -> pl.DataFrame:
    return pl.DataFrame(records, schema=household_columns(d), orient="row") if records else \
        pl.DataFrame(schema=household_columns(d))


def flag(value: bool) -> str:
    return "yes" if value else "no"


# --- reading the scores out of the database -----------------------------------------------------------------------


def _score_rows(model, indicators: Indicators, *, since=None, household_ids=None) -> tuple[pl.DataFrame, str]:
    """Current scores of ``model`` (changed after ``since``) as household rows; and the new watermark."""
    from parcours.scoring.models import Score

    now = timezone.now()
    queryset = Score.objects.filter(model=model, is_current=True)
    if since is not None:
        queryset = queryset.filter(updated_at__gt=since)
    if household_ids is not None:
        queryset = queryset.filter(household_id__in=household_ids)
    weight_field = ((model.questionnaire.mapping or {}).get("sampling_weight") or "").strip()
    fields = ["household_id", "zone__path", "assessed_on", "head_sex", "head_age_group", "member_with_disability",
              "household_size", "migrant_or_displaced", "deprivations", "updated_at"]
    if weight_field:
        fields.append("submission__data")
    records = []
    names = indicators.names
    for row in queryset.values_list(*fields).iterator(chunk_size=5000):
        (household_id, path, assessed_on, sex, age, disability, size, migrant, deprivations, updated_at) = row[:10]
        weight = 1.0
        if weight_field:
            weight = sampling_weight((row[10] or {}).get(weight_field))
        deprivations = deprivations or {}
        records.append((str(household_id), path or "", assessed_on.strftime("%Y-%m") if assessed_on else "",
                        assessed_on, sex or "", age or "", flag(disability), size_band(size), flag(migrant), weight,
                        updated_at.isoformat(), *[_deprivation(deprivations.get(name)) for name in names]))
    return rows_frame(records, len(names)), now.isoformat()


def sampling_weight(value) -> float:
    """A sampling weight from the answers; missing or unreadable → 1 (the household counts as itself)."""
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return 1.0
    return number if math.isfinite(number) and number >= 0 else 1.0


def _deprivation(value) -> float:
    if value is None or value == "":
        return float("nan")
    try:
        return 1.0 if float(value) >= 1 else 0.0
    except (TypeError, ValueError):
        return float("nan")


# --- files ------------------------------------------------------------------------------------------------------

_CACHE: dict[str, Snapshot] = {}
_LOCK = threading.Lock()


def _directory(model) -> Path:
    path = insights_dir() / str(model.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _file_lock(directory: Path):
    with open(directory / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_manifest(directory: Path) -> dict | None:
    try:
        return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def _write_manifest(directory: Path, manifest: dict) -> None:
    temporary = directory / f".manifest-{uuid.uuid4().hex}.json"
    temporary.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(temporary, directory / "manifest.json")


def _write_parquet(directory: Path, kind: str, frame: pl.DataFrame) -> str:
    name = f"{kind}-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"
    temporary = directory / f".{name}"
    frame.write_parquet(temporary)
    os.replace(temporary, directory / name)
    return name


def _load(directory: Path, manifest: dict, indicators: Indicators, model) -> Snapshot:
    frames = [pl.read_parquet(directory / manifest["base"])]
    snapshot = Snapshot(str(model.pk), manifest["version_id"], indicators, frames[0], manifest["watermark"], 1,
                        [manifest["base"]])
    for name in manifest["deltas"]:
        _apply_file(snapshot, directory, name)
    return snapshot


def _apply_file(snapshot: Snapshot, directory: Path, name: str) -> None:
    delta = pl.read_parquet(directory / name)
    removed = delta.filter(pl.col("removed")).get_column("household_id").to_list() if "removed" in delta.columns \
        else []
    delta = delta.filter(~pl.col("removed")).drop("removed") if "removed" in delta.columns else delta
    snapshot.remove(removed)
    snapshot.apply(delta)
    snapshot.files.append(name)
    snapshot.generation += 1


def snapshot_rebuild(model) -> Snapshot:
    """Read every current score of ``model`` and write a new base file (after a change of model version, or to
    drop deleted households)."""
    version = model.current
    indicators = indicators_of(version)
    directory = _directory(model)
    with _file_lock(directory):
        frame, watermark = _score_rows(model, indicators)
        frame = identify(frame, indicators)
        base = _write_parquet(directory, "base", frame)
        old = _read_manifest(directory)
        manifest = {"version_id": str(version.pk), "base": base, "deltas": [], "watermark": watermark,
                    "rows": frame.height}
        _write_manifest(directory, manifest)
        _remove_files(directory, old, keep={base})
    snapshot = Snapshot(str(model.pk), str(version.pk), indicators, frame, watermark, 1, [base],
                        checked_at=time.monotonic(), version_number=version.version)
    with _LOCK:
        _CACHE[str(model.pk)] = snapshot
    return snapshot


def _remove_files(directory: Path, manifest: dict | None, keep: set) -> None:
    if not manifest:
        return
    for name in [manifest.get("base"), *manifest.get("deltas", [])]:
        if name and name not in keep:
            with contextlib.suppress(FileNotFoundError):
                (directory / name).unlink()


def snapshot_refresh(model, *, check_removed: bool = True) -> dict:
    """Bring the snapshot of ``model`` up to date with the database, incrementally when possible.

    Reads only the current scores changed since the watermark, identifies them with the engine, writes them as a
    delta file and applies them to the snapshot held in this process. With ``check_removed`` (the periodic job,
    the CLI), households deleted since are found by comparing counts (one COUNT query) and dropped; the refresh
    a page triggers skips that check. Returns what it did (for the job, the CLI and the benchmark).
    """
    from parcours.scoring.models import Score

    started = time.perf_counter()
    version = model.current
    directory = _directory(model)
    manifest = _read_manifest(directory)
    if manifest is None or manifest.get("version_id") != str(version.pk):
        snapshot = snapshot_rebuild(model)
        return {"kind": "rebuild", "rows": snapshot.frame.height, "seconds": time.perf_counter() - started}
    snapshot = snapshot_open(model, refresh=False)
    with _file_lock(directory):
        manifest = _read_manifest(directory)
        _catch_up(snapshot, directory, manifest)
        since = datetime.datetime.fromisoformat(manifest["watermark"])
        # A score made current inside a transaction that commits later may carry an earlier updated_at: look back
        # a little and let the replacement by household make re-reading harmless.
        delta, watermark = _score_rows(model, snapshot.indicators, since=since - datetime.timedelta(seconds=5))
        # Households whose current score is no longer there (household deleted): count check, cheap.
        if delta.height:  # the look-back re-reads rows already applied: keep only what changed
            known = snapshot.frame.select("household_id", "stamp").join(
                delta.select("household_id", "stamp"), on=["household_id", "stamp"], how="semi")
            if known.height:
                delta = delta.join(known, on=["household_id", "stamp"], how="anti")
        delta = identify(delta, snapshot.indicators)
        snapshot.apply(delta)
        removed: list[str] = []
        if check_removed and snapshot.frame.height != Score.objects.filter(model=model, is_current=True).count():
            current = {str(pk) for pk in Score.objects.filter(model=model, is_current=True)
                       .values_list("household_id", flat=True)}
            removed = [pk for pk in snapshot.frame.get_column("household_id").to_list() if pk not in current]
            snapshot.remove(removed)
        changed = delta.height + len(removed)
        if changed:
            record = delta.with_columns(pl.lit(False).alias("removed"))
            if removed:
                gone = identify(rows_frame([(pk, "", "", None, "", "", "no", "", "no", 1.0, "",
                                             *[float("nan")] * snapshot.d) for pk in removed], snapshot.d),
                                snapshot.indicators).with_columns(pl.lit(True).alias("removed"))
                record = pl.concat([record, gone.select(record.columns)], how="vertical_relaxed")
            name = _write_parquet(directory, "delta", record)
            manifest["deltas"].append(name)
            snapshot.files.append(name)
            snapshot.generation += 1
        manifest["watermark"] = watermark
        snapshot.watermark = watermark
        kind = "incremental"
        if len(manifest["deltas"]) >= COMPACT_AFTER:
            old = dict(manifest)
            manifest["base"] = _write_parquet(directory, "base", snapshot.frame)
            manifest["deltas"] = []
            snapshot.files = [manifest["base"]]
            _remove_files(directory, old, keep={manifest["base"]})
            kind = "compacted"
        manifest["rows"] = snapshot.frame.height
        _write_manifest(directory, manifest)
    snapshot.checked_at = time.monotonic()
    return {"kind": kind, "changed": changed, "rows": snapshot.frame.height,
            "seconds": time.perf_counter() - started}


def _catch_up(snapshot: Snapshot, directory: Path, manifest: dict) -> None:
    """Apply the delta files another process wrote since this process read the snapshot."""
    if manifest["base"] not in snapshot.files:
        fresh = _load(directory, manifest, snapshot.indicators, _ModelRef(snapshot.model_id))
        snapshot.frame, snapshot.cubes, snapshot.files = fresh.frame, {}, fresh.files
        snapshot.generation = fresh.generation
    for name in manifest["deltas"]:
        if name not in snapshot.files:
            _apply_file(snapshot, directory, name)
    snapshot.watermark = manifest["watermark"]


@dataclass
class _ModelRef:
    pk: str


def snapshot_open(model, *, refresh: bool = True) -> Snapshot:
    """The snapshot of ``model`` held in this process, loaded from its files, brought up to date.

    With ``refresh``, the database is asked for changed scores at most every ``PARCOURS_INSIGHTS_REFRESH_SECONDS``
    (default 10; 0 in tests: always): pages never wait for a full rebuild except the very first time.
    """
    key = str(model.pk)
    with _LOCK:
        snapshot = _CACHE.get(key)
    if snapshot is None or snapshot.version_number != model.version:
        version = model.current
        manifest = _read_manifest(_directory(model))
        if manifest is None or manifest.get("version_id") != str(version.pk):
            return snapshot_rebuild(model)
        snapshot = _load(_directory(model), manifest, indicators_of(version), model)
        snapshot.version_number = version.version
        with _LOCK:
            _CACHE[key] = snapshot
    if refresh:
        interval = float(getattr(settings, "PARCOURS_INSIGHTS_REFRESH_SECONDS", 10))
        if time.monotonic() - snapshot.checked_at >= interval:
            snapshot_refresh(model, check_removed=False)
            with _LOCK:
                snapshot = _CACHE.get(key, snapshot)
    return snapshot


def snapshot_forget(model=None) -> None:
    """Drop the in-process copy (tests; after deleting the files)."""
    with _LOCK:
        if model is None:
            _CACHE.clear()
        else:
            _CACHE.pop(str(model.pk), None)
