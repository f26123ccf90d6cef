"""`recouvre serve` as `make run` starts it: gunicorn and a worker, on a fresh SQLite data directory."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_answers_and_stops_cleanly(tmp_path):
    script = Path(sys.executable).parent / "recouvre"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"RECOUVRE_DATA_DIR": str(tmp_path)}
    subprocess.run([str(script), "migrate"], env=env, check=True, capture_output=True, timeout=120)
    port = _free_port()
    server = subprocess.Popen(
        [str(script), "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:
                    assert response.status == 200
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.5)
        assert b'name="password"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5) as response:
            assert b'"/api/v1/debtors"' in response.read()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    # The background worker ran alongside the web server.
    assert "Starting worker" in output
