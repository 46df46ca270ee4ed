"""Training in the labs: optimizers and learning-rate schedules by the lecture's names, runs
with ``model.fit`` (:func:`train`, :func:`compare`, :class:`RunResult`), their table, the
stated accuracy bands of the seeded fast-mode runs, and a hand-written ``tf.GradientTape``
loop (:func:`train_with_tape`).

The optimizers come from their descriptors: ``make_optimizer("nesterov")`` builds
``keras.optimizers.<KerasSpec.class_name>(**KerasSpec.kwargs(...))`` of
``course_utils.optimizers.info("nesterov")`` with its ``lab_learning_rate`` (see
:mod:`course_utils.lab.catalog`).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .._validate import check_choice, check_int, check_scalar
from ._runtime import keras, needs_data, stands_in_for, tf
from .catalog import (
    LAB_LEARNING_RATES,
    OPTIMIZER_NAMES,
    build_keras_optimizer,
    keras_spec,
)
from .data import LabData
from .landscape import WeightRecorder
from .setup import KerasSetup

__all__ = [
    "SCHEDULE_NAMES",
    "FAST_MODE_BANDS",
    "make_schedule",
    "make_optimizer",
    "optimizer_factories",
    "schedule_curves",
    "RunResult",
    "train",
    "compare",
    "results_table",
    "check_band",
    "check_bands",
    "train_with_tape",
]
#: Learning-rate schedules of the benchmark (see :func:`make_schedule`).
SCHEDULE_NAMES = ("constant", "inverse_time", "exponential", "step")

#: Test accuracy bands of the seeded fast-mode runs (``COURSE_FAST=1``; lab 08's baselines and
#: its constant-rate Adam run), checked by lab 08 and by the tests. Measured on a 2-core CPU:
#: the lab's seeds give 0.205 / 0.635 / 0.873; other seeds (0-5) span 0.20-0.29 / 0.59-0.64 /
#: 0.85-0.87. The optimizers since the lecture (lab 08, section 6, same weights and batches as
#: Adam): the lab's seed gives AdamW 0.873, Lion 0.830, Lamb 0.890, Adafactor 0.855,
#: schedule-free AdamW 0.894, Muon 0.899; seeds 0-5 stay within 0.017 of these (seeds 0 and 2
#: within 0.013), except Adafactor from seed 3's weights, which diverges (0.087). Schedule-free
#: AdamW was re-measured when its sequence z began at the weights, as its ``build`` says
#: (before, 0.869; see :func:`_build_variables`). The bands add a margin for other CPUs and
#: library versions.
FAST_MODE_BANDS: dict[str, tuple[float, float]] = {
    "lecture": (0.12, 0.40),
    "modern": (0.50, 0.72),
    "adam": (0.80, 0.93),
    "adamw": (0.80, 0.93),
    "lion": (0.76, 0.89),
    "lamb": (0.82, 0.95),
    "adafactor": (0.79, 0.92),
    "schedule_free_adamw": (0.83, 0.96),
    "muon": (0.83, 0.96),
}


def make_schedule(kind: str, initial_learning_rate: float, *, steps_per_epoch: int,
                  epochs: int) -> float | keras.optimizers.schedules.LearningRateSchedule:
    r"""A learning-rate schedule, with its rate of decay set per *epoch*.

    With :math:`k` the number of updates so far, :math:`e = k / \text{steps\_per\_epoch}`
    the (fractional) epoch and :math:`\varepsilon_0` = ``initial_learning_rate``:

    ============  ===============================================  ==========================
    kind          learning rate                                    Keras class
    ============  ===============================================  ==========================
    constant      :math:`\varepsilon_0`                            a float
    inverse_time  :math:`\varepsilon_0 / (1 + 0.5 e)`              ``InverseTimeDecay``
    exponential   :math:`\varepsilon_0 \cdot 0.8^{e}`              ``ExponentialDecay``
    step          :math:`\varepsilon_0`, then :math:`/10` after    ``PiecewiseConstantDecay``
                  :math:`\lfloor E/2 \rfloor` and :math:`/100`
                  after :math:`\lfloor 3E/4 \rfloor` whole epochs
    ============  ===============================================  ==========================

    ``inverse_time`` is what Keras 2's ``SGD(decay=d)`` did, :math:`\varepsilon_0/(1 + d k)`,
    with :math:`d = 0.5 / \text{steps\_per\_epoch}` per update.
    """
    kind = check_choice("kind", kind, SCHEDULE_NAMES)
    lr = check_scalar("initial_learning_rate", initial_learning_rate, low=0.0, low_open=True)
    spe = check_int("steps_per_epoch", steps_per_epoch, low=1)
    epochs = check_int("epochs", epochs, low=1)
    sched = keras.optimizers.schedules
    if kind == "constant":
        return lr
    if kind == "inverse_time":
        return sched.InverseTimeDecay(lr, decay_steps=spe, decay_rate=0.5)
    if kind == "exponential":
        return sched.ExponentialDecay(lr, decay_steps=spe, decay_rate=0.8)
    first = max(1, epochs // 2) * spe
    second = max(first + 1, (3 * epochs) // 4 * spe)
    return sched.PiecewiseConstantDecay([first, second], [lr, lr / 10, lr / 100])


def make_optimizer(name: str, *, learning_rate: Any = None, schedule: str = "constant",
                   steps_per_epoch: int = 1, epochs: int = 1,
                   **kwargs: Any) -> keras.optimizers.Optimizer:
    """A Keras optimizer by the lecture's name, with the lab's learning rate by default.

    The class and its fixed arguments come from the optimizer's descriptor,
    ``course_utils.optimizers.info(name).keras`` (e.g. ``nesterov`` is
    ``SGD(momentum=0.9, nesterov=True)``); ``name`` is any optimizer with a lab learning rate
    (:data:`OPTIMIZER_NAMES` and :data:`MODERN_OPTIMIZER_NAMES`).
    ``learning_rate`` defaults to its ``lab_learning_rate``; a float is turned into
    ``schedule`` (see :func:`make_schedule`), a Keras schedule is used as it is. Other keyword
    arguments (``clipnorm``, ``rho`` ...) go to the Keras class.
    """
    spec = keras_spec(name)
    if learning_rate is None:
        learning_rate = spec.lab_learning_rate
    if not isinstance(learning_rate, keras.optimizers.schedules.LearningRateSchedule):
        learning_rate = make_schedule(schedule, learning_rate, steps_per_epoch=steps_per_epoch,
                                      epochs=epochs)
    return build_keras_optimizer(name, learning_rate=learning_rate, **kwargs)


# --------------------------------------------------------------------------- training


class RunCallbacks(Protocol):
    """What :func:`compare` needs of a dashboard: one Keras callback per run name."""

    def callback(self, run: str) -> keras.callbacks.Callback: ...


@stands_in_for
@dataclass
class RunResult:
    """One training run: its history, timings and test accuracy.

    Attributes
    ----------
    name : str
    history : dict of str -> list of float
        ``History.history`` of ``model.fit``: ``loss``, ``accuracy``, ``val_loss``,
        ``val_accuracy``, one value per epoch.
    epoch_times : list of float
        Wall time of each epoch in seconds (the first includes building the graph).
    wall_time : float
        Total seconds of ``model.fit``.
    test_accuracy, test_loss : float
    model : keras.Model
        The trained model.
    trajectory : list of list of ndarray
        Trainable weights recorded during training (``train(..., record_every=k)``), the
        initial weights first; empty otherwise.
    replicas : int
        Devices that trained data-parallel (1: one device); each step took ``replicas`` x the
        batch size.
    """

    name: str
    history: dict[str, list[float]]
    epoch_times: list[float]
    wall_time: float
    test_accuracy: float
    test_loss: float
    model: Any = field(repr=False, default=None)
    trajectory: list[list[np.ndarray]] = field(repr=False, default_factory=list)
    replicas: int = 1

    @property
    def epochs(self) -> int:
        """Number of epochs trained (fewer than asked for if early stopping ended the run)."""
        return len(self.history.get("loss", []))

    def best_epoch(self, metric: str = "val_loss") -> int:
        """The epoch (1-based) with the lowest ``metric`` (highest for an accuracy)."""
        values = np.asarray(self.history[metric])
        return int(np.argmax(values) if "acc" in metric else np.argmin(values)) + 1

    def epochs_to(self, target: float, metric: str = "val_accuracy") -> int | None:
        """First epoch (1-based) at which ``metric`` reached ``target``; None if never."""
        for i, v in enumerate(self.history.get(metric, []), start=1):
            if v >= target:
                return i
        return None

    def final(self, metric: str) -> float:
        """The last value of ``metric``."""
        return float(self.history[metric][-1])


#: How :func:`train` compiles a model: integer labels, accuracy as the metric.
_LOSS: dict[str, Any] = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}

#: The evaluation copies of :func:`_evaluator`, most recently used last.
_EVALUATORS: OrderedDict[tuple[str, str], keras.Model] = OrderedDict()
_MAX_EVALUATORS = 8


def _evaluator(model: keras.Model, compile_kwargs: Mapping[str, Any],
               data: LabData) -> keras.Model | None:
    """A compiled copy of ``model``'s architecture that evaluates every run of it.

    Keras builds a model's evaluation graph (traces its ``test_function``) the first time the
    model is evaluated, so every run of :func:`compare`, a fresh copy of one network, paid for
    it again (0.2-0.4 s on a 2-core CPU, up to a fifth of a fast-mode run). The copy is found
    by the model's layers (its JSON) and the compile settings, so clones of one model share
    it; it gets the run's weights before each evaluation. The same graph on the same weights
    and batches gives the same numbers as the run's own evaluation. None when the model cannot
    be rebuilt from its config (the run then evaluates itself).
    """
    try:
        config = json.loads(model.to_json())
    except (NotImplementedError, TypeError, ValueError):
        return None
    config.pop("compile_config", None)  # the layers only, not how the run compiled them
    key = (json.dumps(config, sort_keys=True), repr(sorted(compile_kwargs.items())))
    evaluator = _EVALUATORS.get(key)
    if evaluator is None:
        try:
            evaluator = keras.models.clone_model(model)
        except (NotImplementedError, TypeError, ValueError):
            return None
        evaluator.compile(optimizer=None, **_LOSS, **compile_kwargs)
        _build_variables(evaluator, data)
        _EVALUATORS[key] = evaluator
        while len(_EVALUATORS) > _MAX_EVALUATORS:
            _EVALUATORS.popitem(last=False)
    _EVALUATORS.move_to_end(key)
    return evaluator


def _evaluate(evaluator: keras.Model, model: keras.Model, dataset: Any) -> dict[str, float]:
    """``model``'s loss and metrics on ``dataset``, computed by ``evaluator`` (same layers)."""
    evaluator.set_weights(model.get_weights())
    return evaluator.evaluate(dataset, verbose=0, return_dict=True)


