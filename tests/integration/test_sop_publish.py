"""SOPs end to end against a real Label Studio: publish v1, label, publish v2 (a class split),
label again; LS holds v2; annotations are attributed by time; metrics come out per version."""

from __future__ import annotations

import random
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lqa_helpers import bind_queue, row_counts
from sqlalchemy import select

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import choice_result, create_project, ensure_users, import_tasks
from labelqa.api.app import create_app
from labelqa.services.connect import connector_for
from labelqa.services.sync import sync_queue
from labelqa.services.tokens import create_token
from labelqa.sops import compile_instructions, compile_label_config, load_sop
from labelqa.store.models import Annotation, SOPVersion
from labelqa.store.repositories.sources import get_queue

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SOP_DIR = ROOT / "sops" / "ecommerce-prohibited-listings"
PLACEHOLDER = (
    '<View><Text name="title" value="$title"/><Text name="description" value="$description"/>'
    '<Image name="image" value="$image"/><Choices name="label" toName="title">'
    '<Choice value="todo"/></Choices></View>'
)


def _listing(i: int) -> dict[str, str]:
    return {
        "title": f"Listing {i}",
        "description": f"Item number {i}",
        "image": f"https://img.example.com/{i}.jpg",
    }


def _batch(rng, uids, classes, n, start):
    """n listings, each labeled by 3 labelers who agree with a true class 85% of the time."""
    tasks = []
    for i in range(start, start + n):
        truth = rng.choice(classes)
        anns = []
        for u in rng.sample(uids, 3):
            label = truth if rng.random() < 0.85 else rng.choice(classes)
            anns.append(
                {
                    "result": choice_result(label, to_name="title"),
                    "completed_by": u,
                    "lead_time": 9.0,
                }
            )
        tasks.append({"data": _listing(i), "annotations": anns})
    return tasks


def _sync(ctx, name):
    with ctx.sessions() as s:
        q = get_queue(s, name)
        with connector_for(q.source, ctx.settings) as c:
            return sync_queue(s, q, c, ctx.settings)


def test_publish_label_publish_split_label_attribute_and_measure(ctx, ls_server):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, f"listings-{time.time_ns()}", PLACEHOLDER)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, pid)
    v1 = load_sop(SOP_DIR / "v1.0.0.md")
    v2 = load_sop(SOP_DIR / "v2.0.0.md")
    with ctx.sessions() as s:
        _, author = create_token(s, "t&s", "sop_author", actor="test")
        _, analyst = create_token(s, "qa", "qa_analyst", actor="test")
        s.commit()
    rng = random.Random(3)
    uids = list(ensure_users(conn, [f"bpo{i}@vendor.example.com" for i in range(6)]).values())

    with TestClient(create_app(ctx)) as api:
        hdr = {"Authorization": f"Bearer {author}"}
        r = api.post(
            "/api/v1/sops/publish",
            headers={"Authorization": f"Bearer {analyst}"},
            json={"document": (SOP_DIR / "v1.0.0.md").read_text(), "queues": [queue.name]},
        )
        assert r.status_code == 403  # QA analysts do not publish SOPs
        r = api.post(
            "/api/v1/sops/publish",
            headers=hdr,
            json={"document": (SOP_DIR / "v1.0.0.md").read_text(), "queues": [queue.name]},
        )
        assert r.status_code == 201, r.text
        p = conn.get_project(pid)
        assert p.label_config == compile_label_config(v1)
        assert p.expert_instruction == compile_instructions(v1) and p.show_instruction

        import_tasks(conn, pid, _batch(rng, uids, list(v1.class_values), 150, 0))
        _sync(ctx, queue.name)
        time.sleep(1.0)

        r = api.post(
            "/api/v1/sops/publish",
            headers=hdr,
            json={"document": (SOP_DIR / "v2.0.0.md").read_text(), "queues": [queue.name]},
        )
        assert r.status_code == 201, r.text
        p = conn.get_project(pid)
        # v1 classes v2 dropped stay as hidden choices (LS refuses to lose labels in use)
        assert p.label_config == compile_label_config(v2, retired=v1.class_values)
        hidden = {
            c.get("value")
            for c in ET.fromstring(p.label_config).iter("Choice")
            if c.get("style") == "display:none"
        }
        assert hidden == {"weapons", "drugs"}
        assert p.expert_instruction == compile_instructions(v2)
        import_tasks(conn, pid, _batch(rng, uids, list(v2.class_values), 150, 1000))
        _sync(ctx, queue.name)

        with ctx.sessions() as s:
            rows = s.execute(
                select(Annotation.ls_annotation_id, Annotation.label, SOPVersion.version)
                .join(SOPVersion, Annotation.sop_version_id == SOPVersion.id, isouter=True)
                .where(Annotation.queue_id == queue.id)
            ).all()
        by_version = {}
        for aid, label, version in rows:
            by_version.setdefault(version, []).append((aid, label))
        assert (
            set(by_version) == {"1.0.0", "2.0.0"}
            and len(by_version["1.0.0"]) == len(by_version["2.0.0"]) == 450
        )
        # attribution follows time: every v1 annotation predates every v2 annotation
        assert max(a for a, _ in by_version["1.0.0"]) < min(a for a, _ in by_version["2.0.0"])
        assert {lbl for _, lbl in by_version["1.0.0"]} <= set(v1.class_values)

        hdr = {"Authorization": f"Bearer {analyst}"}
        ag = api.get(
            "/api/v1/metrics/agreement",
            params={"queue": queue.name, "by": "sop_version"},
            headers=hdr,
        ).json()
        groups = {g["group"]: g for g in ag["groups"]}
        assert set(groups) == {f"{v1.key}@1.0.0", f"{v1.key}@2.0.0"}
        for g in groups.values():
            assert g["n_items"] == 150 and g["n_annotations"] == 450 and g["n_labelers"] == 6
            assert 0.5 < g["alpha"] < 0.95 and g["alpha_ci"][0] <= g["alpha"] <= g["alpha_ci"][1]
        acc = api.get(
            "/api/v1/metrics/accuracy",
            params={"queue": queue.name, "by": "labeler", "split": "sop_version"},
            headers=hdr,
        ).json()
        assert {r["split"] for r in acc["rows"]} == set(groups)
        for row in acc["rows"]:
            assert row["n"] > 0 and row["ci_low"] <= row["accuracy"] <= row["ci_high"]
            assert 0.6 < row["accuracy"] <= 1.0
        # v1 labels in v2 classes: `drugs` is renamed, `weapons` (split) has no single target
        tr = api.get(
            "/api/v1/metrics/agreement",
            params={"queue": queue.name, "by": "sop_version", "in_terms_of": "2.0.0"},
            headers=hdr,
        ).json()
        n_weapons = sum(1 for _, lbl in by_version["1.0.0"] if lbl == "weapons")
        assert n_weapons > 0 and tr["untranslatable"] == n_weapons
        tr_groups = {g["group"]: g for g in tr["groups"]}
        assert tr_groups[f"{v1.key}@1.0.0"]["n_annotations"] == 450 - n_weapons

        hist = api.get(f"/api/v1/sops/{v1.key}/history", headers=hdr).json()
        assert [h["version"] for h in hist] == ["1.0.0", "2.0.0"]
        assert all(h["published"][0]["queue"] == queue.name for h in hist)
        d = api.get(
            f"/api/v1/sops/{v1.key}/diff", params={"v1": "1.0.0", "v2": "2.0.0"}, headers=hdr
        ).json()
        assert d["split"] == {"weapons": ["firearms", "weapon_accessories", "other_weapons"]}
        assert d["renamed"] == {"drugs": "drugs_and_paraphernalia"} and d["affected_queues"] == [
            queue.name
        ]


