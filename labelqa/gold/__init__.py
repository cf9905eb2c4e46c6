"""Gold sets: hidden injection plans, statistical qualification, re-validation on SOP change.

Pure (numpy/pandas/scipy, no database, no Label Studio, no settings); the service layer
stores gold, imports the planned tasks and syncs answers, and calls these functions.

```
gold pool ──plan_injection(n_ordinary, rate, labelers)──► InjectionPlan ──interleave──► LS tasks
            next_gold_for(labeler) ──► one gold item (rotation)     gold_task_payload(data)
answers ──labelqa.metrics.accuracy──► QualificationRule.decide / recalibration_list
gold + SOP versions ──revalidate_gold──► RevalidationReport (carried / translated / revalidate)
```
"""

from labelqa.gold.injection import (
    InjectionPlan,
    Stratify,
    gold_task_payload,
    next_gold_for,
    plan_injection,
    task_payload,
)
from labelqa.gold.pool import GoldItem, as_gold_pool
from labelqa.gold.qualification import (
    Decision,
    QualificationRule,
    operating_characteristics,
    recalibration_list,
)
from labelqa.gold.revalidation import (
    ALL_REASONS,
    CLASS_REASONS,
    GoldRevalidation,
    RevalidationReport,
    RevalidationStatus,
    revalidate_gold,
)

__all__ = [
    "ALL_REASONS",
    "CLASS_REASONS",
    "Decision",
    "GoldItem",
    "GoldRevalidation",
    "InjectionPlan",
    "QualificationRule",
    "RevalidationReport",
    "RevalidationStatus",
    "Stratify",
    "as_gold_pool",
    "gold_task_payload",
    "next_gold_for",
    "operating_characteristics",
    "plan_injection",
    "recalibration_list",
    "revalidate_gold",
    "task_payload",
]
