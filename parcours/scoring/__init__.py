"""Scoring: pure engines (Alkire–Foster, proxy means test, scorecard), model files and expressions over tables."""
