"""Model families: each builds a coalition game and a plan model from a case (Pyomo + HiGHS)."""
