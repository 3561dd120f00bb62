"""Learning circuits: the search under a gate budget, its learners, and the contest-like logic tasks.

:mod:`~lutlearn.circuits.search` (``fit_circuit``: one loop that counts gates, validates, keeps
the best within the budget and refits) asks the learners of :mod:`~lutlearn.circuits.learners`
for candidates; :mod:`~lutlearn.circuits.dontcare` (care tables) and :mod:`~lutlearn.circuits.tree`
(decision trees) build AIGs of their own. :mod:`~lutlearn.circuits.logic_tasks` generates the
IWLS 2020 function families. Circuits are written by :mod:`lutlearn.export` (AIGER, Verilog).
"""
