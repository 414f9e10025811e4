"""Zone diagnostics: aggregation, statistical disclosure control, dashboards, reports."""
