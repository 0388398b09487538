"""Separation by one MILP: the coalition a split hurts most, found over membership binaries.

For a compiled coalition model (:class:`~fairpool.optimizer.coalitions.CompiledCoalitionModel`:
one programme whose coalition-dependent numbers come from ``numbers(masks)``) the
:class:`ModelSeparator` answers the :class:`~fairpool.optimizer.generation.oracle.CoalitionOracle`
question

    max over proper, non-empty S (not excluded) of e(S, x)
    e(S, x) = v(S) − x(S)  (benefit: v(S) = max programme)   or   x(S) − c(S)  (cost: min)

with one MILP: the coalition becomes binaries z ∈ {0,1}^n joined to the programme's own
columns y, so that max_z (σ·opt_y f(z, y) − σ·x·z) = max_{z,y} (σ f(z, y) − σ x·z), σ = +1 for
a benefit game (a max programme) and −1 for a cost game (a min programme): the inner optimum
and the outer maximisation point the same way (Hallefjord, Helming & Jørnsten 1995, the
separation step of constraint generation for the nucleolus / least core of an OR game).

No family code is copied: how each coalition-dependent number depends on z is inferred from
``numbers(masks)`` alone and verified (:mod:`fairpool.optimizer.generation.membership`: affine
value(S) = base + Σ_{i∈S} d_i, d_i possibly ±inf, or all-of value(S) = on if R ⊆ S else off).
Both forms are linearised exactly (:meth:`_SeparationBuilder._upper_bound`; a lower bound is
an upper bound on −expr):

* affine bound: a row ``expr − Σ_i d_i z_i ≤ base``;
* all-of bound that relaxes when R joins (upper: on ≥ off): ``expr − (on − off) z_r ≤ off``
  for each r ∈ R; one that tightens: ``expr + (off − on) p ≤ off`` with p ∈ [0, 1],
  p ≥ Σ_{r∈R} z_r − |R| + 1 (p = z_r when |R| = 1);
* an infinite bound (or d_i) is replaced by the expression's largest activity over the column
  bounds (a big-M; refused when unbounded);
* affine costs c_j(z) = c0_j + Σ_i d_ij z_i: d_ij z_i y_j is d_ij y_j when y_j is 0 without i
  (:meth:`_SeparationBuilder.gates`, e.g. i hosts project j), else a column w_ij with the two
  McCormick inequalities that bind in the objective's direction (w ≤ U z, w ≤ y − L(1 − z)
  when maximising helps w; exact for binary z and finite L ≤ y_j ≤ U);
* 1 ≤ Σ z ≤ n − 1; an excluded S gets the no-good cut Σ_{i∈S}(1 − z_i) + Σ_{i∉S} z_i ≥ 1
  (kept in a pool across calls, switched off when no longer excluded);
* a separation over free coalitions only (Zᵀ1_S ≠ 0, :meth:`ModelSeparator.
  most_violated_outside_span`) adds 2 binaries per column of Z for that call only.

All numbers are in the compiled game's unit (its objective divided by ``objective_scale``;
x is divided by the same power of two), ``mip_rel_gap`` 0, ``mip_abs_gap`` 1e-9; HiGHS's
presolve :data:`PRESOLVE`.

Checks: after building, the MILP with z fixed to sample coalitions must reproduce the
evaluator's v(S) (:meth:`ModelSeparator._self_check`). Every answer's ``value`` is the model's
own evaluator (the certificate); a MILP optimum that disagrees with it raises
:class:`SolverError`.

Limits: a coalition whose programme is infeasible (the evaluator raises for it) is silently
skipped by the MILP; a benefit game's programme must maximise and a cost game's minimise
(else max-min, not one MILP); coefficients of the constraint matrix never depend on S.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from fairpool.optimizer.coalitions.compiled import (
    CoalitionNumbers,
    CompiledCoalitionModel,
    CompiledEvaluator,
    CompiledGame,
)
from fairpool.optimizer.errors import SolverError
from fairpool.optimizer.game import Orientation, membership_matrix
from fairpool.optimizer.generation.membership import (
    FIELDS,
    Dependence,
    envelope,
    infer_dependence,
    program_rows,
    verification_masks,
)
from fairpool.optimizer.generation.oracle import OracleStatistics, Violation
from fairpool.optimizer.generation.span import (
    add_no_good_rows,
    outside_span,
    outside_span_rows,
)

if TYPE_CHECKING:
    import highspy


SELF_CHECKS = 8
"""Coalitions of each kind (worth 0 without a solve; any) on which the built MILP, with z
fixed, is checked against the model's own evaluator."""

