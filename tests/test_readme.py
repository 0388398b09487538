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


def command_table() -> dict[str, str]:
    """The README's command table: {command name: its row's usage cell}."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = text.split("## Commands", 1)[1].split("\n\n", 2)[1]
    rows: dict[str, str] = {}
    for line in table.splitlines():
        found = re.match(r"\| `fairpool ([a-z]+)([^`]*)` \|", line)
        if found:
            rows[found.group(1)] = found.group(2)
    return rows


def test_the_command_table_matches_the_help() -> None:
    """Every command of ``fairpool --help`` has a row, every row a command, and every option a
    row names exists on its command (the README's table says what ``--help`` says)."""
    import typer.main

    from fairpool.cli import app

    group = typer.main.get_command(app)
    assert hasattr(group, "commands")
    commands = {name: command for name, command in group.commands.items()}
    rows = command_table()
    assert set(rows) - {"--version"} == set(commands), "README rows ≠ fairpool --help"
    for name, usage in rows.items():
        known = {opt for param in commands[name].params for opt in param.opts}
        named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b", usage))
        assert named <= known, f"fairpool {name}: README names {sorted(named - known)}"
