#!/usr/bin/env python3
"""Build the demo in a running Label Studio, and summarise the demo store (used by scripts/demo).

``seed``: two LS projects ("Marketplace listings — prohibited items" and "Comments —
harassment & hate"), ~40 simulated labelers from three vendors (two sites each, three markets)
created as LS users, a few thousand items with 2-3 annotations each bulk-imported with
``completed_by`` and ``lead_time`` (a handful skipped), a roster CSV for ``labelqa labelers
import``, and the true labels in ``truth/`` (never written into Label Studio, which shows every
task field to labelers). Projects that already hold the expected number of items are reused.

``summary``: counts per queue and per vendor read from the LabelQA store, printed as a table
and as one ``DEMO_SUMMARY {json}`` line.

Usage::

    python scripts/demo_seed.py seed --url URL --token TOKEN --out DIR [--small] [--seed N]
    python scripts/demo_seed.py summary
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from connectors.label_studio.client import LabelStudioConnector
from connectors.label_studio.seed import choice_result, create_project, ensure_users, import_tasks
from labelqa.simulation import SimulatedLabeler, make_workforce, simulate_annotations

VENDORS = {
    "Northwind BPO": ["Manila", "Cebu"],
    "Bluepeak Solutions": ["Nairobi", "Lisbon"],
    "Meridian Data Services": ["Bogota", "Krakow"],
}
MARKETS = ["en-US", "de-DE", "pt-BR"]
N_LABELERS = 40
SIZES = {"full": (2400, 1800), "small": (1150, 900)}

NO_VENDOR = "(not in roster)"
LISTINGS = "Marketplace listings — prohibited items"
COMMENTS = "Comments — harassment & hate"


def _choices(classes: list[str]) -> str:
    return "".join(f'<Choice value="{c}"/>' for c in classes)


LISTING_CLASSES = ["allowed", "weapons", "drugs", "counterfeit", "adult", "other"]
LISTING_PRIOR = [0.60, 0.08, 0.08, 0.13, 0.05, 0.06]
LISTING_CONFIG = (
    '<View><Header value="$title"/><Text name="text" value="$description"/>'
    '<Text name="meta" value="$price"/>'
    '<Choices name="label" toName="text" choice="single" showInline="true">'
    f"{_choices(LISTING_CLASSES)}</Choices></View>"
)
COMMENT_CLASSES = ["none", "insult", "harassment", "hate_speech", "threat", "spam"]
COMMENT_PRIOR = [0.55, 0.14, 0.10, 0.06, 0.04, 0.11]
COMMENT_CONFIG = (
    '<View><Text name="text" value="$comment"/>'
    '<Choices name="label" toName="text" choice="single" showInline="true">'
    f"{_choices(COMMENT_CLASSES)}</Choices></View>"
)
CONFUSIONS = [
    ("counterfeit", "allowed"),
    ("weapons", "other"),
    ("adult", "allowed"),
    ("insult", "harassment"),
    ("harassment", "insult"),
    ("hate_speech", "harassment"),
    ("threat", "harassment"),
    ("spam", "none"),
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
    ],
    "weapons": [
        (
            "Tactical folding knife, spring assisted",
            "Locking blade, belt clip. No questions asked.",
        ),
        ("Air rifle .22 with scope", "Powerful, takes pellets. Cash only, meet in person."),
        ("Brass knuckles, heavy duty", "Solid metal, fits most hands. Discreet shipping."),
        ("Replacement trigger kit for {brand} pistol", "Drop-in, no gunsmith needed."),
    ],
    "drugs": [
        ("Relaxing herbal mix, very strong", "Not for human consumption ;) DM for bulk prices."),
        ("Study helper pills, 30 count", "Focus all night, no prescription needed."),
        ("Glass pipe set + grinder", "For tobacco use only. Comes with 50 g of 'tea'."),
        ("CBD gummies 5000mg extra potent", "Ships in unmarked packaging, tracking included."),
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
            "{brand} sneakers, factory variant",
            "Unauthorised factory run, all sizes ({size}) in stock.",
        ),
        ("Football jerseys, replica 1:1", "Club badges stitched, wholesale available."),
    ],
    "adult": [
        ("Private content subscription, 18+", "Message me for the link. Adults only."),
        ("Adult toys bundle, unused", "Still sealed. Discreet delivery."),
        ("Companionship for the evening", "Rates by the hour, DM for details."),
    ],
    "other": [
        ("Concert ticket resale, 4x face value", "Sold out show, transfer by screenshot only."),
        ("Pet monkey, very friendly", "Comes with cage, no papers."),
        ("Unlocked phone, found on the train", "Works fine, no charger. Cheap."),
        ("Student ID cards, any university", "Realistic, fast turnaround."),
    ],
}
_BRANDS = ["Levon", "Nordvik", "Altura", "Casella", "Riverstone", "Maison Korr"]
_SIZES = ["S", "M", "L", "38", "42", "44"]

_COMMENT_TEXT: dict[str, list[str]] = {
    "none": [
        "Great write-up, thanks for the {topic} tips!",
        "I disagree with the second point, the data on {topic} says otherwise.",
        "Does anyone know if this works on the older model?",
        "Ordered last week, arrived on time. Happy with it.",
        "The {topic} section could use a source, but otherwise solid.",
        "lol my cat did exactly the same thing",
    ],
    "insult": [
        "Only an idiot would believe this {topic} nonsense.",
        "You clearly have no clue what you're talking about, clown.",
        "What a pathetic take. Log off.",
    ],
    "harassment": [
        "@{user} I found your other account, you can't hide from me.",
        "Everyone go to @{user}'s profile and tell them what you think of them.",
        "@{user} you again? Nobody wants you in this thread, leave or we'll make you.",
    ],
    "hate_speech": [
        "[group slur] like you ruin every {topic} thread.",
        "People from [protected group] shouldn't be allowed to post here.",
        "Typical [protected group], always [dehumanizing comparison].",
    ],
    "threat": [
        "Keep talking, @{user}, I know where you work.",
        "Say that again and you'll [violent act] by Friday.",
    ],
    "spam": [
        "Earn $500/day from home!!! Click my profile for {topic} secrets",
        "Cheap followers and likes, visit [link] now",
        "FREE gift cards, first 100 only -> [link]",
    ],
}
_TOPICS = ["budget", "gardening", "battery", "travel", "football", "crypto", "recipe"]


def _listing(i: int, label: str, rng: np.random.Generator) -> dict[str, Any]:
    opts = _LISTING_TEXT[label]
    title, body = opts[int(rng.integers(len(opts)))]
    fill = {
        "brand": _BRANDS[int(rng.integers(len(_BRANDS)))],
        "size": _SIZES[int(rng.integers(len(_SIZES)))],
    }
    price = float(np.round(rng.lognormal(3.5, 1.0), 2))
    return {
        "listing_id": f"L-{100000 + i}",
        "title": title.format(**fill),
        "description": body.format(**fill),
        "price": f"${price:,.2f}",
    }


def _comment(i: int, label: str, rng: np.random.Generator) -> dict[str, Any]:
    opts = _COMMENT_TEXT[label]
    text = opts[int(rng.integers(len(opts)))]
    fill = {
        "topic": _TOPICS[int(rng.integers(len(_TOPICS)))],
        "user": f"user{int(rng.integers(1000, 9999))}",
    }
    return {"comment_id": f"C-{500000 + i}", "comment": text.format(**fill)}


def workforce(rng: np.random.Generator) -> tuple[list[SimulatedLabeler], np.ndarray]:
    """The demo's labelers, and which queue(s) each works in (0 listings, 1 comments, 2 both)."""
    crew = make_workforce(N_LABELERS, list(VENDORS), VENDORS, MARKETS, rng, confusions=CONFUSIONS)
    # a handful of skips across the whole demo, not one in fifty
    crew = [dataclasses.replace(c, skip_rate=round(c.skip_rate / 6, 4)) for c in crew]
    assignment = rng.choice(3, size=len(crew), p=[0.4, 0.35, 0.25])
    return crew, assignment


