"""Validation and integer encoding of the long annotation frame.

Every metric takes ``ann``: a long pandas DataFrame with one row per annotation and columns
``item``, ``labeler`` and ``label`` (optionally ``created_at``, ``lead_time`` and any labeler
attribute). :func:`encode_annotations` turns it into integer codes once; every public metric
accepts either the DataFrame or the :class:`EncodedAnnotations`, so a caller computing several
metrics on one frame pays for the encoding once.

Encoding rules (shared by all metrics):

- ``item`` and ``labeler`` must not be missing; their codes follow the sorted order of their
  values (first-appearance order when the values are not mutually comparable), so results do
  not depend on row order. They are encoded lazily, on first use: a metric that never looks
  at labeler identity (Fleiss' kappa, alpha) never pays for it.
- Rows whose ``label`` is missing (None/NaN) are treated as missing data and dropped.
- Categories: ``categories=`` when given (its order is the category order, and a label outside
  it is a ValueError); otherwise the sorted distinct labels (numeric labels sort by value), or
  the categories of a Categorical column.
- Several labels by one labeler on one item are kept as they are; only
  :func:`~labelqa.metrics.cohen_kappa_pairs` rejects them. :func:`latest_per_labeler` keeps the
  latest per (item, labeler).

Factorization avoids hashing where it can (it is most of the cost of a metric on a fresh
frame): integer ids spanning a small range are coded through a lookup table, and pyarrow-backed
strings of at most 7 bytes (typical class names) are packed, exactly, into one 64-bit key each
through Arrow's string-view layout before hashing; anything else goes to ``pd.factorize``.
"""

from __future__ import annotations

import sys
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray

__all__ = ["REQUIRED_COLUMNS", "EncodedAnnotations", "encode_annotations", "latest_per_labeler"]

REQUIRED_COLUMNS = ("item", "labeler", "label")

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
# (N, K) label counts: dense when small, CSR otherwise (scipy has no stubs: Any to mypy).
Counts: TypeAlias = FloatArray | sp.csr_matrix

# Largest number of cells (items x categories) held as a dense count matrix.
_DENSE_CELLS = 1 << 25

# Longest string (in UTF-8 bytes) packed into a single 64-bit key by _factorize_short_strings.
_SHORT_STRING = 7


