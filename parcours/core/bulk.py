"""Writing many rows at once, for the import paths."""

from __future__ import annotations

from django.db import connections, router


def rows_insert(model, objects: list) -> None:
    """``bulk_create`` without returning anything: on PostgreSQL one ``COPY`` (Django's bulk insert quotes every
    value in Python, several times slower for big batches), elsewhere ``bulk_create``. The objects then count as
    saved. Used by the bulk paths (imports) of registry, questionnaires, scoring and casework.
    """
    if not objects:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        model.objects.using(alias).bulk_create(objects)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.get_internal_type().endswith(
        "AutoField"))]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for obj in objects:
            copy.write_row([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = alias
