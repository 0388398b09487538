"""The bad-input corpus (issue 9): broken inputs generated from the shipped cases, each run
through the real ``fairpool`` command. :mod:`.generate` builds and runs them, :mod:`.corpus`
declares them, ``test_badinput.py`` runs them as tests; ``python -m tests.badinput.generate``
prints one line per case (the table the README's "When something is wrong" is checked
against)."""
