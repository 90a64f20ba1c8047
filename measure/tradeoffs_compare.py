"""What changed since the previous docs/tradeoffs.md: the figures of every table row the two reports
share, read back from the markdown (the previous run's results are not kept), and the rows that
moved most. Used by measure/tradeoffs_report.py when the report it replaces exists."""
import math
import re

_UNITS = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0,
          "B/s": 1.0, "kB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9,
          "B": 1.0, "KiB": 1024.0, "MiB": 1024.0 ** 2, "GiB": 1024.0 ** 3}
SECTION = "Compared with the previous run"
_QUANTITY = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-zµ/]+)?\s*$")


def quantity(cell):
    """(value in base units, unit kind) of a cell such as '1.47 ms' or '745 MB/s'; None otherwise."""
    m = _QUANTITY.match(cell.replace(",", ""))
    if not m:
        return None
    unit = m.group(2) or ""
    if unit and unit not in _UNITS:
        return None
    kind = "rate" if unit.endswith("/s") else "time" if unit in ("ns", "µs", "us", "ms", "s") else unit
    return float(m.group(1)) * _UNITS.get(unit, 1.0), kind


def tables(md):
    """{(section, table number, row label, column header): cell} for every markdown table."""
    cells, section, header, number = {}, "", None, 0
    for line in md.splitlines():
        if line.startswith("## "):
            section, number, header = line[3:].strip(), 0, None
            continue
        if not line.startswith("|"):
            header = None
            continue
        row = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header, number = row, number + 1
        elif not all(set(c) <= set("-: ") for c in row):
            for column, cell in zip(header[1:], row[1:]):
                cells[(section, number, row[0], column)] = cell
    return cells


def machine_line(md):
    """'2026-11-26 23:32 UTC, load average 14.83 ...' of a report, as its header says."""
    when = re.search(r"on (\d{4}-\d\d-\d\d \d\d:\d\d UTC)", md)
    load = re.search(r"\| load average \(1, 5, 15 min\) \| ([^|]+) \|", md)
    return f"{when.group(1) if when else '?'} (load average {load.group(1).strip() if load else '?'})"


def changes(previous_md, new_md, most=12):
    """The markdown section comparing the two reports: the rows whose figures moved most."""
    old, new = tables(previous_md), tables(new_md)
    moved = []
    for key, cell in new.items():
        if key[0] == SECTION:
            continue
        a, b = quantity(old.get(key, "")), quantity(cell)
        # Times, rates and sizes only: ratios and spreads are derived from them.
        if not a or not b or a[1] != b[1] or not a[1] or a[0] <= 0 or b[0] <= 0:
            continue
        moved.append((abs(math.log(b[0] / a[0])), key, old[key], cell, b[0] / a[0]))
    moved.sort(key=lambda m: -m[0])
    out = [f"## {SECTION}\n",
           f"This run: {machine_line(new_md)}; the report it replaced: {machine_line(previous_md)}. "
           f"{len(moved)} figures appear in both; the {min(most, len(moved))} that moved most "
           f"(new / old: above 1 is slower for a time, faster for a rate):\n",
           "| section | row | column | before | now | new / old |", "| --- | --- | --- | --- | --- | --- |"]
    for _, (section, _, row, column), before, now, ratio in moved[:most]:
        out.append(f"| {section} | {row} | {column} | {before} | {now} | {ratio:.2f} |")
    ratios = sorted(m[4] for m in moved)
    if ratios:
        out.append(f"\nMedian new / old over all {len(ratios)}: {ratios[len(ratios) // 2]:.2f}.")
    return "\n".join(out) + "\n\n"
