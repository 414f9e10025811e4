"""The default taxonomy of needs shipped with Parcours (data/needs_taxonomy.json), installed by a migration.

Identifiers are derived from the taxonomy's URI and each term's code (UUID version 5), so every installation
gives the same HSDS ids to the same terms and exports from two installations can be merged.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "needs_taxonomy.json"


@cache
def needs_data() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def taxonomy_id() -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, needs_data()["taxonomy"]["uri"])


def term_id(code: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{needs_data()['taxonomy']['uri']}:{code}")


NEEDS_CODES: tuple[str, ...] = tuple(term["code"] for term in needs_data()["terms"])


def install(taxonomy_model, term_model) -> tuple[int, int]:
    """Create or refresh the needs taxonomy and its terms; return (created, updated).

    Takes the models as arguments so the data migration can pass its historical models. Names and descriptions
    shipped with Parcours are refreshed; terms added by users are left alone.
    """
    spec = needs_data()
    taxonomy, _made = taxonomy_model.objects.update_or_create(
        id=taxonomy_id(), defaults={k: spec["taxonomy"][k] for k in ("name", "description", "uri", "version")}
    )
    created = updated = 0
    for term in spec["terms"]:
        _obj, made = term_model.objects.update_or_create(
            id=term_id(term["code"]),
            defaults={
                "taxonomy": taxonomy, "code": term["code"], "name": term["name"], "description": term["description"],
                "name_fr": term["fr"], "name_ar": term["ar"], "name_pt": term["pt"], "language": "en",
            },
        )
        created += made
        updated += not made
    return created, updated
