"""Demo insights: filled by the insights app (see parcours.demo.services.World)."""

from __future__ import annotations


def load(world) -> None:
    """Nothing yet."""
