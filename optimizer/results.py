"""Result objects of the engine: small, frozen, and free of solver objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Allocation:
    """One allocation of v(N) (benefit games) or c(N) (cost games: cost shares).

    Attributes:
        method: the method key of SPEC §4 (``"shapley"``, ``"nucleolus"``, …) or ``"proposal"``.
        players: party ids, in the game's player order.
        shares: one number per party, in the game's orientation (read-only array).
        details: method-specific numbers worth reporting, e.g. ``{"epsilon": 1.5}`` for the
            least core or ``{"levels": 3}`` for the nucleolus.
    """

    method: str
    players: tuple[str, ...]
    shares: np.ndarray
    details: Mapping[str, float | str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        shares = np.array(self.shares, dtype=np.float64)
        if shares.shape != (len(self.players),):
            raise ValueError(f"{self.method}: {len(self.players)} parties, {shares.shape} shares")
        shares.setflags(write=False)
        object.__setattr__(self, "shares", shares)
        object.__setattr__(self, "details", dict(self.details))

    def as_dict(self) -> dict[str, float]:
        """``{party: share}`` in player order."""
        return {p: float(x) for p, x in zip(self.players, self.shares, strict=True)}
