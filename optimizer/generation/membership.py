"""How a coalition model's numbers depend on membership: inferred from ``numbers(masks)``.

A :class:`~fairpool.optimizer.coalitions.CompiledCoalitionModel` says what each coalition puts
into its programme (``numbers(masks)``), not how. The separation MILP
(:mod:`fairpool.optimizer.generation.separation`) needs the "how" as a function of the
membership vector z ∈ {0,1}^n, and it must not copy a family's formulas, so it infers it:
each coalition-dependent number (an entry of ``column_cost``, ``column_lower``,
``column_upper``, ``row_lower``, ``row_upper``) is read as

* affine:  value(S) = base + Σ_{i∈S} d_i, where a d_i may be ±inf (the number becomes ±inf once
  i is in: e.g. an unlimited budget pooled into a coalition's budget), or
* all-of:  value(S) = on if R ⊆ S else off (e.g. a project allowed only when all its hosts are
  members),

from the numbers of ∅, the singletons {i}, N and the complements N∖{i} (2n + 2 coalitions:
base = value(∅), d_i = value({i}) − base; off = value(∅), on = value(N), i ∈ R iff
value(N∖{i}) ≠ on), and then verified against ``numbers`` on every mask (n ≤ 12) or on
4096 random masks plus the singletons and their complements. A number that fits neither form
is refused with a :class:`~fairpool.optimizer.errors.SolverError` that says to enumerate.

Example: the pooled budget of parties with budgets (2, 3, inf) is affine with base 0 and
d = (2, 3, inf); "hosts {0, 2} are in" is all-of with R = {0, 2}, on = 1, off = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from fairpool.optimizer.coalitions.compiled import CoalitionNumbers, CompiledCoalitionModel
from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import RELATIVE_TOLERANCE, membership_matrix

if TYPE_CHECKING:
    from fairpool.optimizer.solve import CompiledProgram

FIELDS = ("column_cost", "column_lower", "column_upper", "row_lower", "row_upper")
"""The coalition-dependent fields of :class:`CoalitionNumbers`, in the order they are read."""

FULL_CHECK_PLAYERS = 12
"""Up to this many parties the inferred forms are verified on every mask."""

SAMPLE_MASKS = 4096
"""Random masks the inferred forms are verified on beyond :data:`FULL_CHECK_PLAYERS`."""


@dataclass(frozen=True)
class Dependence:
    """How one coalition-dependent number depends on membership (inferred, then verified).

    ``kind`` "affine": value(S) = ``base`` + Σ_{i∈S} ``increments[i]`` (an increment ±inf
    makes the value ±inf once i is in); "all_of": value(S) = ``on`` if ``required`` ⊆ S else
    ``off`` (``base`` = ``off``).
    """

    kind: Literal["affine", "all_of"]
    base: float
    increments: np.ndarray
    on: float = 0.0
    required: int = 0

    @property
    def constant(self) -> bool:
        """True when the number is the same for every coalition."""
        return self.kind == "affine" and not np.any(self.increments)


def _affine_predict(base: np.ndarray, increments: np.ndarray, members: np.ndarray) -> np.ndarray:
    """base + members @ increments per (mask, entry), ±inf where a member's increment is."""
    finite = np.where(np.isfinite(increments), increments, 0.0)
    values = base[None, :] + members @ finite
    up = members @ (increments == np.inf).astype(float) > 0
    down = members @ (increments == -np.inf).astype(float) > 0
    values = np.where(up, np.inf, values)
    values = np.where(down, -np.inf, values)
    return np.where(up & down, np.nan, values)


