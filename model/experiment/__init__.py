"""``earlyhelp experiment``: the whole pipeline on many generated worlds, summarised across
them (median and range, paired comparisons), so no figure rests on one world's luck."""

from model.experiment.runner import ExperimentConfig, parse_seeds, run_experiment
from model.experiment.world import build_world

__all__ = ["ExperimentConfig", "build_world", "parse_seeds", "run_experiment"]
