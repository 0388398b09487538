"""What the ``fairpool`` commands share beyond parsing: error reporting and exit codes, the
coalition engine's progress bar, output paths, option parsing (:mod:`.running`), and the
commands whose work is more than one call (:mod:`.batch`, the reports a command writes).

Layer: imports the engine, the model families and the reports; only :mod:`fairpool.cli`
imports it.
"""
