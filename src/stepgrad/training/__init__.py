"""Training for real: initialisers, optimizers, schedules, loops, callbacks, ensembles.

Gradients over a batch are averaged, so batch size 1 is exactly the classic online update
(``stepgrad.core.train_step``). See ``loops`` for the run, ``api`` for ``fit``/``predict``.

The names below are imported on first use (PEP 562): a command that needs one module of the
package (``stepgrad train`` on the classic example needs ``repeat``) does not import the others.
"""

from typing import TYPE_CHECKING

from stepgrad.lazy import lazy_names

if TYPE_CHECKING:
    from stepgrad.training.api import FitResult, fit, predict, predict_proba
    from stepgrad.training.callbacks import Callback, Checkpoint, EarlyStopping, History, Progress
    from stepgrad.training.ensemble import EnsembleResult, fit_ensemble, make_ensemble, seeded_network
    from stepgrad.training.init import create_network, he_normal, xavier_uniform
    from stepgrad.training.loops import EpochLog, Training, make_training, repeat_steps, split_validation
    from stepgrad.training.model_files import save_model, save_network
    from stepgrad.training.optimizers import OPTIMIZERS, Optimizer, OptimizerState, get_optimizer, optimizer_names
    from stepgrad.training.params import Params, params_of
    from stepgrad.training.schedules import Schedule, get_schedule, schedule_names

_LAZY: dict[str, str] = {
    "FitResult": "stepgrad.training.api",
    "fit": "stepgrad.training.api",
    "predict": "stepgrad.training.api",
    "predict_proba": "stepgrad.training.api",
    "Callback": "stepgrad.training.callbacks",
    "Checkpoint": "stepgrad.training.callbacks",
    "EarlyStopping": "stepgrad.training.callbacks",
    "History": "stepgrad.training.callbacks",
    "Progress": "stepgrad.training.callbacks",
    "EnsembleResult": "stepgrad.training.ensemble",
    "fit_ensemble": "stepgrad.training.ensemble",
    "make_ensemble": "stepgrad.training.ensemble",
    "seeded_network": "stepgrad.training.ensemble",
    "create_network": "stepgrad.training.init",
    "he_normal": "stepgrad.training.init",
    "xavier_uniform": "stepgrad.training.init",
    "EpochLog": "stepgrad.training.loops",
    "Training": "stepgrad.training.loops",
    "make_training": "stepgrad.training.loops",
    "repeat_steps": "stepgrad.training.loops",
    "split_validation": "stepgrad.training.loops",
    "save_model": "stepgrad.training.model_files",
    "save_network": "stepgrad.training.model_files",
    "OPTIMIZERS": "stepgrad.training.optimizers",
    "Optimizer": "stepgrad.training.optimizers",
    "OptimizerState": "stepgrad.training.optimizers",
    "get_optimizer": "stepgrad.training.optimizers",
    "optimizer_names": "stepgrad.training.optimizers",
    "Params": "stepgrad.training.params",
    "params_of": "stepgrad.training.params",
    "Schedule": "stepgrad.training.schedules",
    "get_schedule": "stepgrad.training.schedules",
    "schedule_names": "stepgrad.training.schedules",
}

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


__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
