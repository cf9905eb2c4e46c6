"""Gold end to end against a real Label Studio: hidden injection, simulated labelers of known
accuracy, interval coverage, qualification, secrecy, and bad input."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lqa_helpers import bind_queue, row_counts
from sqlalchemy import select

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import choice_result, create_project, ensure_users
from labelqa.context import AppContext
from labelqa.errors import NotFound, ValidationError
from labelqa.services.connect import connector_for
from labelqa.services.gold import accuracy_report_gold, gold_status, import_gold, inject_gold
from labelqa.services.roster import import_roster
from labelqa.services.sops import publish_sop
from labelqa.services.sync import sync_queue
from labelqa.simulation import SimulatedLabeler
from labelqa.sops import load_sop
from labelqa.store.models import GoldCopy, Item
from labelqa.store.repositories.sources import get_queue

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SOP_FILE = (
    Path(__file__).resolve().parents[2] / "sops" / "ecommerce-prohibited-listings" / "v1.0.0.md"
)
SOP = load_sop(SOP_FILE)
CLASSES = list(SOP.class_values)
PLACEHOLDER = (
    '<View><Text name="title" value="$title"/><Text name="description" value="$description"/>'
    '<Image name="image" value="$image"/><Choices name="label" toName="title">'
    '<Choice value="todo"/></Choices></View>'
)


def listing(rng: random.Random, i: int) -> dict[str, str]:
    """A listing that looks the same whether it is gold or not."""
    return {
        "title": f"Listing {i}: {rng.choice(['lamp', 'knife', 'jacket', 'pills', 'rifle'])}",
        "description": f"Condition {rng.choice(['new', 'used'])}, ships in {rng.randint(1, 9)}d",
        "image": f"https://img.example.com/{rng.getrandbits(48):012x}.jpg",
    }


def gold_file(rng: random.Random, n: int) -> tuple[str, dict[str, str]]:
    rows, truth = [], {}
    for i in range(n):
        data = listing(rng, 100_000 + i)
        label = CLASSES[i % len(CLASSES)]
        truth[data["image"]] = label
        rows.append(
            json.dumps(
                {
                    "id": f"g{i}",
                    "data": data,
                    "label": label,
                    "rationale": f"SECRET-RATIONALE-{i}",
                    "difficulty": "medium",
                }
            )
        )
    return "\n".join(rows), truth


def setup_queue(ctx: AppContext, ls_server: Any) -> tuple[LabelStudioConnector, int, str]:
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, f"listings-{time.time_ns()}", PLACEHOLDER)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, pid)
    with ctx.sessions() as s:
        publish_sop(
            s,
            ctx.settings,
            SOP_FILE.read_text(),
            [queue.name],
            lambda q: connector_for(q.source, ctx.settings),
            actor="t&s",
        )
    return conn, pid, queue.name


def workforce(n: int, rng: np.random.Generator) -> list[SimulatedLabeler]:
    vendors = ["Northwind BPO", "Bluepeak Solutions", "Meridian Data"]
    return [
        SimulatedLabeler(
            email=f"sim{i:02d}@{vendors[i % 3].split()[0].lower()}.example.com",
            vendor=vendors[i % 3],
            site=f"site-{i % 2}",
            market=["US", "DE", "BR"][i % 3],
            accuracy=float(rng.uniform(0.6, 0.98)),
        )
        for i in range(n)
    ]


def test_gold_accuracy_intervals_cover_true_accuracy_and_stay_secret(ctx, ls_server):
    rng = random.Random(42)
    np_rng = np.random.default_rng(42)
    conn, pid, qname = setup_queue(ctx, ls_server)
    labelers = workforce(32, np_rng)
    uids = ensure_users(conn, [lab.email for lab in labelers])
    roster = "email,vendor,site,market,start_date\n" + "\n".join(
        f"{lab.email},{lab.vendor},{lab.site},{lab.market},2026-01-01" for lab in labelers
    )
    text, truth = gold_file(rng, 120)
    with ctx.sessions() as s:
        import_roster(s, roster, actor="test")
        assert (
            import_gold(s, text, fmt="jsonl", sop_ref=f"{SOP.key}@1.0.0", actor="qa")["imported"]
            == 120
        )
        s.commit()

    ordinary = [{"data": listing(rng, i)} for i in range(500)]
    ordinary_truth = {p["data"]["image"]: rng.choice(CLASSES) for p in ordinary}

    def annotate(payloads: list[dict[str, Any]], marks: list[int | None]) -> None:
        """Simulated labelers answer: 11 per gold copy, 2 per ordinary item."""
        for p, gid in zip(payloads, marks, strict=True):
            true = (
                truth[p["data"]["image"]] if gid is not None else ordinary_truth[p["data"]["image"]]
            )
            anns = []
            for k in np_rng.choice(len(labelers), size=11 if gid is not None else 2, replace=False):
                lab = labelers[int(k)]
                label = (
                    true
                    if np_rng.random() < lab.accuracy
                    else rng.choice([c for c in CLASSES if c != true])
                )
                anns.append(
                    {
                        "result": choice_result(label, to_name="title"),
                        "completed_by": uids[lab.email],
                        "lead_time": 12.0,
                    }
                )
            p["annotations"] = anns

    with ctx.sessions() as s:
        res = inject_gold(
            s,
            conn,
            qname,
            rate=0.18,
            max_exposure=12,
            ordinary=ordinary,
            seed=1,
            actor="qa",
            annotate=annotate,
        )
    assert res.gold_copies == 110 and res.ordinary_covered == 500
    with ctx.sessions() as s:
        q = get_queue(s, qname)
        with connector_for(q.source, ctx.settings) as c:
            sync_queue(s, q, c, ctx.settings)
        rep = accuracy_report_gold(s, qname, by="labeler")
        by_vendor = accuracy_report_gold(s, qname, by="vendor")
        status = gold_status(s, qname)

    # intervals cover the true accuracies at about the nominal 95% rate
    true_acc = {lab.email: lab.accuracy for lab in labelers}
    assert len(rep) == 32 and rep["n"].min() >= 20
    inside = [(r.ci_low <= true_acc[email] <= r.ci_high) for email, r in rep.iterrows()]
    assert sum(inside) >= 26, f"coverage {sum(inside)}/32"  # P(<26 | p=.95) < 0.001
    assert (rep["ci_low"] <= rep["accuracy"]).all() and (rep["accuracy"] <= rep["ci_high"]).all()
    # roll-ups add up
    assert by_vendor["n"].sum() == rep["n"].sum() and set(by_vendor.index) == {
        "Northwind BPO",
        "Bluepeak Solutions",
        "Meridian Data",
    }
    # qualification: the weakest are failed and listed for recalibration with their confusions
    quals = {row["labeler"]: row["qualification"] for row in status["labelers"]}
    weak = [lab.email for lab in labelers if lab.accuracy < 0.7]
    strong = [lab.email for lab in labelers if lab.accuracy > 0.97]
    assert weak and all(quals[e] == "failed" for e in weak)
    assert all(quals[e] != "failed" for e in strong)
    recal = {r["labeler"] for r in status["recalibrate"]}
    assert recal == {r["labeler"] for r in status["labelers"] if r["ci_high"] < 0.9}
    assert len(set(weak) & recal) >= len(weak) - 1  # significantly below target, with their
    assert all(r["top_confusions"] for r in status["recalibrate"])  # confusion pattern

    # secrecy: nothing LS returns tells gold apart or reveals an answer
    with ctx.sessions() as s:
        q = get_queue(s, qname)
        gold_task_ids = set(s.scalars(select(GoldCopy.ls_task_id).where(GoldCopy.queue_id == q.id)))
        all_ids = set(s.scalars(select(Item.ls_task_id).where(Item.queue_id == q.id)))
    assert len(gold_task_ids) == 110 and len(all_ids) == 610
    exported = conn._http.get(
        f"{conn.url}/api/projects/{pid}/export",
        params={"exportType": "JSON", "download_all_tasks": "true"},
        headers=conn._auth,
    ).json()
    listed = conn._http.get(
        f"{conn.url}/api/tasks",
        params={"project": pid, "page_size": 1000, "fields": "all"},
        headers=conn._auth,
    ).json()["tasks"]
    project = conn._http.get(f"{conn.url}/api/projects/{pid}", headers=conn._auth).json()
    everything = json.dumps([exported, listed, project])
    assert "SECRET-RATIONALE" not in everything
    assert "gold" not in everything.lower()
    for view in (exported, listed):
        shapes = {}
        for t in view:
            kind = "gold" if t["id"] in gold_task_ids else "ordinary"
            shape = (
                tuple(t.keys()),
                tuple(t["data"].keys()),
                json.dumps(t.get("meta")),
                json.dumps(t.get("predictions")),
                t.get("file_upload"),
                t.get("storage_filename"),
            )
            shapes.setdefault(kind, set()).add(shape)
        assert shapes["gold"] == shapes["ordinary"] and len(shapes["gold"]) == 1
    # ids, inner ids and creation times interleave: no block of gold tasks
    ordered = sorted(exported, key=lambda t: t["id"])
    flags = [t["id"] in gold_task_ids for t in ordered]
    longest = max(len(run) for run in "".join("g" if f else "o" for f in flags).split("o"))
    assert longest <= 3 and flags.index(True) < 20 and flags[::-1].index(True) < 20
    created = {t["created_at"][:16] for t in ordered}
    assert len(created) <= 2  # one import batch
    # the gold answers live only in LabelQA: no task's data carries its own label
    for t in exported:
        assert not set(t["data"].values()) & set(CLASSES)


def test_gold_bad_input_changes_nothing(ctx, ls_server):
    rng = random.Random(7)
    conn, pid, qname = setup_queue(ctx, ls_server)
    ls_before = len(conn.list_task_ids(pid))
    with ctx.sessions() as s:
        before = row_counts(s)
        bad = "\n".join(
            [
                json.dumps({"data": listing(rng, 1), "label": "weapons"}),
                json.dumps({"data": listing(rng, 2), "label": "firearms"}),  # a v2 class, not v1
                json.dumps({"data": {"title": "x"}, "label": "adult"}),
                json.dumps({"data": {**listing(rng, 3), "is_gold": True}, "label": "adult"}),
                "{not json",
            ]
        )
        with pytest.raises(ValidationError) as e:
            import_gold(s, bad, fmt="jsonl", sop_ref=f"{SOP.key}@1.0.0", actor="qa")
        assert "line 5: not JSON" in str(e.value)
        with pytest.raises(ValidationError) as e:
            import_gold(
                s,
                "\n".join(bad.splitlines()[:4]),
                fmt="jsonl",
                sop_ref=f"{SOP.key}@1.0.0",
                actor="qa",
            )
        msg = str(e.value)
        assert "line 2, field label: 'firearms' not a class of" in msg
        assert "line 3, field data: missing description, image" in msg
        assert "line 4, field data: unknown field(s) is_gold" in msg
        with pytest.raises(NotFound, match=r"no SOP ecommerce-prohibited-listings@2\.0\.0"):
            import_gold(s, bad.splitlines()[0], fmt="jsonl", sop_ref=f"{SOP.key}@2.0.0", actor="qa")
        s.rollback()
        assert row_counts(s) == before
        text, _ = gold_file(rng, 10)
        import_gold(s, text, fmt="jsonl", sop_ref=f"{SOP.key}@1.0.0", actor="qa")
        s.commit()
        before = row_counts(s)
        for rate in (0, -0.1, 1.5, float("nan")):
            with pytest.raises(ValidationError, match="rate must be in"):
                inject_gold(
                    s, conn, qname, rate=rate, ordinary=[{"data": listing(rng, 9)}], actor="qa"
                )
        with pytest.raises(ValidationError) as e:
            inject_gold(
                s,
                conn,
                qname,
                rate=0.5,
                ordinary=[{"data": listing(rng, i)} for i in range(40)],
                actor="qa",
            )
        assert (
            e.value.code == "gold_pool_too_small" and "40" in str(e.value) and "10" in str(e.value)
        )
        s.rollback()
        assert row_counts(s) == before
    assert len(conn.list_task_ids(pid)) == ls_before


def test_gold_through_the_api_dispute_revalidate_and_report(ctx, ls_server):
    from fastapi.testclient import TestClient

    from labelqa.api.app import create_app
    from labelqa.services.tokens import create_token

    rng = random.Random(11)
    np_rng = np.random.default_rng(11)
    conn, pid, qname = setup_queue(ctx, ls_server)
    labelers = workforce(6, np_rng)
    uids = ensure_users(conn, [lab.email for lab in labelers])
    text, truth = gold_file(rng, 21)  # 3 per class, including `weapons` (split in 2.0.0)
    with ctx.sessions() as s:
        _, qa = create_token(s, "qa", "qa_analyst", actor="test")
        _, consumer = create_token(s, "algo", "data_consumer", actor="test")
        _, author = create_token(s, "t&s", "sop_author", actor="test")
        s.commit()
    qa_h, consumer_h = {"Authorization": f"Bearer {qa}"}, {"Authorization": f"Bearer {consumer}"}
    with TestClient(create_app(ctx)) as api:
        r = api.post(
            "/api/v1/gold/import",
            headers=qa_h,
            json={"sop": f"{SOP.key}@1.0.0", "content": text.replace('"adult"', '"porn"', 1)},
        )
        assert r.status_code == 422 and "field label: 'porn' not a class" in r.json()["message"]
        r = api.post(
            "/api/v1/gold/import",
            headers=consumer_h,
            json={"sop": f"{SOP.key}@1.0.0", "content": text},
        )
        assert r.status_code == 403
        r = api.post(
            "/api/v1/gold/import", headers=qa_h, json={"sop": f"{SOP.key}@1.0.0", "content": text}
        )
        assert r.status_code == 201 and r.json()["imported"] == 21
        assert (
            api.get("/api/v1/gold/items", params={"sop": SOP.key}, headers=consumer_h).status_code
            == 403
        )
        r = api.post("/api/v1/gold/inject", headers=qa_h, json={"queue": qname, "rate": 1.5})
        assert r.status_code == 422 and r.json()["code"] == "invalid_rate"

        # 60 ordinary tasks already in the project; inject covers them, appended
        from connectors.label_studio.seed import import_tasks

        import_tasks(conn, pid, [{"data": listing(rng, i)} for i in range(60)])
        with ctx.sessions() as s:
            q = get_queue(s, qname)
            with connector_for(q.source, ctx.settings) as c:
                sync_queue(s, q, c, ctx.settings)
        r = api.post(
            "/api/v1/gold/inject", headers=qa_h, json={"queue": qname, "rate": 0.25, "seed": 3}
        )
        assert r.status_code == 201, r.text
        assert r.json()["gold_copies"] == 20 and "ls_task_ids" not in r.json()
        # every labeler answers every gold copy; labeler 0 is always right, the others mostly
        with ctx.sessions() as s:
            copies = s.scalars(
                select(GoldCopy).where(GoldCopy.queue_id == get_queue(s, qname).id)
            ).all()
            gold_items = {c.ls_task_id: c.gold_item_id for c in copies}
        from connectors.label_studio.seed import create_annotation

        data = {t.ls_id: t.data for t in conn.export_tasks(pid, list(gold_items))}
        for tid in gold_items:
            right = truth[data[tid]["image"]]
            for i, lab in enumerate(labelers):
                label = (
                    right
                    if i == 0 or rng.random() < 0.8
                    else rng.choice([c for c in CLASSES if c != right])
                )
                create_annotation(conn, tid, choice_result(label, to_name="title"), uids[lab.email])
        with ctx.sessions() as s:
            q = get_queue(s, qname)
            with connector_for(q.source, ctx.settings) as c:
                sync_queue(s, q, c, ctx.settings)

        st = api.get("/api/v1/gold/status", params={"queue": qname}, headers=qa_h).json()
        assert st["gold_copies"] == 20 and st["answers_scored"] == 120
        best = next(r for r in st["labelers"] if r["labeler"] == labelers[0].email)
        assert best["n"] == 20 and best["correct"] == 20 and best["ci_high"] == 1.0
        rep = api.get(
            "/api/v1/reports/accuracy", params={"queue": qname, "by": "vendor"}, headers=qa_h
        ).json()
        assert sum(r["n"] for r in rep) == 120 and all(
            r["ci_low"] <= r["accuracy"] <= r["ci_high"] for r in rep
        )
        card = api.get(f"/api/v1/labelers/{labelers[0].email}/scorecard", headers=qa_h).json()
        assert card["queues"][0]["gold"]["accuracy"] == 1.0
        gold_acc = api.get(
            "/api/v1/metrics/accuracy",
            headers=qa_h,
            params={"queue": qname, "reference": "gold", "by": "labeler", "split": None},
        ).json()
        assert "rows" in gold_acc, gold_acc
        assert sum(r["n"] for r in gold_acc["rows"]) == 120
        # peer agreement ignores gold copies entirely
        ag = api.get(
            "/api/v1/metrics/agreement", params={"queue": qname, "by": None}, headers=qa_h
        ).json()
        assert ag["groups"][0]["n_annotations"] == 0 or ag["groups"][0]["n_items"] <= 60

        # a disputed gold item stops counting
        disputed = next(iter(gold_items.values()))
        r = api.patch(
            f"/api/v1/gold/items/{disputed}",
            headers=qa_h,
            json={"status": "disputed", "reason": "ambiguous"},
        )
        assert r.status_code == 200
        st = api.get("/api/v1/gold/status", params={"queue": qname}, headers=qa_h).json()
        assert st["answers_scored"] == 114

        # 2.0.0 splits `weapons`: that gold must be re-validated, never reused silently
        v2 = (SOP_FILE.parent / "v2.0.0.md").read_text()
        r = api.post(
            "/api/v1/sops/publish",
            headers={"Authorization": f"Bearer {author}"},
            json={"document": v2, "queues": [qname]},
        )
        assert r.status_code == 201, r.text
        d = api.get(
            f"/api/v1/sops/{SOP.key}/diff", params={"v1": "1.0.0", "v2": "2.0.0"}, headers=qa_h
        ).json()
        weapons_gold = {
            g["gold_item_id"] for g in d["affected_gold_items"] if g["labels"] == ["weapons"]
        }
        assert len(weapons_gold) == 3
        r = api.post("/api/v1/gold/revalidate", params={"sop": f"{SOP.key}@2.0.0"}, headers=qa_h)
        assert r.status_code == 200 and weapons_gold <= set(r.json()["marked"])
        items = {
            g["id"]: g
            for g in api.get("/api/v1/gold/items", params={"sop": SOP.key}, headers=qa_h).json()
        }
        assert all(items[i]["status"] == "revalidate" for i in weapons_gold)


def test_removing_a_labeler_from_label_studio(ctx, ls_server):
    from fastapi.testclient import TestClient

    from labelqa.api.app import create_app
    from labelqa.services.tokens import create_token

    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, f"listings-{time.time_ns()}", PLACEHOLDER)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, pid)
    email = f"leaver{time.time_ns()}@vendor.example.com"
    uid = ensure_users(conn, [email])[email]
    with ctx.sessions() as s:
        q = get_queue(s, queue.name)
        with connector_for(q.source, ctx.settings) as c:
            sync_queue(s, q, c, ctx.settings)  # links the LS user to a labeler
        _, vm = create_token(s, "vm", "vendor_manager", actor="test")
        _, qa = create_token(s, "qa", "qa_analyst", actor="test")
        s.commit()
    with TestClient(create_app(ctx)) as api:
        url = f"/api/v1/labelers/{email}/remove-from-label-studio"
        r = api.post(url, params={"source": "ls"}, headers={"Authorization": f"Bearer {qa}"})
        assert r.status_code == 403
        r = api.post(url, params={"source": "ls"}, headers={"Authorization": f"Bearer {vm}"})
        assert r.status_code == 200 and r.json()["removed_ls_users"] == [uid]
        # LS now holds the membership as deleted: removing again is refused by LS itself
        r = api.post(url, params={"source": "ls"}, headers={"Authorization": f"Bearer {vm}"})
        assert r.status_code == 502 and "already removed" in r.json()["message"]
