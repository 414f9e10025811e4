"""Demo casework: filled by the casework app (see parcours.demo.services.World)."""

from __future__ import annotations


def load(world) -> None:
    """Nothing yet."""
