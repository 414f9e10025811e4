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

FINE_KEYS = ["zone_path", "month", *GROUPS]
CUBE_KEYS = ["by", "value", "zone_path", "month"]  # the cubes of every group, in one long table


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


def build_cubes(rows: pl.DataFrame, d: int, *, sign: int = 1) -> pl.DataFrame:
    """The cubes of ``rows`` for the total and every group, as one long table (``by`` "" for the total).

    One pass over the households (to the finest cells), then each cube from those cells: cheap even for a million
    households. ``sign`` −1 gives the sums to subtract (the replaced rows of a refresh).
    """
    columns = sum_columns(d)
    if not rows.height:
        return pl.DataFrame(schema={"by": pl.Utf8, "value": pl.Utf8, "zone_path": pl.Utf8, "month": pl.Utf8,
                                    **{c: (pl.Int64 if c in ("n_total", "n") else pl.Float64) for c in columns}})
    fine = rows.group_by(FINE_KEYS).agg(_sums(d))
    parts = []
    for group in (None, *GROUPS):
        cube = fine.group_by(cube_keys(group)).agg([pl.col(c).sum() for c in columns])
        parts.append(cube.select(pl.lit(group or "").alias("by"),
                                 (pl.col(group) if group else pl.lit("")).cast(pl.Utf8).alias("value"),
                                 "zone_path", "month", *[(pl.col(c) * sign).alias(c) for c in columns]))
    return pl.concat(parts)


def compact(cubes: pl.DataFrame, d: int) -> pl.DataFrame:
    """Sum rows of the same cell (after appended deltas); cells left with no household dropped."""
    columns = sum_columns(d)
    return cubes.group_by(CUBE_KEYS).agg([pl.col(c).sum() for c in columns]).filter(pl.col("n_total") != 0)


def build_cube(rows: pl.DataFrame, group: str | None, d: int) -> pl.DataFrame:
    """The cube of one group straight from household rows (the benchmark's check of the incremental cubes)."""
    return rows.group_by(cube_keys(group)).agg(_sums(d))


