"""The simplicity options of ``solve`` (issue 12): ``--round-to``, ``--uniform-streams``,
``--max-changes``, ``--transfers``, ``--fairness-slack`` and the ``--simple`` preset, checked
and turned into the keywords of a family's ``solve`` (:class:`~fairpool.models.family.
PlanOptions`). Options left out stay ``None``: the case sheet's keys apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from fairpool.models.family import FewestDistinct, PlanOptions, PlanResult, Transfers

SIMPLE_ROUND_TO = 0.05
"""``--simple``: ratios on a 5% grid unless ``--round-to`` says otherwise."""
SIMPLE_MAX_CHANGES = 1
"""``--simple``: a party's ratio changes at most once across phases ("4:6, then 5:5")."""
SIMPLE_FEWEST_DISTINCT: FewestDistinct = "variation"
"""``--simple``: among the plans left, the one whose neighbouring phases and streams share
their ratios most (an LP step after the others; it never adds a distinct ratio). It matters
when the grid cannot be applied: on a generated 12-party park (6 streams × 4 phases) whose
5% grid hit the 20 s limit, 23 distinct ratios became 12 for 0.3 s more."""


def simplicity_options(
    *,
    round_to: float | None = None,
    uniform_streams: bool | None = None,
    max_changes: int | None = None,
    transfers: str | None = None,
    fairness_slack: float | None = None,
    simple: bool = False,
) -> PlanOptions:
    """The simplicity keywords of ``solve``: those given, checked (a CaseError names the
    option), and with ``simple`` the preset (round_to 0.05 unless given, one ratio for every
    cash stream, at most one change per party, no transfers beyond what hosting and benefits
    explain, and the fewest distinct ratios by the least total variation:
    :data:`SIMPLE_FEWEST_DISTINCT`)."""
    from fairpool.optimizer.errors import CaseError

    if round_to is not None and not 0 < round_to <= 1:
        raise CaseError(f"--round-to must be in (0, 1] (e.g. 0.05 for 5% steps), got {round_to}")
    if max_changes is not None and max_changes < 0:
        raise CaseError(f"--max-changes must be 0 or more, got {max_changes}")
    if fairness_slack is not None and fairness_slack < 0:
        raise CaseError(f"--fairness-slack must be 0 or more, got {fairness_slack}")
    choices = ("allowed", "none", "explicit")
    if transfers is not None and transfers not in choices:
        raise CaseError(f"--transfers must be one of {', '.join(choices)}, got {transfers!r}")
    preset: set[str] = set()
    if simple:
        preset = {
            key
            for key, value in (
                ("round_to", round_to),
                ("uniform_streams", uniform_streams or None),
                ("max_changes", max_changes),
                ("transfers", transfers),
            )
            if value is None
        }
        round_to = SIMPLE_ROUND_TO if round_to is None else round_to
        uniform_streams = True
        max_changes = SIMPLE_MAX_CHANGES if max_changes is None else max_changes
        transfers = "none" if transfers is None else transfers
        preset.add("fewest_distinct")
    return {
        "round_to": round_to,
        "uniform_streams": uniform_streams or None,
        "max_changes": max_changes,
        "transfers": cast("Transfers | None", transfers),
        "fairness_slack": fairness_slack,
        "fewest_distinct": SIMPLE_FEWEST_DISTINCT if simple else None,
        "preset": frozenset(preset),
    }


def demo_options() -> PlanOptions:
    """The demo's plan settings: the ``--simple`` grid and change limit (ratios on 5%, at
    most one change per party). Not one ratio for every cash stream: the shipped park's
    rules keep the province out of land income (rules row 6), so one ratio across streams
    would shut it out of every tax and push the plan out of the core (price ≈ 37,800 万元);
    stream groups with their own ratios keep the plan in the core for about 116 万元."""
    return simplicity_options(round_to=SIMPLE_ROUND_TO, max_changes=SIMPLE_MAX_CHANGES)


def plan_to_sign(result: PlanResult) -> list[str]:
    """The demo's closing lines: the plan as sentences (one per group of streams sharing a
    schedule, :func:`fairpool.reports.text.plan_sentences`) and its price, the extra distance
    to the target that the round, rarely changing ratios cost, in the case unit."""
    from fairpool.reports.text import plan_sentences

    unit = f" {result.unit}" if result.unit else ""
    price = sum(step.price for step in result.simplifications if step.applied)
    verdict = "still in the core" if result.in_core else "not in the core"
    return [
        "A plan to sign (ratios on 5%, each party's changing at most once):",
        *(f"  {line}" for line in plan_sentences(result)),
        f"Price of simplicity: {price:,.0f}{unit} further from the {result.target} target "
        f"than the exact plan; {verdict}.",
    ]