@dataclass(frozen=True, eq=False)
class EncodedAnnotations:
    """A long annotation frame as integer codes (n = annotations kept).

    ``label`` is an int array of shape (n,) indexing ``categories``; ``item`` and ``labeler``
    (shape (n,), indexing ``items`` and ``labelers``) are computed on first access and then
    kept. ``ordered`` says whether the category order is meaningful (numeric labels,
    ``categories=`` given, or an ordered Categorical); ``numeric`` whether the categories are
    numbers. ``source`` is the frame encoded and ``rows`` the positions of its kept rows (None
    when every row was kept).
    """

    label: IntArray
    categories: pd.Index
    ordered: bool
    numeric: bool
    source: pd.DataFrame
    rows: IntArray | None

    @cached_property
    def _item_codes(self) -> tuple[IntArray, pd.Index]:
        return _factorize(self._kept("item"))

    @cached_property
    def _labeler_codes(self) -> tuple[IntArray, pd.Index]:
        return _factorize(self._kept("labeler"))

    @property
    def item(self) -> IntArray:
        """Item code per annotation, shape (n,)."""
        return self._item_codes[0]

    @property
    def items(self) -> pd.Index:
        """Distinct items (N), sorted when comparable."""
        return self._item_codes[1]

    @property
    def labeler(self) -> IntArray:
        """Labeler code per annotation, shape (n,)."""
        return self._labeler_codes[0]

    @property
    def labelers(self) -> pd.Index:
        """Distinct labelers (W), sorted when comparable."""
        return self._labeler_codes[1]

    @property
    def n_annotations(self) -> int:
        """Number of annotations (rows kept)."""
        return int(self.label.shape[0])

    @property
    def n_items(self) -> int:
        """Number of distinct items (N)."""
        return len(self.items)

    @property
    def n_labelers(self) -> int:
        """Number of distinct labelers (W)."""
        return len(self.labelers)

    @property
    def n_categories(self) -> int:
        """Number of categories (K)."""
        return len(self.categories)

    def _kept(self, name: str) -> pd.Series:
        column = self.source[name]
        return column if self.rows is None else column.iloc[self.rows]

    def source_column(self, name: str) -> NDArray[Any]:
        """Values of a column of the source frame, aligned with the kept rows."""
        if name not in self.source.columns:
            raise ValueError(
                f"column {name!r} not found in ann; expected one of {list(self.source.columns)}"
            )
        values = self.source[name].to_numpy()
        return values if self.rows is None else values[self.rows]

    @cached_property
    def item_sizes(self) -> IntArray:
        """Labels per item, shape (N,)."""
        if "counts" in self.__dict__:  # already built: sum its rows (N x K, not n)
            return row_sums(self.counts).astype(np.intp)
        return np.bincount(self.item, minlength=self.n_items).astype(np.intp)

    @cached_property
    def counts(self) -> Counts:
        """Label counts per item and category, shape (N, K): dense when small, else CSR.

        The dense matrix is column-major (a transposed (K, N) array) so that sums over the
        few categories of each item run as contiguous vector adds.
        """
        n, k = self.n_items, self.n_categories
        if n * k <= _DENSE_CELLS:
            flat = np.bincount(self.label * n + self.item, minlength=n * k)
            return flat.astype(np.float64).reshape(k, n).T
        data = np.ones(self.n_annotations, dtype=np.float64)
        mat = sp.csr_matrix((data, (self.item, self.label)), shape=(n, k))
        mat.sum_duplicates()
        return mat

    @cached_property
    def order(self) -> IntArray:
        """Row positions grouped by item, shape (n,).

        The identity when the frame is already grouped by item (in item order), else sorted by
        (item, labeler).
        """
        item = self.item
        if item.size and bool(np.all(item[1:] >= item[:-1])):
            return np.arange(item.size, dtype=np.intp)
        return np.argsort(self._pair_key).astype(np.intp)

    @property
    def _pair_key(self) -> NDArray[np.int64]:
        return self.item.astype(np.int64) * max(self.n_labelers, 1) + self.labeler

    @cached_property
    def sorted_rows(self) -> tuple[IntArray, IntArray, IntArray]:
        """(item, labeler, label) codes in ``order``, each shape (n,)."""
        key = self._pair_key[self.order]
        w = max(self.n_labelers, 1)
        return (key // w).astype(np.intp), (key % w).astype(np.intp), self.label[self.order]

    @cached_property
    def pairs(self) -> tuple[IntArray, IntArray]:
        """Positions (left, right) in ``order`` of every unordered pair of labels on one item.

        Shape (P,) each,
        P = sum over items of m(m-1)/2. Built in max(m) vectorised passes, pass d pairing
        each row with the row d places after it in the same item.
        """
        item_sorted = self.sorted_rows[0]
        n = item_sorted.size
        if n < 2:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty
        starts = np.flatnonzero(np.r_[True, item_sorted[1:] != item_sorted[:-1]])
        sizes = np.diff(np.r_[starts, n])
        remaining = np.repeat(starts + sizes, sizes) - np.arange(n) - 1  # later rows, same item
        cand = np.flatnonzero(remaining > 0)
        lefts, rights = [], []
        d = 1
        while cand.size:
            lefts.append(cand)
            rights.append(cand + d)
            d += 1
            cand = cand[remaining[cand] >= d]
        if not lefts:
            empty = np.zeros(0, dtype=np.intp)
            return empty, empty
        return np.concatenate(lefts).astype(np.intp), np.concatenate(rights).astype(np.intp)

    def with_categories(self, categories: Iterable[Hashable]) -> EncodedAnnotations:
        """The same annotations recoded against ``categories`` (its order is kept)."""
        cats = _validate_categories(categories)
        position = cats.get_indexer(self.categories)
        if np.any(position < 0):
            missing = list(self.categories[position < 0][:5])
            raise ValueError(f"labels {missing} are not in categories={list(cats)}")
        recoded = EncodedAnnotations(
            label=position[self.label].astype(np.intp),
            categories=cats,
            ordered=True,
            numeric=_is_numeric(cats),
            source=self.source,
            rows=self.rows,
        )
        for lazy in ("_item_codes", "_labeler_codes"):  # share codes already computed
            if lazy in self.__dict__:
                recoded.__dict__[lazy] = self.__dict__[lazy]
        return recoded


def encode_annotations(
    ann: pd.DataFrame | EncodedAnnotations, *, categories: Iterable[Hashable] | None = None
) -> EncodedAnnotations:
    """Validate a long annotation frame and encode it as integer codes.

    ``ann`` has columns item, labeler, label (one row per annotation). Returns an
    :class:`EncodedAnnotations` that every metric accepts in place of the frame.
    """
    if isinstance(ann, EncodedAnnotations):
        return ann if categories is None else ann.with_categories(categories)
    if not isinstance(ann, pd.DataFrame):
        raise ValueError(
            f"ann must be a pandas DataFrame with columns {list(REQUIRED_COLUMNS)}; "
            f"got {type(ann).__name__}"
        )
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in ann.columns]
    if missing_cols:
        raise ValueError(
            f"ann must have columns {list(REQUIRED_COLUMNS)}; missing {missing_cols} "
            f"(got {list(ann.columns)})"
        )
    label_col = ann["label"]
    rows: IntArray | None = None
    if label_col.hasnans:
        rows = np.flatnonzero(label_col.notna().to_numpy()).astype(np.intp)
        label_col = label_col.iloc[rows]
    for col in ("item", "labeler"):
        values = ann[col]
        if values.hasnans and (values if rows is None else values.iloc[rows]).hasnans:
            raise ValueError(f"column {col!r} must not contain missing values")
    label, cats, ordered = _encode_labels(label_col, categories)
    return EncodedAnnotations(
        label=label,
        categories=cats,
        ordered=ordered,
        numeric=_is_numeric(cats),
        source=ann,
        rows=rows,
    )


