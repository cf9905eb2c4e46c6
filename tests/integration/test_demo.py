"""`scripts/demo --no-serve --small` builds the whole demo end to end and stops its servers:
both queues follow their published SOP v1, and the marketplace queue's hidden gold copies are
answered and scored per labeler with intervals.

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

    # each queue follows its shipped SOP, published before any label was imported
    assert summary["sops"] == {
        "marketplace-listings": "ecommerce-prohibited-listings@1.0.0",
        "comments-harassment": "comment-harassment@1.0.0",
    }
    assert all(q["sop"] == summary["sops"][q["name"]] for q in queues.values())
    env_cli = env | {
        "LABELQA_ENV": "dev",
        "LABELQA_HOME": str(demo_dir),
        "LABELQA_DATABASE_URL": f"sqlite:///{demo_dir / 'labelqa.db'}",
        "LABELQA_SECRET_KEY": (demo_dir / "secret_key").read_text().strip(),
    }
    venv = (demo_dir / "setup.log").read_text().strip().splitlines()[-1]  # as scripts/demo reads it
    lqa = str(Path(venv) / "bin" / "labelqa")
    for key, queue in (
        ("ecommerce-prohibited-listings", "marketplace-listings"),
        ("comment-harassment", "comments-harassment"),
    ):
        hist = json.loads(
            subprocess.run(
                [lqa, "sop", "history", key, "--json"],
                env=env_cli, capture_output=True, text=True, check=True, timeout=60,
            ).stdout
        )  # fmt: skip
        v1 = next(r for r in hist if r["version"] == "1.0.0")
        assert [p["queue"] for p in v1["published"]] == [queue]

    # gold: imported through the CLI, hidden copies injected with the ordinary listings,
    # answered by the simulated workforce, scored per labeler with intervals
    assert summary["gold_items"] == 60
    assert 80 <= summary["gold_copies"] <= 140
    assert summary["gold_labelers_scored"] >= 20
    assert summary["gold_labelers_with_interval"] == summary["gold_labelers_scored"]
    status = json.loads(
        subprocess.run(
            [lqa, "gold", "status", "--queue", "marketplace-listings", "--json"],
            env=env_cli, capture_output=True, text=True, check=True, timeout=60,
        ).stdout
    )  # fmt: skip
    scored = [r for r in status["labelers"] if r["n"] > 0]
    assert len(scored) >= 20 and status["sop_version"] == "1.0.0"
    # every scored answer was made under v1: the SOP was published before labels were imported
    assert sum(r["n"] for r in status["labelers"]) == status["answers_scored"] > 150
    assert all(0 <= r["ci_low"] <= r["accuracy"] <= r["ci_high"] <= 1 for r in scored)
    assert all(r["ci_high"] - r["ci_low"] > 0 for r in scored)
    assert "labelqa report accuracy --queue marketplace-listings --by vendor" in proc.stdout
    assert all(v in proc.stdout for v in ("Northwind BPO", "Bluepeak Solutions"))

    # what LS holds (as the import step reported) is what the store synced
    imported = json.loads(
        next(x for x in proc.stdout.splitlines() if x.startswith("DEMO_IMPORT "))
        .removeprefix("DEMO_IMPORT ")
    )  # fmt: skip
    by_queue = {p["queue"]: p for p in imported["projects"]}
    assert by_queue["marketplace-listings"]["gold_copies"] == summary["gold_copies"]
    assert sum(p["items"] for p in imported["projects"]) == summary["items"]
    assert sum(p["annotations"] for p in imported["projects"]) == summary["annotations"]
    for name, q in queues.items():
        assert q["items"] == by_queue[name]["items"]

    assert (demo_dir / "labelqa.db").exists() and (demo_dir / "roster.csv").exists()
    assert (demo_dir / "admin_token").read_text().strip()
    # the demo's own Label Studio was stopped on exit
    ls_pid = int(re.search(r"Label Studio http://\S+ \(pid (\d+)\)", proc.stdout).group(1))  # type: ignore[union-attr]
    assert not _alive(ls_pid)
