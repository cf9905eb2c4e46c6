#!/usr/bin/env python3
"""Build the demo in a running Label Studio, and summarise the demo store (used by scripts/demo).

``seed``: ~40 simulated labelers from three vendors (two sites each, three markets) created as
LS users, and two empty LS projects that follow the shipped SOPs ("Marketplace listings —
prohibited items" on ``sops/ecommerce-prohibited-listings/v1.0.0.md``, "Comments — harassment
& hate" on ``sops/comment-harassment/v1.0.0.md``), created with the SOP's compiled label
config so that ``labelqa sop publish`` validates against them. Writes the roster CSV for
``labelqa labelers import``, the items with their simulated annotations (``tasks/``, imported
later by ``import``), a gold set for the marketplace SOP (``gold/marketplace-gold.jsonl``, for
``labelqa gold import``) and the true labels (``truth/``; never written into Label Studio, which
shows every task field to labelers). With ``--reuse``, projects that already hold tasks are kept.

``import`` (after ``labelqa queue add`` and ``labelqa sop publish``, so every annotation is
attributed to SOP v1): bulk-imports the comments with their annotations, and the marketplace
listings through :func:`labelqa.services.gold.inject_gold`: a few batches, each one LS import in
which hidden gold copies are interleaved with the ordinary listings and the simulated workforce
answers both alike (a labeler's answer is right with their accuracy). Between batches the queue
is synced, so the next batch knows who has seen which gold item. Projects that already hold
tasks are left alone.

``summary``: counts per queue and per vendor, the SOP version each queue follows and the gold
results, read from the LabelQA store; printed as a table and as one ``DEMO_SUMMARY {json}`` line.

Usage::

    python scripts/demo_seed.py seed --url URL --token TOKEN --out DIR [--small] [--reuse]
    python scripts/demo_seed.py import --out DIR [--rate 0.08]      (LABELQA_* env as for the CLI)
    python scripts/demo_seed.py summary                             (LABELQA_* env as for the CLI)
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import choice_result, create_project, ensure_users, import_tasks
from labelqa.simulation import SimulatedLabeler, make_workforce, simulate_annotations
from labelqa.sops import SOP, compile_label_config, load_sop

ROOT = Path(__file__).resolve().parents[1]
VENDORS = {
    "Northwind BPO": ["Manila", "Cebu"],
    "Bluepeak Solutions": ["Nairobi", "Lisbon"],
    "Meridian Data Services": ["Bogota", "Krakow"],
}
MARKETS = ["en-US", "de-DE", "pt-BR"]
N_LABELERS = 40
SIZES = {"full": (2400, 1800), "small": (1150, 900)}
N_GOLD = 60
GOLD_RATE = 0.08
# Each injection batch holds at most one copy of a gold item, so a batch of ordinary listings
# may be at most about N_GOLD * (1 - rate) / rate long.
INJECT_BATCH = 600
MAX_EXPOSURE = 12

NO_VENDOR = "(not in roster)"
LISTINGS = "Marketplace listings — prohibited items"
COMMENTS = "Comments — harassment & hate"
LISTINGS_QUEUE = "marketplace-listings"
COMMENTS_QUEUE = "comments-harassment"
LISTINGS_SOP_FILE = ROOT / "sops" / "ecommerce-prohibited-listings" / "v1.0.0.md"
COMMENTS_SOP_FILE = ROOT / "sops" / "comment-harassment" / "v1.0.0.md"
LISTINGS_SOP = load_sop(LISTINGS_SOP_FILE)
COMMENTS_SOP = load_sop(COMMENTS_SOP_FILE)
SOP_FILES = {LISTINGS_QUEUE: LISTINGS_SOP_FILE, COMMENTS_QUEUE: COMMENTS_SOP_FILE}

# Realistic priors over the SOPs' classes: most reported listings and comments break no rule.
LISTING_PRIOR = {
    "allowed": 0.62,
    "weapons": 0.07,
    "drugs": 0.07,
    "counterfeit": 0.12,
    "adult": 0.04,
    "hazardous_materials": 0.04,
    "wildlife_products": 0.04,
}
COMMENT_PRIOR = {
    "no_violation": 0.58,
    "insult": 0.15,
    "targeted_harassment": 0.09,
    "hate_speech": 0.06,
    "violent_threat": 0.04,
    "sexual_harassment": 0.08,
}
CONFUSIONS = [
    ("counterfeit", "allowed"),
    ("weapons", "allowed"),
    ("hazardous_materials", "allowed"),
    ("wildlife_products", "allowed"),
    ("adult", "allowed"),
    ("insult", "targeted_harassment"),
    ("targeted_harassment", "insult"),
    ("hate_speech", "targeted_harassment"),
    ("violent_threat", "targeted_harassment"),
    ("sexual_harassment", "insult"),
]

# Synthetic texts. Slurs and real threats are never spelled out: placeholders stand in for them.
_LISTING_TEXT: dict[str, list[tuple[str, str]]] = {
    "allowed": [
        (
            "Vintage {brand} denim jacket, size {size}",
            "Worn a few times, no stains. Pickup or shipping.",
        ),
        (
            "{brand} running shoes, barely used",
            "Bought the wrong size ({size}). Original box included.",
        ),
        ("Oak dining table with 4 chairs", "Solid wood, minor scratches on one leg. Must collect."),
        ("Kids bike 16 inch with training wheels", "Outgrown. Tyres pumped, brakes work fine."),
        ("Espresso machine {brand} Classic", "Descaled last month, makes great crema."),
        ("Set of 3 houseplants in ceramic pots", "Monstera, pothos and a snake plant."),
        ("Airsoft rifle with orange tip", "Spring powered, BBs not included. Toy, not a weapon."),
        ("Chef's knife set with wooden block", "8 pieces, German steel, one small chip."),
    ],
    "weapons": [
        ("Automatic switchblade, pocket clip", "Opens with one button. No questions asked."),
        ("Air rifle .22 with scope", "Powerful, takes pellets. Cash only, meet in person."),
        ("Brass knuckles, heavy duty", "Solid metal, fits most hands. Discreet shipping."),
        ("Replacement trigger kit for {brand} pistol", "Drop-in, no gunsmith needed."),
        ("30-round magazines, pack of 5", "Fits most AR platforms. Local pickup only."),
    ],
    "drugs": [
        ("Relaxing herbal mix, very strong", "Not for human consumption ;) DM for bulk prices."),
        ("Study helper pills, 30 count", "Focus all night, no prescription needed."),
        ("Glass pipe set + grinder", "Comes with 50 g of 'tea', you know which kind."),
        ("Delta-8 gummies 500 mg", "Ships in unmarked packaging, tracking included."),
    ],
    "counterfeit": [
        (
            "{brand} handbag, AAA mirror quality",
            "Looks 100% original, comes with dust bag and receipt.",
        ),
        (
            "Designer watch, {brand} style",
            "Automatic movement, same as the real one, 1/10 of the price.",
        ),
        (
            "{brand} sneakers, same factory as original",
            "Unauthorised factory run, all sizes ({size}) in stock.",
        ),
        ("Football jerseys, replica 1:1", "Club badges stitched, wholesale available."),
    ],
    "adult": [
        ("Private content subscription, 18+", "Message me for the link. Adults only."),
        ("Explicit DVD collection", "Covers shown in the photo. Discreet delivery."),
        ("Companionship for the evening", "Rates by the hour, DM for details."),
    ],
    "hazardous_materials": [
        ("Professional fireworks, 1.3G cakes", "Big display pack, collection only."),
        ("Binary exploding targets, 10 pack", "Shoot them for a big bang. 1 lb each."),
        ("Old stock insecticide powder", "Unopened, the strong stuff they don't sell anymore."),
        ("Airbag inflator module", "Pulled from a recalled car, works fine."),
    ],
    "wildlife_products": [
        ("Carved ivory figurine, antique", "Pre-ban, no papers, beautiful detail."),
        ("Tiger claw pendant on silver chain", "Real claw, inherited from my grandfather."),
        ("Ball python, 6 months old", "Captive bred, eats well, comes with tank."),
        ("Pet monkey, very friendly", "Comes with cage, no papers."),
    ],
}
_BRANDS = ["Levon", "Nordvik", "Altura", "Casella", "Riverstone", "Maison Korr"]
_SIZES = ["S", "M", "L", "38", "42", "44"]

_COMMENT_TEXT: dict[str, list[str]] = {
    "no_violation": [
        "Great write-up, thanks for the {topic} tips!",
        "I disagree with the second point, the data on {topic} says otherwise.",
        "Does anyone know if this works on the older model?",
        "Ordered last week, arrived on time. Happy with it.",
        "This referee is blind, worst call of the season",
        "lol my cat did exactly the same thing",
        "our team will destroy yours tonight",
    ],
    "insult": [
        "Only an idiot would believe this {topic} nonsense.",
        "You clearly have no clue what you're talking about, clown.",
        "@{user} nobody asked, ugly",
    ],
    "targeted_harassment": [
        "@{user} I found your other account, you can't hide from me.",
        "Everyone go to @{user}'s profile and tell them what you think of them.",
        "I'll keep posting this under every video you make until you quit, @{user}.",
    ],
    "hate_speech": [
        "[group slur] like you ruin every {topic} thread.",
        "People from [protected group] shouldn't be allowed to post here.",
        "Typical [protected group], always [dehumanizing comparison].",
    ],
    "violent_threat": [
        "Keep talking, @{user}, I know where you work.",
        "Say that again and you'll [violent act] by Friday.",
    ],
    "sexual_harassment": [
        "@{user} send pics or stop posting",
        "bet she'd be fun in bed lol",
    ],
}
_CONTEXTS = [
    "Video: 10 {topic} mistakes everyone makes",
    "Article: what the new {topic} rules mean for you",
    "Reply to @{user}: honestly I think the {topic} part was the best bit",
    "Post: my first attempt at {topic}, be kind!",
    "Live thread: match day, {topic} edition",
]
_TOPICS = ["budget", "gardening", "battery", "travel", "football", "crypto", "recipe"]


def _listing(lid: str, label: str, rng: np.random.Generator) -> dict[str, Any]:
    """The SOP's task fields, nothing else: gold copies and ordinary listings look alike."""
    opts = _LISTING_TEXT[label]
    title, body = opts[int(rng.integers(len(opts)))]
    fill = {
        "brand": _BRANDS[int(rng.integers(len(_BRANDS)))],
        "size": _SIZES[int(rng.integers(len(_SIZES)))],
    }
    price = float(np.round(rng.lognormal(3.5, 1.0), 2))
    return {
        "title": title.format(**fill),
        "description": f"{body.format(**fill)} Asking ${price:,.2f}.",
        "image": f"https://img.market.example.com/listings/{lid}.jpg",
    }