def _close(predicted: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Per entry (column): predicted equals actual on every mask, relative to the entry's
    largest finite magnitude (:data:`RELATIVE_TOLERANCE`); infinities must match exactly."""
    magnitude = np.where(np.isfinite(actual), np.abs(actual), 0.0).max(axis=0, initial=0.0)
    slack = RELATIVE_TOLERANCE * magnitude
    same_infinity = (predicted == actual) & np.isinf(actual)
    with np.errstate(invalid="ignore"):
        near = np.abs(predicted - actual) <= slack[None, :]
    return np.all(same_infinity | (near & np.isfinite(actual) & np.isfinite(predicted)), axis=0)


def _numbers_field(numbers: CoalitionNumbers, name: str, rows: int) -> np.ndarray | None:
    """A field as a (masks × entries) array, or None when absent."""
    array = getattr(numbers, name)
    if array is None:
        return None
    array = np.asarray(array, dtype=np.float64)
    return np.broadcast_to(array, (rows, array.shape[-1])) if array.ndim == 1 else array


def verification_masks(n: int, seed: int = 0) -> np.ndarray:
    """Every mask for n ≤ :data:`FULL_CHECK_PLAYERS`; else ∅, N, the singletons, their
    complements and :data:`SAMPLE_MASKS` random masks."""
    if n <= FULL_CHECK_PLAYERS:
        return np.arange(1 << n, dtype=np.int64)
    grand = (1 << n) - 1
    singles = np.left_shift(1, np.arange(n, dtype=np.int64))
    random = np.random.default_rng(seed).integers(0, grand, SAMPLE_MASKS, endpoint=True)
    return np.unique(np.concatenate([[0, grand], singles, grand ^ singles, random]))


def infer_dependence(
    model: CompiledCoalitionModel, masks: np.ndarray | None = None
) -> dict[str, list[Dependence]]:
    """For every field of ``model.numbers`` that varies by coalition, each entry's
    :class:`Dependence`, from the numbers of ∅, the singletons, N and the complements
    N∖{i}, verified on ``masks`` (default :func:`verification_masks`).

    Affine is tried first (it needs no auxiliary variable), all-of second. Raises
    :class:`SolverError` naming the first entry that fits neither.
    """
    n = len(model.players)
    grand = (1 << n) - 1
    singles = np.left_shift(1, np.arange(n, dtype=np.int64))
    probes = np.concatenate([[0], singles, [grand], grand ^ singles]).astype(np.int64)
    probe_numbers = model.numbers(probes)
    masks = verification_masks(n) if masks is None else np.asarray(masks, dtype=np.int64)
    sample_numbers = model.numbers(masks)
    members = membership_matrix(masks, n)
    forms: dict[str, list[Dependence]] = {}
    for name in FIELDS:
        probe = _numbers_field(probe_numbers, name, len(probes))
        actual = _numbers_field(sample_numbers, name, len(masks))
        if probe is None or actual is None or np.ndim(getattr(probe_numbers, name)) == 1:
            continue
        empty, single, full, complement = probe[0], probe[1 : n + 1], probe[n + 1], probe[n + 2 :]
        with np.errstate(invalid="ignore"):
            increments = np.where(single == empty[None, :], 0.0, single - empty[None, :])
        affine = _close(_affine_predict(empty, increments, members), actual)
        needed = complement != full[None, :]  # i ∈ R iff N∖{i} falls back to "off"
        required = (needed * singles[:, None]).sum(axis=0).astype(np.int64)
        inside = (masks[:, None] & required[None, :]) == required[None, :]
        all_of = _close(np.where(inside, full[None, :], empty[None, :]), actual)
        field_forms = []
        for entry in range(actual.shape[1]):
            if affine[entry] and not np.isnan(increments[:, entry]).any():
                field_forms.append(
                    Dependence("affine", float(empty[entry]), increments[:, entry].copy())
                )
            elif all_of[entry]:
                field_forms.append(
                    Dependence(
                        "all_of",
                        float(empty[entry]),
                        np.zeros(n),
                        on=float(full[entry]),
                        required=int(required[entry]),
                    )
                )
            else:
                raise SolverError(
                    f"the coalition model cannot be separated by one MILP: entry {entry} of "
                    f"{name} depends on the coalition neither additively nor as 'all of a "
                    "set of parties'. Use the enumerated game (all coalitions) instead."
                )
        forms[name] = field_forms
    return forms


def envelope(form: Dependence) -> tuple[float, float]:
    """(smallest, largest) value a number takes over all coalitions."""
    if form.kind == "all_of":
        return min(form.base, form.on), max(form.base, form.on)
    d = form.increments
    with np.errstate(invalid="ignore"):
        return form.base + float(d[d < 0].sum()), form.base + float(d[d > 0].sum())


def program_rows(program: CompiledProgram) -> list[dict[int, float]]:
    """The programme's constraint matrix row by row: {column: coefficient} per row."""
    outer = len(program.row_lower) if program.rowwise else len(program.column_cost)
    starts = np.append(np.asarray(program.starts[:outer], dtype=np.int64), len(program.indices))
    owner = np.repeat(np.arange(outer), np.diff(starts))
    inner = np.asarray(program.indices, dtype=np.int64)
    row_of, column_of = (owner, inner) if program.rowwise else (inner, owner)
    result: list[dict[int, float]] = [{} for _ in range(len(program.row_lower))]
    for r, j, a in zip(row_of.tolist(), column_of.tolist(), program.values.tolist(), strict=True):
        result[r][j] = a
    return result


__all__ = [
    "FIELDS",
    "Dependence",
    "envelope",
    "infer_dependence",
    "program_rows",
    "verification_masks",
]
