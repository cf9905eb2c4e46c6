"""Error path of SOP publishing: when the second project's PATCH fails, the first project is
put back and nothing is stored (a stub connector stands in for LS: the failure cannot be
provoked on demand in a real server between validation and update)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lqa_helpers import row_counts

from connectors.label_studio.client import ProjectInfo
from labelqa.errors import LabelStudioError
from labelqa.security import encrypt
from labelqa.services.sops import publish_sop
from labelqa.store.models import Queue, Source

V1 = (
    Path(__file__).resolve().parents[2] / "sops" / "ecommerce-prohibited-listings" / "v1.0.0.md"
).read_text()


class StubLS:
    """Holds project configs in memory; fails ``update_project`` for one project id."""

    def __init__(self, projects: dict[int, ProjectInfo], fail_on: int) -> None:
        self.projects, self.fail_on, self.updates = projects, fail_on, []

    def validate_label_config(self, project_id: int, label_config: str) -> None:
        pass

    def get_project(self, project_id: int) -> ProjectInfo:
        return self.projects[project_id]

    def update_project(self, project_id, *, label_config, expert_instruction, show_instruction):
        self.updates.append(project_id)
        if project_id == self.fail_on and label_config != self.projects[project_id].label_config:
            raise LabelStudioError(
                f"Label Studio answered 500 while updating project {project_id}."
            )
        p = self.projects[project_id]
        self.projects[project_id] = ProjectInfo(
            p.id, p.title, label_config, p.task_number, expert_instruction, show_instruction
        )
        return self.projects[project_id]

    def close(self) -> None:
        pass


def test_failed_second_update_restores_the_first_and_stores_nothing(ctx):
    with ctx.sessions() as s:
        src = Source(
            name="ls",
            url="http://ls",
            token_encrypted=encrypt("t", ctx.settings.secret_key),
            webhook_secret_encrypted=encrypt("w", ctx.settings.secret_key),
        )
        s.add(src)
        s.flush()
        for pid in (1, 2):
            s.add(Queue(name=f"q{pid}", source_id=src.id, project_id=pid, label_config="<View/>"))
        s.commit()
        before = row_counts(s)
    original = {
        pid: ProjectInfo(pid, f"p{pid}", f"<View id='{pid}'/>", 0, "old", False) for pid in (1, 2)
    }
    stub = StubLS(dict(original), fail_on=2)
    with ctx.sessions() as s, pytest.raises(LabelStudioError, match="project 2"):
        publish_sop(s, ctx.settings, V1, ["q1", "q2"], lambda q: stub, actor="test")  # type: ignore[arg-type,return-value]
    assert stub.projects == original  # project 1 was changed, then put back
    # the failed project is put back too: a timed-out PATCH may still have landed in LS
    assert stub.updates == [1, 2, 2, 1]
    with ctx.sessions() as s:
        assert row_counts(s) == before