# --- the snapshot -----------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """What a process holds of one scoring model version: the cubes (always) and the household rows (loaded only
    when a refresh needs the rows it replaces)."""

    model_id: str
    version_id: str
    indicators: Indicators
    cubes_long: pl.DataFrame
    watermark: str  # ISO timestamp: scores changed after it are not in the snapshot yet
    generation: int  # number of files applied (base + deltas)
    files: list[str] = field(default_factory=list)
    directory: Path | None = None
    checked_at: float = 0.0
    version_number: int = 0  # ScoringModel.version the snapshot was built with
    rows_frame: pl.DataFrame | None = None
    _cubes: dict = field(default_factory=dict)
    _appended: int = 0  # delta rows appended to cubes_long since it was last compacted
    manifest_mtime: int = 0  # of the manifest last followed (another process's refresh changes it)

    @property
    def d(self) -> int:
        return len(self.indicators.names)

    @property
    def frame(self) -> pl.DataFrame:
        """The household rows (one per household), read from the files on first use."""
        if self.rows_frame is None:
            self.rows_frame = _read_rows(self.directory, self.files)
        return self.rows_frame

    def cube(self, group: str | None) -> pl.DataFrame:
        """The cube of ``group`` (None: the total): zone_path, month, [group], and the sums."""
        if group not in self._cubes:
            if self.cubes_long.height and self._appended:
                self.cubes_long = compact(self.cubes_long, self.d)
                self._appended = 0
            cube = self.cubes_long.filter(pl.col("by") == (group or "")).drop("by")
            cube = cube.rename({"value": group}) if group else cube.drop("value")
            self._cubes[group] = cube
        return self._cubes[group]

    def add_cubes(self, delta: pl.DataFrame) -> None:
        if delta.height:
            self.cubes_long = pl.concat([self.cubes_long, delta.select(self.cubes_long.columns)],
                                        how="vertical_relaxed")
            self._appended += delta.height
            self._cubes = {}

    def apply(self, delta: pl.DataFrame, removed: list[str] = ()) -> pl.DataFrame:
        """Replace the rows of the households in ``delta`` (identified rows) and drop ``removed`` households;
        returns the change of the cubes (what a delta file records for the other processes)."""
        ids = [*delta.get_column("household_id").to_list(), *removed]
        if not ids:
            return build_cubes(delta, self.d)
        frame = self.frame
        gone = frame.filter(pl.col("household_id").is_in(ids))
        change = pl.concat([build_cubes(delta, self.d), build_cubes(gone, self.d, sign=-1)])
        self.add_cubes(change)
        kept = frame.filter(~pl.col("household_id").is_in(ids)) if gone.height else frame
        self.rows_frame = pl.concat([kept, delta.select(frame.columns)], how="vertical_relaxed") \
            if delta.height else kept
        return change


def household_columns(d: int) -> dict:
    schema = {"household_id": pl.Utf8, "zone_path": pl.Utf8, "month": pl.Utf8, "assessed_on": pl.Date,
              "sex": pl.Utf8, "age_group": pl.Utf8, "disability": pl.Utf8, "size_band": pl.Utf8, "migrant": pl.Utf8,
              "weight": pl.Float64, "stamp": pl.Utf8}
    schema.update({f"g{j}": pl.Float64 for j in range(d)})
    return schema


def rows_frame(records: list, d: int) -> pl.DataFrame:
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


def _write_manifest(directory: Path, manifest: dict) -> int:
    """Replace the manifest atomically; returns its modification time (what readers compare)."""
    temporary = directory / f".manifest-{uuid.uuid4().hex}.json"
    temporary.write_text(json.dumps(manifest), encoding="utf-8")
    os.replace(temporary, directory / "manifest.json")
    return (directory / "manifest.json").stat().st_mtime_ns


def _write_parquet(directory: Path, kind: str, frame: pl.DataFrame) -> str:
    name = f"{kind}-{time.time_ns()}-{uuid.uuid4().hex[:8]}.parquet"
    temporary = directory / f".{name}"
    frame.write_parquet(temporary)
    os.replace(temporary, directory / name)
    return name


def _read_rows(directory: Path, files: list[str]) -> pl.DataFrame:
    """The household rows: the base file, then each delta's rows replacing those of the same households."""
    names = [name for name in files if name.startswith("base-")] + [n for n in files if n.startswith("delta-")]
    frame = pl.read_parquet(directory / names[0])
    for name in names[1:]:
        delta = pl.read_parquet(directory / name)
        frame = frame.filter(~pl.col("household_id").is_in(delta.get_column("household_id").implode()))
        kept = delta.filter(~pl.col("removed")).drop("removed")
        if kept.height:
            frame = pl.concat([frame, kept.select(frame.columns)], how="vertical_relaxed")
    return frame


def _cube_name(rows_name: str) -> str:
    return rows_name.replace(".parquet", ".cubes.parquet")


def _load(directory: Path, manifest: dict, indicators: Indicators) -> Snapshot:
    """A process's copy from the files: the cubes only (the rows are read when a refresh needs them)."""
    mtime = (directory / "manifest.json").stat().st_mtime_ns
    cubes = pl.read_parquet(directory / _cube_name(manifest["base"]))
    snapshot = Snapshot(manifest["model_id"], manifest["version_id"], indicators, cubes, manifest["watermark"], 1,
                        [manifest["base"]], directory, version_number=manifest.get("version", 0))
    for name in manifest["deltas"]:
        _apply_file(snapshot, directory, name)
    snapshot.manifest_mtime = mtime
    snapshot.checked_at = time.monotonic()  # as fresh as the files: the next check waits the interval
    return snapshot


def _apply_file(snapshot: Snapshot, directory: Path, name: str) -> None:
    """Apply a delta another process wrote: its cube change, and its rows if this process holds the rows."""
    snapshot.add_cubes(pl.read_parquet(directory / _cube_name(name)))
    if snapshot.rows_frame is not None:
        delta = pl.read_parquet(directory / name)
        frame = snapshot.rows_frame.filter(~pl.col("household_id").is_in(delta.get_column("household_id").implode()))
        kept = delta.filter(~pl.col("removed")).drop("removed")
        snapshot.rows_frame = pl.concat([frame, kept.select(frame.columns)], how="vertical_relaxed") \
            if kept.height else frame
    snapshot.files.append(name)
    snapshot.generation += 1