def _find_project(conn: LabelStudioConnector, title: str) -> tuple[int, int] | None:
    projects: list[Any] = conn._sdk(
        lambda: list(conn.sdk.projects.list(page_size=100)), "listing projects"
    )
    for p in projects:
        if p.title == title:
            return int(p.id or 0), int(p.task_number or 0)
    return None


def _build_queue(
    conn: LabelStudioConnector,
    out: Path,
    title: str,
    config: str,
    classes: list[str],
    prior: list[float],
    make_data: Any,
    n_items: int,
    crew: list[SimulatedLabeler],
    users: dict[str, int],
    rng: np.random.Generator,
) -> dict[str, Any]:
    truth_idx = rng.choice(len(classes), size=n_items, p=prior)
    truth = [classes[k] for k in truth_idx]
    data = [make_data(i, t, rng) for i, t in enumerate(truth)]
    answers = simulate_annotations(truth, crew, classes, per_item=(2, 3), rng=rng)
    n_ann = sum(len(a) for a in answers)
    n_skipped = sum(1 for anns in answers for a in anns if a.label is None)
    key = next(iter(data[0]))
    truth_path = out / "truth" / f"{'listings' if title == LISTINGS else 'comments'}.csv"
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    with truth_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([key, "true_label"])
        w.writerows((d[key], t) for d, t in zip(data, truth, strict=True))

    found = _find_project(conn, title)
    if found and found[1] == n_items:
        print(f"  reusing LS project {found[0]} {title!r} ({n_items} items)", flush=True)
        return {
            "id": found[0],
            "title": title,
            "items": n_items,
            "annotations": n_ann,
            "skipped": n_skipped,
            "reused": True,
        }
    if found:
        conn._sdk(
            lambda: conn.sdk.projects.delete(id=found[0]), f"deleting stale project {title!r}"
        )
    pid = create_project(
        conn,
        title,
        config,
        maximum_annotations=3,
        description="LabelQA demo: simulated labelers, synthetic items.",
    )
    tasks = []
    for d, anns in zip(data, answers, strict=True):
        rows = []
        for a in anns:
            uid = users[crew[a.labeler].email]
            if a.label is None:
                rows.append(
                    {
                        "result": [],
                        "was_cancelled": True,
                        "completed_by": uid,
                        "lead_time": a.lead_time,
                    }
                )
            else:
                rows.append(
                    {
                        "result": choice_result(a.label),
                        "completed_by": uid,
                        "lead_time": a.lead_time,
                    }
                )
        tasks.append({"data": d, "annotations": rows})
    t0 = time.monotonic()
    import_tasks(conn, pid, tasks, batch=1000)
    print(
        f"  LS project {pid} {title!r}: {n_items} items, {n_ann} annotations "
        f"({n_skipped} skipped) imported in {time.monotonic() - t0:.1f} s",
        flush=True,
    )
    return {
        "id": pid,
        "title": title,
        "items": n_items,
        "annotations": n_ann,
        "skipped": n_skipped,
        "reused": False,
    }


