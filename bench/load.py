"""Under load: the production server (postbbs/serve.py) in its own process group, pinned to its
CPUs, loaded by wrk on 127.0.0.1 from another CPU."""

import http.client
import importlib.metadata
import os
import re
import shutil
import signal
import subprocess
import time

from bench.cluster import free_port
from bench.common import ROOT, UA, BenchError, LoadResult, say

CONNECTIONS = 8


def cpu_split():
    """(server CPUs, wrk CPU) for taskset, or (None, None) when pinning is not possible."""
    if not shutil.which("taskset") or not hasattr(os, "sched_getaffinity"):
        return None, None
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return ",".join(map(str, cpus[:-1])), str(cpus[-1])


def get(port, path, timeout=5.0):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"User-Agent": UA})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def server_settings(argv):
    def after(flag):
        return argv[argv.index(flag) + 1] if flag in argv else "?"

    if "--blocking-threads" in argv:
        return f"{after('--workers')} workers × {after('--blocking-threads')} blocking threads"
    return f"{after('--workers')} workers × {after('--threads')} threads (gthread)"


class Server:
    """The production server in its own process group, stopped with everything it spawned."""

    def __init__(self, name, args, cpus, log_path):
        from postbbs import serve

        self.name, self.port, self.log_path = name, free_port(), log_path
        argv = serve.command(name, "127.0.0.1", self.port, args.workers, args.threads)
        self.settings = server_settings(argv)
        self.version = importlib.metadata.version(name)
        if cpus:
            argv = ["taskset", "-c", cpus, *argv]
        self.argv = argv
        self.proc = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: Ctrl-C here does not half-kill it
            )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                if get(self.port, "/healthz", timeout=2) == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"{self.name} did not answer /healthz in 60 s:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self):
        if self.proc is None:
            return
        group = self.proc.pid  # the session leader's pid is its group's id
        for sig, patience in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break  # the whole group is gone already
            if self.wait_group(group, patience):
                break
        self.proc = None

    def wait_group(self, group, patience):
        """True once the master is reaped and none of its workers is left."""
        deadline = time.monotonic() + patience
        try:
            self.proc.wait(patience)
        except subprocess.TimeoutExpired:
            return False
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return True
            time.sleep(0.1)
        return False

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output):
    result = LoadResult()
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not match:
        raise BenchError(f"wrk printed no Requests/sec:\n{output}")
    result.rps = float(match.group(1))
    for name, percent in (("p50", "50"), ("p99", "99")):
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        if match:
            setattr(result, name, float(match.group(1)) * UNITS[match.group(2)])
    match = re.search(r"(\d+) requests in", output)
    result.requests = int(match.group(1)) if match else 0
    problems = []
    match = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if match:
        problems.append(f"{match.group(1)} non-2xx/3xx")
    match = re.search(r"Socket errors: (.*)", output)
    if match:
        problems.append(f"socket errors: {match.group(1).strip()}")
    result.error = "; ".join(problems) or None
    return result


def wrk_script(paths, tmp, key):
    """A Lua script that cycles wrk through many URLs (each a new visitor: wrk keeps no
    cookies, so every article request counts a view, as the in-process runs do)."""
    script = tmp / f"wrk-{key}.lua"
    listed = ",\n".join(f'  "{p}"' for p in paths)
    script.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        "  return wrk.format(nil, paths[i])\nend\n"
    )
    return script


def run_wrk(port, paths, duration, cpu, script):
    # The browser User-Agent: wrk's own (none) would be taken for a crawler, not counted.
    argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency"]
    argv += ["-H", f"User-Agent: {UA}"]
    if script:
        argv += ["-s", str(script)]
    argv.append(f"http://127.0.0.1:{port}{paths[0]}")
    if cpu:
        argv = ["taskset", "-c", cpu, *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=duration + 60)
    if done.returncode:
        raise BenchError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def load_page(server, page, args, tmp, wrk_cpu):
    status = get(server.port, page.load_paths[0])
    if status != 200:
        raise BenchError(f"GET {page.load_paths[0]} returned {status}")
    script = wrk_script(page.load_paths, tmp, page.key) if len(page.load_paths) > 1 else None
    # A short unrecorded run first: every worker has its connection and warm caches.
    run_wrk(server.port, page.load_paths, min(2, max(1, args.duration // 5)), wrk_cpu, script)
    return run_wrk(server.port, page.load_paths, args.duration, wrk_cpu, script)


def measure_under_load(pages, args, tmp, cpus, wrk_cpu):
    """Yields each server once measured (and stopped)."""
    for name in args.servers:
        server = Server(name, args, cpus, tmp / f"{name}.log")
        say(f"  {name} {server.version} on 127.0.0.1:{server.port}: {' '.join(server.argv)}")
        try:
            server.start()
        except BenchError as exc:
            server.stop()
            say(f"    FAILED: {exc}")
            for page in pages:
                if page.load_paths:
                    page.load[name] = LoadResult(error=f"the server did not start: {exc}")
            yield server
            continue
        try:
            for page in pages:
                if not page.load_paths:
                    continue
                try:
                    result = load_page(server, page, args, tmp, wrk_cpu)
                except (BenchError, OSError, subprocess.SubprocessError) as exc:
                    result = LoadResult(error=f"{type(exc).__name__}: {exc}")
                    say(f"    {page.label}: FAILED {result.error}\n{server.log_tail()}")
                page.load[name] = result
                if result.rps:
                    note = f"  ({result.error})" if result.error else ""
                    say(
                        f"    {page.label:<28} {result.rps:8,.0f} req/s"
                        f"  p50 {result.p50:6.2f} ms  p99 {result.p99:6.2f} ms{note}"
                    )
        finally:
            server.stop()
        yield server