def _write_base(directory: Path, frame: pl.DataFrame, cubes: pl.DataFrame) -> str:
    name = _write_parquet(directory, "base", frame)
    _write_named(directory, _cube_name(name), cubes)
    return name


def _write_named(directory: Path, name: str, frame: pl.DataFrame) -> None:
    temporary = directory / f".{name}"
    frame.write_parquet(temporary)
    os.replace(temporary, directory / name)


def snapshot_rebuild(model) -> Snapshot:
    """Read every current score of ``model`` and write a new base (after a change of model version, or on demand)."""
    version = model.current
    indicators = indicators_of(version)
    directory = _directory(model)
    with _file_lock(directory):
        frame, watermark = _score_rows(model, indicators)
        frame = identify(frame, indicators)
        cubes = build_cubes(frame, len(indicators.names))
        base = _write_base(directory, frame, cubes)
        old = _read_manifest(directory)
        manifest = {"model_id": str(model.pk), "version_id": str(version.pk), "version": version.version,
                    "base": base, "deltas": [], "watermark": watermark, "rows": frame.height}
        mtime = _write_manifest(directory, manifest)
        _remove_files(directory, old, keep={base})
    snapshot = Snapshot(str(model.pk), str(version.pk), indicators, cubes, watermark, 1, [base], directory,
                        checked_at=time.monotonic(), version_number=version.version, rows_frame=frame,
                        manifest_mtime=mtime)
    with _LOCK:
        _CACHE[str(model.pk)] = snapshot
    return snapshot


def snapshot_write_base(model, frame: pl.DataFrame, *, watermark: str) -> None:
    """Write identified household rows as the base of ``model``'s snapshot (the benchmark's synthetic registry)."""
    version = model.current
    directory = _directory(model)
    with _file_lock(directory):
        base = _write_base(directory, frame, build_cubes(frame, len(indicators_of(version).names)))
        old = _read_manifest(directory)
        _write_manifest(directory, {"model_id": str(model.pk), "version_id": str(version.pk),
                                    "version": version.version, "base": base, "deltas": [], "watermark": watermark,
                                    "rows": frame.height})
        _remove_files(directory, old, keep={base})
    snapshot_forget(model)


def _remove_files(directory: Path, manifest: dict | None, keep: set) -> None:
    if not manifest:
        return
    for name in [manifest.get("base"), *manifest.get("deltas", [])]:
        if name and name not in keep:
            for path in (directory / name, directory / _cube_name(name)):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def snapshot_refresh(model, *, check_removed: bool = True) -> dict:
    """Bring the snapshot of ``model`` up to date with the database, incrementally when possible.

    Reads only the current scores changed since the watermark, identifies them with the engine, writes them (and
    the change of the cubes) as a delta and applies it to the snapshot held in this process. With
    ``check_removed`` (the periodic job, the CLI), households deleted since are found by comparing counts (one
    COUNT query) and dropped; the refresh a page triggers skips that check. Returns what it did.
    """
    from parcours.scoring.models import Score

    started = time.perf_counter()
    version = model.current
    directory = _directory(model)
    manifest = _read_manifest(directory)
    if manifest is None or manifest.get("version_id") != str(version.pk):
        snapshot = snapshot_rebuild(model)
        return {"kind": "rebuild", "changed": snapshot.frame.height, "rows": snapshot.frame.height,
                "seconds": time.perf_counter() - started}
    snapshot = snapshot_open(model, refresh=False)
    with _file_lock(directory):
        manifest = _read_manifest(directory)
        _catch_up(snapshot, directory, manifest)
        since = datetime.datetime.fromisoformat(manifest["watermark"])
        # A score made current inside a transaction that commits later may carry an earlier updated_at: look back
        # a little; rows read again that the snapshot already holds are dropped below.
        delta, watermark = _score_rows(model, snapshot.indicators, since=since - datetime.timedelta(seconds=5))
        if delta.height:
            known = snapshot.frame.select("household_id", "stamp").join(
                delta.select("household_id", "stamp"), on=["household_id", "stamp"], how="semi")
            if known.height:
                delta = delta.join(known, on=["household_id", "stamp"], how="anti")
        delta = identify(delta, snapshot.indicators)
        removed: list[str] = []
        if check_removed and snapshot.frame.height + _new(snapshot, delta) != \
                Score.objects.filter(model=model, is_current=True).count():
            current = {str(pk) for pk in Score.objects.filter(model=model, is_current=True)
                       .values_list("household_id", flat=True)}
            removed = [pk for pk in snapshot.frame.get_column("household_id").to_list() if pk not in current]
        changed = delta.height + len(removed)
        if changed:
            change = snapshot.apply(delta, removed)
            record = delta.with_columns(pl.lit(False).alias("removed"))
            if removed:
                gone = identify(rows_frame([(pk, "", "", None, "", "", "no", "", "no", 1.0, "",
                                             *[float("nan")] * snapshot.d) for pk in removed], snapshot.d),
                                snapshot.indicators).with_columns(pl.lit(True).alias("removed"))
                record = pl.concat([record, gone.select(record.columns)], how="vertical_relaxed")
            name = _write_parquet(directory, "delta", record)
            _write_named(directory, _cube_name(name), change)
            manifest["deltas"].append(name)
            snapshot.files.append(name)
            snapshot.generation += 1
        manifest["watermark"] = watermark
        snapshot.watermark = watermark
        kind = "incremental"
        if len(manifest["deltas"]) >= COMPACT_AFTER:
            old = dict(manifest)
            snapshot.cubes_long = compact(snapshot.cubes_long, snapshot.d)
            snapshot._appended, snapshot._cubes = 0, {}
            manifest["base"] = _write_base(directory, snapshot.frame, snapshot.cubes_long)
            manifest["deltas"] = []
            snapshot.files = [manifest["base"]]
            _remove_files(directory, old, keep={manifest["base"]})
            kind = "compacted"
        manifest["rows"] = snapshot.frame.height
        snapshot.manifest_mtime = _write_manifest(directory, manifest)
    snapshot.checked_at = time.monotonic()
    return {"kind": kind, "changed": changed, "rows": snapshot.frame.height,
            "seconds": time.perf_counter() - started}