def _build_variables(model: keras.Model, data: LabData) -> None:
    """Create the optimizer's and the metrics' variables of a compiled ``model`` before it
    trains or evaluates, as Keras does itself when it trains under a distribution strategy.

    Without a strategy Keras creates them while it traces the training (or evaluation) step;
    TensorFlow then traces the step a second time (a traced function that created variables is
    traced again), about a fifth of a fast-mode run. Variables created in that trace also
    missed the values their ``build`` gives them: ``ScheduleFreeAdamW`` starts its sequence
    ``z`` at the weights, but inside the trace it started elsewhere, at values that depended on
    the runs before.
    """
    symbolic_build = getattr(model, "_symbolic_build", None)  # Keras 3's trainers
    if symbolic_build is not None:
        symbolic_build(data_batch=(data.x_train[:1], data.y_train[:1]))


class _Validation(keras.callbacks.Callback):
    """Validation at every epoch end by a shared evaluator (:func:`_evaluator`): adds
    ``val_loss``, ``val_accuracy`` to the epoch's logs, as ``fit(validation_data=...)`` does,
    for the callbacks after it (early stopping, the dashboard) and the history."""

    def __init__(self, evaluator: keras.Model, dataset: Any) -> None:
        super().__init__()
        self.evaluator = evaluator
        self.dataset = dataset

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if logs is not None:
            logs.update({f"val_{k}": v for k, v in
                         _evaluate(self.evaluator, self.model, self.dataset).items()})


