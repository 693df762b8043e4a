"""The plant as LP rows: one block, one status, one HiGHS set-up.

* :mod:`~rex_cli.control.lp.status`: :class:`LpStatus`, the outcome of every LP solve
  (RHPO and planners), and its mapping from HiGHS and pyomo;
* :mod:`~rex_cli.control.lp.highs`: the one HiGHS set-up (options, model hand-over);
* :mod:`~rex_cli.control.lp.block`: :class:`PlantBlock`, a plant's columns, rows, bounds
  and costs over ``K`` units as sparse arrays (the only place a plant becomes LP rows
  for HiGHS; the RHPO fast path and the planners assemble their LPs from it);
* :mod:`~rex_cli.control.lp.reference`: the same plant as a pyomo block, written from
  the plant's matrices independently of the sparse block, used by both pyomo references
  (:func:`rex_cli.control.rhpo.build_pyomo_model`,
  :func:`rex_cli.welfare.planner.build_planner_model`), so that the tests comparing the
  backends on random plants can catch a bug in either.
"""

from rex_cli.control.lp.block import PlantBlock
from rex_cli.control.lp.highs import new_highs, pass_model
from rex_cli.control.lp.status import LpStatus, status_of_highs, status_of_pyomo

__all__ = [
    "LpStatus",
    "PlantBlock",
    "new_highs",
    "pass_model",
    "status_of_highs",
    "status_of_pyomo",
]
