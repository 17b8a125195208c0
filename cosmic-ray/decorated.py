"""Mutation testing of the decorated functions of board/ with cosmic-ray (make mutants-decorated).

mutmut 3.8 makes no mutants for a decorated function (its trampoline would replace the
decorated object), so `make mutants` never mutates the views, the transactions and the admin
actions. cosmic-ray mutates whole modules in place; this script runs it in a copy of the
checkout (cosmic-ray/work/src), one session per group of functions, and marks every work
item outside that group skipped before running, as cosmic-ray's own cr-filter-* tools do. Each
group runs only the test files that reach it, most direct first (-x stops at the first
failure). Usage: decorated.py [--resume] [board/views.py ...]; prints the survivors.
Verdicts: docs/mutants-decorated.md.
"""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import WorkerOutcome, WorkResult

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "cosmic-ray" / "work"
SRC = WORK / "src"
BIN = Path(sys.executable).parent

# The decorators whose functions mutmut leaves alone and issue 9 asks about. Properties,
# caches (lru_cache) and admin.display columns are left out: small getters, not run here.
DECORATORS = {
    "transaction.atomic",
    "require_safe",
    "require_POST",
    "require_http_methods",
    "login_required",
    "staff_member_required",
    "cache_control",
    "contextmanager",
    "pass_context",
    "admin.action",
}

# Module -> its decorated functions, in groups, each with the test files that reach it, the most
# direct first (-x stops at the first failure). One session per group: a survivor costs only
# its own group's files. test_i18n's makemessages test is left out (slow, and no view runs it).
TESTS = {
    "board/views.py": {
        ("post_list",): ["test_listing", "test_search", "test_hardening"],
        ("post_detail",): ["test_article", "test_queries", "test_hardening"],
        ("post_preview",): ["test_publishing", "test_hardening"],
    },
    "board/file_views.py": {
        ("media_file",): ["test_media", "test_hardening"],
    },
    "board/comment_views.py": {
        ("comment_create",): ["test_comments", "test_i18n", "test_hardening", "test_fuzz"],
        ("comment_remove", "comment_restore"): ["test_moderation", "test_queries"],
    },
    "board/account_views.py": {
        ("choose_language",): ["test_i18n", "test_hardening", "test_fuzz"],
    },
    "board/services.py": {
        ("publish_new_post", "update_post"): [
            "test_publishing",
            "test_positions",
            "test_consistency",
            "test_listing",
        ],
        ("remove_post", "restore_post"): [
            "test_positions",
            "test_publishing",
            "test_consistency",
            "test_admin",
            "test_listing",
        ],
        ("save_new_comment", "post_comment"): [
            "test_comments",
            "test_consistency",
            "test_moderation",
            "test_fuzz",
        ],
        ("remove_comment", "restore_comment"): [
            "test_moderation",
            "test_comments",
            "test_consistency",
            "test_admin",
        ],
    },
    "board/limits.py": {("reserve_signup",): ["test_hardening", "test_accounts"]},
    "board/search.py": {("guarded", "sqlite_deadline"): ["test_search", "test_search_rate"]},
    "board/feeds.py": {("robots_txt",): ["test_feeds", "test_hardening"]},
    "board/templating.py": {
        ("gettext", "ngettext", "search_fields"): [
            "test_i18n",
            "test_article",
            "test_listing",
            "test_search",
            "test_hardening",
        ],
    },
    # The moderator's desk, the report queue and suspensions (docs/mutants-moderation.md).
    "board/desk.py": {
        ("report_post", "report_comment"): ["test_reports", "test_report_queue", "test_hardening"],
        ("queue", "decide"): ["test_report_queue", "test_reports", "test_suspension"],
        ("suspensions", "lift"): ["test_suspension"],
        ("desk", "desk_action"): ["test_desk"],
    },
    "board/moderation.py": {("remove_selected", "remove_recent"): ["test_desk"]},
    "board/reports.py": {
        ("report", "decide"): ["test_reports", "test_report_queue", "test_suspension"],
    },
    "board/admin/articles.py": {
        ("remove_posts", "restore_posts"): ["test_admin", "test_moderation", "test_publishing"],
    },
    "board/admin/moderation.py": {
        ("remove_comments", "restore_comments"): [
            "test_admin",
            "test_moderation",
            "test_publishing",
        ],
    },
}

# cosmic-ray swaps a binary operator for each of the 11 others and a comparison for each of the
# 6 others; most of those are killed together. Keep mutmut's one swap per operator (its table in
# mutmut/mutation/mutators.py), so the counts here read like the other runs' and the run fits.
SWAPS = {
    "Add_Sub",
    "Sub_Add",
    "Mul_Div",
    "Div_Mul",
    "FloorDiv_Div",
    "Mod_Div",
    "Pow_Mul",
    "LShift_RShift",
    "RShift_LShift",
    "BitAnd_BitOr",
    "BitOr_BitAnd",
    "BitXor_BitAnd",
    "Lt_LtE",
    "LtE_Lt",
    "Gt_GtE",
    "GtE_Gt",
    "Eq_NotEq",
    "NotEq_Eq",
    "Is_IsNot",
    "IsNot_Is",
}