class _EpochTimer(keras.callbacks.Callback):
    def on_train_begin(self, logs: Any = None) -> None:
        self.times: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._t = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.times.append(time.perf_counter() - self._t)


@needs_data
def train(model: keras.Model, data: LabData, *, optimizer: keras.optimizers.Optimizer,
          epochs: int, batch_size: int = 128, seed: int = 0, callbacks: Sequence[Any] = (),
          setup: KerasSetup | None = None, name: str | None = None,
          evaluate_test: bool = True, steps_per_execution: int | None = None,
          record_every: int | None = None) -> RunResult:
    """Compile ``model`` with ``optimizer`` and fit it on ``data`` with validation each epoch.

    The loss is sparse categorical cross-entropy (integer labels; the lecture's one-hot labels
    with ``categorical_crossentropy`` give the same numbers). ``setup`` supplies
    ``jit_compile`` and ``steps_per_execution`` (default: no XLA, 1 step per execution). The
    random state is re-seeded with ``seed`` first, so two runs see the same batches in the same
    order (and the same dropout masks). ``steps_per_execution`` overrides the setup's (use 1
    when a callback must see every batch). With ``record_every=k`` the trainable weights are
    kept every ``k`` steps (:class:`~course_utils.lab.landscape.WeightRecorder`) in
    :attr:`RunResult.trajectory`.

    The optimizer's and the metrics' variables are made before Keras traces the training
    step, so that it traces it once and the optimizer starts as its ``build`` says. The
    validation at each epoch end and the test accuracy are computed by one compiled copy of the
    network per architecture, shared by the runs (the copies of :func:`compare`), so Keras
    builds the evaluation graph once rather than once per run; the numbers are those of
    ``fit(validation_data=...)`` and ``model.evaluate``.

    With several replicas (``setup.replicas > 1``, see
    :func:`~course_utils.lab.setup.keras_setup`) a mirrored copy of ``model`` trains under
    ``setup.strategy``, ``batch_size`` images on each replica per step, one step per call; the
    optimizer is rebuilt from its config in the strategy's scope unless it was made there
    (:func:`compare` makes it there). The trained weights are copied back into ``model``, which
    is evaluated and returned as :attr:`RunResult.model`, as with one device; the mirrored copy
    validates itself (``fit(validation_data=...)``).
    """
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    seed = check_int("seed", seed, low=0, high=2**31 - 1)
    compile_kwargs = dict(setup.compile_kwargs) if setup is not None else {}
    if steps_per_execution is not None:
        compile_kwargs["steps_per_execution"] = check_int("steps_per_execution",
                                                          steps_per_execution, low=1)
    model.compile(optimizer=optimizer, **_LOSS, **compile_kwargs)
    strategy = setup.strategy if setup is not None else None
    trained, replicas = model, 1
    evaluator = None
    if strategy is not None:
        replicas = strategy.num_replicas_in_sync
        with strategy.scope():
            trained = keras.models.clone_model(model)
            trained.set_weights(model.get_weights())
            if not isinstance(optimizer.iterations.value, tf.distribute.DistributedValues):
                optimizer = type(optimizer).from_config(optimizer.get_config())
        trained.compile(optimizer=optimizer, **_LOSS,
                        **dict(compile_kwargs, steps_per_execution=1))
    else:
        _build_variables(model, data)
        # before the seed, which the run's batches depend on: cloning draws random weights
        evaluator = _evaluator(model, compile_kwargs, data)
    keras.utils.set_random_seed(seed)
    timer = _EpochTimer()
    extra: list[Any] = [timer]
    validation: dict[str, Any] = {"validation_data": data.eval_dataset("val")}
    if evaluator is not None:  # first, so that the callbacks after it see val_loss
        extra.insert(0, _Validation(evaluator, validation.pop("validation_data")))
    if record_every is not None:
        recorder = WeightRecorder(every=check_int("record_every", record_every, low=1))
        extra.append(recorder)
    start = time.perf_counter()
    hist = trained.fit(data.train_dataset(batch_size * replicas, seed=seed), epochs=epochs,
                       shuffle=False, verbose=0, callbacks=[*extra, *callbacks], **validation)
    wall = time.perf_counter() - start
    if trained is not model:
        model.set_weights(trained.get_weights())
    test_loss, test_acc = float("nan"), float("nan")
    if evaluate_test and evaluator is not None:
        scores = _evaluate(evaluator, model, data.eval_dataset("test"))
        test_loss, test_acc = scores["loss"], scores["accuracy"]
    elif evaluate_test:
        test_loss, test_acc = model.evaluate(data.eval_dataset("test"), verbose=0)
    history = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
    return RunResult(name or model.name, history, timer.times, wall, float(test_acc),
                     float(test_loss), model,
                     recorder.weights if record_every is not None else [], replicas)


