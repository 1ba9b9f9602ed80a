"""Writing many rows straight through the driver, for imports of hundreds of thousands.

Building a model instance per row costs more than the database's own work (measured by
`make bench`): these take plain tuples. They bypass `save()`, signals and history, as
`bulk_create` does; callers record what they wrote themselves. Database triggers still run.
"""

from collections.abc import Iterable

from django.db import connection


def rows_insert(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """INSERT `rows` into `table`; COPY on PostgreSQL. Call inside a transaction."""
    quoted = connection.ops.quote_name(table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {quoted} ({names}) VALUES ({marks})"  # noqa: S608  # nosec B608
            cursor.executemany(sql, list(rows))


def rows_update(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """UPDATE `columns` of `table` by primary key; each row is (*values, pk)."""
    quoted = connection.ops.quote_name(table)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {quoted} SET {sets} WHERE id = %s", list(rows))  # noqa: S608  # nosec B608
