"""How coalition values are computed: workers, cache, Dask scheduler, progress, sampling.

Settings can be passed per call or set once for a block of code with
:func:`coalition_settings`; a ``None`` argument means "from the current settings". That is how
a command line applies ``--workers/--cache/--scheduler`` to every model family without
threading the options through each function::

    with coalition_settings(workers=4, cache="~/.cache/fairpool/coalitions.sqlite"):
        result = fairpool.solve(case)

The settings live in a :class:`~contextvars.ContextVar`, so threads and asyncio tasks each see
their own.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, Unpack

from fairpool.optimizer.errors import CaseError

Progress = Callable[[int, int], None]
"""``progress(done, total)``: coalitions with a value so far (cached ones included) / asked for."""


@dataclass(frozen=True)
class CoalitionSettings:
    """How coalition values are computed; see :func:`coalition_settings`.

    Attributes:
        workers: processes to use; 1 = serial in this process, 0 = one per CPU core.
        cache: SQLite file of cached coalition values (created if missing); None = no cache.
        scheduler: a Dask scheduler address (``"tcp://10.0.0.5:8786"``); overrides workers.
        progress: ``progress(done, total)`` called after every chunk of coalitions.
        seed: seed of the permutation sampling of the Shapley value.
        permutations: permutations drawn by the sampled Shapley value.
        exact_limit: model games with more parties than this get the sampled Shapley value.
    """

    workers: int = 1
    cache: str | os.PathLike[str] | None = None
    scheduler: str | None = None
    progress: Progress | None = None
    seed: int = 0
    permutations: int = 2000
    exact_limit: int = 15

    def __post_init__(self) -> None:
        """Refuse settings that would run nothing or forever (``workers = -3``,
        ``permutations = 0``) with a :class:`~fairpool.optimizer.errors.CaseError`."""
        if self.workers < 0:
            raise CaseError(f"workers must be 0 (one per CPU core) or more, got {self.workers}")
        if self.permutations < 1:
            raise CaseError(f"permutations must be at least 1, got {self.permutations}")
        if self.exact_limit < 1:
            raise CaseError(f"exact_limit must be at least 1, got {self.exact_limit}")


class SettingsChanges(TypedDict, total=False):
    """Keyword arguments of :func:`coalition_settings`: any fields of :class:`CoalitionSettings`."""

    workers: int
    cache: str | os.PathLike[str] | None
    scheduler: str | None
    progress: Progress | None
    seed: int
    permutations: int
    exact_limit: int


class SettingsOverrides(TypedDict, total=False):
    """Keyword arguments of :func:`current_settings`: ``None`` = the setting in force."""

    workers: int | None
    cache: str | os.PathLike[str] | None
    scheduler: str | None
    progress: Progress | None
    seed: int | None
    permutations: int | None
    exact_limit: int | None


class EngineOptions(TypedDict, total=False):
    """The per-call options of the coalition engine (``None`` = from the settings in force).

    What :func:`~fairpool.optimizer.coalitions.engine.coalition_values` takes besides the model
    and the masks, and what functions that call it pass through (``**same_options``).
    """

    workers: int | None
    cache: str | os.PathLike[str] | None
    scheduler: str | None
    progress: Progress | None


_SETTINGS: ContextVar[CoalitionSettings] = ContextVar(
    "fairpool_coalition_settings",
    default=CoalitionSettings(),  # noqa: B039 - frozen, immutable
)


@contextlib.contextmanager
def coalition_settings(**changes: Unpack[SettingsChanges]) -> Iterator[CoalitionSettings]:
    """Set coalition-engine settings for a block of code (fields of :class:`CoalitionSettings`).

    Calls inside the block that leave an option at ``None`` use these. Example::

        with coalition_settings(workers=2, cache="run.sqlite", progress=bar.update):
            game = model_game(model)
    """
    unknown = set(changes) - {f.name for f in dataclasses.fields(CoalitionSettings)}
    if unknown:
        raise TypeError(f"unknown coalition settings: {', '.join(sorted(unknown))}")
    token = _SETTINGS.set(dataclasses.replace(_SETTINGS.get(), **changes))
    try:
        yield _SETTINGS.get()
    finally:
        _SETTINGS.reset(token)


def current_settings(**overrides: Unpack[SettingsOverrides]) -> CoalitionSettings:
    """The settings in force, with every non-``None`` override applied."""
    # the keys are fields (SettingsOverrides); without its None the value has the field's type
    given: dict[str, Any] = {key: value for key, value in overrides.items() if value is not None}
    return dataclasses.replace(_SETTINGS.get(), **given)


def default_cache_path() -> Path:
    """``$FAIRPOOL_CACHE`` or ``$XDG_CACHE_HOME/fairpool/coalitions.sqlite`` (~/.cache/…).

    A suggestion for a command line's ``--cache`` default; the engine caches only when told.
    """
    if os.environ.get("FAIRPOOL_CACHE"):
        return Path(os.environ["FAIRPOOL_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache")
    return Path(base).expanduser() / "fairpool" / "coalitions.sqlite"
