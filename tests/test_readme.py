"""The README's library example runs as written, from the repository root."""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def library_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it as a library", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README has no Python example under 'Use it as a library'"
    return found.group(1)


def test_the_library_example_runs() -> None:
    printed = io.StringIO()
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(printed):
            exec(compile(library_example(), "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    first = printed.getvalue().splitlines()[0]
    assert first == "{'A': 0.0, 'B': 30.0, 'C': 30.0} True"
