"""Start-up and typical runs: what a user waits for, timed as whole commands.

    python -m bench --size small|medium|large [--out DIR]           # with the rest
    python -m bench --size large --only startup [--startup-runs 5]  # this section alone

Every figure is the wall time of a whole command in a fresh process, Python's start-up and
imports included, as a user waits for it (never a time a program reports about itself).
It is printed after the rest of the benchmark's tables and written under `startup` in
`<out>/<size>.json`: `cold_start`, `tiers` (one row each), `targets` and `counts_agree`.

**Cold start**: the median of `--startup-runs` runs (5) of each of three commands, taken in
turns (a, b, c, a, b, c, ...) after one untimed round:

- a, `python -c "import prefect, great_expectations, polars, duckdb, pyarrow, selectolax"`:
  the bare import of the stack, the floor under any command built on it;
- b, `reviewhouse ingest <folder holding one page> --warehouse <new file>` with no Prefect
  server: no PREFECT_API_URL, PREFECT_HOME a folder of the benchmark's own whose database
  the untimed round created, so b includes starting Prefect's temporary server, as a first
  `reviewhouse ingest` does, but not creating its database, which happens once a machine;
- c, the same with PREFECT_API_URL naming the Prefect server the benchmark runs.

Targets: b/a ≤ 1.5 and c/a ≤ 1.0 (a one-page run should cost no more than the imports).
Each run loads into a new warehouse file, must exit with 0 and load the page's reviews.

**Typical runs**: page sets picked from the corpus (`bench/.corpus/<size>/pages`), each
page's layout told by its address (`layout_of`): "RT" pages (review_table_row, review_row,
rt_movie_page, rt_api) and "text" pages (legacy_text), evenly spaced over the corpus so
every layout and page size is in the mix; the same corpus always gives the same pages. They
are hard-linked, with their `.url` files, into a folder per tier; the whole-corpus tier
reads the corpus folder itself. Tiers: RT 100 and 1,300 pages, text 100 and 3,400 pages,
the whole corpus (71,628 pages at --size large). A corpus with fewer pages than a tier
gives what it has, and the row says so; a tier with the same pages as an earlier one
repeats its figures, and says so. Before a tier is timed its files are read once, untimed,
so each command finds them in the OS cache. Per tier, each in a fresh process:

- rh: `reviewhouse ingest <folder> --warehouse <new file>`, cold as in b (it starts
  Prefect's temporary server: what a user waits for);
- limit: `python bench/near_limit.py <folder> --warehouse <new file>`, the same job by
  hand with none of reviewhouse's guarantees (see that script);
- base: `python -m bench.baseline <folder> --warehouse <new file>`, the usual way
  (`bench/baseline.py`: BeautifulSoup, pandas `.apply`, one INSERT a row) reading the files.
  Above 1,300 pages it runs on an evenly spaced sample of 300 of the tier's pages and is
  extrapolated: its start-up (wall time less the work it reports) once, plus its work
  times tier pages / sample pages; the row is marked "extrapolated from N pages".

Columns: pages, reviews loaded (counted in reviewhouse's warehouse), the three wall times,
rh ÷ limit (target ≤ 3) and base ÷ rh (target ≥ 10). Under the table, where reviewhouse
says its time went (`stage_seconds` of its run in `etl_runs`, for b and c the median over
the runs). The near-limit script's row count must be within 2% of reviewhouse's at every
tier (`counts_agree`), or `python -m bench` exits with 1; the targets are reported, never
fail the run, and mean most on the large corpus.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
REVIEWHOUSE = str(Path(sys.executable).with_name("reviewhouse"))
STACK = "import prefect, great_expectations, polars, duckdb, pyarrow, selectolax"
RT_LAYOUTS = frozenset({"review_table_row", "review_row", "rt_movie_page", "rt_api"})
TEXT_LAYOUTS = frozenset({"legacy_text"})
TIERS: list[tuple[str, frozenset[str] | None, int | None]] = [
    # (name, layouts (None: every page), pages (None: all))
    ("RT", RT_LAYOUTS, 100),
    ("RT", RT_LAYOUTS, 1_300),
    ("text", TEXT_LAYOUTS, 100),
    ("text", TEXT_LAYOUTS, 3_400),
    ("whole corpus", None, None),
]
BASELINE_FULL_UP_TO = 1_300  # pages; above, the baseline runs on a sample
BASELINE_SAMPLE = 300
COUNT_TOLERANCE = 0.02  # near-limit's reviews vs reviewhouse's
TARGETS = {  # name: (key in a row or the cold start, bound, True when higher is better)
    "cold one-page ingest, no server ≤ 1.5× bare import": ("b_over_a", 1.5, False),
    "one-page ingest, running server ≤ 1.0× bare import": ("c_over_a", 1.0, False),
    "reviewhouse ≤ 3× near-limit script": ("reviewhouse_over_near_limit", 3, False),
    "baseline ≥ 10× reviewhouse": ("baseline_over_reviewhouse", 10, True),
}


# --- page sets ----------------------------------------------------------------------------


def page_files(pages: Path) -> list[Path]:
    return sorted(path for path in pages.rglob("page-*") if path.suffix != ".url")


_LAYOUT_BY_ADDRESS = [  # (pattern, layout), first match wins, as bench/corpus.py names pages
    (re.compile(r"/cnapi/"), "rt_api"),
    (re.compile(r"/critics/"), "schema_org"),
    (re.compile(r"/reviews/\?page="), "legacy_text"),
    (re.compile(r"/reviews\?page="), "review_table_row"),
    (re.compile(r"/reviews\?type=critics"), "review_row"),
    (re.compile(r"/m/[\w.\-]+(\?page=\d+)?$"), "rt_movie_page"),
]


def layout_of(page: Path) -> str:
    """The layout the corpus generated `page` in, told by its address (`<page>.url`)."""
    url = page.with_suffix(".url").read_text().strip()
    return next((layout for pattern, layout in _LAYOUT_BY_ADDRESS if pattern.search(url)), "?")


def evenly(files: list[Path], count: int | None) -> list[Path]:
    """`count` of `files` spread evenly from the first, in order; all when there are fewer."""
    if count is None or count >= len(files):
        return list(files)
    return [files[number * len(files) // count] for number in range(count)]


def select(layouts: dict[Path, str], wanted: frozenset[str] | None, count: int | None):
    """The tier's pages: `count` pages of the `wanted` layouts, evenly spread."""
    eligible = [page for page, layout in layouts.items() if wanted is None or layout in wanted]
    return evenly(sorted(eligible), count)


