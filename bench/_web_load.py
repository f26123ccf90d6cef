"""The load side of bench/web.py: gunicorn started as `recouvre serve` starts it (2 workers, 4 threads)
but with an access log that records each request's server time (%(D)s, microseconds), a session
obtained through the real login form, and wrk (another process) replaying a list of URLs with the
session cookie. Figures: wrk's client latency and, from the access log, the server time."""

from __future__ import annotations

import http.cookiejar
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

# wrk picks a random path from the list for each request and sends the session cookie; done() prints
# one JSON line with the latency percentiles (microseconds) and the error counts.
LUA = r"""
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
math.randomseed(%(seed)d)
request = function()
  local path = paths[math.random(#paths)]
  return wrk.format("GET", path, {["Cookie"] = "%(cookie)s", ["Accept-Language"] = "fr"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "seconds": %%.3f, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d, ' ..
    '"non2xx": %%d, "socket_errors": %%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn in its own process group, with the access log in `workdir`."""

    def __init__(self, env: dict[str, str], workdir: Path, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.log = workdir / "access.log"
        self.log.write_text("")
        command = [
            sys.executable, "-m", "gunicorn", "recouvre.config.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--threads", str(threads),
            "--access-logfile", str(self.log), "--access-logformat", "%(U)s?%(q)s %(s)s %(D)s",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(workdir / "gunicorn.err", "w"),  # noqa: SIM115
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit(
            f"gunicorn did not answer on {self.base}: {(workdir / 'gunicorn.err').read_text()[-2000:]}"
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def log_offset(self) -> int:
        return self.log.stat().st_size

    def server_times(self, offset: int) -> tuple[dict[str, list[float]], dict[str, int]]:
        """Server times (ms) by URL of the requests logged after `offset`, and their status codes."""
        times: dict[str, list[float]] = {}
        statuses: dict[str, int] = {}
        with self.log.open() as lines:
            lines.seek(offset)
            for line in lines:
                parts = line.split()
                if len(parts) >= 3 and parts[-1].isdigit():
                    times.setdefault(parts[0].removesuffix("?"), []).append(int(parts[-1]) / 1000)
                    statuses[parts[-2]] = statuses.get(parts[-2], 0) + 1
        return times, statuses

    def login(self, email: str, password: str) -> str:
        """Signs in through the login form; returns the Cookie header value."""
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(self.base + "/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("no CSRF token on the login page")
        body = urllib.parse.urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=body, headers={"Referer": self.base + "/login/"}
        )
        opener.open(request).read()
        cookies = {c.name: c.value for c in jar}
        if "sessionid" not in cookies:
            raise SystemExit("login failed: no session cookie")
        return "; ".join(f"{k}={v}" for k, v in cookies.items())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def wrk(
    server: Server, cookie: str, paths: list[str], *, seconds: int, connections: int, seed: int = 1
) -> dict[str, Any]:
    """One wrk run over `paths`; client figures from wrk, server figures from the access log."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory(prefix="recouvre-wrk-") as tmp:
        path_file, script = Path(tmp) / "paths.txt", Path(tmp) / "script.lua"
        path_file.write_text("\n".join(paths) + "\n")
        script.write_text(LUA % {"paths": path_file, "seed": seed, "cookie": cookie})
        offset = server.log_offset()
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
        done = subprocess.run([*command, server.base], capture_output=True, text=True, check=False)
        time.sleep(0.3)  # the last lines of the access log
    last = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not last:
        raise SystemExit(f"wrk failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    client = json.loads(last[-1])
    by_url, statuses = server.server_times(offset)
    times = [t for values in by_url.values() for t in values]
    # A scenario of a few URLs (the filters, the name searches) also reports each one's p95.
    by_path = (
        {url: round(percentile(values, 95), 1) for url, values in sorted(by_url.items())}
        if len(by_url) <= 8
        else {}
    )
    return {
        "requests": client["requests"],
        "rps": round(client["requests"] / client["seconds"], 1),
        "client_p50_ms": client["p50"] / 1000,
        "client_p95_ms": client["p95"] / 1000,
        "server_p50_ms": round(percentile(times, 50), 1),
        "server_p95_ms": round(percentile(times, 95), 1),
        "server_max_ms": round(max(times, default=float("nan")), 1),
        "statuses": statuses,
        "errors": client["non2xx"] + client["socket_errors"],
        "server_p95_ms_by_url": by_path,
    }
