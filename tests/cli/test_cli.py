"""The `labelqa` CLI end to end against a real Label Studio: init, source/queue, sync, export."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from lqa_helpers import build_project, run_cli

from connectors.label_studio.client import LabelStudioConnector
from labelqa.store.migrate import head_revision

COMMANDS = [
    [], ["init"], ["serve"], ["source", "add"], ["source", "list"], ["source", "webhook-secret"],
    ["queue", "add"], ["queue", "list"], ["labelers", "import"], ["labelers", "list"], ["sync"],
    ["annotations", "export"], ["token", "create"], ["sop", "validate"], ["sop", "publish"],
    ["sop", "history"], ["sop", "diff"], ["gold", "import"], ["gold", "inject"], ["gold", "status"],
    ["gold", "set-status"], ["gold", "revalidate"], ["labelers", "scorecard"],
    ["labelers", "remove"], ["report", "accuracy"],
]  # fmt: skip


def test_every_command_has_help_and_json():
    from typer.testing import CliRunner

    from labelqa.cli import app

    runner = CliRunner()
    for cmd in COMMANDS:
        r = runner.invoke(app, [*cmd, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0, (cmd, r.output)
        if cmd and cmd[-1] not in (
            "source",
            "queue",
            "labelers",
            "annotations",
            "token",
            "sop",
            "gold",
            "report",
        ):
            assert "--json" in r.output, cmd


def test_init_prints_the_admin_token_once(cli_env):
    first = run_cli(["init", "--json"], cli_env)
    assert first.returncode == 0, first.stderr
    token = json.loads(first.stdout)["admin_token"]
    assert token.startswith("lqa_")
    again = json.loads(run_cli(["init", "--json"], cli_env).stdout)
    assert again["admin_token"] is None and again["schema"] == head_revision()


def test_prod_refuses_the_default_secret(cli_env):
    env = {**cli_env, "LABELQA_ENV": "prod"}
    env.pop("LABELQA_SECRET_KEY")
    r = run_cli(["queue", "list"], env)
    assert r.returncode == 1 and "LABELQA_SECRET_KEY" in r.stderr


@pytest.mark.integration
def test_sync_and_export_from_the_cli(cli_env, ls_server, tmp_path):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    proj = build_project(conn, n_items=120, n_labelers=5, seed=31)
    assert (
        run_cli(
            ["source", "add", "ls", "--url", ls_server.url, "--token", ls_server.token], cli_env
        ).returncode
        == 0
    )
    r = run_cli(
        ["queue", "add", "--source", "ls", "--project-id", str(proj.id), "--name", "cli-q"], cli_env
    )
    assert r.returncode == 0 and "cli-q" in r.stdout
    r = run_cli(["sync", "--json"], cli_env)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)[0]
    assert report["mode"] == "full" and report["items_created"] == 120
    assert report["annotations_created"] == proj.n_annotations
    r = run_cli(["sync", "--queue", "cli-q"], cli_env)
    assert r.returncode == 0 and "incremental" in r.stdout and "+0" in r.stdout
    listed = json.loads(run_cli(["queue", "list", "--json"], cli_env).stdout)
    assert listed[0]["annotations"] == proj.n_annotations and listed[0]["labelers"] == 5
    assert ls_server.token not in run_cli(["source", "list", "--json"], cli_env).stdout

    r = run_cli(["annotations", "export", "--queue", "cli-q", "--format", "jsonl"], cli_env)
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(rows) == proj.n_annotations
    from lqa_helpers import ls_snapshot

    assert {row["ls_annotation_id"] for row in rows} == set(ls_snapshot(conn, proj.id))
    out = tmp_path / "a.csv"
    r = run_cli(
        [
            "annotations",
            "export",
            "--queue",
            "cli-q",
            "--format",
            "csv",
            "--output",
            str(out),
            "--json",
        ],
        cli_env,
    )
    assert r.returncode == 0 and json.loads(r.stdout)["annotations"] == proj.n_annotations
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(table) == proj.n_annotations and set(table[0]) >= {
        "ls_task_id",
        "labeler_email",
        "label",
    }
    r = run_cli(["annotations", "export", "--queue", "cli-q", "--format", "xml"], cli_env)
    assert r.returncode == 1 and "--format must be jsonl or csv" in r.stderr


def test_sop_validate_for_ci(tmp_path):
    from typer.testing import CliRunner

    from labelqa.cli import app

    root = Path(__file__).resolve().parents[2] / "sops"
    shipped = sorted(str(p) for p in root.glob("*/v*.md"))
    runner = CliRunner()
    ok = runner.invoke(app, ["sop", "validate", *shipped, "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout) == {"files": len(shipped), "issues": [], "ok": True}
    v1 = (root / "ecommerce-prohibited-listings" / "v1.0.0.md").read_text()
    bad = tmp_path / "bad.md"
    bad.write_text(
        v1.replace("version: 1.0.0", "version: 1.0", 1).replace(
            "- value: adult", "- value: counterfeit", 1
        )
    )
    r = runner.invoke(app, ["sop", "validate", str(bad)], env={"COLUMNS": "200"})
    assert r.exit_code == 1
    assert f"{bad}:3: version:" in r.output
    assert "classes[" in r.output and "duplicate" in r.output.lower()
    # a v2 that does not raise the version over its predecessor in the same run
    same = tmp_path / "v1-again.md"
    same.write_text(v1.replace("title: Prohibited", "title: Banned", 1))
    r = runner.invoke(
        app,
        ["sop", "validate", str(root / "ecommerce-prohibited-listings" / "v1.0.0.md"), str(same)],
    )
    assert r.exit_code == 1 and "version" in r.output


def test_gold_cli_errors_exit_nonzero_with_the_reason(cli_env, tmp_path):
    f = tmp_path / "gold.jsonl"
    f.write_text('{"data": {"title": "x"}, "label": "adult"}\n')
    r = run_cli(["gold", "import", str(f), "--sop", "nope@1.0.0"], cli_env)
    assert r.returncode == 1 and "no SOP nope@1.0.0" in r.stderr
    r = run_cli(["gold", "inject", "--queue", "q", "--rate", "2", "--json"], cli_env)
    assert r.returncode == 1 and json.loads(r.stderr)["code"] == "invalid_rate"
    r = run_cli(["report", "accuracy", "--queue", "nope"], cli_env)
    assert r.returncode == 1 and "no queue named 'nope'" in r.stderr