def test_rejected_or_invalid_publish_changes_nothing(ctx, ls_server):
    conn = LabelStudioConnector(ls_server.url, ls_server.token)
    pid = create_project(conn, f"listings-bad-{time.time_ns()}", PLACEHOLDER)
    queue = bind_queue(ctx, ls_server.url, ls_server.token, pid)
    v1_text = (SOP_DIR / "v1.0.0.md").read_text()
    with ctx.sessions() as s:
        _, admin = create_token(s, "admin", "admin", actor="test")
        s.commit()
    hdr = {"Authorization": f"Bearer {admin}"}
    with TestClient(create_app(ctx)) as api:
        with ctx.sessions() as s:
            before = row_counts(s)
        ls_before = conn.get_project(pid)
        # a malicious body is refused (validation names the body lines); nothing reaches LS
        evil = v1_text.replace(
            "# ",
            "<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n"
            "[click](javascript:alert(3))\n\n# ",
            1,
        )
        r = api.post(
            "/api/v1/sops/publish", headers=hdr, json={"document": evil, "queues": [queue.name]}
        )
        assert r.status_code == 422 and r.json()["code"] == "sop_invalid"
        fields = {d["field"] for d in r.json()["details"]}
        assert fields == {"body"} and all(d["line"] for d in r.json()["details"])
        # a queue whose LS project is gone: LS refuses, the other project is put back
        other_pid = create_project(conn, f"listings-gone-{time.time_ns()}", PLACEHOLDER)
        other = bind_queue(ctx, ls_server.url, ls_server.token, other_pid)
        conn.sdk.projects.delete(id=other_pid)
        with ctx.sessions() as s:
            before = row_counts(s)
        r = api.post(
            "/api/v1/sops/publish",
            headers=hdr,
            json={"document": v1_text, "queues": [queue.name, other.name]},
        )
        assert r.status_code == 502 and str(other_pid) in r.json()["message"]
        after = conn.get_project(pid)
        assert (after.label_config, after.expert_instruction) == (
            ls_before.label_config,
            ls_before.expert_instruction,
        )
        with ctx.sessions() as s:
            assert row_counts(s) == before
        # an unknown queue and a draft SOP are clear 4xx errors
        r = api.post(
            "/api/v1/sops/publish", headers=hdr, json={"document": v1_text, "queues": ["nope"]}
        )
        assert r.status_code == 404 and r.json()["code"] == "queue_not_found"
        draft = v1_text.replace("status: published", "status: draft", 1)
        r = api.post(
            "/api/v1/sops/publish", headers=hdr, json={"document": draft, "queues": [queue.name]}
        )
        assert r.status_code == 422 and r.json()["code"] == "sop_not_publishable"
        # publishing the same version twice, or the same version with other content, conflicts
        assert (
            api.post(
                "/api/v1/sops/publish",
                headers=hdr,
                json={"document": v1_text, "queues": [queue.name]},
            ).status_code
            == 201
        )
        r = api.post(
            "/api/v1/sops/publish", headers=hdr, json={"document": v1_text, "queues": [queue.name]}
        )
        assert r.status_code == 409 and r.json()["code"] == "sop_already_published"
        r = api.post(
            "/api/v1/sops/publish",
            headers=hdr,
            json={"document": v1_text.replace("Prohibited", "Banned", 1), "queues": [queue.name]},
        )
        assert r.status_code == 409 and r.json()["code"] == "sop_version_exists"
