"""Located SOP problems and the one exception that carries them.

```
ValueError
 └── SOPValidationError      .issues: list[SOPIssue]
```

Every problem found while parsing or validating an SOP document is an :class:`SOPIssue` naming
the file, the field (a dotted path such as ``classes[2].value``), the 1-based line in the file
when it is known, and what is wrong. Parsing and validation collect all issues they can find and
raise one :class:`SOPValidationError` holding them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SOPIssue", "SOPValidationError"]


@dataclass(frozen=True)
class SOPIssue:
    """One problem in an SOP document: where it is and what is wrong."""

    file: str | None
    field: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file or "<sop>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


class SOPValidationError(ValueError):
    """An SOP document failed to parse or validate; ``issues`` lists every problem found."""

    def __init__(self, issues: Iterable[SOPIssue]) -> None:
        self.issues: list[SOPIssue] = list(issues)
        if not self.issues:
            raise ValueError("SOPValidationError needs at least one SOPIssue")
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in SOP"
        super().__init__("\n".join([head, *(f"  {issue}" for issue in self.issues)]))

    @property
    def fields(self) -> list[str]:
        """The field paths of all issues, in order (handy in tests and CLI summaries)."""
        return [issue.field for issue in self.issues]
