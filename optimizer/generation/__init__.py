"""Core questions for games too large to enumerate: constraint generation over a separation
oracle (see :mod:`~fairpool.optimizer.generation.oracle`)."""
