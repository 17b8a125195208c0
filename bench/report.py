"""The Markdown report of a run: the table per database, the targets and the chart, as
bench/results-<db>.md holds them."""

import importlib.metadata
import math
import platform
from datetime import date

from bench.inprocess import BLOCK
from bench.load import CONNECTIONS

TARGETS = (  # (name, limit): medians in-process
    ("last page / page 1", 1.2),
    ("category: last page / page 1", 1.2),
    ("listing / floor", 4.0),
    ("article / floor", 5.0),
)


def ms(value):
    if value is None:
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def ratio(page, floor):
    if page.median is None or not floor.median:
        return None
    return page.median / floor.median


def _last_over_first(by_key, first, last):
    first, last = by_key.get(first), by_key.get(last)
    if first is None or last is None or not (first.median and last.median):
        return None, ""
    return last.median / first.median, ""


def target_lines(pages):
    by_key = {page.key: page for page in pages}
    floor, first, last = by_key["floor"], by_key["first"], by_key["last"]
    keys = ("first", "middle", "last", "cat_first", "cat_last")
    listings = [by_key[k] for k in keys if k in by_key and by_key[k].median is not None]
    slowest = max(listings, key=lambda p: p.median) if listings else None
    values = {
        "last page / page 1": (
            last.median / first.median if last.median and first.median else None,
            "",
        ),
        "category: last page / page 1": _last_over_first(by_key, "cat_first", "cat_last"),
        "listing / floor": (
            ratio(slowest, floor) if slowest else None,
            f" (the slowest listing page: {slowest.label})" if slowest else "",
        ),
        "article / floor": (ratio(by_key["article"], floor), ""),
    }
    lines = []
    for name, limit in TARGETS:
        value, detail = values[name]
        if value is None:
            lines.append(f"- {name} ≤ {limit:g}: **not measured** (a page failed)")
        elif value <= limit:
            lines.append(f"- {name} = {value:.2f} ≤ {limit:g}{detail}: **met**")
        else:
            lines.append(
                f"- {name} = {value:.2f} > {limit:g}{detail}: **missed** by "
                f"{value - limit:.2f} ({value / limit - 1:.0%} over)"
            )
    return lines


def bar_chart(pages):
    floor = pages[0]
    rows = [(page, ratio(page, floor)) for page in pages]
    top = max((r for _, r in rows if r), default=1.0)
    # A round unit per '#', so the longest bar is at most 60 characters.
    unit = next(u for u in (0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100) if top / u <= 60)
    width = math.ceil(top / unit)
    lines = [f"Median time relative to the floor (/healthz = 1×); each # is {unit:g}×"]
    for page, value in rows:
        if value is None:
            lines.append(f"{page.label:<28} {'(failed)':<{width}}")
            continue
        bar = "#" * max(1, round(value / unit))
        lines.append(f"{page.label:<28} {bar:<{width}} {value:5.1f}×  {ms(page.median)} ms")
    return lines


def report(ctx, pages, servers):
    article = next(page for page in pages if page.key == "article")
    lines = [
        f"### {ctx['database']}: {ctx['posts']:,} posts",
        "",
        f"{ctx['database']} · N = {ctx['posts']:,} posts (2 pinned notices), "
        f"{ctx['comments']:,} comments, seeded in {ctx['seed_time']:.0f} s · "
        f"machine: {ctx['machine']} · Python {platform.python_version()}, "
        f"Django {importlib.metadata.version('django')} · {date.today().isoformat()}",
        "",
        f"In-process: Django's test client with the production settings (DEBUG off), median "
        f"and p99 of {ctx['requests']} requests per page after {ctx['warmup']} warm-up "
        f"requests, the pages taking turns in blocks of {BLOCK}; queries counted with "
        f"CaptureQueriesContext. "
        f"The article row is {len(article.paths)} different articles spread over 1..N, "
        f"each by a new visitor (its view-count UPDATE included).",
    ]
    if servers:
        described = "; ".join(f"{s.name} {s.version}, {s.settings}" for s in servers)
        pinning = (
            f"server pinned to CPU {ctx['server_cpus']}, wrk to CPU {ctx['wrk_cpu']} (taskset)"
            if ctx["wrk_cpu"]
            else "no CPU pinning (taskset or a second CPU missing)"
        )
        if ctx["database"].startswith("PostgreSQL"):
            pinning += "; PostgreSQL not pinned"
        lines += [
            "",
            f"Under load: {described}; `wrk -t1 -c{CONNECTIONS} -d{ctx['duration']}s "
            f"--latency` on 127.0.0.1, {pinning}. The article load cycles through "
            f"{len(article.load_paths or [])} articles.",
        ]
    header = ["page", "URL", "queries", "median ms", "p99 ms", "× floor"]
    align = ["---", "---", "--:", "--:", "--:", "--:"]
    for s in servers:
        header += [f"{s.name} req/s", f"{s.name} p50 / p99 ms"]
        align += ["--:", "--:"]
    lines += ["", "| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    floor = pages[0]
    for page in pages:
        value = ratio(page, floor)
        cells = [
            page.label,
            f"`{page.shown}`",
            "—" if page.queries is None else str(page.queries),
            "**failed**" if page.error else ms(page.median),
            ms(page.p99),
            "—" if value is None else f"{value:.1f}",
        ]
        for s in servers:
            result = page.load.get(s.name)
            if result is None:
                cells += ["—", "—"]
            elif not result.rps:
                cells += ["**failed**", "—"]
            else:
                flag = " ⚠" if result.error else ""
                cells += [f"{result.rps:,.0f}{flag}", f"{ms(result.p50)} / {ms(result.p99)}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Targets (in-process medians):", *target_lines(pages)]
    problems = [f"- {p.label}: {p.error}" for p in pages if p.error]
    problems += [
        f"- {p.label}: {len(p.samples)} of {ctx['requests']} requests timed: the page's "
        f"{ctx['budget']:g} s budget ran out"
        for p in pages
        if p.cut(ctx["requests"])
    ]
    problems += [
        f"- {p.label} under {name}: {r.error}"
        for p in pages
        for name, r in p.load.items()
        if r.error
    ]
    if problems:
        lines += ["", "Errors and notes:", *problems]
    lines += ["", "```text", *bar_chart(pages), "```", "", ctx["timings"]]
    return "\n".join(lines) + "\n"