MIP_ABSOLUTE_GAP = 1e-9
"""HiGHS's absolute MIP gap, in the unit of the scaled objective (order one)."""

MOST_FLIPS = 4
"""One-party flips solved per separation, whatever ``count`` asks: at 40 parties all n flips
made the nucleolus slower (water 59 s, none 14 s; infrastructure 99 s, none 63 s, 4: 49 s)."""

PRESOLVE = "off"
"""HiGHS's presolve for the separation MILP. Measured at 20–40 parties (whole nucleolus):
off 1.5–2× faster for infrastructure (20: 13 s against 28 s) and water seed 1 (fewer rounds);
on ("choose") faster for park (3 s against 5 s) and water seed 2's least core (32 s, 56 s).
Choosing per run from the first MILPs' times misjudged (they are easy), so it is fixed."""

LARGEST_NULL_ENTRY = 2**20
"""Null-space entries up to this go into the outside-span MILP rows (big-Ms ≤ n · 2^20);
larger ones are handled by lazy no-good cuts."""


class ModelSeparator:
    """A :class:`~fairpool.optimizer.generation.oracle.CoalitionOracle` for any compiled
    coalition model: one persistent HiGHS MILP (see the module docstring); per call only the
    costs of z (−σ x_i / scale) and the bounds of the no-good cuts of excluded coalitions
    change.

    ``value(mask)`` is the model's own evaluator (the engine's compiled programme).
    """

    def __init__(
        self,
        model: CompiledCoalitionModel,
        orientation: Orientation,
        *,
        game: CompiledGame | None = None,
        verify: np.ndarray | None = None,
    ) -> None:
        self.model = model
        self._orientation: Orientation = orientation
        self.game = game if game is not None else model.compile()
        self.evaluator = CompiledEvaluator(model, self.game)
        self._statistics = OracleStatistics()
        self._values: dict[int, float] = {}  # v(S) solved so far: each coalition once
        self.n = len(model.players)
        if self.n < 2:
            raise SolverError("separation needs at least two parties (a proper coalition)")
        masks = verification_masks(self.n) if verify is None else verify
        self.forms = infer_dependence(model, masks)
        self._grand_value = self.evaluator.value((1 << self.n) - 1)
        self._z = np.zeros(0, dtype=np.int32)
        self.highs = self._build()
        self._cuts: dict[int, int] = {}
        self._self_check(masks)

    # -- the protocol ---------------------------------------------------------------------------

    @property
    def players(self) -> tuple[str, ...]:
        return tuple(self.model.players)

    @property
    def orientation(self) -> Orientation:
        return self._orientation

    @property
    def grand_value(self) -> float:
        return self._grand_value

    @property
    def statistics(self) -> OracleStatistics:
        return self._statistics

    def value(self, mask: int) -> float:
        """v(S) (c(S)) of one coalition by the model's evaluator (the certificate), solved
        once per coalition."""
        if mask not in self._values:
            self._statistics.values += 1
            before = self.evaluator.highs_time
            self._values[mask] = self.evaluator.value(int(mask))
            self._statistics.solver_seconds += self.evaluator.highs_time - before
        return self._values[mask]

    def most_violated(
        self, shares: np.ndarray, *, excluded: Sequence[int] = (), count: int = 1
    ) -> list[Violation]:
        """The exact maximiser of e(S, x) over proper, non-empty, non-excluded S (one MILP),
        then up to min(``count``, :data:`MOST_FLIPS` + 1) − 1 of its one-party flips (solved
        by the evaluator), sorted by decreasing excess."""
        self._statistics.separations += 1
        shares = np.asarray(shares, dtype=np.float64)
        grand = (1 << self.n) - 1
        skipped = {int(m) for m in excluded} | {0, grand}
        self._set_cuts(skipped - {0, grand})
        found = self._solve(shares, skipped, exhausted=len(skipped) == 1 << self.n)
        if found is None:
            return []
        result = [found]
        if count > 1:
            result += self._flips(found.mask, shares, skipped | {found.mask}, count - 1)
        # a flip may beat the MILP's coalition by less than the solver's tolerance
        return sorted(result, key=lambda violation: -violation.excess)

    def most_violated_outside_span(
        self, shares: np.ndarray, null_space: np.ndarray, *, count: int = 1
    ) -> list[Violation]:
        """As :meth:`most_violated`, over the free coalitions S only: Zᵀ1_S ≠ 0, Z =
        ``null_space`` (:class:`~fairpool.optimizer.generation.span.SpanSeparation`).

        "Σ_{i∈S} Z_ij ≥ 1 or ≤ −1 for some j" joins the MILP for this call only
        (:func:`~fairpool.optimizer.generation.span.outside_span_rows`) and is deleted
        afterwards; the flips returned besides the optimum are free too (exact test). Entries
        of Z beyond :data:`LARGEST_NULL_ENTRY` (or Python integers), or a MILP answer the
        exact test puts in the span, fall back to lazy no-good cuts on in-span answers.
        """
        shares = np.asarray(shares, dtype=np.float64)
        null = np.asarray(null_space)
        if null.ndim != 2 or null.shape[0] != self.n:
            raise SolverError(f"a null-space basis needs {self.n} rows, not shape {null.shape}")
        if null.shape[1] == 0:
            return []  # the fixed coalitions span ℝⁿ: no coalition is free
        if null.dtype == object or np.abs(null).max() > LARGEST_NULL_ENTRY:
            self._note("outside span: large null-space entries, lazy cuts")
            return self._outside_span_lazily(shares, null, count, [])
        self._statistics.separations += 1
        grand = (1 << self.n) - 1
        self._set_cuts(set())
        with outside_span_rows(self.highs, self._z, null.astype(np.int64)):
            found = self._solve(shares, {0, grand}, exhausted=False)
        if found is None:
            return []
        if not outside_span(np.array([found.mask]), null, self.n)[0]:
            self._note("outside span: MILP answer in the span, lazy cuts")
            return self._outside_span_lazily(shares, null, count, [found.mask])
        result = [found]
        if count > 1:
            result += self._flips(found.mask, shares, {0, grand, found.mask}, count - 1, null)
        return sorted(result, key=lambda violation: -violation.excess)

    def _note(self, note: str) -> None:
        self._statistics.notes += [] if note in self._statistics.notes else [note]

    def _outside_span_lazily(
        self, shares: np.ndarray, null: np.ndarray, count: int, inside: list[int]
    ) -> list[Violation]:
        """Free coalitions by repeated :meth:`most_violated`, excluding in-span answers."""
        excluded = list(inside)
        while True:
            violations = self.most_violated(shares, excluded=excluded, count=count)
            if not violations:
                return []
            masks = np.array([v.mask for v in violations], dtype=np.int64)
            free = outside_span(masks, null, self.n).tolist()
            if free[0]:
                return [v for v, ok in zip(violations, free, strict=True) if ok]
            excluded += [v.mask for v, ok in zip(violations, free, strict=True) if not ok]

    def _solve(self, shares: np.ndarray, skipped: set[int], exhausted: bool) -> Violation | None:
        """The MILP's coalition at x = ``shares``, certified; None if ``exhausted`` and none."""
        import highspy

        h = self.highs
        h.changeColsCost(self.n, self._z, -self._sign * shares / self.game.objective_scale)
        started = h.getRunTime()
        h.run()
        seconds = h.getRunTime() - started
        self._statistics.solves += 1
        self._statistics.solver_seconds += seconds
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible and exhausted:
            return None
        if status != highspy.HighsModelStatus.kOptimal:
            raise SolverError(
                f"HiGHS could not solve the separation MILP: {h.modelStatusToString(status)}"
            )
        z = np.asarray(h.getSolution().col_value)[self._z]
        best = int(sum(1 << i for i in range(self.n) if z[i] > 0.5))
        found = self._violation(best, shares)
        bound = h.getObjectiveValue() * self.game.objective_scale
        slack = 1e-6 * max(self.game.objective_scale, float(np.abs(shares).sum()))
        if abs(bound - found.excess) > slack or best in skipped:
            raise SolverError(
                f"the separation MILP's optimum ({bound:.12g}) disagrees with the coalition's "
                f"own excess ({found.excess:.12g}); the inferred model is wrong, enumerate "
                "the game instead."
            )
        return found

    # -- certificates and neighbours ----------------------------------------------------------

    @property
    def _sign(self) -> float:
        return 1.0 if self._orientation == "benefit" else -1.0

    def _violation(self, mask: int, shares: np.ndarray) -> Violation:
        value = self.value(mask)
        paid = float(sum(shares[i] for i in range(self.n) if mask >> i & 1))
        return Violation(mask, value, self._sign * (value - paid))

    def _flips(
        self,
        best: int,
        shares: np.ndarray,
        skipped: set[int],
        count: int,
        null: np.ndarray | None = None,
    ) -> list[Violation]:
        """The one-party flips of ``best`` not in ``skipped`` (and free, Zᵀ1_S ≠ 0, given Z):
        the ``count`` (≤ :data:`MOST_FLIPS`) whose payment moves most in their favour (σ·x_i
        for a member leaving, −σ·x_i for one joining) are solved (one programme each)."""
        parties = [i for i in range(self.n) if best ^ (1 << i) not in skipped]
        masks = np.array([best ^ (1 << i) for i in parties], dtype=np.int64)
        if null is not None and masks.size:
            keep = outside_span(masks, null, self.n)
            masks, parties = masks[keep], [i for i, k in zip(parties, keep, strict=True) if k]
        if not masks.size:
            return []
        favour = [self._sign * shares[i] * (1 if best >> i & 1 else -1) for i in parties]
        masks = masks[np.argsort(-np.array(favour), kind="stable")[: min(count, MOST_FLIPS)]]
        new = np.array([m for m in masks.tolist() if m not in self._values], dtype=np.int64)
        if new.size:
            before = self.evaluator.highs_time
            solved = self.evaluator.values(new).tolist()
            self._values.update(zip(new.tolist(), solved, strict=True))
            self._statistics.values += len(new)
            self._statistics.solver_seconds += self.evaluator.highs_time - before
        values = np.array([self._values[m] for m in masks.tolist()])
        paid = membership_matrix(masks, self.n) @ shares
        excess = self._sign * (values - paid)
        order = np.argsort(-excess, kind="stable")[:count]
        return [Violation(int(masks[k]), float(values[k]), float(excess[k])) for k in order]

    def _set_cuts(self, excluded: set[int]) -> None:
        """No-good cuts Σ_{i∈S}(1 − z_i) + Σ_{i∉S} z_i ≥ 1 for the excluded S; cuts of
        earlier calls stay in a pool, switched off (lower bound −inf) when not excluded."""
        import highspy

        new = sorted(excluded - self._cuts.keys())
        h = self.highs
        first = h.getNumRow()
        self._cuts.update({mask: first + k for k, mask in enumerate(new)})
        add_no_good_rows(h, self._z, new)
        rows = np.array(list(self._cuts.values()), dtype=np.int32)
        if rows.size:
            inf = highspy.kHighsInf
            lower = [1.0 - mask.bit_count() if mask in excluded else -inf for mask in self._cuts]
            h.changeRowsBounds(  # type: ignore[attr-defined]
                rows.size, rows, np.array(lower), np.full(rows.size, inf)
            )

    # -- checks and construction --------------------------------------------------------------

    def _self_check(self, masks: np.ndarray) -> None:
        """The MILP with z fixed to S and x = 0 must give σ·v(S) by the evaluator, on up to
        :data:`SELF_CHECKS` coalitions marked ``solve=False`` (their programme optimum must
        be 0) and as many others: a guard on the inferred forms and their linearisation."""
        import highspy

        grand = (1 << self.n) - 1
        masks = masks[(masks != 0) & (masks != grand)]
        lazy = np.asarray(self.model.numbers(masks).solve, dtype=bool)
        chosen = []
        for group in (masks[~lazy], masks[lazy]):
            spread = np.linspace(0, group.size - 1, min(SELF_CHECKS, group.size))
            chosen += group[spread.astype(np.int64)].tolist()
        h, z = self.highs, self._z
        values = self.evaluator.values(np.array(chosen, dtype=np.int64))
        for mask, value in zip(chosen, values.tolist(), strict=True):
            fixed = membership_matrix(np.array([mask]), self.n)[0]
            h.changeColsBounds(self.n, z, fixed, fixed)
            h.run()
            found = h.getObjectiveValue() * self.game.objective_scale * self._sign
            optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            if not optimal or abs(found - value) > 1e-7 * self.game.objective_scale:
                raise SolverError(
                    f"the separation MILP gives coalition {mask} the value {found:.12g} where "
                    f"the model's evaluator gives {value:.12g}: the model cannot be separated "
                    "by one MILP. Use the enumerated game instead."
                )
        h.changeColsBounds(self.n, z, np.zeros(self.n), np.ones(self.n))
        self._statistics.notes.append(f"self-check: {len(chosen)} coalitions")

    def _build(self) -> highspy.Highs:
        """The separation MILP on a fresh copy of the compiled programme (module docstring)."""
        highs, self._z = _SeparationBuilder(self).build()
        return highs