@needs_data
def compare(model: keras.Model, data: LabData, optimizers: Mapping[str, Callable[[], Any]], *,
            epochs: int, batch_size: int = 128, seed: int = 0,
            setup: KerasSetup | None = None, dashboard: RunCallbacks | None = None,
            tag: str | None = None) -> list[RunResult]:
    """Train one copy of ``model`` per optimizer, all from ``model``'s current weights.

    Parameters
    ----------
    model : keras.Model
        Supplies the architecture and the common initial weights (it is not trained itself).
    optimizers : mapping of run name -> zero-argument callable returning a fresh optimizer
    dashboard : Dashboard, optional
        Each run draws its curves there live (its run names must include the keys); anything
        with a ``callback(run_name)`` method that returns a Keras callback will do.
    tag : str, optional
        Appended to each result's name, e.g. ``"adam (step)"`` for ``tag="step"``.
    """
    initial = model.get_weights()
    results = []
    for run_name, factory in optimizers.items():
        copy = keras.models.clone_model(model)
        copy.set_weights(initial)
        callbacks = [dashboard.callback(run_name)] if dashboard is not None else []
        with setup.scope() if setup is not None else contextlib.nullcontext():
            optimizer = factory()  # made in the strategy's scope with several replicas
        results.append(train(copy, data, optimizer=optimizer, epochs=epochs,
                             batch_size=batch_size, seed=seed, callbacks=callbacks,
                             setup=setup, name=f"{run_name} ({tag})" if tag else run_name))
    return results


