"""Welfare: the one account, the no-market baseline, the planners, the evaluation of a run.

Above :mod:`rex_cli.control` (the decision LP) and below the pipeline: it is fed the
world a run simulated and scores it, and the baselines, with one welfare function.
"""

from rex_cli.welfare.accounting import (
    COST_TERMS,
    Account,
    Outcome,
    WelfareBreakdown,
    WelfareCosts,
    account,
    feasibility_violation,
    simulate_outcome,
    system_balance,
    welfare_of,
)
from rex_cli.welfare.evaluate import (
    AGENT_COLUMNS,
    BaselineOptions,
    WelfareEvaluation,
    evaluate_world,
    welfare_summary,
)
from rex_cli.welfare.no_market import NoMarketResult, no_market_baseline
from rex_cli.welfare.planner import PlannerLP, PlannerResult, solve_planner
from rex_cli.welfare.same_info import SameInfoResult, forecasts_in_force, same_info_planner

__all__ = [
    "AGENT_COLUMNS",
    "COST_TERMS",
    "Account",
    "BaselineOptions",
    "NoMarketResult",
    "Outcome",
    "PlannerLP",
    "PlannerResult",
    "SameInfoResult",
    "WelfareBreakdown",
    "WelfareCosts",
    "WelfareEvaluation",
    "account",
    "evaluate_world",
    "feasibility_violation",
    "forecasts_in_force",
    "no_market_baseline",
    "same_info_planner",
    "simulate_outcome",
    "solve_planner",
    "system_balance",
    "welfare_of",
    "welfare_summary",
]
