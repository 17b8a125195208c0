"""Run the board under its production WSGI server: ``python -m postbbs.serve``.

One place for the server command, used by ``make serve``, the benchmarks and the tests.
Environment: HOST, PORT, WEB_SERVER (granian or gunicorn), WEB_WORKERS, WEB_THREADS.
"""

import os
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def command(server=None, host=None, port=None, workers=None, threads=None):
    server = server or os.environ.get("WEB_SERVER", "granian")
    host = host or os.environ.get("HOST", "127.0.0.1")
    port = str(port or os.environ.get("PORT", "8000"))
    # A worker per core; a second thread overlaps one request's database wait with another's.
    workers = str(workers or os.environ.get("WEB_WORKERS") or os.cpu_count() or 2)
    threads = str(threads or os.environ.get("WEB_THREADS", "2"))
    app = "postbbs.wsgi:application"
    if server == "granian":
        return [
            str(BIN / "granian"), "--interface", "wsgi", "--host", host, "--port", port,
            "--workers", workers, "--blocking-threads", threads, "--respawn-failed-workers",
            "--no-access-log", app,
        ]  # fmt: skip
    if server == "gunicorn":
        return [
            str(BIN / "gunicorn"), "--bind", f"{host}:{port}", "--workers", workers,
            "--worker-class", "gthread", "--threads", threads, "--keep-alive", "5",
            "--access-logfile", "-" if os.environ.get("ACCESS_LOG") else "/dev/null", app,
        ]  # fmt: skip
    raise SystemExit(f"WEB_SERVER must be granian or gunicorn, not {server!r}")


def main():
    args = command()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postbbs.settings")
    print(f"Serving PostBBS: {' '.join(args)}", flush=True)
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
