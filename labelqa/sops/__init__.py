"""Versioned labeling SOPs: parse, validate, diff, translate labels, compile for Label Studio.

Pure: no database, no network, no settings. The only I/O is :func:`load_sop` reading a file.

```
text ──parse_sop──► SOP ──validate(previous)──► SOP
                     ├──compile_label_config──► Label Studio XML
                     ├──compile_instructions / render_html──► sanitized HTML
                     ├──diff(old, new)──► SOPDiff
                     └──LabelTranslator([...]).translate(label, v1, v2)──► str | Untranslatable
```
"""

from labelqa.sops.diff import ClassChange, RuleChange, SOPDiff, TaskChange, diff
from labelqa.sops.errors import SOPIssue, SOPValidationError
from labelqa.sops.instructions import compile_instructions, render_html
from labelqa.sops.label_config import compile_label_config
from labelqa.sops.models import (
    CONTROL_NAME,
    FIELD_KINDS,
    SOP,
    STATUSES,
    TASK_TYPES,
    ChangelogEntry,
    DecisionRule,
    LabelMapping,
    SOPClass,
    TaskField,
    TaskSpec,
)
from labelqa.sops.parse import load_sop, parse_sop
from labelqa.sops.sanitize import sanitize_html
from labelqa.sops.semver import Version, parse_version
from labelqa.sops.translate import LabelTranslator, Translation, Untranslatable, translate_label
from labelqa.sops.validate import check, check_text, validate

__all__ = [
    "CONTROL_NAME",
    "FIELD_KINDS",
    "SOP",
    "STATUSES",
    "TASK_TYPES",
    "ChangelogEntry",
    "ClassChange",
    "DecisionRule",
    "LabelMapping",
    "LabelTranslator",
    "RuleChange",
    "SOPClass",
    "SOPDiff",
    "SOPIssue",
    "SOPValidationError",
    "TaskChange",
    "TaskField",
    "TaskSpec",
    "Translation",
    "Untranslatable",
    "Version",
    "check",
    "check_text",
    "compile_instructions",
    "compile_label_config",
    "diff",
    "load_sop",
    "parse_sop",
    "parse_version",
    "render_html",
    "sanitize_html",
    "translate_label",
    "validate",
]
