"""Consensus labels: majority vote and Dawid-Skene (1979) EM over labeler confusion matrices.

Both work on the long annotation frame and are vectorised over annotations: majority vote is a
count per (item, category); each Dawid-Skene EM step is two sparse products between the
(items x labeler-label) incidence matrix and dense (x, K) matrices.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

from labelqa.metrics._frame import EncodedAnnotations, FloatArray, IntArray, encode_annotations

__all__ = ["DawidSkene", "TieBreak", "majority_vote"]

TieBreak = Literal["random", "first", "prevalence"]
_TIE_BREAKS = ("random", "first", "prevalence")
_EPS = 1e-10


def _empty_check(enc: EncodedAnnotations, what: str) -> None:
    if enc.n_annotations == 0:
        raise ValueError(f"{what}: ann is empty; expected rows with columns item, labeler, label")


def majority_vote(
    ann: pd.DataFrame | EncodedAnnotations,
    *,
    tie_break: TieBreak = "random",
    seed: int | None = 0,
    categories: Iterable[Hashable] | None = None,
) -> pd.DataFrame:
    """Most frequent label per item.

    Returns a DataFrame indexed by item with ``label``, ``votes`` (labels for it), ``n``
    (labels on the item), ``share`` = votes / n in (0, 1] and ``tied`` (another category had
    as many votes). Ties are broken by ``tie_break``: "random" (uniform among the tied
    categories, reproducible with ``seed``), "first" (first in category order) or
    "prevalence" (the category most used overall, then category order). An empty ``ann``
    gives an empty frame.
    """
    if tie_break not in _TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {list(_TIE_BREAKS)}; got {tie_break!r}")
    enc = encode_annotations(ann, categories=categories)
    k = enc.n_categories
    row, col, votes = _nonzero_counts(enc)
    starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]]) if row.size else row
    if row.size == 0:
        return pd.DataFrame(
            {
                "label": pd.Series(dtype=object),
                "votes": pd.Series(dtype=np.int64),
                "n": pd.Series(dtype=np.int64),
                "share": pd.Series(dtype=float),
                "tied": pd.Series(dtype=bool),
            },
            index=pd.Index([], name="item"),
        )
    best = np.maximum.reduceat(votes, starts)[row]
    is_max = votes == best
    n_max = np.add.reduceat(is_max.astype(np.int64), starts)
    if tie_break == "random":
        score = np.random.default_rng(seed).random(votes.size)
    elif tie_break == "first":
        score = -col.astype(np.float64)
    else:
        prevalence = np.bincount(enc.label, minlength=k).astype(np.float64)
        rank = np.empty(k)
        rank[np.lexsort((np.arange(k), -prevalence))] = np.arange(k)
        score = -rank[col]
    score = np.where(is_max, score, -np.inf)
    top = np.maximum.reduceat(score, starts)[row]
    chosen = np.flatnonzero(is_max & (score == top))
    items = row[chosen]
    n = enc.item_sizes[items]
    return pd.DataFrame(
        {
            "label": enc.categories.take(col[chosen]),
            "votes": votes[chosen].astype(np.int64),
            "n": n.astype(np.int64),
            "share": votes[chosen] / n,
            "tied": n_max > 1,
        },
        index=pd.Index(enc.items.take(items), name="item"),
    )


def _nonzero_counts(enc: EncodedAnnotations) -> tuple[IntArray, IntArray, IntArray]:
    """(item, category, count) of every non-zero count, sorted by item then category."""
    if enc.n_annotations == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, empty
    counts = enc.counts
    if sp.issparse(counts):
        csr: Any = counts
        row = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        return row, csr.indices.astype(np.intp), csr.data.astype(np.intp)
    row, col = np.nonzero(counts)
    return row.astype(np.intp), col.astype(np.intp), counts[row, col].astype(np.intp)


class DawidSkene:
    """Dawid & Skene (1979) latent-class model fitted by EM, scikit-learn style.

    Parameters: ``n_iter`` (max EM iterations, >= 1), ``tol`` (stop when the mean
    log-likelihood per annotation improves by less than this, >= 0), ``categories``.
    Initialised from majority-vote shares, like crowd-kit.

    Learned attributes after :meth:`fit`:

    - ``labels_``: Series item -> most probable label (first category on exact ties);
    - ``probas_``: DataFrame (N items x K categories) of posterior probabilities, rows sum to 1;
    - ``priors_``: Series category -> prevalence;
    - ``confusions_``: DataFrame indexed by (labeler, true category), one column per given
      label: P(labeler gives label | true category); each row sums to 1, so each labeler has a
      K x K matrix ``confusions_.loc[labeler]``;
    - ``skills_``: Series labeler -> expected accuracy sum_c prior_c P(c | c), in [0, 1];
    - ``n_iter_``: EM iterations run; ``log_likelihood_``: mean log-likelihood per annotation
      after each iteration.
    """

    def __init__(
        self,
        n_iter: int = 100,
        tol: float = 1e-5,
        *,
        categories: Iterable[Hashable] | None = None,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.categories = categories

    def fit(self, ann: pd.DataFrame | EncodedAnnotations) -> DawidSkene:
        """Fit on the long annotation frame; returns self. ValueError on an empty frame."""
        if int(self.n_iter) != self.n_iter or self.n_iter < 1:
            raise ValueError(f"n_iter must be an integer >= 1; got {self.n_iter!r}")
        if not self.tol >= 0:
            raise ValueError(f"tol must be >= 0; got {self.tol!r}")
        enc = encode_annotations(ann, categories=self.categories)
        _empty_check(enc, "DawidSkene.fit")
        n, w, k = enc.n_items, enc.n_labelers, enc.n_categories
        col = enc.labeler * k + enc.label
        ones = np.ones(enc.n_annotations)
        incidence = sp.csr_matrix((ones, (enc.item, col)), shape=(n, w * k))
        incidence_t = incidence.T  # CSC: fast products with contiguous vectors

        counts = np.bincount(enc.item * k + enc.label, minlength=n * k).reshape(n, k)
        post = np.ascontiguousarray((counts / counts.sum(axis=1, keepdims=True)).T)
        priors, errors = self._m_step(incidence_t, post, w, k)
        history: list[float] = []
        it = 0
        for it in range(1, int(self.n_iter) + 1):  # noqa: B007
            post, loglik = self._e_step(incidence, priors, errors, enc.n_annotations)
            priors, errors = self._m_step(incidence_t, post, w, k)
            history.append(loglik)
            if len(history) > 1 and history[-1] - history[-2] < self.tol:
                break

        cats = enc.categories
        items = pd.Index(enc.items, name="item")
        post = post.T
        self.probas_ = pd.DataFrame(post, index=items, columns=pd.Index(cats, name="label"))
        self.labels_ = pd.Series(cats.take(post.argmax(axis=1)), index=items, name="label")
        self.priors_ = pd.Series(priors, index=pd.Index(cats, name="label"), name="prior")
        # errors[w, observed, true] -> confusion[w, true, observed]
        conf = errors.transpose(0, 2, 1)
        mi = pd.MultiIndex.from_product([enc.labelers, cats], names=["labeler", "true"])
        self.confusions_ = pd.DataFrame(
            conf.reshape(w * k, k), index=mi, columns=pd.Index(cats, name="label")
        )
        diag = np.diagonal(conf, axis1=1, axis2=2)
        self.skills_ = pd.Series(
            diag @ priors, index=pd.Index(enc.labelers, name="labeler"), name="skill"
        )
        self.n_iter_ = it
        self.log_likelihood_ = history
        return self

    def fit_predict(self, ann: pd.DataFrame | EncodedAnnotations) -> pd.Series:
        """Fit and return ``labels_`` (Series item -> label)."""
        return self.fit(ann).labels_

    @staticmethod
    def _m_step(
        incidence_t: sp.csc_matrix, post_t: FloatArray, w: int, k: int
    ) -> tuple[FloatArray, NDArray[np.float64]]:
        """Priors (K,) and error matrices errors[w, observed, true], columns summing to 1.

        ``post_t`` holds the posteriors transposed, shape (K, N).
        """
        priors = np.maximum(post_t.mean(axis=1), _EPS)
        flat = np.empty((w * k, k))
        for c in range(k):  # K products over all annotations, not a loop over items
            flat[:, c] = incidence_t @ post_t[c]
        errors = flat.reshape(w, k, k)
        np.maximum(errors, _EPS, out=errors)
        errors /= errors.sum(axis=1, keepdims=True)
        return priors, errors

    @staticmethod
    def _e_step(
        incidence: sp.csr_matrix, priors: FloatArray, errors: NDArray[np.float64], n_ann: int
    ) -> tuple[FloatArray, float]:
        """Posteriors transposed (K, N) and the mean log-likelihood per annotation.

        Works in (K, N) layout so reductions over the K categories are contiguous.
        """
        k = priors.size
        log_lik = np.ascontiguousarray(np.asarray(incidence @ np.log(errors).reshape(-1, k)).T)
        log_lik += np.log(priors)[:, None]
        top = log_lik.max(axis=0)
        log_lik -= top
        post = np.exp(log_lik, out=log_lik)
        norm = post.sum(axis=0)
        post /= norm
        loglik = float(np.log(norm).sum() + top.sum()) / n_ann
        return post, loglik
