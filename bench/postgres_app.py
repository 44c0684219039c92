"""B14: B2–B5 again with the PostgreSQL store (BNAGPT_DATABASE_URL), on an app server of their own
and a throwaway durable PostgreSQL holding the same long conversations (copied in with
`models.store.copy`), each row then divided by the JSON store's row of the same run: within 1.1×.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench import browser_cases as cases
from bench.browser import Bench
from bench.report import Measurement, progress
from models.store.copy import copy_all
from models.store.postgres import database_for
from tests.postgres_server import start_server

RATIO_BUDGET = 1.10
COMPARED = ("B2-simple", "B2-memory", "B3-simple", "B3-memory", "B4", "B5-2000", "B5-3000")


def rows(bench: Bench, repeat: int, load_sizes: list[int], json_rows: list[Measurement]) -> list[Measurement]:
    """B2–B5 on the PostgreSQL store (ids "B14-B2-simple"…), and each ÷ the JSON store's row."""
    folder = Path(tempfile.mkdtemp(prefix="bnagpt-bench-app-pg-"))
    database_server = start_server(folder, durable=True)
    try:
        url = database_server.create_database("bench")
        copied = copy_all("to-database", bench.conversations_dir, database_for(url, 30))
        progress(f"B14: {copied.copied} conversations copied into PostgreSQL")
        app = bench.server("app-postgres")
        app.app_env["BNAGPT_DATABASE_URL"] = url
        with app as server:
            cases.warm_up(bench, server)
            measured = [*cases.short_turns(bench, server, repeat), *cases.fast_streams(bench, server, repeat),
                        *cases.after_long_conversation(bench, server, repeat),
                        *cases.loads(bench, server, repeat, load_sizes)]
    finally:
        database_server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    by_id = {row.id: row for row in json_rows if row.values}
    result = []
    for row in measured:
        base = row.id
        row.id, row.title = f"B14-{base}", f"{row.title} (PostgreSQL store)"
        if row.budget is not None:  # what is judged here is the ratio to the JSON store's row, below
            row.details["budget of the JSON store's row"] = row.budget
            row.budget = None
        result.append(row)
        if base in COMPARED and base in by_id and row.values:
            json_row = by_id[base]
            ratio = Measurement(f"B14-{base}-vs-json", f"{base} with PostgreSQL ÷ with the JSON files", "×",
                                [value / json_row.median for value in row.values], budget=RATIO_BUDGET)
            ratio.details = {"JSON store median": round(json_row.median, 3),
                             "PostgreSQL store median": round(row.median, 3)}
            result.append(ratio)
    return result
