"""Writes of insights: the households export that ``parcours mpi`` re-computes, and publications of diagnostics.

- ``diagnostic_export_csv``: the scored households of a programme's model (one row per household: zone codes at
  every level, population groups, sampling weight, one 1/0/empty column per indicator) and a model file
  (``over: table``) that reads those columns: ``parcours mpi households.csv --model model.yaml --by
  zone_level_2`` gives the figures of the diagnostics (tests/insights/test_figures.py). Household-level data:
  only for the lead organisation's casework staff.
- ``publication_create`` / ``publication_revoke``: a manager freezes a diagnostic (suppressed figures, model
  version, k, period) for chosen partner organisations and donors, or behind a public link with an expiry.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from pathlib import Path

import polars as pl
import yaml
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation, Programme
from parcours.accounts.selectors import MANAGING_ROLES, user_has_role
from parcours.core.audit import audit_record
from parcours.core.exceptions import ApplicationError
from parcours.core.models import AuditEvent
from parcours.territories.models import Zone

from . import disclosure
from .aggregation import Period
from .figures import model_for, zone_figures
from .models import Publication
from .snapshot import GROUPS, snapshot_open

EXPORT_GROUP_COLUMNS = {"sex": "head_sex", "age_group": "head_age_group", "disability": "member_with_disability",
                        "size_band": "household_size_band", "migrant": "migrant_or_displaced"}


def _fraction(value: float) -> float:
    return float(repr(float(value)))  # YAML keeps every digit of the double: the same weights as stored


def export_frame(snapshot, *, period: Period | None = None) -> pl.DataFrame:
    """The snapshot's households as the CSV export's table (see the module docstring)."""
    frame = snapshot.frame
    if period is not None:
        frame = frame.filter((pl.col("month") >= period.start) & (pl.col("month") <= period.end))
    depth = max((len([p for p in path.split("/") if p]) for path in frame.get_column("zone_path").unique().to_list()),
                default=0)
    codes = pl.col("zone_path").str.strip_chars_end("/").str.split("/")
    columns = [codes.list.last().alias("zone")]
    columns += [codes.list.get(level, null_on_oob=True).alias(f"zone_level_{level}") for level in range(depth)]
    columns += [pl.col(group).alias(EXPORT_GROUP_COLUMNS[group]) for group in GROUPS]
    columns += [pl.col("weight").alias("sampling_weight"), pl.col("assessed_on")]
    names = snapshot.indicators.names
    columns += [pl.when(pl.col(f"g{j}").is_nan()).then(None).otherwise(pl.col(f"g{j}").cast(pl.Int8)).alias(name)
                for j, name in enumerate(names)]
    return frame.select(columns)


def export_model(snapshot) -> dict:
    """A model file over the export's columns: the same weights, dimensions, k, missing policy and bands."""
    indicators = snapshot.indicators
    bands = []
    for band in indicators.bands:
        entry = {"name": band.name, "min": _fraction(band.lower)}
        if band.upper is not None:
            entry["max"] = _fraction(band.upper)
        bands.append(entry)
    return {
        "method": "alkire-foster", "over": "table", "k": _fraction(indicators.k), "missing": indicators.missing,
        "indicators": [{"name": name, "dimension": dimension, "weight": _fraction(weight),
                        "deprived_if": "${" + name + "} = 1", "label": dict(label)}
                       for name, dimension, weight, label in zip(indicators.names, indicators.dimensions,
                                                                 indicators.weights, indicators.labels, strict=True)],
        "bands": bands,
    }