TIMEOUT = 180  # seconds a mutant's test run may take (the slowest list takes about 40)


def decorator_name(node):
    node = node.func if isinstance(node, ast.Call) else node
    return ast.unparse(node)


def ranges(path, names):
    """Line ranges (first decorator to last line) of the named (None: all) decorated functions."""
    found = []
    for node in ast.walk(ast.parse(Path(path).read_text())):
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and any(decorator_name(d) in DECORATORS for d in node.decorator_list)
            and (names is None or node.name in names)
        ):
            found.append((node.decorator_list[0].lineno, node.end_lineno, node.name))
    return found


def wanted(mutation, spans):
    operator, _, swap = mutation.operator_name.removeprefix("core/").partition("_")
    if operator in ("ReplaceBinaryOperator", "ReplaceComparisonOperator") and swap not in SWAPS:
        return False
    line, end = mutation.start_pos[0], mutation.end_pos[0]
    return any(a <= line and end <= b for a, b, _ in spans)


def unlisted():
    """Decorated functions of board/ in no group of TESTS: new ones this run would miss."""
    for path in sorted(p for d in ("", "models/", "admin/") for p in ROOT.glob(f"board/{d}*.py")):
        module = path.relative_to(ROOT).as_posix()
        listed = {name for names in TESTS.get(module, {}) for name in names}
        for _start, _end, name in ranges(path, None):
            if name not in listed:
                yield f"{module}: {name}"


def skip_others(db: WorkDB, spans):
    """Mark skipped every pending mutation not wanted (cosmic-ray's cr-filter-* pattern)."""
    skipped = [
        item.job_id
        for item in db.pending_work_items
        for m in item.mutations
        if not wanted(m, spans)
    ]
    if skipped:
        db.set_multiple_results(
            skipped,
            WorkResult(
                output="outside the decorated functions", worker_outcome=WorkerOutcome.SKIPPED
            ),
        )


def copy_checkout():
    # cosmic-ray edits the files it mutates: never in the checkout itself.
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv",
        "mutants",
        "cosmic-ray",
        "media",
        "db.sqlite3*",
        "__pycache__",
        ".npm",
        "backups",
        "artifacts",
        "*.egg-info",
        ".*_cache",
    )
    shutil.rmtree(SRC, ignore_errors=True)
    shutil.copytree(ROOT, SRC, ignore=ignore)


def config(module, tests):
    files = " ".join(f"tests/{name}.py" for name in tests)
    return (
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {TIMEOUT}.0\n"
        "excluded-modules = []\n"
        f'test-command = "{BIN}/pytest {files} -x -q -p no:cacheprovider'
        " -k 'not test_every_interface_string_has_an_english_translation'\"\n"
        '[cosmic-ray.distributor]\nname = "local"\n'
    )


def sessions(module):
    for names, tests in TESTS[module].items():
        yield names, tests, WORK / f"{Path(module).stem}-{names[0]}.sqlite"


def run(module, resume):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # SQLite
    cr = [str(BIN / "cosmic-ray")]
    for names, tests, session in sessions(module):
        cfg = session.with_suffix(".toml")
        if not (resume and session.exists()):
            cfg.write_text(config(module, tests))
            subprocess.run([*cr, "init", "--force", str(cfg), str(session)], cwd=SRC, check=True)
            with use_db(str(session)) as db:
                skip_others(db, ranges(SRC / module, names))
        print(f"{module}: {', '.join(names)}", flush=True)
        subprocess.run([*cr, "exec", str(cfg), str(session)], cwd=SRC, env=env, check=True)


def report(module):
    for names, _tests, session in sessions(module):
        with use_db(str(session)) as db:
            results = [(item, result) for item, result in db.results]
            items = {item.job_id: item for item in db.work_items}
        done = [(i, r) for i, r in results if r.worker_outcome != WorkerOutcome.SKIPPED]
        survived = [(i, r) for i, r in done if r.test_outcome is not None and not r.is_killed]
        print(
            f"{module} {', '.join(names)}: {len(done)} mutants, "
            f"{len(done) - len(survived)} killed, {len(survived)} survived"
        )
        for job_id, result in survived:
            m = items[job_id].mutations[0]
            print(f"  {job_id} line {m.start_pos[0]} {m.operator_name}")
            diff = result.diff.splitlines()[3:] if result.diff else []
            print("    " + "\n    ".join(line for line in diff if line[:1] in "+-"))


if __name__ == "__main__":
    # --resume: go on with the sessions (and the copy) of an interrupted run.
    resume = "--resume" in sys.argv
    # Modules without decorated functions (make mutants passes them all) are left out.
    args = [arg for arg in sys.argv[1:] if arg != "--resume"]
    modules = [arg for arg in args if arg in TESTS] if args else list(TESTS)
    for missing in unlisted():
        print(f"not mutated, add it to TESTS: {missing}", file=sys.stderr)
    WORK.mkdir(parents=True, exist_ok=True)
    if not (resume and SRC.exists()):
        copy_checkout()
    for module in modules:
        run(module, resume)
    for module in modules:
        report(module)
