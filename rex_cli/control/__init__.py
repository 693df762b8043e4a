"""RHPO decision LP: weights, pyomo reference model and the highspy fast path."""

from rex_cli.control.highs import LpSize, RhpoSolver
from rex_cli.control.rhpo import (
    Backend,
    RhpoData,
    RhpoResult,
    RhpoStatus,
    prepare_data,
    solve_rhpo,
    solve_rhpo_uc,
)
from rex_cli.control.weights import TerminalCondition, Weights, WeightShape

__all__ = [
    "Backend",
    "LpSize",
    "RhpoData",
    "RhpoResult",
    "RhpoSolver",
    "RhpoStatus",
    "TerminalCondition",
    "WeightShape",
    "Weights",
    "prepare_data",
    "solve_rhpo",
    "solve_rhpo_uc",
]
