"""HSDS 3.0 data exchange: the tables, their models, and the conversion between records and HSDS objects.

Everything passes through one flat form, the HSDS *tabular* row (a dict of a table's scalar fields, links as
``<table>_id`` fields). Reading turns nested JSON objects and CSV rows into rows; writing turns rows into nested
JSON objects and CSV files. So both layouts share the checks and the database code.
"""
