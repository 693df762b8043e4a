"""RHPO decision LP: weights, the plant LP block, pyomo reference model and highspy fast path."""

from rex_cli.control.highs import LpSize, OneSided, RhpoSolver
from rex_cli.control.lp import LpStatus, PlantBlock
from rex_cli.control.problem import Backend, RhpoData, RhpoResult, prepare_data
from rex_cli.control.rhpo import solve_rhpo, solve_rhpo_uc
from rex_cli.control.weights import TerminalCondition, Weights, WeightShape

__all__ = [
    "Backend",
    "LpSize",
    "LpStatus",
    "OneSided",
    "PlantBlock",
    "RhpoData",
    "RhpoResult",
    "RhpoSolver",
    "TerminalCondition",
    "WeightShape",
    "Weights",
    "prepare_data",
    "solve_rhpo",
    "solve_rhpo_uc",
]
