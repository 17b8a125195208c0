"""Where a page's time goes: the floor's share (middleware and test client around a constant
answer), what the middleware does beyond it on this page, and inside the view the database, the
template and the view's own code."""

import statistics
import time
from http.cookies import SimpleCookie

from bench.common import UA

REQUESTS = 300


def measure(pages, say, requests=REQUESTS):
    """Markdown lines: per page, the medians of its requests' total, database and template
    times, against the floor's median, measured in the same turns."""
    from django.core.handlers.base import BaseHandler
    from django.db import connection
    from django.template.backends import jinja2
    from django.test import Client

    spent = {"view": 0.0, "db": 0.0, "template": 0.0}

    def in_database(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent["db"] += time.perf_counter() - started

    render = jinja2.Template.render

    def timed_render(self, context=None, request=None):
        started = time.perf_counter()
        try:
            return render(self, context, request)
        finally:
            spent["template"] += time.perf_counter() - started

    get_response = BaseHandler._get_response  # URL resolution, the view, its decorators

    def timed_view(self, request):
        started = time.perf_counter()
        try:
            return get_response(self, request)
        finally:
            spent["view"] += time.perf_counter() - started

    client = Client(HTTP_USER_AGENT=UA)
    chosen = [
        page for page in pages if page.key in ("floor", "first", "article") and not page.error
    ]
    samples = {page.key: {"total": [], **{part: [] for part in spent}} for page in chosen}
    paths = {page.key: iter(page.paths * (1 + 2 * requests // len(page.paths))) for page in chosen}
    jinja2.Template.render, BaseHandler._get_response = timed_render, timed_view
    try:
        with connection.execute_wrapper(in_database):
            for _turn in range(requests // 50):
                for page in chosen:
                    for _ in range(50):
                        if page.fresh:
                            client.cookies = SimpleCookie()  # a new visitor: the view counts
                        spent.update(view=0.0, db=0.0, template=0.0)
                        started = time.perf_counter()
                        client.get(next(paths[page.key]))
                        total = time.perf_counter() - started
                        for part, value in (("total", total), *spent.items()):
                            samples[page.key][part].append(value * 1000)
    finally:
        jinja2.Template.render, BaseHandler._get_response = render, get_response
    if "floor" not in samples:
        return []
    floor = statistics.median(samples["floor"]["total"])
    lines = [
        "",
        "#### Where the time goes (in-process medians, ms)",
        "",
        "floor: the middleware and the test client around a constant answer (`/healthz`); "
        "middleware: what they do beyond that on this page; then, inside the view, the "
        "database (its statements), the template (Jinja2's render) and the view's own code.",
        "",
        "| page | total | × floor | floor | middleware | database | template | view code |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for page in chosen:
        if page.key == "floor":
            continue
        part = {name: statistics.median(values) for name, values in samples[page.key].items()}
        middleware = part["total"] - part["view"] - floor
        code = part["view"] - part["db"] - part["template"]
        lines.append(
            f"| {page.label} | {part['total']:.2f} | {part['total'] / floor:.1f} | {floor:.2f} "
            f"| {middleware:.2f} | {part['db']:.2f} | {part['template']:.2f} | {code:.2f} |"
        )
    say("\n".join(lines[1:]))
    return lines
