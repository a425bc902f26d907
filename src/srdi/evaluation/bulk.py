"""Bulk writes of evaluation rows: PostgreSQL COPY, SQLite executemany (one statement each).

Both run inside the caller's transaction. Columns are written as they are in the DataFrame
(ids, text, numbers; JSON as its text).
"""

from __future__ import annotations

import polars as pl
from django.db import connection

_SLICE = 50_000


def next_ids(table: str, n: int) -> list[int]:
    """``n`` primary keys for rows the caller inserts itself (call inside the transaction)."""
    if n <= 0:
        return []
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [qn(table), n],
            )
            return [r[0] for r in cur.fetchall()]
        # SQLite: the write lock is held (transaction_mode IMMEDIATE); AUTOINCREMENT never
        # reuses a key, so start above both the largest key and the recorded sequence
        cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")
        top = cur.fetchone()[0]
        cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cur.fetchone()
        start = max(top, row[0] if row else 0) + 1
        return list(range(start, start + n))


def insert(table: str, df: pl.DataFrame) -> int:
    """Insert every row of ``df`` (columns named as the table's) into ``table``."""
    if df.is_empty():
        return 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            return copy_in(cur.cursor, table, df)
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in df.columns)
    marks = ", ".join(["%s"] * df.width)
    with connection.cursor() as cur:
        rows = df.iter_rows()
        if connection.queries_logged:  # the debug cursor takes len() of the rows
            rows = list(rows)
        cur.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", rows)
    return df.height


def copy_in(raw_cursor, table: str, df: pl.DataFrame) -> int:
    """PostgreSQL: ``COPY table FROM STDIN`` through a psycopg cursor of the caller's connection
    (usable from another thread: Django's ``connection`` there would be another connection,
    outside the caller's transaction). Written in slices: the server parses one while the next
    is encoded."""
    qn = connection.ops.quote_name
    cols = ", ".join(qn(c) for c in df.columns)
    with raw_cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN (FORMAT csv)") as cp:
        for part in df.iter_slices(_SLICE):
            cp.write(part.write_csv(include_header=False))
    return df.height
