"""Training for real: initialisers, optimizers, schedules, loops, callbacks, ensembles.

Gradients over a batch are averaged, so batch size 1 is exactly the classic online update
(``stepgrad.core.train_step``). See ``loops`` for the run, ``api`` for ``fit``/``predict``.
"""

from stepgrad.training.api import FitResult, fit, predict, predict_proba
from stepgrad.training.callbacks import Callback, Checkpoint, EarlyStopping, History, Progress
from stepgrad.training.ensemble import EnsembleResult, fit_ensemble, make_ensemble, seeded_network
from stepgrad.training.init import create_network, he_normal, xavier_uniform
from stepgrad.training.loops import EpochLog, Training, make_training, repeat_steps, split_validation
from stepgrad.training.model_files import save_model, save_network
from stepgrad.training.optimizers import OPTIMIZERS, Optimizer, OptimizerState, get_optimizer, optimizer_names
from stepgrad.training.params import Params, params_of
from stepgrad.training.schedules import Schedule, get_schedule, schedule_names

__all__ = [
    "OPTIMIZERS",
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "EnsembleResult",
    "EpochLog",
    "FitResult",
    "History",
    "Optimizer",
    "OptimizerState",
    "Params",
    "Progress",
    "Schedule",
    "Training",
    "create_network",
    "fit",
    "fit_ensemble",
    "get_optimizer",
    "get_schedule",
    "he_normal",
    "make_ensemble",
    "make_training",
    "optimizer_names",
    "params_of",
    "predict",
    "predict_proba",
    "repeat_steps",
    "save_model",
    "save_network",
    "schedule_names",
    "seeded_network",
    "split_validation",
    "xavier_uniform",
]