def optimizer_factories(names: Sequence[str] = OPTIMIZER_NAMES, *, schedule: str = "constant",
                        steps_per_epoch: int = 1, epochs: int = 1,
                        learning_rates: Mapping[str, float] | None = None,
                        **kwargs: Any) -> dict[str, Callable[[], keras.optimizers.Optimizer]]:
    """``{name: factory}`` for :func:`compare`: each factory calls :func:`make_optimizer` with
    the lab's learning rate (or ``learning_rates[name]``) under ``schedule``."""
    names = tuple(names)
    for name in names:
        check_choice("names[i]", name, tuple(LAB_LEARNING_RATES))
    rates = dict(LAB_LEARNING_RATES, **(learning_rates or {}))
    check_choice("schedule", schedule, SCHEDULE_NAMES)

    def factory(name: str) -> Callable[[], keras.optimizers.Optimizer]:
        return lambda: make_optimizer(name, learning_rate=rates[name], schedule=schedule,
                                      steps_per_epoch=steps_per_epoch, epochs=epochs, **kwargs)

    return {name: factory(name) for name in names}


def schedule_curves(initial_learning_rate: float, *, steps_per_epoch: int, epochs: int,
                    kinds: Sequence[str] = SCHEDULE_NAMES) -> dict[str, np.ndarray]:
    """Learning rate at every update ``k = 0 .. steps_per_epoch * epochs - 1`` for each schedule
    of :func:`make_schedule` (for plotting)."""
    steps = np.arange(check_int("steps_per_epoch", steps_per_epoch, low=1)
                      * check_int("epochs", epochs, low=1))
    out = {}
    for kind in kinds:
        sched = make_schedule(kind, initial_learning_rate, steps_per_epoch=steps_per_epoch,
                              epochs=epochs)
        out[kind] = (np.full(len(steps), float(sched)) if isinstance(sched, float)
                     else np.asarray(sched(tf.constant(steps)), dtype=np.float64))
    return out


def _flat_results(results: Sequence[RunResult] | Mapping[str, Sequence[RunResult]]
                  ) -> list[RunResult]:
    if isinstance(results, Mapping):
        return [r for group in results.values() for r in group]
    return list(results)


