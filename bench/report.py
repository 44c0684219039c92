"""What a benchmark run produces: measurements with budgets and verdicts, as Markdown and JSON."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DIGITS = {"s": 3, "ms": 2, "×": 3, "MB": 2}


def progress(text: str) -> None:
    """Say how the run is going (on stderr, so that stdout is the table)."""
    print(text, file=sys.stderr, flush=True)


@dataclass
class Measurement:
    """One row of the report: the values of each run, a budget for the median, and why it failed."""

    id: str
    title: str
    unit: str
    values: list[float] = field(default_factory=list)
    budget: float | None = None  # the median must not exceed it; None: reported, not judged
    problems: list[str] = field(default_factory=list)  # failures besides the median (e.g. a reconnect)
    details: dict[str, Any] = field(default_factory=dict)  # where the time went, what was counted
    error: str | None = None  # the measurement could not be made
    measured_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def median(self) -> float | None:
        """The median of the runs, None when there were none."""
        return statistics.median(self.values) if self.values else None

    @property
    def verdict(self) -> str:
        """error, fail, pass, or "—" when there is no budget."""
        if self.error or not self.values:
            return "error"
        if self.problems or (self.budget is not None and self.median > self.budget):
            return "fail"
        return "pass" if self.budget is not None else "—"

    def number(self, value: float | None) -> str:
        """A value in this row's unit, rounded for reading."""
        if value is None:
            return "—"
        return f"{value:,.{DIGITS.get(self.unit, 3)}f}{'×' if self.unit == '×' else ''}"

    def to_json(self) -> dict[str, Any]:
        """The row as stored in benchmarks.json, with its statistics and verdict."""
        values = self.values
        summary = {"median": self.median, "min": min(values, default=None), "max": max(values, default=None),
                   "runs": len(values), "verdict": self.verdict}
        return {**asdict(self), **summary}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Measurement:
        """A row read back from benchmarks.json (its statistics are recomputed)."""
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in data.items() if key in names})


def machine() -> dict[str, Any]:
    """What the numbers were measured on, including how busy it was when the run began."""
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory_kb = 0
    try:
        memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return {"platform": platform.platform(), "cpu": model or platform.processor(), "cpus": os.cpu_count(),
            "memory_gb": round(memory_kb / 1024 ** 2, 1), "python": platform.python_version(),
            "load_average": [round(load, 2) for load in os.getloadavg()]}


def merge(previous: Path, fresh: list[Measurement]) -> list[Measurement]:
    """`fresh` plus the rows of an earlier benchmarks.json that this run did not measure again."""
    try:
        earlier = [Measurement.from_json(row) for row in json.loads(previous.read_text())["measurements"]]
    except (OSError, ValueError, KeyError, TypeError):
        return fresh
    remeasured = {row.id for row in fresh}
    kept = [row for row in earlier if row.id not in remeasured]
    order = [row.id for row in earlier] + [row.id for row in fresh if row.id not in {r.id for r in earlier}]
    rows = {row.id: row for row in [*kept, *fresh]}
    return [rows[identifier] for identifier in order]


def write(directory: Path, rows: list[Measurement], run: dict[str, Any]) -> tuple[Path, Path]:
    """Write benchmarks.json and BENCHMARKS.md into `directory`; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path, markdown_path = directory / "benchmarks.json", directory / "BENCHMARKS.md"
    document = {**run, "measurements": [row.to_json() for row in rows]}
    json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    markdown_path.write_text(markdown(rows, run))
    return json_path, markdown_path


def markdown(rows: list[Measurement], run: dict[str, Any]) -> str:
    """BENCHMARKS.md: when, where and how, then one row per measurement and what it was made of."""
    box = run["machine"]
    lines = [
        "# Benchmarks", "",
        f"Measured {run['date']} with `{run['command']}` (written by `bench/`; see `bench/README.md`).", "",
        f"Machine: {box['cpu']}, {box['cpus']} CPUs, {box['memory_gb']} GB RAM; {box['platform']}; "
        f"Python {box['python']}, Streamlit {run.get('streamlit', '?')}, Chromium {run.get('chromium', '?')}; "
        f"load average at start {', '.join(map(str, box['load_average']))}.", "",
        "Each row: median, min and max over its runs; the verdict compares the median with the budget "
        "(and fails on any problem listed under it)."
        + (" Rows whose details say “not in this run” were kept from an earlier run (`--only`)."
           if any(row.measured_at < run["date"] for row in rows) else ""), "",
        "| id | measurement | median | min | max | runs | budget | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        budget = f"≤ {row.number(row.budget)}" if row.budget is not None else "—"
        label = row.title if row.unit == "×" else f"{row.title} ({row.unit})"
        verdict = row.verdict if row.verdict == "—" else f"**{row.verdict}**"
        lines.append(f"| {row.id} | {label} | {row.number(row.median)} | {row.number(min(row.values, default=None))} | "
                     f"{row.number(max(row.values, default=None))} | {len(row.values)} | {budget} | {verdict} |")
    lines += ["", "## Details", ""]
    for row in rows:
        notes = [f"{key}: {value}" for key, value in row.details.items()]
        notes += [f"PROBLEM: {problem}" for problem in row.problems]
        notes += [f"ERROR: {row.error}"] if row.error else []
        if row.measured_at < run["date"]:  # kept from an earlier benchmarks.json by --only
            notes.append(f"measured {row.measured_at}, not in this run")
        if notes:
            lines.append(f"- **{row.id}** — " + "; ".join(notes))
    return "\n".join(lines) + "\n"