def _comment(i: int, label: str, rng: np.random.Generator) -> dict[str, Any]:
    fill = {
        "topic": _TOPICS[int(rng.integers(len(_TOPICS)))],
        "user": f"user{int(rng.integers(1000, 9999))}",
    }
    opts = _COMMENT_TEXT[label]
    text = opts[int(rng.integers(len(opts)))]
    ctx = _CONTEXTS[int(rng.integers(len(_CONTEXTS)))]
    return {"comment": text.format(**fill), "context": ctx.format(**fill)}


def workforce(rng: np.random.Generator) -> tuple[list[SimulatedLabeler], np.ndarray]:
    """The demo's labelers, and which queue(s) each works in (0 listings, 1 comments, 2 both)."""
    crew = make_workforce(N_LABELERS, list(VENDORS), VENDORS, MARKETS, rng, confusions=CONFUSIONS)
    # a handful of skips across the whole demo, not one in fifty
    crew = [dataclasses.replace(c, skip_rate=round(c.skip_rate / 6, 4)) for c in crew]
    assignment = rng.choice(3, size=len(crew), p=[0.4, 0.35, 0.25])
    return crew, assignment


def _team(crew: list[SimulatedLabeler], assignment: np.ndarray, which: int) -> list[Any]:
    return [c for c, a in zip(crew, assignment, strict=True) if a in (which, 2)]