def place(pages: list[Path], folder: Path) -> Path:
    """Hard links to `pages` and their `.url` files in a new `folder` (symbolic links where
    the corpus is on another file system)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for page in pages:
        for source in (page, page.with_suffix(".url")):
            try:
                os.link(source, folder / source.name)
            except OSError:
                (folder / source.name).symlink_to(source.resolve())
    return folder


def warm(pages: list[Path]) -> None:
    """Read every page once, so the timed commands find them in the OS cache."""
    for page in pages:
        page.read_bytes()


# --- whole commands -----------------------------------------------------------------------


def timed(command: list[str], env: dict, cwd: Path) -> tuple[float, str]:
    """Wall seconds of `command` in a fresh process, and its output; it must exit with 0."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {done.returncode}: {done.stderr[-2000:]}"
        )
    return seconds, done.stdout


def ingest(folder: Path, warehouse: Path) -> list[str]:
    return [REVIEWHOUSE, "ingest", str(folder), "--warehouse", str(warehouse)]


def reviews_in(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM reviews").fetchone()[0]


def stage_seconds(warehouse: Path) -> dict[str, float]:
    """Where reviewhouse's last run in `warehouse` says its time went (`etl_runs`)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            "SELECT stage_seconds FROM etl_runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    return json.loads(found[0]) if found and found[0] else {}


def environments(work: Path, server_env: dict) -> tuple[dict, dict]:
    """(no server, running server): the user's environment with a Prefect home of the
    benchmark's own, without or with the running server's PREFECT_API_URL."""
    cold = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    cold["PREFECT_HOME"] = str(work / "prefect-home")
    return cold, {**cold, "PREFECT_API_URL": server_env["PREFECT_API_URL"]}


def cold_start(page: Path, work: Path, cold_env: dict, server_env: dict, runs: int) -> dict:
    folder = place([page], work / "one-page")
    commands = {
        "import_s": ([PYTHON, "-c", STACK], cold_env),
        "ingest_no_server_s": (None, cold_env),
        "ingest_with_server_s": (None, server_env),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    stages: dict[str, list[dict]] = {name: [] for name in commands if name != "import_s"}
    for run in range(runs + 1):  # round 0 is untimed: it creates the Prefect database
        for name, (command, env) in commands.items():
            warehouse = work / f"one-page-{name.removesuffix('_s')}-{run}.duckdb"
            seconds, _ = timed(command or ingest(folder, warehouse), env, work)
            if command is None and reviews_in(warehouse) == 0:
                raise RuntimeError(f"the one-page ingest loaded nothing: {page}")
            if command is None and run:
                stages[name].append(stage_seconds(warehouse))
            if run:
                times[name].append(seconds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "page": str(page),
        "layout": layout_of(page),
        "runs": runs,
        **medians,
        "all_runs": times,
        "reviewhouse_stages": stages,
        "b_over_a": medians["ingest_no_server_s"] / medians["import_s"],
        "c_over_a": medians["ingest_with_server_s"] / medians["import_s"],
    }


def tier(pages: list[Path], folder: Path, work: Path, cold_env: dict) -> dict:
    """reviewhouse, the near-limit script and the baseline over one tier's pages."""
    warm(pages)
    row: dict = {}
    warehouse = work / "reviewhouse.duckdb"
    row["reviewhouse_s"], _ = timed(ingest(folder, warehouse), cold_env, work)
    row["reviews"] = reviews_in(warehouse)
    row["reviewhouse_stages"] = stage_seconds(warehouse)
    warehouse = work / "near_limit.duckdb"
    near_limit = [PYTHON, str(ROOT / "bench" / "near_limit.py"), str(folder), "--warehouse"]
    row["near_limit_s"], _ = timed([*near_limit, str(warehouse)], cold_env, work)
    row["near_limit_reviews"] = reviews_in(warehouse)
    row["count_gap"] = (row["near_limit_reviews"] - row["reviews"]) / max(row["reviews"], 1)
    sample = pages
    if len(pages) > BASELINE_FULL_UP_TO:
        sample = evenly(pages, BASELINE_SAMPLE)
        folder = place(sample, work / "baseline-sample")
    command = [PYTHON, "-m", "bench.baseline", str(folder), "--warehouse"]
    seconds, output = timed([*command, str(work / "baseline.duckdb")], cold_env, ROOT)
    reported = json.loads(output.strip().splitlines()[-1])
    start_up = seconds - reported["work_s"]
    row["baseline_s"] = start_up + reported["work_s"] * len(pages) / len(sample)
    row["baseline_pages"] = len(sample)
    row["baseline_reviews"] = reported["reviews"]
    row["reviewhouse_over_near_limit"] = row["reviewhouse_s"] / row["near_limit_s"]
    row["baseline_over_reviewhouse"] = row["baseline_s"] / row["reviewhouse_s"]
    return row


def measure(corpus_pages: Path, work: Path, server_env: dict, runs: int = 5) -> dict:
    """The section: cold start and every tier, with targets; `counts_agree` is whether the
    near-limit script loaded as many reviews as reviewhouse (within 2%) at every tier."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    load_before = os.getloadavg()  # another busy process on the machine shows here
    cold_env, warm_env = environments(work, server_env)
    layouts = {page: layout_of(page) for page in page_files(corpus_pages)}
    started = _progress("cold start")
    one_page = select(layouts, RT_LAYOUTS, 1)[0]
    cold = cold_start(one_page, work / "cold", cold_env, warm_env, runs)
    _progress("cold start done", started)
    rows: list[dict] = []
    for number, (name, wanted, count) in enumerate(TIERS):
        pages = select(layouts, wanted, count)
        row = {"tier": name, "requested_pages": count, "pages": len(pages)}
        row["layouts"] = _counts(layouts[page] for page in pages)
        capped = count is not None and len(pages) < count
        notes = [f"the corpus has only {len(pages):,} such pages"] if capped else []
        same = next((r for r in rows if r["page_list"] == pages), None)
        if not pages:
            continue  # a corpus with no page of these layouts
        if same is not None:
            notes.append(f"the same pages as '{_label(same)}': its figures")
            copy = {"note": "; ".join(notes), "same_as": _label(same), "page_list": pages}
            rows.append({**same, **row, **copy})
            continue
        row["note"] = "; ".join(notes)
        started = _progress(f"{_label(row)} ({len(pages):,} pages)")
        tier_work = work / f"tier-{number}"
        tier_work.mkdir()
        folder = corpus_pages if wanted is None else place(pages, tier_work / "pages")
        rows.append({**row, **tier(pages, folder, tier_work, cold_env), "page_list": pages})
        _progress(f"{_label(row)} done", started)
    for row in rows:
        row.pop("page_list")
    return {
        "cold_start": cold,
        "tiers": rows,
        "targets": _targets(cold, rows),
        "counts_agree": all(abs(row["count_gap"]) <= COUNT_TOLERANCE for row in rows),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "cpus": os.cpu_count(),
    }


def _progress(what: str, since: float | None = None) -> float:
    took = f" in {time.perf_counter() - since:.0f} s" if since is not None else ""
    print(f"… startup: {what}{took}", file=sys.stderr, flush=True)
    return time.perf_counter()


def _counts(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _label(row: dict) -> str:
    count = row["requested_pages"]
    return f"{row['tier']} {count:,}" if count is not None else row["tier"]


def _targets(cold: dict, rows: list[dict]) -> dict:
    """Every target per row (or for the cold start) with its value and verdict."""
    verdicts = {}
    for name, (key, bound, higher) in TARGETS.items():
        measured = [("", cold[key])] if key in cold else [(_label(r), r[key]) for r in rows]
        for label, value in measured:
            met = value >= bound if higher else value <= bound
            verdicts[f"{name} ({label})" if label else name] = {"value": value, "met": met}
    return verdicts


# --- report -------------------------------------------------------------------------------


def print_section(section: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    cold = section["cold_start"]
    start = Table(
        title=f"cold start: one page, median of {cold['runs']} runs each",
        caption=f"a: python -c '{STACK}'",
    )
    for column in ("command", "wall s", "÷ a", "target"):
        start.add_column(column, justify="left" if column == "command" else "right")
    start.add_row("a  bare import of the stack", f"{cold['import_s']:.2f}", "1.00", "")
    start.add_row(
        "b  reviewhouse ingest, no Prefect server", f"{cold['ingest_no_server_s']:.2f}",
        f"{cold['b_over_a']:.2f}", "≤ 1.5",
    )  # fmt: skip
    start.add_row(
        "c  reviewhouse ingest, running Prefect server", f"{cold['ingest_with_server_s']:.2f}",
        f"{cold['c_over_a']:.2f}", "≤ 1.0",
    )  # fmt: skip
    typical = Table(
        title="typical runs: whole commands in fresh processes, wall s",
        caption="rh: reviewhouse ingest, cold; limit: bench/near_limit.py; "
        "base: bench/baseline.py; targets: rh ÷ limit ≤ 3, base ÷ rh ≥ 10",
    )
    for column in ("tier", "pages", "reviews", "rh", "limit", "base", "rh ÷ limit", "base ÷ rh"):
        typical.add_column(column, justify="left" if column == "tier" else "right")
    notes = [
        f"{command}: reviewhouse's own stage seconds (median): {_stages(runs)}"
        for command, runs in zip("bc", cold["reviewhouse_stages"].values(), strict=True)
    ]
    for row in section["tiers"]:
        label = _label(row)
        baseline = f"{row['baseline_s']:.1f}"
        if row["baseline_pages"] < row["pages"]:
            baseline += "*"
            notes.append(f"{label}: * base extrapolated from {row['baseline_pages']} pages")
        typical.add_row(
            label, f"{row['pages']:,}", f"{row['reviews']:,}",
            f"{row['reviewhouse_s']:.1f}", f"{row['near_limit_s']:.1f}", baseline,
            f"{row['reviewhouse_over_near_limit']:.2f}", f"{row['baseline_over_reviewhouse']:.1f}",
        )  # fmt: skip
        if row["note"]:
            notes.append(f"{label}: {row['note']}")
        if row["near_limit_reviews"] != row["reviews"]:
            notes.append(
                f"{label}: near-limit loaded {row['near_limit_reviews']:,} reviews "
                f"({row['count_gap']:+.2%})"
            )
        if not row.get("same_as"):
            stages = _stages([row["reviewhouse_stages"]])
            notes.append(f"{label}: reviewhouse's own stage seconds: {stages}")
    console = Console()
    if not console.is_terminal:
        console = Console(width=100)
    console.print(start)
    console.print(typical)
    for note in notes:
        console.print(f"  {note}")
    if "load_average" in section:
        before, after = (round(section["load_average"][k][0], 1) for k in ("before", "after"))
        console.print(f"  load average {before} before, {after} after, on {section['cpus']} cores")
    met = sum(verdict["met"] for verdict in section["targets"].values())
    console.print(
        f"start-up and typical runs: {met}/{len(section['targets'])} targets met; near-limit "
        f"and reviewhouse review counts {'agree' if section['counts_agree'] else 'DISAGREE'}"
    )


def _stages(runs: list[dict[str, float]]) -> str:
    """Stage seconds as `stage 1.2, ...`, the median over `runs` where there are several."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    return ", ".join(
        f"{name} {statistics.median(run.get(name, 0) for run in runs):.2f}" for name in names
    )
