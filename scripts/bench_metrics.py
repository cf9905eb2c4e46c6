"""Benchmark labelqa.metrics against peer libraries on a synthetic annotation workload.

Usage: python scripts/bench_metrics.py [--annotations 900000] [--labelers 1000]

Workload: annotations / 3 items, each labelled by 3 distinct labelers drawn uniformly from
``--labelers``; 5 classes with skewed prevalence; each labeler has an accuracy drawn from
U(0.5, 0.97) and otherwise picks a wrong class uniformly; rows shuffled (arrival order).
Items and labelers are int ids, labels strings, as synced from Label Studio.

Every piece is timed for ours (starting from the long DataFrame) and for its peer in the same
run, and the values are checked to agree:

- accuracy with Wilson CIs per labeler vs pandas groupby + statsmodels proportion_confint;
- all-pairs Cohen's kappa vs scikit-learn cohen_kappa_score on sampled pairs, extrapolated to
  all pairs (only the sklearn call is timed; pair extraction is free for the peer);
- Fleiss' kappa vs statsmodels aggregate_raters + fleiss_kappa (items x raters matrix built
  with pandas/numpy, build time excluded; a reference row includes it);
- Krippendorff's alpha (nominal) vs krippendorff.alpha on its labeler x item reliability
  matrix (build time excluded), and, for reference, on value_counts (built by us, excluded);
- Dawid-Skene, 20 EM iterations, vs crowd-kit DawidSkene(n_iter=20).

Timing: every figure is the median of ``--repeat`` runs (default 15) after one warm-up run,
taken the same way for ours and its peer (3 runs, no warm-up, for the slow peers: the kappa
sample, the alpha matrix and Dawid-Skene), so load from other work on the machine does not
decide a ratio. Accuracy and Fleiss, whose runs take milliseconds, alternate ours and peer
run by run so both see the same load.

Peers are given the benefit of the doubt: their input conversion is not timed. "ours s" is
timed end to end from the DataFrame, each piece on its own (each re-encodes the frame);
"shared" is the piece alone on an already encoded frame; the "whole set" line times all five
from the DataFrame sharing one ``encode_annotations`` call (the way a KPI run uses them).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import labelqa.metrics as lm

NAMES = np.array(["spam", "scam", "hate", "ok", "adult"])
PREVALENCE = np.array([0.4, 0.25, 0.15, 0.12, 0.08])


def make_workload(
    n_annotations: int, n_labelers: int, seed: int = 0
) -> tuple[pd.DataFrame, pd.Series]:
    """Synthetic long frame (item, labeler, label) and gold Series item -> label."""
    rng = np.random.default_rng(seed)
    n_items = n_annotations // 3
    k = NAMES.size
    first = rng.integers(0, n_labelers, n_items)
    d1 = rng.integers(1, n_labelers, n_items)
    d2 = rng.integers(1, n_labelers - 1, n_items)
    d2 = d2 + (d2 >= d1)
    labeler = np.stack([first, (first + d1) % n_labelers, (first + d2) % n_labelers], 1).ravel()
    item = np.repeat(np.arange(n_items), 3)
    truth = rng.choice(k, n_items, p=PREVALENCE)
    skill = rng.uniform(0.5, 0.97, n_labelers)
    right = rng.random(item.size) < skill[labeler]
    wrong = (truth[item] + rng.integers(1, k, item.size)) % k
    label = np.where(right, truth[item], wrong)
    perm = rng.permutation(item.size)
    ann = pd.DataFrame(
        {
            "item": item[perm] + 1_000_000,
            "labeler": labeler[perm] + 1,
            "label": pd.array(NAMES[label[perm]], dtype="str"),
        }
    )
    gold = pd.Series(NAMES[truth], index=np.arange(n_items) + 1_000_000)
    return ann, gold


REPEAT = 15  # timed runs per piece for ours and its peer alike (--repeat)
SLOW_REPEAT = 3  # for pieces whose peer takes seconds (alpha matrix, Dawid-Skene)


def timed(
    fn: Callable[[], Any], repeat: int | None = None, *, warmup: bool = True
) -> tuple[float, Any]:
    """Median wall time of ``repeat`` runs (after one untimed warm-up run), and the output.

    Ours and every peer are timed through this same function with the same ``repeat``, so a
    burst of load from other work on the machine moves a single run, not the reported figure.
    """
    out = fn() if warmup else None
    times = []
    for _ in range(REPEAT if repeat is None else repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def timed_pair(
    ours: Callable[[], Any], peer: Callable[[], Any], repeat: int | None = None
) -> tuple[float, Any, float, Any]:
    """Median times (and outputs) of ours and its peer, run interleaved after a warm-up of each.

    Alternating the runs (ours, peer, peer, ours, ...) exposes both to the same load from other
    work on the machine, so the ratio of the medians is stable even when absolute times move.
    """
    out_o, out_p = ours(), peer()
    t_o: list[float] = []
    t_p: list[float] = []
    for i in range(REPEAT if repeat is None else repeat):
        for fn, times in ((ours, t_o), (peer, t_p))[:: 1 if i % 2 == 0 else -1]:
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
            if times is t_o:
                out_o = out
            else:
                out_p = out
    return float(np.median(t_o)), out_o, float(np.median(t_p)), out_p


def check(name: str, ok: bool, detail: str) -> bool:
    print(f"  check {name:<28} {'OK ' if ok else 'FAIL'} {detail}")
    return ok


def main(argv: list[str] | None = None) -> int:
    global REPEAT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=900_000)
    parser.add_argument("--labelers", type=int, default=1000)
    parser.add_argument("--kappa-sample", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="timed runs per piece")
    args = parser.parse_args(argv)
    REPEAT = max(1, args.repeat)

    ann, gold = make_workload(args.annotations, args.labelers, args.seed)
    print(
        f"workload: {len(ann):,} annotations, {ann.item.nunique():,} items, "
        f"{ann.labeler.nunique():,} labelers, {ann.label.nunique()} classes"
    )
    rows: list[tuple[str, float, float]] = []
    good = True

    # --- accuracy with Wilson intervals --------------------------------------------------
    from statsmodels.stats.proportion import proportion_confint

    def peer_accuracy() -> pd.DataFrame:
        right = ann["label"].to_numpy() == ann["item"].map(gold).to_numpy()
        agg = pd.DataFrame({"labeler": ann["labeler"], "right": right}).groupby("labeler")
        res = agg["right"].agg(["size", "sum"])
        low, high = proportion_confint(res["sum"], res["size"], alpha=0.05, method="wilson")
        return res.assign(ci_low=low, ci_high=high)

    t_ours, ours, t_peer, peer = timed_pair(lambda: lm.accuracy(ann, gold), peer_accuracy)
    rows.append(("accuracy + Wilson CI (statsmodels)", t_ours, t_peer))
    diff = max(
        np.abs(ours["ci_low"].to_numpy() - peer["ci_low"].to_numpy()).max(),
        np.abs(ours["ci_high"].to_numpy() - peer["ci_high"].to_numpy()).max(),
    )
    good &= check(
        "accuracy",
        bool((ours["correct"].to_numpy() == peer["sum"].to_numpy()).all() and diff < 1e-9),
        f"max CI diff {diff:.1e}",
    )

    # --- all-pairs Cohen's kappa -----------------------------------------------------------
    from sklearn.metrics import cohen_kappa_score

    t_ours, pairs = timed(lambda: lm.cohen_kappa_pairs(ann))
    rng = np.random.default_rng(1)
    eligible = pairs.index[pairs["n"] >= 3].to_numpy()
    sample = pairs.loc[rng.choice(eligible, args.kappa_sample, replace=False)]
    by_labeler = {k: g.set_index("item")["label"] for k, g in ann.groupby("labeler")}
    inputs = []
    for a, b in zip(sample["labeler_a"], sample["labeler_b"], strict=True):
        la, lb = by_labeler[a], by_labeler[b]
        shared = la.index.intersection(lb.index)
        inputs.append((la.loc[shared].to_numpy(), lb.loc[shared].to_numpy()))

    def peer_kappa_sample() -> np.ndarray:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # sklearn warns on pairs where kappa is undefined
            return np.array([cohen_kappa_score(x, y) for x, y in inputs])

    t_sample, ref = timed(peer_kappa_sample, SLOW_REPEAT)
    per_pair = t_sample / len(inputs)
    rows.append(
        (f"cohen kappa, {len(pairs):,} pairs (sklearn, extrap.)", t_ours, per_pair * len(pairs))
    )
    got = sample["kappa"].to_numpy()
    both = np.isfinite(ref) & np.isfinite(got)
    diff = float(np.abs(got[both] - ref[both]).max())
    same_nan = bool((np.isfinite(ref) == np.isfinite(got)).all())
    good &= check("cohen_kappa_pairs", diff < 1e-9 and same_nan, f"max diff {diff:.1e}")

    # --- Fleiss' kappa ---------------------------------------------------------------------
    from statsmodels.stats.inter_rater import aggregate_raters
    from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

    def long_to_wide() -> np.ndarray:
        # (items x 3 raters) matrix of label codes, the input statsmodels expects
        label_codes = pd.factorize(ann["label"], sort=True)[0]
        slot = ann.groupby("item").cumcount().to_numpy()
        item_codes = pd.factorize(ann["item"], sort=True)[0]
        wide = np.empty((item_codes.max() + 1, 3), dtype=np.int64)
        wide[item_codes, slot] = label_codes
        return wide

    wide = long_to_wide()
    t_ours, ours_f, t_peer, peer_f = timed_pair(
        lambda: lm.fleiss_kappa(ann), lambda: sm_fleiss(aggregate_raters(wide)[0])
    )
    rows.append(("fleiss kappa (statsmodels)", t_ours, t_peer))
    diff = abs(ours_f.value - peer_f)
    good &= check("fleiss_kappa", diff < 1e-9, f"diff {diff:.1e}")
    t_ours_c, _, t_conv, _ = timed_pair(
        lambda: lm.fleiss_kappa(ann), lambda: sm_fleiss(aggregate_raters(long_to_wide())[0])
    )
    rows.append(("  (reference: statsmodels incl. long->wide)", t_ours_c, t_conv))
    codes = pd.Series(pd.factorize(ann["label"], sort=True)[0])
    item_codes = pd.factorize(ann["item"], sort=True)[0]

    # --- Krippendorff's alpha --------------------------------------------------------------
    import krippendorff

    lab_codes = pd.factorize(ann["labeler"], sort=True)[0]

    def peer_alpha_matrix() -> tuple[float, float]:
        # labeler x item reliability matrix (2.4 GB at full size); its build is not timed
        rel = np.full((lab_codes.max() + 1, item_codes.max() + 1), np.nan)
        rel[lab_codes, item_codes] = codes.to_numpy()
        return timed(
            lambda: krippendorff.alpha(
                reliability_data=rel, level_of_measurement="nominal", value_domain=np.arange(5)
            ),
            SLOW_REPEAT,
            warmup=False,
        )

    t_ours, ours_a = timed(lambda: lm.krippendorff_alpha(ann))
    t_peer, peer_a = peer_alpha_matrix()
    rows.append(("krippendorff alpha (krippendorff, matrix)", t_ours, t_peer))
    diff = abs(ours_a.value - peer_a)
    good &= check("krippendorff_alpha", diff < 1e-9, f"diff {diff:.1e}")
    vc = np.zeros((item_codes.max() + 1, 5), dtype=np.int64)
    np.add.at(vc, (item_codes, codes.to_numpy()), 1)
    t_vc, peer_vc = timed(
        lambda: krippendorff.alpha(value_counts=vc, level_of_measurement="nominal")
    )
    rows.append(("  (reference: krippendorff on value_counts)", t_ours, t_vc))
    diff = abs(ours_a.value - peer_vc)
    good &= check("krippendorff_alpha (vc)", diff < 1e-9, f"diff {diff:.1e}")

    # --- Dawid-Skene -----------------------------------------------------------------------
    from crowdkit.aggregation import DawidSkene as CKDawidSkene

    ck_input = ann.rename(columns={"item": "task", "labeler": "worker"})[
        ["task", "worker", "label"]
    ]
    t_ours, ds = timed(
        lambda: lm.DawidSkene(n_iter=20, tol=0.0).fit(ann), SLOW_REPEAT, warmup=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # crowd-kit's pandas deprecation warnings
        t_peer, ck = timed(
            lambda: CKDawidSkene(n_iter=20, tol=-np.inf).fit(ck_input), SLOW_REPEAT, warmup=False
        )
    rows.append(("dawid-skene 20 iter (crowd-kit)", t_ours, t_peer))
    same = float((ds.labels_.sort_index() == ck.labels_.sort_index()).mean())
    good &= check("dawid_skene", same >= 0.99, f"same consensus on {same:.4%} of items")
    truth_match = float((ds.labels_.sort_index() == gold.sort_index()).mean())
    print(f"  (dawid-skene recovers gold on {truth_match:.2%} of items)")

    # --- the same pieces on a shared encoding (fresh per run, so nothing is cached) --------
    def on_fresh_encoding(fn: Callable[[lm.EncodedAnnotations], Any], repeat: int = 0) -> float:
        times = []
        for _ in range(repeat or REPEAT):
            enc = lm.encode_annotations(ann)
            t0 = time.perf_counter()
            fn(enc)
            times.append(time.perf_counter() - t0)
        return float(np.median(times))

    t_encode, _ = timed(lambda: lm.encode_annotations(ann))
    warm = [
        on_fresh_encoding(lambda e: lm.accuracy(e, gold)),
        on_fresh_encoding(lambda e: lm.cohen_kappa_pairs(e)),
        on_fresh_encoding(lambda e: lm.fleiss_kappa(e)),
        float("nan"),
        on_fresh_encoding(lambda e: lm.krippendorff_alpha(e)),
        float("nan"),
        on_fresh_encoding(lambda e: lm.DawidSkene(n_iter=20, tol=0.0).fit(e), SLOW_REPEAT),
    ]

    def whole() -> None:
        enc = lm.encode_annotations(ann)
        lm.accuracy(enc, gold)
        lm.cohen_kappa_pairs(enc)
        lm.fleiss_kappa(enc)
        lm.krippendorff_alpha(enc)
        lm.DawidSkene(n_iter=20, tol=0.0).fit(enc)

    t_whole, _ = timed(whole)
    main_rows = [r for r in rows if not r[0].startswith("  ")]
    peer_total = sum(p for _, _, p in main_rows)
    ours_total = sum(o for _, o, _ in main_rows)

    print()
    print(
        f"times: median of {REPEAT} runs per piece ({SLOW_REPEAT} for the kappa sample, the "
        "alpha matrix and Dawid-Skene, without warm-up), ours and peer alike;"
        "\naccuracy and fleiss interleave ours and peer run by run"
    )
    print(f"{'piece (peer)':<46} {'ours s':>8} {'shared':>8} {'peer s':>10} {'ratio':>8}")
    for (name, o, p), w in zip(rows, warm, strict=True):
        shared = "" if np.isnan(w) else f"{w:8.3f}"
        print(f"{name:<46} {o:8.3f} {shared:>8} {p:10.3f} {p / o:7.1f}x")
    print(f"{'encode_annotations (once, shared)':<46} {'':>8} {t_encode:8.3f}")
    print(
        f"{'sum of pieces, each from the DataFrame':<46} {ours_total:8.3f} {'':>8} "
        f"{peer_total:10.3f} {peer_total / ours_total:7.1f}x"
    )
    print(f"{'whole set on one shared encoding':<46} {t_whole:8.3f}")
    print(f"values agree: {'yes' if good else 'NO'}")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