def _find_project(conn: LabelStudioConnector, title: str) -> tuple[int, int] | None:
    projects: list[Any] = conn._sdk(
        lambda: list(conn.sdk.projects.list(page_size=100)), "listing projects"
    )
    for p in projects:
        if p.title == title:
            return int(p.id or 0), int(p.task_number or 0)
    return None


def _task_rows(
    answers: list[Any], crew: list[SimulatedLabeler], users: dict[str, int], to_name: str
) -> list[dict[str, Any]]:
    """LS annotation rows (``completed_by``, ``lead_time``) for one item's simulated answers."""
    rows: list[dict[str, Any]] = []
    for a in answers:
        uid = users[crew[a.labeler].email]
        if a.label is None:
            rows.append(
                {"result": [], "was_cancelled": True, "completed_by": uid, "lead_time": a.lead_time}
            )
        else:
            rows.append(
                {
                    "result": choice_result(a.label, to_name=to_name),
                    "completed_by": uid,
                    "lead_time": a.lead_time,
                }
            )
    return rows


def _write_csv(path: Path, header: list[str], rows: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _prior(sop: SOP, prior: dict[str, float]) -> tuple[list[str], list[float]]:
    classes = list(sop.class_values)
    if set(classes) != set(prior):
        raise ValueError(f"{sop.ref}: demo prior covers {sorted(prior)}, SOP has {classes}")
    return classes, [prior[c] for c in classes]


def _projects(
    conn: LabelStudioConnector, specs: list[tuple[str, SOP]], reuse: bool
) -> tuple[list[int], bool]:
    """The demo's LS projects: the existing ones if ``reuse`` and all of them hold tasks, else
    new, empty ones with each SOP's compiled label config. Returns (ids, reused)."""
    found = [_find_project(conn, title) for title, _ in specs]
    if reuse and all(f and f[1] > 0 for f in found):
        for (title, _), f in zip(specs, found, strict=True):
            print(f"  reusing LS project {f[0]} {title!r} ({f[1]} tasks)", flush=True)  # type: ignore[index]
        return [f[0] for f in found if f], True
    ids = []
    for (title, sop), f in zip(specs, found, strict=True):
        if f:
            conn._sdk(
                lambda pid=f[0]: conn.sdk.projects.delete(id=pid),  # type: ignore[misc]
                f"deleting stale project {title!r}",
            )
        pid = create_project(
            conn,
            title,
            compile_label_config(sop),
            maximum_annotations=3,
            description=f"LabelQA demo: simulated labelers, synthetic items. SOP {sop.key}.",
        )
        print(f"  LS project {pid} {title!r} created for {sop.ref}", flush=True)
        ids.append(pid)
    return ids, False


def seed(
    url: str, token: str, out: Path, small: bool, seed_value: int, reuse: bool
) -> dict[str, Any]:
    """Create (or reuse) the demo's LS users and projects; write roster, items, gold and truth."""
    rng = np.random.default_rng(seed_value)
    out.mkdir(parents=True, exist_ok=True)
    crew, assignment = workforce(rng)
    start = date(2023, 3, 1)
    roster = out / "roster.csv"
    _write_csv(
        roster,
        ["email", "vendor", "site", "market", "start_date", "name"],
        (
            [
                c.email,
                c.vendor,
                c.site,
                c.market,
                (start + timedelta(days=int(rng.integers(0, 900)))).isoformat(),
                c.email.split("@")[0].replace(".", " ").title(),
            ]
            for c in crew
        ),
    )
    _write_csv(
        out / "truth" / "labelers.csv",
        ["email", "accuracy", "median_seconds", "skip_rate", "queues"],
        (
            [c.email, c.accuracy, c.speed, c.skip_rate, ["listings", "comments", "both"][a]]
            for c, a in zip(crew, assignment, strict=True)
        ),
    )
    n_listings, n_comments = SIZES["small" if small else "full"]

    # listings: ordinary items and the gold set are drawn from the same population of
    # reported listings (ids interleave), so nothing tells a gold copy apart
    l_classes, l_prior = _prior(LISTINGS_SOP, LISTING_PRIOR)
    ids = rng.permutation(n_listings + N_GOLD) + 100000
    # gold is stratified towards the rare classes: 3 of each prohibited class, the rest by prior
    gold_truth = [c for c in l_classes[1:] for _ in range(3)]
    rest = rng.choice(len(l_classes), size=N_GOLD - len(gold_truth), p=l_prior)
    gold_truth = [gold_truth[k] for k in rng.permutation(len(gold_truth))]
    gold_truth = list(rng.permutation(gold_truth + [l_classes[k] for k in rest]))
    gold_rows = []
    for lid, label in zip(ids[n_listings:], gold_truth, strict=True):
        data = _listing(f"L-{lid}", label, rng)
        gold_rows.append(
            {
                "id": f"gold-L-{lid}",
                "data": data,
                "label": label,
                "rationale": f"{label}: "
                + LISTINGS_SOP.classes[l_classes.index(label)].definition.split(". ")[0].strip(),
            }
        )
    (out / "gold").mkdir(parents=True, exist_ok=True)
    (out / "gold" / "marketplace-gold.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in gold_rows), encoding="utf-8"
    )
    l_truth = [l_classes[k] for k in rng.choice(len(l_classes), size=n_listings, p=l_prior)]
    l_data = [
        _listing(f"L-{lid}", t, rng) for lid, t in zip(ids[:n_listings], l_truth, strict=True)
    ]
    c_classes, c_prior = _prior(COMMENTS_SOP, COMMENT_PRIOR)
    c_truth = [c_classes[k] for k in rng.choice(len(c_classes), size=n_comments, p=c_prior)]
    c_data = [_comment(i, t, rng) for i, t in enumerate(c_truth)]
    _write_csv(
        out / "truth" / "listings.csv",
        ["image", "true_label"],
        ((d["image"], t) for d, t in zip(l_data, l_truth, strict=True)),
    )
    _write_csv(
        out / "truth" / "comments.csv",
        ["comment", "context", "true_label"],
        ((d["comment"], d["context"], t) for d, t in zip(c_data, c_truth, strict=True)),
    )

    projects: list[dict[str, Any]] = []
    with LabelStudioConnector(url, token, timeout=300) as conn:
        t0 = time.monotonic()
        users = ensure_users(conn, [c.email for c in crew])
        print(f"  {len(users)} LS users ready ({time.monotonic() - t0:.1f} s)", flush=True)
        pids, reused = _projects(conn, [(LISTINGS, LISTINGS_SOP), (COMMENTS, COMMENTS_SOP)], reuse)
        for pid, title, queue, sop, classes, truth, data, which in (
            (pids[0], LISTINGS, LISTINGS_QUEUE, LISTINGS_SOP, l_classes, l_truth, l_data, 0),
            (pids[1], COMMENTS, COMMENTS_QUEUE, COMMENTS_SOP, c_classes, c_truth, c_data, 1),
        ):  # fmt: skip
            team = _team(crew, assignment, which)
            answers = simulate_annotations(truth, team, classes, per_item=(2, 3), rng=rng)
            to_name = sop.task.fields[0].name
            tasks = [
                {"data": d, "annotations": _task_rows(a, team, users, to_name)}
                for d, a in zip(data, answers, strict=True)
            ]
            tasks_file = out / "tasks" / f"{queue}.json"
            tasks_file.parent.mkdir(parents=True, exist_ok=True)
            tasks_file.write_text(json.dumps(tasks), encoding="utf-8")
            projects.append(
                {
                    "id": pid,
                    "title": title,
                    "queue": queue,
                    "sop": sop.ref,
                    "sop_file": str(SOP_FILES[queue]),
                    "labelers": len(team),
                    "items": len(tasks),
                    "annotations": sum(len(a) for a in answers),
                    "skipped": sum(1 for anns in answers for a in anns if a.label is None),
                    "tasks_file": str(tasks_file),
                    "reused": reused,
                }
            )
    result = {
        "projects": projects,
        "labelers": len(crew),
        "roster": str(roster),
        "gold_file": str(out / "gold" / "marketplace-gold.jsonl"),
        "gold_items": len(gold_rows),
        "gold_sop": LISTINGS_SOP.ref,
        "seed": seed_value,
    }
    (out / "seed.json").write_text(json.dumps(result, indent=2))
    return result


# -- import ----------------------------------------------------------------------------------
class _GoldAnswers:
    """The ``annotate`` callback of inject_gold: the marketplace team answers the batch.

    Ordinary listings already carry their simulated annotations; a gold copy gets 2-3 labelers
    of the team (by throughput, not ones who answered that gold item before), each answering
    with their own accuracy, confusions, speed and skips, exactly as on an ordinary listing.
    """

    def __init__(
        self,
        team: list[SimulatedLabeler],
        users: dict[str, int],
        gold_labels: dict[int, str],
        classes: list[str],
        to_name: str,
        rng: np.random.Generator,
    ) -> None:
        self.team, self.users, self.gold_labels = team, users, gold_labels
        self.classes, self.to_name, self.rng = classes, to_name, rng
        self.seen: dict[int, set[int]] = {}
        self.weights = np.array([1.0 / c.speed for c in team])
        self.copies = 0
        self.answers = 0

    def __call__(self, payloads: list[dict[str, Any]], marks: list[int | None]) -> None:
        for p, gid in zip(payloads, marks, strict=True):
            if gid is None:
                continue
            seen = self.seen.setdefault(gid, set())
            free = [j for j in range(len(self.team)) if j not in seen]
            k = min(int(self.rng.integers(2, 4)), len(free))
            w = self.weights[free] / self.weights[free].sum()
            who = [free[int(j)] for j in self.rng.choice(len(free), size=k, replace=False, p=w)]
            seen.update(who)
            answers = [
                simulate_annotations(
                    [self.gold_labels[gid]], [self.team[j]], self.classes, (1, 1), self.rng
                )[0][0]._replace(labeler=j)
                for j in who
            ]
            p["annotations"] = _task_rows(answers, self.team, self.users, self.to_name)
            self.copies += 1
            self.answers += len(answers)


def import_items(out: Path, rate: float) -> dict[str, Any]:
    """Import the seeded items into the (empty) LS projects; the marketplace through gold
    injection. Needs the queues added and their SOPs published (scripts/demo does both)."""
    from labelqa.context import AppContext
    from labelqa.services.connect import connector_for
    from labelqa.services.gold import inject_gold
    from labelqa.services.sync import sync_queue
    from labelqa.settings import get_settings
    from labelqa.store.models import GoldItem
    from labelqa.store.repositories.sources import get_queue

    info = json.loads((out / "seed.json").read_text())
    crew, assignment = workforce(np.random.default_rng(info["seed"]))
    rng = np.random.default_rng(info["seed"] + 1)
    done_file = out / "import.json"
    previous = json.loads(done_file.read_text()) if done_file.exists() else {}
    result: dict[str, Any] = {"projects": []}
    ctx = AppContext(get_settings())
    try:
        for proj in info["projects"]:
            if proj["reused"] and proj["queue"] in previous:
                print(f"  {proj['queue']}: LS project {proj['id']} already imported", flush=True)
                result["projects"].append(previous[proj["queue"]])
                continue
            tasks: list[dict[str, Any]] = json.loads(Path(proj["tasks_file"]).read_text())
            t0 = time.monotonic()
            row = {
                "queue": proj["queue"],
                "id": proj["id"],
                "items": len(tasks),
                "annotations": proj["annotations"],
                "gold_copies": 0,
                "gold_answers": 0,
                "batches": 1,
            }
            with ctx.sessions() as s:
                queue = get_queue(s, proj["queue"])
                with connector_for(queue.source, ctx.settings) as conn:
                    if proj["queue"] != LISTINGS_QUEUE:
                        import_tasks(conn, proj["id"], tasks, batch=1000)
                    else:
                        users = {u.email: u.ls_id for u in conn.list_users()}
                        gold_labels = {int(g.id): g.labels[0] for g in s.query(GoldItem).all()}
                        team = _team(crew, assignment, 0)
                        answer = _GoldAnswers(
                            team,
                            {c.email: users[c.email.lower()] for c in team},
                            gold_labels,
                            list(LISTINGS_SOP.class_values),
                            LISTINGS_SOP.task.fields[0].name,
                            rng,
                        )
                        n_batches = max(1, math.ceil(len(tasks) / INJECT_BATCH))
                        size = math.ceil(len(tasks) / n_batches)
                        for b in range(n_batches):
                            if b:  # who has seen which gold item: the next plan needs it
                                sync_queue(s, get_queue(s, proj["queue"]), conn, ctx.settings)
                            res = inject_gold(
                                s,
                                conn,
                                proj["queue"],
                                rate=rate,
                                max_exposure=MAX_EXPOSURE,
                                ordinary=tasks[b * size : (b + 1) * size],
                                seed=int(rng.integers(1 << 31)),
                                actor="demo",
                                annotate=answer,
                            )
                            print(
                                f"  {proj['queue']} batch {b + 1}/{n_batches}: "
                                f"{res.ordinary_covered} listings + {res.gold_copies} hidden "
                                f"gold copies (pool {res.pool_size}) in one LS import",
                                flush=True,
                            )
                        row |= {
                            "items": len(tasks) + answer.copies,
                            "annotations": proj["annotations"] + answer.answers,
                            "gold_copies": answer.copies,
                            "gold_answers": answer.answers,
                            "batches": n_batches,
                        }
            print(
                f"  {proj['queue']}: {row['items']} tasks, {row['annotations']} annotations "
                f"imported into LS project {proj['id']} in {time.monotonic() - t0:.1f} s",
                flush=True,
            )
            result["projects"].append(row)
    finally:
        ctx.dispose()
    done_file.write_text(json.dumps({p["queue"]: p for p in result["projects"]}, indent=2))
    return result


# -- summary ---------------------------------------------------------------------------------
def summary() -> dict[str, Any]:
    """Counts per queue and per vendor, SOPs and gold from the store named by LABELQA_*."""
    from labelqa.context import AppContext
    from labelqa.services.gold import gold_status
    from labelqa.settings import get_settings
    from labelqa.store.models import SOPVersion
    from labelqa.store.repositories import sops as sop_repo
    from labelqa.store.repositories.overview import labeler_breakdown, queue_overview
    from labelqa.store.repositories.sources import get_queue

    ctx = AppContext(get_settings())
    try:
        with ctx.sessions() as s:
            queues = []
            gold: dict[str, Any] = {}
            for q in queue_overview(s):
                pubs = sop_repo.publications(s, get_queue(s, q.name).id)
                sop = None
                if pubs:
                    v = s.get_one(SOPVersion, pubs[-1].sop_version_id)
                    sop = f"{v.key}@{v.version}"
                queues.append(
                    {
                        "name": q.name,
                        "items": q.items,
                        "annotations": q.annotations,
                        "skipped": q.skipped,
                        "labelers": q.labelers,
                        "sop": sop,
                    }
                )
                if q.name == LISTINGS_QUEUE and sop:
                    st = gold_status(s, q.name)
                    scored = st["labelers"]
                    gold = {
                        "gold_queue": q.name,
                        "gold_items": st["gold_items_active"],
                        "gold_copies": st["gold_copies"],
                        "gold_answers": st["answers_scored"],
                        "gold_labelers_scored": len(scored),
                        "gold_labelers_with_interval": sum(
                            1 for r in scored if r["ci_low"] <= r["accuracy"] <= r["ci_high"]
                        ),
                        "gold_min_n": min((r["n"] for r in scored), default=0),
                        "gold_qualification": {
                            k: sum(1 for r in scored if r["qualification"] == k)
                            for k in ("qualified", "in_progress", "failed")
                        },
                        "gold_recalibrate": len(st["recalibrate"]),
                    }
            groups = labeler_breakdown(s)
    finally:
        ctx.dispose()
    vendors: dict[str, dict[str, Any]] = {}
    for g in groups:
        v = vendors.setdefault(
            g.vendor or NO_VENDOR,
            {"labelers": 0, "annotations": 0, "sites": set(), "markets": set()},
        )
        v["labelers"] += g.labelers
        v["annotations"] += g.annotations
        v["sites"] |= {g.site} - {None}
        v["markets"] |= {g.market} - {None}
    return {
        "queues": queues,
        "vendors": [
            {
                "name": k,
                "labelers": v["labelers"],
                "annotations": v["annotations"],
                "sites": len(v["sites"]),
                "markets": len(v["markets"]),
            }
            for k, v in sorted(vendors.items())
        ],
        "totals": {
            "queues": len(queues),
            "items": sum(q["items"] for q in queues),
            "annotations": sum(q["annotations"] for q in queues),
            "labelers": sum(v["labelers"] for k, v in vendors.items() if k != NO_VENDOR),
            "labelers_not_in_roster": vendors.get(NO_VENDOR, {}).get("labelers", 0),
            "vendors": len(set(vendors) - {NO_VENDOR}),
            "markets": len({m for v in vendors.values() for m in v["markets"]}),
            "sops": {q["name"]: q["sop"] for q in queues},
        }
        | gold,
    }


def _print_summary(data: dict[str, Any]) -> None:
    row = "{:45} {:>7} {:>12} {:>8} {:>9}  {}".format
    print(row("queue", "items", "annotations", "skipped", "labelers", "SOP"))
    for q in data["queues"]:
        print(row(q["name"], q["items"], q["annotations"], q["skipped"], q["labelers"], q["sop"]))
    print()
    row = "{:45} {:>7} {:>12} {:>8} {:>9}".format
    print(row("vendor", "sites", "markets", "labelers", "annotations"))
    for v in data["vendors"]:
        print(row(v["name"], v["sites"], v["markets"], v["labelers"], v["annotations"]))
    t = data["totals"]
    print(
        f"\ntotal: {t['queues']} queues, {t['items']} items, {t['annotations']} annotations, "
        f"{t['labelers']} labelers in the roster from {t['vendors']} vendors and {t['markets']} "
        f"markets (+{t['labelers_not_in_roster']} LS users not in the roster, e.g. the LS admin)"
    )
    if "gold_items" in t:
        q = t["gold_qualification"]
        print(
            f"gold ({t['gold_queue']}): {t['gold_items']} gold items, {t['gold_copies']} hidden "
            f"copies, {t['gold_answers']} answers scored; {t['gold_labelers_scored']} labelers "
            f"scored (n >= {t['gold_min_n']} each, 95% intervals): {q['qualified']} qualified, "
            f"{q['in_progress']} in progress, {q['failed']} failed, {t['gold_recalibrate']} "
            "to recalibrate"
        )
    print(
        "DEMO_SUMMARY "
        + json.dumps(t | {"queues_detail": data["queues"], "vendors_detail": data["vendors"]})
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--url", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--out", required=True, type=Path)
    s.add_argument("--small", action="store_true")
    s.add_argument("--seed", type=int, default=20240601)
    s.add_argument("--reuse", action="store_true", help="keep LS projects that hold tasks")
    i = sub.add_parser("import")
    i.add_argument("--out", required=True, type=Path)
    i.add_argument("--rate", type=float, default=GOLD_RATE)
    sub.add_parser("summary")
    a = p.parse_args(argv)
    if a.cmd == "seed":
        res = seed(a.url, a.token, a.out, a.small, a.seed, a.reuse)
        print("DEMO_SEED " + json.dumps(res), flush=True)
    elif a.cmd == "import":
        print("DEMO_IMPORT " + json.dumps(import_items(a.out, a.rate)), flush=True)
    else:
        _print_summary(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