def seed(url: str, token: str, out: Path, small: bool, seed_value: int) -> dict[str, Any]:
    """Create (or reuse) the demo's LS projects and users; write roster and truth files."""
    rng = np.random.default_rng(seed_value)
    out.mkdir(parents=True, exist_ok=True)
    crew, assignment = workforce(rng)
    start = date(2023, 3, 1)
    roster = out / "roster.csv"
    with roster.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["email", "vendor", "site", "market", "start_date", "name"])
        for c in crew:
            days = int(rng.integers(0, 900))
            w.writerow(
                [
                    c.email,
                    c.vendor,
                    c.site,
                    c.market,
                    (start + timedelta(days=days)).isoformat(),
                    c.email.split("@")[0].replace(".", " ").title(),
                ]
            )
    (out / "truth").mkdir(exist_ok=True)
    with (out / "truth" / "labelers.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["email", "accuracy", "median_seconds", "skip_rate", "queues"])
        for c, a in zip(crew, assignment, strict=True):
            w.writerow(
                [c.email, c.accuracy, c.speed, c.skip_rate, ["listings", "comments", "both"][a]]
            )

    small_key = "small" if small else "full"
    n_listings, n_comments = SIZES[small_key]
    with LabelStudioConnector(url, token, timeout=300) as conn:
        t0 = time.monotonic()
        users = ensure_users(conn, [c.email for c in crew])
        print(f"  {len(users)} LS users ready ({time.monotonic() - t0:.1f} s)", flush=True)
        projects: list[dict[str, Any]] = []
        for title, config, classes, prior, make, n, which in (
            (LISTINGS, LISTING_CONFIG, LISTING_CLASSES, LISTING_PRIOR, _listing, n_listings, 0),
            (COMMENTS, COMMENT_CONFIG, COMMENT_CLASSES, COMMENT_PRIOR, _comment, n_comments, 1),
        ):
            idx = [i for i, a in enumerate(assignment) if a in (which, 2)]
            team = [crew[i] for i in idx]
            projects.append(
                _build_queue(conn, out, title, config, classes, prior, make, n, team, users, rng)
            )
    result = {"projects": projects, "labelers": len(crew), "roster": str(roster)}
    (out / "seed.json").write_text(json.dumps(result, indent=2))
    return result


def summary() -> dict[str, Any]:
    """Counts per queue and per vendor from the store named by the LABELQA_* environment."""
    from labelqa.context import AppContext
    from labelqa.settings import get_settings
    from labelqa.store.repositories.overview import labeler_breakdown, queue_overview

    ctx = AppContext(get_settings())
    try:
        with ctx.sessions() as s:
            queues = [
                {
                    "name": q.name,
                    "items": q.items,
                    "annotations": q.annotations,
                    "skipped": q.skipped,
                    "labelers": q.labelers,
                }
                for q in queue_overview(s)
            ]
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
        },
    }


def _print_summary(data: dict[str, Any]) -> None:
    row = "{:45} {:>7} {:>12} {:>8} {:>9}".format
    print(row("queue", "items", "annotations", "skipped", "labelers"))
    for q in data["queues"]:
        print(row(q["name"], q["items"], q["annotations"], q["skipped"], q["labelers"]))
    print()
    print(row("vendor", "sites", "markets", "labelers", "annotations"))
    for v in data["vendors"]:
        print(row(v["name"], v["sites"], v["markets"], v["labelers"], v["annotations"]))
    t = data["totals"]
    print(
        f"\ntotal: {t['queues']} queues, {t['items']} items, {t['annotations']} annotations, "
        f"{t['labelers']} labelers in the roster from {t['vendors']} vendors and {t['markets']} "
        f"markets (+{t['labelers_not_in_roster']} LS users not in the roster, e.g. the LS admin)"
    )
    print(
        "DEMO_SUMMARY "
        + json.dumps(
            data["totals"] | {"queues_detail": data["queues"], "vendors_detail": data["vendors"]}
        )
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
    sub.add_parser("summary")
    a = p.parse_args(argv)
    if a.cmd == "seed":
        res = seed(a.url, a.token, a.out, a.small, a.seed)
        print("DEMO_SEED " + json.dumps(res), flush=True)
    else:
        _print_summary(summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
