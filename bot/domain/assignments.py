"""Assigned tests (专项测试) as plain values: the assignment and a member's first result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Assignment:
    """A bank assigned to everyone or to departments, with a deadline."""

    id: int
    bank_id: str
    departments: tuple[str, ...] | None  # None: everyone
    question_count: int
    deadline: datetime
    created_by: int
    created_at: datetime

    def is_for(self, department_id: str | None) -> bool:
        """Whether a member of this department is in the assignment's audience."""
        return self.departments is None or department_id in self.departments


@dataclass(frozen=True)
class AssignmentResult:
    """A member's first completion of an assignment (retakes do not overwrite it)."""

    correct: int
    total: int
    completed_at: datetime
