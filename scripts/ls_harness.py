#!/usr/bin/env python3
"""Install, start and stop a real Label Studio server for tests and the demo (stdlib only).

Label Studio lives in its own venv (it pins Django and many libraries). A server runs on a free
loopback port, with a data dir in a temp folder, in its own process group so a teardown stops
it and its children. Usage::

    python scripts/ls_harness.py install             # idempotent
    python scripts/ls_harness.py start [--data-dir D] [--port P]   # prints JSON {url, token, ...}
    python scripts/ls_harness.py stop --pid PID
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

LS_VERSION = "1.23.2"
CACHE = Path(os.environ.get("LABELQA_CACHE", Path.home() / ".cache" / "labelqa"))
LS_VENV = Path(os.environ.get("LABELQA_LS_VENV", CACHE / "ls-venv"))
ADMIN_EMAIL = "qa-admin@example.com"
ADMIN_PASSWORD = "labelqa-test-pw-123"


@dataclass
class LabelStudioServer:
    """A running Label Studio: where it listens, its admin token, and how to stop it."""

    url: str
    token: str
    port: int
    pid: int
    data_dir: str
    log_path: str

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server and its children (SIGTERM to the process group, then SIGKILL)."""
        stop_pid(self.pid, timeout)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): it accepts connections but answers nothing."""
        os.killpg(self.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Thaw a paused server."""
        os.killpg(self.pid, signal.SIGCONT)


def ls_executable() -> Path:
    return LS_VENV / "bin" / "label-studio"


def install(quiet: bool = True) -> Path:
    """Create the Label Studio venv and install label-studio==1.23.2 into it, if not there yet."""
    exe = ls_executable()
    marker = LS_VENV / f".label-studio-{LS_VERSION}"
    if exe.exists() and marker.exists():
        return exe
    LS_VENV.parent.mkdir(parents=True, exist_ok=True)
    if not (LS_VENV / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(LS_VENV)], check=True)
    cmd = [str(LS_VENV / "bin" / "pip"), "install", f"label-studio=={LS_VERSION}"]
    if quiet:
        cmd.insert(2, "-q")
    print(f"installing label-studio=={LS_VERSION} into {LS_VENV} (a few minutes)...", flush=True)
    subprocess.run(cmd, check=True)
    marker.touch()
    return exe


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log_path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = Path(log_path).read_text(errors="replace")[-3000:]
            raise RuntimeError(f"Label Studio exited with {proc.returncode}; log tail:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/health/", timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Label Studio at {url} not healthy after {timeout:.0f} s (log: {log_path})")


def start(
    data_dir: str | None = None,
    port: int | None = None,
    token: str | None = None,
    timeout: float = 240.0,
) -> LabelStudioServer:
    """Start Label Studio on 127.0.0.1 and wait until ``/health/`` answers 200.

    The admin user and its legacy API token are created on the first start of ``data_dir``.
    """
    exe = install()
    data_dir = data_dir or tempfile.mkdtemp(prefix="labelqa-ls-")
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    token_file = Path(data_dir) / ".labelqa-token"
    if token is None:
        token = token_file.read_text().strip() if token_file.exists() else secrets.token_hex(20)
    token_file.write_text(token)
    port = port or free_port()
    env = dict(os.environ)
    env.update(
        LABEL_STUDIO_BASE_DATA_DIR=data_dir,
        DJANGO_DB="sqlite",
        LATEST_VERSION_CHECK="false",
        COLLECT_ANALYTICS="false",
        SENTRY_DSN="",
        SENTRY_RATE="0",
        FRONTEND_SENTRY_DSN="",
        # LabelQA's webhook receiver runs on loopback; LS refuses private hosts without this.
        SSRF_PROTECTION_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    log_path = str(Path(data_dir) / "label-studio.log")
    cmd = [
        str(exe), "start", "--no-browser", "--internal-host", "127.0.0.1", "--port", str(port),
        "--username", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, "--user-token", token,
        "--enable-legacy-api-token", "--data-dir", data_dir,
    ]  # fmt: skip
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log_path, timeout)
    except BaseException:
        stop_pid(proc.pid)
        raise
    return LabelStudioServer(url, token, port, proc.pid, data_dir, log_path)


def stop_pid(pid: int, timeout: float = 20.0) -> None:
    """Stop a process group started by :func:`start`."""
    try:
        os.killpg(pid, signal.SIGCONT)
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            break
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.2)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("install")
    s = sub.add_parser("start")
    s.add_argument("--data-dir")
    s.add_argument("--port", type=int)
    s.add_argument("--token")
    t = sub.add_parser("stop")
    t.add_argument("--pid", type=int, required=True)
    a = p.parse_args(argv)
    if a.cmd == "install":
        print(install(quiet=False))
    elif a.cmd == "start":
        print(json.dumps(asdict(start(a.data_dir, a.port, a.token))))
    else:
        stop_pid(a.pid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
