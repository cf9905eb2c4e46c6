"""`scripts/demo --no-serve --small` builds the whole demo end to end and stops its servers.

The demo starts its own Label Studio (in a temp demo dir), so the session's shared test server
is never touched.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
KEEP_ENV = ("LABELQA_CACHE", "LABELQA_VENV", "LABELQA_LS_VENV")


def _alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def test_demo_no_serve_builds_the_demo_and_stops(tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABELQA_") or k in KEEP_ENV}
    env["LABELQA_DEMO_DIR"] = str(demo_dir)
    proc = subprocess.run(
        [str(ROOT / "scripts" / "demo"), "--no-serve", "--small"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]

    line = next(x for x in proc.stdout.splitlines() if x.startswith("DEMO_SUMMARY "))
    summary = json.loads(line.removeprefix("DEMO_SUMMARY "))
    assert summary["queues"] == 2
    assert summary["items"] >= 2000
    assert summary["annotations"] >= 2 * summary["items"]
    assert 35 <= summary["labelers"] <= 45
    assert summary["vendors"] == 3 and summary["markets"] == 3
    queues = {q["name"]: q for q in summary["queues_detail"]}
    assert set(queues) == {"marketplace-listings", "comments-harassment"}
    assert all(q["items"] > 0 and q["skipped"] > 0 for q in queues.values())
    vendors = [v for v in summary["vendors_detail"] if v["name"] != "(not in roster)"]
    assert len(vendors) == 3 and all(v["sites"] == 2 for v in vendors)

    # what LS holds (as the seeder reported) is what the store synced
    seeded = json.loads(next(x for x in proc.stdout.splitlines() if x.startswith("DEMO_SEED "))
                        .removeprefix("DEMO_SEED "))  # fmt: skip
    assert sum(p["items"] for p in seeded["projects"]) == summary["items"]
    assert sum(p["annotations"] for p in seeded["projects"]) == summary["annotations"]

    assert (demo_dir / "labelqa.db").exists() and (demo_dir / "roster.csv").exists()
    assert (demo_dir / "admin_token").read_text().strip()
    # the demo's own Label Studio was stopped on exit
    ls_pid = int(re.search(r"Label Studio http://\S+ \(pid (\d+)\)", proc.stdout).group(1))  # type: ignore[union-attr]
    assert not _alive(ls_pid)
