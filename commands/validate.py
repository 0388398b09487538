"""``fairpool validate``: every problem of a case workbook in one pass, then whether its rules
can hold together.

Reading a case (:func:`fairpool.commands.running.read_case`) reports, in one
:class:`~fairpool.optimizer.errors.CaseError` (exit 2), what the reader could not read and
what the family's checks find in the rest; checks that need a broken cell wait, and the error
names them. A case that reads cleanly is then asked whether its negotiated rules can hold
together at all, by the feasibility LP ``solve`` uses: rules that cannot (two parties each
with a 0.6 minimum share) are an :class:`~fairpool.optimizer.errors.InfeasibleError` naming
the conflicting rows, exit 3, as ``solve`` would exit. Only the joint park has rules rows
that conflict whatever the coalition values are; the core (``core = hard``) and the
infrastructure family's requirements depend on v(S), which ``validate`` does not compute:
``solve`` reports those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fairpool.models import AnyFamily
    from fairpool.models.family import Case
    from fairpool.optimizer.errors import InfeasibleError


@dataclass(frozen=True)
class Validation:
    """A case that passed: its family, the case, and which rule checks ran."""

    family: AnyFamily
    case: Case
    rules_checked: bool

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self.case.warnings)


def rule_check(model: str) -> Callable[[Any], InfeasibleError | None] | None:
    """The family's check that its rules can hold together, if it has one."""
    if model == "joint_park":
        from fairpool.models.joint_park.checks import check_rules_hold

        return check_rules_hold
    return None


def validate_case(file: Path) -> Validation:
    """Read and check ``file``; raises :class:`~fairpool.optimizer.errors.CaseError` (every
    problem at once) or :class:`~fairpool.optimizer.errors.InfeasibleError` (rules that
    cannot hold together, one problem per conflicting row)."""
    from fairpool.commands.running import read_case
    from fairpool.optimizer.game import MAX_PLAYERS

    family, case = read_case(file)
    check = rule_check(family.name)
    checked = check is not None and len(case.parties) <= MAX_PLAYERS  # the LP's dense game
    if check is not None and checked:
        conflict = check(case)
        if conflict is not None:
            raise conflict
    return Validation(family, case, checked)


def validation_document(file: Path, validation: Validation) -> dict[str, Any]:
    """The JSON document of a valid case: ``valid``, ``file``, ``model``, ``case`` {name,
    unit}, ``parties`` [{id, name}], ``rules_checked`` (whether the rules were checked for
    conflicts) and ``warnings``."""
    case = validation.case
    return {
        "valid": True,
        "file": file.name,
        "model": validation.family.name,
        "case": {"name": case.name, "unit": case.unit},
        "parties": [
            {"id": p, "name": name} for p, name in zip(case.parties, case.party_names, strict=True)
        ],
        "rules_checked": validation.rules_checked,
        "warnings": list(validation.warnings),
    }


__all__ = ["Validation", "rule_check", "validate_case", "validation_document"]
