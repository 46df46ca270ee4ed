"""The Keras labs (notebooks 08 and 09): ``from course_utils import lab``.

Importing it loads TensorFlow and Keras (a few seconds), so ``import course_utils`` alone does
not. Every function takes its hyperparameters as arguments; nothing reads notebook globals.

Modules (each imports :mod:`._runtime`, which loads Keras; none imports ``explorer``):

* :mod:`.setup` -- :func:`fast_mode`, :func:`keras_setup`, :func:`lab_settings`;
* :mod:`.distribute` -- data-parallel training on several GPUs (``tf.distribute``);
* :mod:`.catalog` -- the lab's optimizers, from the descriptors of :mod:`course_utils.optimizers`;
* :mod:`.data` -- :func:`load_lab_data`, :func:`make_dataset`, :class:`LabData`;
* :mod:`.models` -- :func:`build_mlp`, :func:`lecture_model`, :func:`modern_model`,
  :func:`augmentation`;
* :mod:`.training` -- :func:`make_optimizer`, :func:`make_schedule`, :func:`train`,
  :func:`compare`, :class:`RunResult`, :func:`results_table`, the fast-mode bands,
  :func:`train_with_tape`;
* :mod:`.dashboard`, :mod:`.plots` -- the live :class:`Dashboard` and the lab's figures;
* :mod:`.memory` -- :func:`parameter_count`, :func:`memory_report`;
* :mod:`.optimizer_check` -- :func:`check_optimizer`, :func:`compare_with_numpy`;
* :mod:`.deep` -- lab 09's diagnostics of deep networks;
* :mod:`.landscape` -- loss landscapes of a trained network.
"""

from . import landscape
from ._runtime import MissingData, keras, needs_data, tf
from .catalog import LAB_LEARNING_RATES, MODERN_OPTIMIZER_NAMES, OPTIMIZER_NAMES
from .dashboard import Dashboard
from .data import LabData, load_lab_data, make_dataset, pipeline_summary
from .deep import activation_stats, clip_demo, distinct_units, full_gradient_norm, gradient_norms
from .memory import MemoryReport, OptimizerMemory, memory_report, parameter_count
from .models import augmentation, build_mlp, lecture_model, modern_model
from .optimizer_check import OptimizerCheck, ToyComparison, check_optimizer, compare_with_numpy
from .plots import (
    plot_augmentation,
    plot_benchmark_grid,
    plot_histories,
    plot_layer_curves,
    run_styles,
)
from .setup import (
    DEVICE_ENV,
    FAST_ENV,
    REPLICAS_ENV,
    KerasSetup,
    LabSettings,
    fast_mode,
    keras_setup,
    lab_settings,
)
from .training import (
    FAST_MODE_BANDS,
    SCHEDULE_NAMES,
    RunResult,
    check_band,
    check_bands,
    compare,
    make_optimizer,
    make_schedule,
    optimizer_factories,
    results_table,
    schedule_curves,
    train,
    train_with_tape,
)

__all__ = [
    "keras",
    "tf",
    "landscape",
    "FAST_ENV",
    "DEVICE_ENV",
    "REPLICAS_ENV",
    "OPTIMIZER_NAMES",
    "MODERN_OPTIMIZER_NAMES",
    "SCHEDULE_NAMES",
    "LAB_LEARNING_RATES",
    "FAST_MODE_BANDS",
    "KerasSetup",
    "LabSettings",
    "run_styles",
    "LabData",
    "MissingData",
    "needs_data",
    "RunResult",
    "Dashboard",
    "OptimizerCheck",
    "MemoryReport",
    "OptimizerMemory",
    "ToyComparison",
    "fast_mode",
    "keras_setup",
    "lab_settings",
    "load_lab_data",
    "make_dataset",
    "build_mlp",
    "lecture_model",
    "modern_model",
    "augmentation",
    "make_schedule",
    "make_optimizer",
    "train",
    "compare",
    "optimizer_factories",
    "schedule_curves",
    "results_table",
    "check_band",
    "check_bands",
    "pipeline_summary",
    "parameter_count",
    "memory_report",
    "train_with_tape",
    "check_optimizer",
    "compare_with_numpy",
    "gradient_norms",
    "activation_stats",
    "distinct_units",
    "full_gradient_norm",
    "clip_demo",
    "plot_benchmark_grid",
    "plot_layer_curves",
    "plot_histories",
    "plot_augmentation",
]
