"""The outcome of an LP solve, shared by the RHPO LP and the planners."""

from __future__ import annotations

import enum
from typing import Any

import highspy

__all__ = ["LpStatus", "status_of_highs", "status_of_pyomo"]


class LpStatus(enum.Enum):
    """Outcome of a solve; only ``OPTIMAL`` results carry numbers."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    ERROR = "error"


_HIGHS = {
    highspy.HighsModelStatus.kOptimal: LpStatus.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: LpStatus.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: LpStatus.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: LpStatus.INFEASIBLE_OR_UNBOUNDED,
}

_PYOMO = {
    "optimal": LpStatus.OPTIMAL,
    "infeasible": LpStatus.INFEASIBLE,
    "unbounded": LpStatus.UNBOUNDED,
    "infeasibleOrUnbounded": LpStatus.INFEASIBLE_OR_UNBOUNDED,
}


def status_of_highs(model_status: Any) -> LpStatus:
    """The status of a ``highspy.HighsModelStatus`` (anything else is ``ERROR``)."""
    return _HIGHS.get(model_status, LpStatus.ERROR)


def status_of_pyomo(termination_condition: Any) -> LpStatus:
    """The status of a pyomo termination condition (anything else is ``ERROR``)."""
    return _PYOMO.get(str(termination_condition), LpStatus.ERROR)