@needs_data
def results_table(results: Sequence[RunResult] | Mapping[str, Sequence[RunResult]], *,
                  target: float = 0.97, metric: str = "val_accuracy") -> str:
    """A plain-text table: final accuracies, wall time, time per epoch and epochs to ``target``.

    ``results`` is a list of :class:`RunResult` or a dict of such lists (e.g. one per
    schedule). "time s" is the wall time of ``model.fit``; "s/epoch" the median epoch time
    without the first epoch, which also builds the graph.
    """
    target = check_scalar("target", target, low=0.0, high=1.0)
    results = _flat_results(results)
    width = max([26] + [len(r.name) + 1 for r in results])
    header = (f"{'run':<{width}} {'train acc':>9} {'val acc':>8} {'test acc':>8} {'time s':>7} "
              f"{'s/epoch':>7} {'epochs to ' + format(target, '.0%'):>15}")
    rows = [header, "-" * len(header)]
    for r in results:
        reached = r.epochs_to(target, metric)
        per_epoch = float(np.median(r.epoch_times[1:] if len(r.epoch_times) > 1
                                    else r.epoch_times))
        rows.append(f"{r.name:<{width}} {r.final('accuracy'):>9.4f} "
                    f"{r.final('val_accuracy'):>8.4f} {r.test_accuracy:>8.4f} "
                    f"{r.wall_time:>7.1f} {per_epoch:>7.2f} "
                    f"{('never' if reached is None else str(reached)):>15}")
    return "\n".join(rows)


def check_band(name: str, value: float, band: tuple[float, float]) -> str:
    """Check that a seeded fast-mode accuracy lies in its stated band; raise if it does not.

    Returns the sentence it checked (for printing). A value outside the band means that the
    lab no longer behaves as it did when the band was measured: an ``AssertionError`` says so.
    """
    lo, hi = band
    lo = check_scalar("band[0]", lo, low=0.0, high=1.0)
    hi = check_scalar("band[1]", hi, low=lo, high=1.0, low_open=True)
    text = f"{name}: {value:.4f} in the stated band [{lo:.2f}, {hi:.2f}]"
    if not lo <= value <= hi:
        raise AssertionError(f"{name}: {value:.4f} is outside the stated band [{lo:.2f}, "
                             f"{hi:.2f}] -- the seeded fast-mode run changed behaviour")
    return text


@needs_data
def check_bands(results: Sequence[RunResult], *, fast: bool,
                bands: Mapping[str, tuple[float, float]] | None = None) -> None:
    """In fast mode, :func:`check_band` the test accuracy of every result named in ``bands``
    (default :data:`FAST_MODE_BANDS`) and print the sentences; in full mode, or for a run on
    several replicas (larger steps), just print the accuracies (the bands describe the seeded
    fast runs on one device only)."""
    bands = FAST_MODE_BANDS if bands is None else bands
    for r in results:
        if r.name not in bands:
            continue
        lo, hi = bands[r.name]
        if fast and r.replicas == 1:
            print(check_band(f"{r.name} test accuracy", r.test_accuracy, (lo, hi)))
        else:
            why = "full mode" if not fast else f"{r.replicas} replicas"
            print(f"{r.name} test accuracy: {r.test_accuracy:.4f} ({why}; the fast-mode band "
                  f"[{lo:.2f}, {hi:.2f}] of one device does not apply)")



@needs_data
def train_with_tape(model: keras.Model, optimizer: keras.optimizers.Optimizer,
                    batches: Iterable[tuple[Any, Any]] | LabData, *, steps: int,
                    compiled: bool = True, batch_size: int = 128, seed: int = 0) -> list[float]:
    """Train with a hand-written loop: forward pass on a ``tf.GradientTape``, gradient,
    ``optimizer.apply_gradients``. Returns the loss of each step.

    ``batches`` is any iterable of ``(x, y)`` batches (restarted when exhausted) or a
    :class:`LabData`, whose training pipeline is used with ``batch_size`` and ``seed``.
    ``compiled`` wraps the step in ``tf.function`` (a graph, as ``model.fit`` does); eager
    steps are slower but show Python errors of a new optimizer where they happen.
    """
    steps = check_int("steps", steps, low=1)
    if isinstance(batches, LabData):
        batches = batches.train_dataset(batch_size, seed=seed)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    variables = model.trainable_variables

    def step(x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(grads, variables, strict=True))
        return loss

    if compiled:
        step = tf.function(step)
    losses = []
    iterator = iter(batches)
    for _ in range(steps):
        try:
            x, y = next(iterator)
        except StopIteration:
            iterator = iter(batches)
            x, y = next(iterator)
        losses.append(float(step(x, y)))
    return losses
