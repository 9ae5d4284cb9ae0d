"""The Alkire–Foster scoring engine: pure numpy, no Django.

Used both for one household (`score_household`) and for millions in batch (`evaluate` then
`compute_measures`). See docs/assessment-engine.md for the rules it follows.
"""

from .errors import DataError, EngineError, FrameworkError
from .evaluate import (
    Evaluation,
    HouseholdScore,
    critical_households,
    evaluate,
    evaluation_from_g0,
    score_household,
)
from .framework import Dimension, Framework, Indicator, framework_from_dict, load_framework
from .measures import compute_measures
from .results import DimensionMeasures, GroupMeasures, IndicatorMeasures, Measures, ScoreCount
from .rules import Rule, parse_rule
from .weights import FLOAT_TOLERANCE, MAX_DENOMINATOR, WeightScale, parse_cutoff, parse_fraction

__all__ = [
    "FLOAT_TOLERANCE",
    "MAX_DENOMINATOR",
    "DataError",
    "Dimension",
    "DimensionMeasures",
    "EngineError",
    "Evaluation",
    "Framework",
    "FrameworkError",
    "GroupMeasures",
    "HouseholdScore",
    "Indicator",
    "IndicatorMeasures",
    "Measures",
    "Rule",
    "ScoreCount",
    "WeightScale",
    "compute_measures",
    "critical_households",
    "evaluate",
    "evaluation_from_g0",
    "framework_from_dict",
    "load_framework",
    "parse_cutoff",
    "parse_fraction",
    "parse_rule",
    "score_household",
]