class _SeparationBuilder:
    """Writes the separation MILP into a HiGHS instance holding the compiled programme."""

    def __init__(self, separator: ModelSeparator) -> None:
        self.separator = separator
        self.game = separator.game
        program = self.game.program
        self.program = program
        self.sign = 1.0 if separator.orientation == "benefit" else -1.0
        wanted = -1 if separator.orientation == "benefit" else 1
        if program.sense != wanted:
            raise SolverError(
                f"a {separator.orientation} game's programme must "
                f"{'maximise' if wanted == -1 else 'minimise'}; this one does not, so it "
                "cannot be separated by one MILP. Use the enumerated game instead."
            )
        self.lower = program.column_lower.copy()
        self.upper = program.column_upper.copy()
        self.row_lower = program.row_lower.copy()
        self.row_upper = program.row_upper.copy()
        self.cost = program.column_cost.copy()
        self.rows: list[tuple[float, float, dict[int, float]]] = []
        self.columns: list[tuple[float, float, float, bool]] = []  # cost, lower, upper, integer
        self.first_new = len(program.column_cost)
        self.row_matrix = program_rows(program)

    def new_column(self, lower: float, upper: float, integer: bool = False) -> int:
        self.columns.append((0.0, lower, upper, integer))
        return self.first_new + len(self.columns) - 1

    def activity(self, expression: dict[int, float]) -> float:
        """max Σ a_j y_j over the columns' (envelope) bounds; +inf when unbounded."""
        total = 0.0
        for j, a in expression.items():
            bound = self.column_bound(j, a > 0)
            total += a * bound
        return total

    def column_bound(self, j: int, upper: bool) -> float:
        if j >= self.first_new:
            _, lower, up, _ = self.columns[j - self.first_new]
            return up if upper else lower
        return float(self.upper[j] if upper else self.lower[j])

    def build(self) -> tuple[highspy.Highs, np.ndarray]:
        """(the HiGHS instance holding the MILP, the columns of z)."""
        separator, game = self.separator, self.game
        n = separator.n
        forms = separator.forms
        self.z = np.array([self.new_column(0.0, 1.0, True) for _ in range(n)], dtype=np.int64)
        # constant (1-d) numbers go into the programme once; varying ones start as envelopes
        grand = separator.model.numbers(np.array([(1 << n) - 1], dtype=np.int64))
        self._constants(grand)
        for name, places, lower, upper in (
            ("column_lower", game.bound_columns, self.lower, self.upper),
            ("column_upper", game.bound_columns, self.lower, self.upper),
        ):
            for entry, form in enumerate(forms.get(name, [])):
                j = int(places[entry])
                low, high = envelope(form)
                if name == "column_lower":
                    lower[j] = low
                else:
                    upper[j] = high
        ranged = self._ranged_rows()
        for name in FIELDS[1:]:
            for entry, form in enumerate(forms.get(name, [])):
                if not (name.startswith("row") and entry in ranged):
                    self._bound(name, entry, form)
        self._costs(forms.get("column_cost", []))
        self.rows.append((1.0, float(n - 1), {int(j): 1.0 for j in self.z}))
        return self._write(), self.z.astype(np.int32)

    def _constants(self, grand: CoalitionNumbers) -> None:
        """Numbers that are the same for every coalition (1-d arrays) set in place."""
        game = self.game
        for name, places, target in (
            ("column_cost", game.cost_columns, self.cost),
            ("column_lower", game.bound_columns, self.lower),
            ("column_upper", game.bound_columns, self.upper),
            ("row_lower", game.bound_rows, self.row_lower),
            ("row_upper", game.bound_rows, self.row_upper),
        ):
            array = getattr(grand, name)
            if array is not None and np.ndim(array) == 1 and name not in self.separator.forms:
                scale = self.game.objective_scale if name == "column_cost" else 1.0
                target[places] = np.asarray(array, dtype=np.float64) / scale

    def _ranged_rows(self) -> set[int]:
        """Rows whose two bounds move together (the same finite d_i, e.g. Σ_k a_k = z_i):
        one row base_ℓ ≤ expr − Σ d_i z_i ≤ base_u instead of two; their entries."""
        forms = self.separator.forms
        merged: set[int] = set()
        pairs = zip(forms.get("row_lower", []), forms.get("row_upper", []), strict=False)
        for entry, (lower, upper) in enumerate(pairs):
            d = upper.increments
            if not (
                lower.kind == upper.kind == "affine"
                and not upper.constant
                and np.all(np.isfinite(d))
                and np.array_equal(lower.increments, d)
                and np.isfinite(lower.base)
                and np.isfinite(upper.base)
            ):
                continue
            index = int(self.game.bound_rows[entry])
            row = dict(self.row_matrix[index])
            for i in np.flatnonzero(d).tolist():
                row[int(self.z[i])] = row.get(int(self.z[i]), 0.0) - float(d[i])
            self.rows.append((lower.base, upper.base, row))
            self.row_lower[index], self.row_upper[index] = -np.inf, np.inf
            merged.add(entry)
        return merged

    def _bound(self, name: str, entry: int, form: Dependence) -> None:
        """One coalition-dependent bound, as rows over z (or set in place when constant)."""
        game = self.game
        column = name.startswith("column")
        index = int((game.bound_columns if column else game.bound_rows)[entry])
        upper = name.endswith("upper")
        if form.constant:
            target = (self.upper if upper else self.lower) if column else None
            if target is not None:
                target[index] = form.base
            elif upper:
                self.row_upper[index] = form.base
            else:
                self.row_lower[index] = form.base
            return
        if column:
            expression = {index: 1.0}
        else:
            expression = dict(self.row_matrix[index])
            if upper:
                self.row_upper[index] = np.inf
            else:
                self.row_lower[index] = -np.inf
        if upper:
            self._upper_bound(expression, form, f"{name}[{entry}]")
        else:  # expr ≥ ℓ(z)  ⟺  −expr ≤ −ℓ(z)
            negated = Dependence(
                form.kind, -form.base, -form.increments, on=-form.on, required=form.required
            )
            self._upper_bound({j: -a for j, a in expression.items()}, negated, f"{name}[{entry}]")

    def _upper_bound(self, expression: dict[int, float], form: Dependence, what: str) -> None:
        """expr ≤ u(z), exactly, for an affine or all-of u; infinities clipped to the
        expression's largest activity (a big-M)."""
        largest = self.activity(expression)

        def clip(value: float) -> float:
            if value == -np.inf:
                raise SolverError(f"{what}: a bound of −inf makes the programme infeasible")
            if value == np.inf:
                if not np.isfinite(largest):
                    raise SolverError(
                        f"{what}: an unlimited bound on an unbounded expression cannot be "
                        "linearised; use the enumerated game instead."
                    )
                return largest
            return value

        if form.kind == "affine":
            base = clip(form.base)
            finite = form.increments[np.isfinite(form.increments)]
            lowest = base + float(finite[finite < 0].sum())
            row = dict(expression)
            for i, d in enumerate(form.increments.tolist()):
                if d == np.inf:
                    d = max(0.0, clip(np.inf) - lowest)
                elif d == -np.inf:
                    clip(-np.inf)
                if d:
                    row[int(self.z[i])] = row.get(int(self.z[i]), 0.0) - d
            self.rows.append((-np.inf, base, row))
            return
        on, off = clip(form.on), clip(form.base)
        parties = [i for i in range(self.separator.n) if form.required >> i & 1]
        if on >= off:  # relaxes when all of R is in: expr ≤ off + (on − off) z_r, r ∈ R
            for r in parties:
                self.rows.append((-np.inf, off, {**expression, int(self.z[r]): off - on}))
            return
        if len(parties) == 1:  # tightens: p = [R ⊆ S] forced up by p ≥ Σ z_r − |R| + 1
            together = int(self.z[parties[0]])
        else:
            together = self.new_column(0.0, 1.0)
            self.rows.append(
                (
                    1.0 - len(parties),
                    np.inf,
                    {together: 1.0, **{int(self.z[r]): -1.0 for r in parties}},
                )
            )
        self.rows.append((-np.inf, off, {**expression, together: off - on}))

    def gates(self, j: int) -> set[int]:
        """The parties i without whom column j is 0 (its upper bound is ≤ 0 whenever i ∉ S
        and its lower bound never below 0): for them z_i y_j = y_j, no McCormick needed."""
        forms = self.separator.forms
        where = np.flatnonzero(self.game.bound_columns == j)
        if where.size == 0 or "column_upper" not in forms:
            return set()
        upper = forms["column_upper"][int(where[0])]
        lower = forms.get("column_lower", [])
        if (envelope(lower[int(where[0])])[0] if lower else self.lower[j]) < 0:
            return set()
        n = self.separator.n
        if upper.kind == "all_of":
            return {i for i in range(n) if upper.required >> i & 1} if upper.base <= 0 else set()
        rise = np.where(upper.increments > 0, upper.increments, 0.0)
        return {i for i in range(n) if upper.base + rise.sum() - rise[i] <= 0}

    def _costs(self, forms: list[Dependence]) -> None:
        """Objective σ·(c0 + Σ d_ij z_i)·y_j: c0 in place; d_ij z_i y_j is d_ij y_j when j
        needs i (:meth:`gates`), else w_ij with the McCormick pair that binds in the
        objective's direction."""
        scale = self.game.objective_scale
        for entry, form in enumerate(forms):
            j = int(self.game.cost_columns[entry])
            if form.kind != "affine" or not np.all(np.isfinite(form.increments)):
                raise SolverError(
                    f"the cost of column {j} is not additive in the coalition; it cannot be "
                    "separated by one MILP. Use the enumerated game instead."
                )
            gates = self.gates(j)
            self.cost[j] = (form.base + float(form.increments[list(gates)].sum())) / scale
            low, high = float(self.lower[j]), float(self.upper[j])
            for i, d in enumerate(form.increments.tolist()):
                if not d or i in gates:
                    continue
                if not (np.isfinite(low) and np.isfinite(high)):
                    raise SolverError(
                        f"column {j} has a coalition-dependent cost but unbounded values; "
                        "use the enumerated game instead."
                    )
                w = self.new_column(min(0.0, low), max(0.0, high))
                self.columns[w - self.first_new] = (
                    self.sign * d / scale,
                    min(0.0, low),
                    max(0.0, high),
                    False,
                )
                z = int(self.z[i])
                if self.sign * d > 0:  # w ≤ U z,  w ≤ y − L (1 − z)
                    self.rows.append((-np.inf, 0.0, {w: 1.0, z: -high}))
                    self.rows.append((-np.inf, -low, {w: 1.0, j: -1.0, z: -low}))
                else:  # w ≥ L z,  w ≥ y − U (1 − z)
                    self.rows.append((0.0, np.inf, {w: 1.0, z: -low}))
                    self.rows.append((-high, np.inf, {w: 1.0, j: -1.0, z: -high}))

    def _write(self) -> highspy.Highs:
        import highspy as hs

        program = self.program
        h = program.open()
        h.setOptionValue("presolve", PRESOLVE)
        h.setOptionValue("mip_rel_gap", 0.0)
        h.setOptionValue("mip_abs_gap", MIP_ABSOLUTE_GAP)
        count = len(program.column_cost)
        inf = hs.kHighsInf
        h.changeObjectiveSense(hs.ObjSense.kMaximize)
        h.changeObjectiveOffset(self.sign * program.offset)
        h.changeColsCost(count, np.arange(count, dtype=np.int32), self.sign * self.cost)
        h.changeColsBounds(
            count,
            np.arange(count, dtype=np.int32),
            np.clip(self.lower, -inf, inf),
            np.clip(self.upper, -inf, inf),
        )
        rows = len(program.row_lower)
        h.changeRowsBounds(  # type: ignore[attr-defined]
            rows,
            np.arange(rows, dtype=np.int32),
            np.clip(self.row_lower, -inf, inf),
            np.clip(self.row_upper, -inf, inf),
        )
        extra = len(self.columns)
        h.addCols(
            extra,
            np.array([c[0] for c in self.columns]),
            np.array([c[1] for c in self.columns]),
            np.array([c[2] for c in self.columns]),
            0,
            np.zeros(extra, dtype=np.int32),
            np.zeros(0, dtype=np.int32),
            np.zeros(0),
        )
        integer = [self.first_new + k for k, c in enumerate(self.columns) if c[3]]
        h.changeColsIntegrality(
            len(integer),
            np.array(integer, dtype=np.int32),
            np.array([hs.HighsVarType.kInteger] * len(integer)),
        )
        starts: list[int] = []
        indices: list[int] = []
        values: list[float] = []
        for _, _, row in self.rows:
            starts.append(len(indices))
            indices += list(row)
            values += list(row.values())
        h.addRows(
            len(self.rows),
            np.clip(np.array([r[0] for r in self.rows]), -inf, inf),
            np.clip(np.array([r[1] for r in self.rows]), -inf, inf),
            len(indices),
            np.array(starts, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.array(values),
        )
        return h


def separator_for(model: CompiledCoalitionModel, orientation: Orientation) -> ModelSeparator:
    """The :class:`ModelSeparator` of a compiled coalition model (compiled once here)."""
    return ModelSeparator(model, orientation)


__all__ = [
    "Dependence",
    "ModelSeparator",
    "infer_dependence",
    "separator_for",
    "verification_masks",
]
