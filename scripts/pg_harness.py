#!/usr/bin/env python3
"""Start and stop a throwaway PostgreSQL cluster (Debian's packages) for tests (stdlib only).

The cluster lives in a temp dir, listens on a free loopback port, trusts local connections,
and runs as the ``postgres`` user when we are root (initdb refuses root). Usage::

    python scripts/pg_harness.py start     # prints JSON {url, pid, data_dir, port}
    python scripts/pg_harness.py stop --data-dir D
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class PostgresServer:
    """A running throwaway cluster; ``url`` is a SQLAlchemy URL to its ``postgres`` database."""

    url: str
    port: int
    data_dir: str

    def stop(self) -> None:
        """Stop the cluster immediately and remove its files."""
        stop(self.data_dir)


def pg_bin() -> Path:
    """The newest installed PostgreSQL bin folder (Debian layout)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    if not found:
        raise RuntimeError("PostgreSQL is not installed: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _as_db_user(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(timeout: float = 60.0) -> PostgresServer:
    """initdb + start a cluster; returns once it accepts connections."""
    bindir = pg_bin()
    root = tempfile.mkdtemp(prefix="labelqa-pg-")
    data = os.path.join(root, "data")
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    subprocess.run(
        _as_db_user([str(bindir / "initdb"), "-D", data, "-U", "postgres", "--auth=trust",
                     "--encoding=UTF8", "--no-sync"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    port = _free_port()
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run(
        _as_db_user([str(bindir / "pg_ctl"), "-D", data, "-o", opts, "-l",
                     os.path.join(root, "pg.log"), "-w", "-t", str(int(timeout)), "start"]),
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                           stdout=subprocess.DEVNULL)  # fmt: skip
        if r.returncode == 0:
            break
        time.sleep(0.2)
    return PostgresServer(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", port, data)


def stop(data_dir: str) -> None:
    """Stop the cluster in ``data_dir`` and delete its temp folder."""
    subprocess.run(
        _as_db_user([str(pg_bin() / "pg_ctl"), "-D", data_dir, "-m", "immediate", "stop"]),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    shutil.rmtree(Path(data_dir).parent, ignore_errors=True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("start")
    s = sub.add_parser("stop")
    s.add_argument("--data-dir", required=True)
    a = p.parse_args()
    if a.cmd == "start":
        print(json.dumps(asdict(start())))
    else:
        stop(a.data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