def latest_per_labeler(ann: pd.DataFrame) -> pd.DataFrame:
    """One annotation per (item, labeler): the latest by ``created_at`` when that column is
    present (ties and frames without it: the last row). Rows keep their original order."""
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in ann.columns]
    if missing_cols:
        raise ValueError(f"ann must have columns {list(REQUIRED_COLUMNS)}; missing {missing_cols}")
    frame = ann
    if "created_at" in ann.columns:
        frame = ann.sort_values("created_at", kind="stable", na_position="first")
    keep = ~frame.duplicated(["item", "labeler"], keep="last")
    return ann.loc[keep.reindex(ann.index).to_numpy()]


def _factorize(values: pd.Series, *, sort: bool = True) -> tuple[IntArray, pd.Index]:
    """Codes and uniques of a column, uniques sorted when comparable (``sort=False``: in order
    of first appearance, as ``pd.factorize``)."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        fast: tuple[IntArray, pd.Index] | None = None
        if sort and pd.api.types.is_integer_dtype(values.dtype):
            fast = _factorize_dense_ints(values.to_numpy())
        elif _is_arrow_string(values.dtype):
            fast = _factorize_short_strings(values, sort=sort)
        if fast is not None:
            return fast
    try:
        codes, uniques = pd.factorize(values, sort=sort)
    except TypeError:
        codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.intp, copy=False), pd.Index(uniques)


def _factorize_dense_ints(arr: NDArray[Any]) -> tuple[IntArray, pd.Index] | None:
    """Sorted factorization of integers spanning a small range, without hashing (ids such as
    Label Studio task and user ids are dense). None when the range is too wide."""
    if arr.size == 0 or arr.dtype.kind not in "iu":
        return None
    lo, hi = int(arr.min()), int(arr.max())
    span = hi - lo + 1
    if span > max(4 * arr.size, 1 << 16):
        return None
    offsets = (arr - arr.dtype.type(lo)).astype(np.intp, copy=False)
    present = np.zeros(span, dtype=bool)
    present[offsets] = True
    remap = np.cumsum(present, dtype=np.intp) - 1
    uniques = (np.flatnonzero(present) + lo).astype(arr.dtype)
    if offsets is not arr:  # a fresh array: recode it in place (one fewer n-sized buffer)
        return np.take(remap, offsets, out=offsets), pd.Index(uniques)
    return remap[offsets], pd.Index(uniques)


def _is_arrow_string(dtype: Any) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return bool(pa.types.is_string(dtype.pyarrow_dtype)) or bool(
            pa.types.is_large_string(dtype.pyarrow_dtype)
        )
    return False


def _factorize_short_strings(values: pd.Series, *, sort: bool) -> tuple[IntArray, pd.Index] | None:
    """Exact factorization of pyarrow-backed strings of at most 7 UTF-8 bytes, without a
    string hash table. None when the column does not qualify (nulls, longer strings, an Arrow
    without string views, a big-endian machine).

    Arrow's string-view layout stores such a string inline in 16 bytes: an int32 length, then
    the bytes, zero padded. The length (3 bits) and the 7 bytes pack into one uint64 key with
    no collision, and ``pd.factorize`` on uint64 keys is several times faster than on strings.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if sys.byteorder != "little" or not hasattr(pa, "string_view"):
        return None
    arr = pa.array(values.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if (
        n == 0
        or arr.null_count
        or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type))
    ):
        return None
    if pc.max(pc.binary_length(arr)).as_py() > _SHORT_STRING:
        return None
    try:
        view = arr.cast(pa.string_view())
    except (pa.ArrowNotImplementedError, pa.ArrowInvalid):  # pragma: no cover - old pyarrow
        return None
    words = np.frombuffer(view.buffers()[1], dtype=np.uint64)
    words = words[2 * view.offset : 2 * (view.offset + n)].reshape(n, 2)
    # bits 0-2: length (< 8), bits 8-31: bytes 4-6, bits 32-63: bytes 0-3
    keys = words[:, 1] & np.uint64(0xFFFFFF)  # in place from here: one n-sized temporary
    np.left_shift(keys, np.uint64(8), out=keys)
    np.bitwise_or(keys, words[:, 0], out=keys)
    codes, ukeys = pd.factorize(keys, sort=False)
    uniques = pd.Index(pd.array(_unpack_short_strings(np.asarray(ukeys)), dtype=values.dtype))
    codes = codes.astype(np.intp, copy=False)
    if sort and len(uniques) > 1:
        order = uniques.argsort()
        if np.any(order != np.arange(order.size)):
            rank = np.empty(order.size, dtype=np.intp)
            rank[order] = np.arange(order.size)
            codes, uniques = np.take(rank, codes, out=codes), uniques.take(order)
    return codes, uniques