def diagnostic_export_csv(*, actor, programme: Programme, csv_file: Path, model_file: Path | None = None,
                          period=None) -> dict:
    """Write the programme's scored households (and the model file reading them); see the module docstring."""
    if not disclosure.sees_raw(actor, programme):
        raise PermissionDenied(_("Only the casework staff of the programme's lead organisation may export its "
                                 "households' scores."))
    model = model_for(programme)
    snapshot = snapshot_open(model)
    frame = export_frame(snapshot, period=Period.parse(period))
    frame.write_csv(csv_file)
    if model_file is not None:
        data = export_model(snapshot)
        if "over" in data:
            data.pop("over")  # parcours mpi reads model files, which are always over a table
        Path(model_file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    audit_record(actor=actor, action=AuditEvent.Action.EXPORT, obj=programme,
                 note=_("scored households exported for analysis (%(rows)s rows)") % {"rows": frame.height})
    return {"rows": frame.height, "model": model.name, "version": model.version}


# --- publications -----------------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _tables(*, programme, model, zone: Zone | None, level: int, period, k: int) -> dict:
    """The suppressed tables a publication freezes: zones, their sub-zones, and the zones by each group."""
    def table(**options):
        try:
            return zone_figures(programme=programme, viewer=None, zone=zone, period=period, k=k, raw=False,
                                model=model, **options).as_dict()
        except ApplicationError:
            return None  # e.g. no sub-zone below the level: that table is left out

    tables = {"zones": table(level=level)}
    if tables["zones"] is None:
        raise ApplicationError(_("No scored household in this zone and period: there is nothing to publish."))
    subzones = table(level=level + 1)
    if subzones is not None and any(row["zone_code"] for row in subzones["rows"]):  # some zone below the level
        tables["subzones"] = subzones
    tables["groups"] = {group: table(level=level, by=group) for group in GROUPS}
    return tables


@transaction.atomic
def publication_create(*, actor, programme: Programme, title: str, zone: Zone | None = None, level: int | None = None,
                       period=None, k: int | None = None, organisations=(), public: bool = False,
                       expires_at: datetime.datetime | None = None) -> tuple[Publication, str | None]:
    """Freeze the programme's diagnostic (suppressed) for ``organisations`` and/or behind a public link.

    Returns the publication and, for a public link, its token — shown once: only its digest is kept.
    """
    if not user_has_role(actor, programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may publish a diagnostic."))
    organisations = list(organisations)
    minimum = disclosure.default_k()
    k = minimum if k is None else int(k)
    if k < minimum:
        raise ApplicationError(_("The disclosure threshold cannot be below %(k)s households.") % {"k": minimum})
    if not organisations and not public:
        raise ApplicationError(_("Choose at least one organisation to share with, or a public link."))
    allowed = set(programme.partners.values_list("pk", flat=True))
    for organisation in organisations:
        if organisation.pk == programme.lead_id:
            raise ApplicationError(_("The lead organisation sees its own figures: choose partners or donors."))
        if organisation.pk not in allowed and organisation.kind != Organisation.Kind.DONOR:
            raise ApplicationError(_("“%(name)s” is neither a partner of the programme nor a donor.")
                                   % {"name": organisation.name})
    if public and expires_at is None:
        raise ApplicationError(_("A public link needs an expiry date."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry must be in the future."))
    if zone is not None and not programme.zones.filter(pk__in=[zone.pk]).exists() and not any(
            zone.path.startswith(z.path) or z.path.startswith(zone.path) for z in programme.zones.all()):
        raise ApplicationError(_("The zone %(zone)s is outside the programme's zones.") % {"zone": zone.code})
    parsed = Period.parse(period)
    model = model_for(programme)
    level = level if level is not None else (zone.level + 1 if zone is not None else 1)
    figures = _tables(programme=programme, model=model, zone=zone, level=level, period=parsed, k=k)
    token = secrets.token_urlsafe(32) if public else None
    publication = Publication(
        programme=programme, title=title.strip(), model_version=model.current, zone=zone, level=level,
        period=parsed.label if parsed else "", k=k, as_of=timezone.now(), figures=figures, is_public=public,
        token_digest=token_digest(token) if token else "", expires_at=expires_at, published_by=actor,
    )
    publication.full_clean()
    publication.save()
    publication.organisations.set(organisations)
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, obj=publication, parent=programme,
                 note=_("diagnostic published to %(readers)s") % {
                     "readers": ", ".join([o.name for o in organisations] + ([_("a public link")] if public else []))})
    return publication, token


@transaction.atomic
def publication_revoke(*, actor, publication: Publication) -> Publication:
    """Withdraw a publication: its readers and its link see nothing from now on."""
    if not user_has_role(actor, publication.programme.lead, MANAGING_ROLES):
        raise PermissionDenied(_("Only a manager of the programme's lead organisation may revoke a diagnostic."))
    if publication.revoked_at is not None:
        raise ApplicationError(_("This diagnostic was already revoked."))
    publication.revoked_at = timezone.now()
    publication.revoked_by = actor
    publication.full_clean()
    publication.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=publication, parent=publication.programme,
                 changes={"revoked_at": [None, publication.revoked_at.isoformat()]}, note=_("diagnostic revoked"))
    return publication
