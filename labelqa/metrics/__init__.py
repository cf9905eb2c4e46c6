"""Quality metrics over the long annotation frame (pure numpy/pandas, no I/O).

Input everywhere: a pandas DataFrame ``ann`` with one row per annotation and columns
``item``, ``labeler``, ``label`` (optionally ``created_at``, ``lead_time`` and labeler
attributes such as ``vendor``). Every metric also accepts the result of
:func:`encode_annotations`, so several metrics on one frame share one encoding.

Families: accuracy against gold (:mod:`.accuracy`), inter-labeler agreement
(:mod:`.agreement`, :mod:`.alpha`), consensus labels (:mod:`.consensus`), intervals
(:mod:`.intervals`) and audit sampling (:mod:`.sampling`).
"""

from labelqa.metrics._frame import EncodedAnnotations, encode_annotations, latest_per_labeler
from labelqa.metrics.accuracy import accuracy, class_report, confusion
from labelqa.metrics.agreement import (
    AgreementResult,
    cohen_kappa_pairs,
    fleiss_kappa,
    gwet_ac1,
    per_class_agreement,
    percent_agreement,
)
from labelqa.metrics.alpha import krippendorff_alpha
from labelqa.metrics.consensus import DawidSkene, majority_vote
from labelqa.metrics.intervals import (
    clopper_pearson_interval,
    proportion_interval,
    wilson_interval,
)
from labelqa.metrics.sampling import audit_sample_size, margin_of_error, stratified_sample

__all__ = [
    "AgreementResult",
    "DawidSkene",
    "EncodedAnnotations",
    "accuracy",
    "audit_sample_size",
    "class_report",
    "clopper_pearson_interval",
    "cohen_kappa_pairs",
    "confusion",
    "encode_annotations",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "latest_per_labeler",
    "majority_vote",
    "margin_of_error",
    "per_class_agreement",
    "percent_agreement",
    "proportion_interval",
    "stratified_sample",
    "wilson_interval",
]