def _unpack_short_strings(keys: NDArray[np.uint64]) -> Any:
    """The pyarrow string array of the keys packed by _factorize_short_strings."""
    import pyarrow as pa

    lengths = (keys & np.uint64(7)).astype(np.int64)
    packed = (keys >> np.uint64(32)) | (
        ((keys >> np.uint64(8)) & np.uint64(0xFFFFFF)) << np.uint64(32)
    )
    raw = np.ascontiguousarray(packed, dtype="<u8").view(np.uint8).reshape(-1, 8)
    data = np.ascontiguousarray(raw[np.arange(8) < lengths[:, None]])
    offsets = np.zeros(keys.size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(
        pa.large_string(), int(keys.size), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )


def _is_numeric(index: pd.Index) -> bool:
    return bool(pd.api.types.is_numeric_dtype(index.dtype)) and not pd.api.types.is_bool_dtype(
        index.dtype
    )


def _validate_categories(categories: Iterable[Hashable]) -> pd.Index:
    if isinstance(categories, str | bytes):
        raise ValueError("categories must be a list of labels, not a single string")
    cats = pd.Index(list(categories))
    if len(cats) == 0:
        raise ValueError("categories must list at least one label")
    if cats.has_duplicates:
        raise ValueError(f"categories must be distinct; duplicated {list(cats[cats.duplicated()])}")
    if cats.hasnans:
        raise ValueError("categories must not contain missing values")
    return cats


def _encode_labels(
    labels: pd.Series, categories: Iterable[Hashable] | None
) -> tuple[IntArray, pd.Index, bool]:
    """Label codes, the category index and whether its order is meaningful."""
    dtype = labels.dtype
    if categories is None and isinstance(dtype, pd.CategoricalDtype):
        cats = pd.Index(dtype.categories)
        return labels.cat.codes.to_numpy().astype(np.intp), cats, bool(dtype.ordered)
    codes, uniques = _factorize(labels)
    if categories is None:
        return codes, uniques, _is_numeric(uniques)
    cats = _validate_categories(categories)
    position = cats.get_indexer(uniques)
    if np.any(position < 0):
        missing = list(uniques[position < 0][:5])
        raise ValueError(f"labels {missing} are not in categories={list(cats)}")
    return position[codes].astype(np.intp), cats, True


# ---------------------------------------------------------------------------------------------
# Shared numeric helpers over the (N, K) count matrix, dense ndarray or CSR.


def row_sums(counts: Counts) -> FloatArray:
    """Sum over categories, shape (N,)."""
    return np.asarray(counts.sum(axis=1), dtype=np.float64).ravel()


def row_square_sums(counts: Counts) -> FloatArray:
    """Sum over categories of squared counts, shape (N,)."""
    if sp.issparse(counts):
        return np.asarray(_sparse_square(counts).sum(axis=1), dtype=np.float64).ravel()
    return np.einsum("ij,ij->i", counts, counts)


def weighted_column_sums(counts: Counts, weights: FloatArray) -> FloatArray:
    """sum_i weights[i] * counts[i, k], shape (K,)."""
    return np.asarray(counts.T @ weights, dtype=np.float64).ravel()


def weighted_gram(counts: Counts, weights: FloatArray) -> FloatArray:
    """sum_i weights[i] * outer(counts[i], counts[i]), shape (K, K)."""
    if sp.issparse(counts):
        scaled = sp.diags(weights) @ counts
        return np.asarray((counts.T @ scaled).toarray(), dtype=np.float64)
    return np.asarray(counts.T @ (counts * weights[:, None]), dtype=np.float64)


def weighted_square_column_sums(counts: Counts, weights: FloatArray) -> FloatArray:
    """sum_i weights[i] * counts[i, k]**2, shape (K,)."""
    if sp.issparse(counts):
        return np.asarray(_sparse_square(counts).T @ weights, dtype=np.float64).ravel()
    return np.asarray((counts * counts).T @ weights, dtype=np.float64)


def column_square_sums(counts: Counts) -> FloatArray:
    """Sum over items of squared counts, shape (K,)."""
    if sp.issparse(counts):
        return np.asarray(_sparse_square(counts).sum(axis=0), dtype=np.float64).ravel()
    return np.asarray((counts * counts).sum(axis=0), dtype=np.float64)


def _sparse_square(counts: Any) -> Any:
    return counts.power(2)


def to_dense(counts: Counts) -> FloatArray:
    """The count matrix as a dense float array, shape (N, K); ValueError if too large."""
    if sp.issparse(counts):
        n, k = counts.shape
        if n * k > _DENSE_CELLS:
            raise ValueError(
                f"items x categories = {n} x {k} exceeds {_DENSE_CELLS} cells; "
                "this computation (e.g. ci=True) needs a dense (N, K) count matrix"
            )
        sparse: Any = counts
        return np.asarray(sparse.toarray(), dtype=np.float64)
    return np.asarray(counts, dtype=np.float64)