def _new(snapshot: Snapshot, delta: pl.DataFrame) -> int:
    """Households of ``delta`` the snapshot does not hold yet."""
    if not delta.height:
        return 0
    return delta.select("household_id").join(snapshot.frame.select("household_id"), on="household_id",
                                             how="anti").height


def _catch_up(snapshot: Snapshot, directory: Path, manifest: dict) -> None:
    """Apply the delta files another process wrote since this process read the snapshot."""
    if manifest["base"] not in snapshot.files:  # another process compacted or rebuilt: start from its files
        fresh = _load(directory, manifest, snapshot.indicators)
        snapshot.cubes_long, snapshot._cubes, snapshot._appended = fresh.cubes_long, {}, fresh._appended
        snapshot.files, snapshot.generation, snapshot.rows_frame = fresh.files, fresh.generation, None
    for name in manifest["deltas"]:
        if name not in snapshot.files:
            _apply_file(snapshot, directory, name)
    snapshot.watermark = manifest["watermark"]


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
        directory = _directory(model)
        manifest = _read_manifest(directory)
        if manifest is None or manifest.get("version_id") != str(version.pk):
            return snapshot_rebuild(model)
        snapshot = _load(directory, manifest, indicators_of(version))
        snapshot.version_number = version.version
        with _LOCK:
            _CACHE[key] = snapshot
    if refresh:
        interval = float(settings.PARCOURS_INSIGHTS_REFRESH_SECONDS)
        if time.monotonic() - snapshot.checked_at >= interval:
            snapshot_refresh(model, check_removed=False)
            with _LOCK:
                snapshot = _CACHE.get(key, snapshot)
        else:
            _follow(snapshot)
    return snapshot


def _follow(snapshot: Snapshot) -> None:
    """Apply what another process (the periodic refresh) wrote since: one stat of the manifest when nothing did."""
    path = snapshot.directory / "manifest.json"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return
    if mtime != snapshot.manifest_mtime:
        manifest = _read_manifest(snapshot.directory)
        if manifest and manifest.get("version_id") == snapshot.version_id:
            _catch_up(snapshot, snapshot.directory, manifest)
        snapshot.manifest_mtime = mtime


def snapshot_forget(model=None) -> None:
    """Drop the in-process copy (tests; after deleting the files)."""
    with _LOCK:
        if model is None:
            _CACHE.clear()
        else:
            _CACHE.pop(str(model.pk), None)
