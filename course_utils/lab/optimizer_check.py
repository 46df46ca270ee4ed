"""Writing an optimizer: check a hand-written Keras optimizer against the built-in one and
name its mistake (:func:`check_optimizer`), and compare a NumPy stepper of
:mod:`course_utils.optimizers` with its Keras class on a toy surface
(:func:`compare_with_numpy`).

The Keras class of an optimizer comes from its descriptor,
``course_utils.optimizers.info(name).keras``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import optimizers
from .._validate import check_choice, check_int, check_scalar
from ..mnist import MnistFileError, load_mnist
from ._runtime import keras, tf
from .catalog import build_keras_optimizer, keras_spec
from .data import LabData
from .models import lecture_model
from .training import train_with_tape

__all__ = ["OptimizerCheck", "check_optimizer", "probe_gradients", "variant_updates",
           "ToyComparison", "compare_with_numpy"]


def _adam_variants(g: np.ndarray, lr: float, *, beta_1: float, beta_2: float, epsilon: float
                   ) -> dict[str, np.ndarray]:
    """Updates (T, k) of Adam and of its usual mistakes for the gradient sequence ``g``."""
    b1, b2, eps = beta_1, beta_2, epsilon

    def run(kind: str) -> np.ndarray:
        beta1, beta2 = (b2, b1) if kind == "betas_swapped" else (b1, b2)
        m = np.zeros(g.shape[1])
        v = np.zeros(g.shape[1])
        out = []
        for t, gt in enumerate(g, start=1):
            if kind == "weights_swapped":
                m = beta1 * gt + (1 - beta1) * m
                v = beta2 * gt**2 + (1 - beta2) * v
            else:
                m = beta1 * m + (1 - beta1) * gt
                v = beta2 * v + (1 - beta2) * gt**2
            c1 = 1 - beta1**t
            c2 = 1 - beta2**t
            if kind in ("keras", "sign", "betas_swapped", "weights_swapped"):
                step = lr * math.sqrt(c2) / c1 * m / (np.sqrt(v) + eps)
            elif kind == "textbook":
                step = lr * (m / c1) / (np.sqrt(v / c2) + eps)
            elif kind == "eps_inside_sqrt":
                step = lr * (m / c1) / np.sqrt(v / c2 + eps)
            elif kind == "eps_inside_sqrt_keras":
                step = lr * math.sqrt(c2) / c1 * m / np.sqrt(v + eps)
            elif kind == "no_bias_correction":
                step = lr * m / (np.sqrt(v) + eps)
            elif kind == "only_m_corrected":
                step = lr * (m / c1) / (np.sqrt(v) + eps)
            elif kind == "only_v_corrected":
                step = lr * m / (np.sqrt(v / c2) + eps)
            elif kind == "no_sqrt":
                step = lr * (m / c1) / (v / c2 + eps)
            else:  # pragma: no cover
                raise AssertionError(kind)
            out.append(step if kind == "sign" else -step)
        return np.array(out)

    kinds = ("keras", "textbook", "eps_inside_sqrt", "eps_inside_sqrt_keras",
             "no_bias_correction", "only_m_corrected", "only_v_corrected", "sign",
             "betas_swapped", "weights_swapped", "no_sqrt")
    return {k: run(k) for k in kinds}


def _rmsprop_variants(g: np.ndarray, lr: float, *, rho: float, epsilon: float
                      ) -> dict[str, np.ndarray]:
    """Updates (T, k) of Keras's RMSprop and of its usual mistakes."""
    eps = epsilon

    def run(kind: str) -> np.ndarray:
        v = np.zeros(g.shape[1])
        out = []
        for gt in g:
            if kind == "rho_swapped":
                v = (1 - rho) * v + rho * gt**2
            elif kind == "no_decay":
                v = v + gt**2
            else:
                v = rho * v + (1 - rho) * gt**2
            if kind == "eps_outside_sqrt":
                step = lr * gt / (np.sqrt(v) + eps)
            elif kind == "no_sqrt":
                step = lr * gt / (v + eps)
            else:
                step = lr * gt / np.sqrt(v + eps)
            out.append(step if kind == "sign" else -step)
        return np.array(out)

    kinds = ("keras", "eps_outside_sqrt", "rho_swapped", "no_decay", "sign", "no_sqrt")
    return {k: run(k) for k in kinds}


_HINTS = {
    "keras": "Correct: your updates match Keras's to float32 precision.",
    "textbook": (
        "Correct Adam in the paper's Algorithm 1 form: eps is added to sqrt(v_hat). Keras adds "
        "it to sqrt(v) and folds both bias corrections into the step size, "
        "alpha_t = lr*sqrt(1-beta_2^t)/(1-beta_1^t), the paper's 'more efficient' order; the "
        "two differ only for tiny gradients (|g| ~ eps). Use that form to match Keras exactly."),
    "eps_inside_sqrt": (
        "epsilon is inside the square root: sqrt(v_hat + eps). It belongs outside, "
        "sqrt(v_hat) + eps (Keras: sqrt(v) + eps); inside, it damps every small gradient "
        "by a factor 1/sqrt(eps) ~ 3000 too much."),
    "eps_inside_sqrt_keras": (
        "epsilon is inside the square root: sqrt(v + eps). Adam adds it outside: "
        "sqrt(v) + eps."),
    "no_bias_correction": (
        "the bias correction is missing: m and v start at 0, so early on they are too small "
        "by the factors (1 - beta_1^t) and (1 - beta_2^t). Divide by them (Keras folds both "
        "into alpha_t = lr*sqrt(1 - beta_2^t)/(1 - beta_1^t)), with t = iterations + 1."),
    "only_m_corrected": "only m is bias-corrected; v needs its factor 1/(1 - beta_2^t) too.",
    "only_v_corrected": "only v is bias-corrected; m needs its factor 1/(1 - beta_1^t) too.",
    "sign": ("sign error: the variable moves *up* the gradient. Subtract the step "
             "(self.assign_sub) instead of adding it."),
    "betas_swapped": ("beta_1 and beta_2 are swapped: beta_1 = 0.9 averages the gradient g, "
                      "beta_2 = 0.999 averages its square g*g."),
    "weights_swapped": ("the weights of the moving averages are swapped: the new gradient gets "
                        "(1 - beta), the old average beta: m <- beta_1*m + (1 - beta_1)*g."),
    "no_sqrt": "the denominator needs the square root of v (an RMS), not v itself.",
    "eps_outside_sqrt": ("epsilon is outside the square root; Keras's RMSprop divides by "
                         "sqrt(v + eps), with eps inside."),
    "rho_swapped": ("rho and 1 - rho are swapped: the running average keeps rho = 0.9 of the "
                    "old value, v <- rho*v + (1 - rho)*g*g."),
    "no_decay": ("v only grows: that is AdaGrad's sum of squares. RMSProp decays it: "
                 "v <- rho*v + (1 - rho)*g*g."),
}

_ACCEPTED = {"keras", "textbook"}


@dataclass(frozen=True)
class _Reference:
    """What the checker knows of one reference optimizer: the updates of its correct forms and
    usual mistakes, and the hyperparameters they depend on (Keras's attribute names)."""

    variants: Callable[..., dict[str, np.ndarray]]
    hyperparameters: tuple[str, ...]


#: The optimizers the checker can diagnose; their Keras classes come from the descriptors.
_REFERENCES = {"adam": _Reference(_adam_variants, ("beta_1", "beta_2", "epsilon")),
               "rmsprop": _Reference(_rmsprop_variants, ("rho", "epsilon"))}


def probe_gradients(steps: int) -> np.ndarray:
    """The checker's fixed gradient sequence, shape (steps, 14): magnitudes 1e-7..1 with
    changing signs."""
    steps = check_int("steps", steps, low=1)
    scales = np.repeat(10.0 ** -np.arange(7), 2)
    t = np.arange(steps)[:, None]
    i = np.arange(len(scales))[None, :]
    return scales * (1.0 + 0.5 * np.sin(1.3 * t + i)) * np.where((t + i) % 3 == 0, -1.0, 1.0)


def variant_updates(reference: str, gradients: np.ndarray, learning_rate: float,
                    **hyper: float) -> dict[str, np.ndarray]:
    """Updates, shape ``gradients.shape``, of the reference optimizer (``"keras"``, for Adam
    also the paper's ``"textbook"`` form) and of each of its usual mistakes, in float64, for
    a variable that receives ``gradients``. Hyperparameters not in ``hyper`` take the Keras
    class's defaults."""
    reference = check_choice("reference", reference, tuple(_REFERENCES))
    known = _REFERENCES[reference]
    defaults = build_keras_optimizer(reference, learning_rate=learning_rate)
    values = {k: float(hyper.get(k, getattr(defaults, k))) for k in known.hyperparameters}
    return known.variants(np.asarray(gradients, dtype=np.float64), learning_rate, **values)


@dataclass
class OptimizerCheck:
    """The verdict of :func:`check_optimizer`.

    Attributes
    ----------
    passed : bool
    reference : str
        ``"adam"`` or ``"rmsprop"``.
    max_abs_diff : float
        Largest difference between the weights trained with the candidate and with Keras's
        built-in optimizer, over all weights and steps (NaN if the candidate failed).
    step_diffs : list of float
        The largest difference after each training step.
    matched : str or None
        Which implementation the candidate's updates match on the probe: ``"keras"``,
        ``"textbook"`` or one of the usual mistakes (``"no_bias_correction"``, ...).
    probe_errors : dict of str -> float
        Largest probe difference (in units of the learning rate) to each known variant.
    hint : str
    """

    passed: bool
    reference: str
    max_abs_diff: float
    step_diffs: list[float]
    matched: str | None
    probe_errors: dict[str, float]
    hint: str
    data_source: str = "MNIST"

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "NOT YET"
        if not self.step_diffs:
            return f"{verdict} ({self.reference}): {self.hint}"
        diffs = ", ".join(f"{d:.1e}" for d in self.step_diffs)
        return (f"{verdict} ({self.reference}): largest weight difference to "
                f"keras.optimizers.{keras_spec(self.reference, lab_only=False).class_name} after "
                f"{len(self.step_diffs)} steps on {self.data_source} = {self.max_abs_diff:.2e} "
                f"(per step: {diffs})\n{self.hint}")


def _instantiate(candidate: Any, learning_rate: float) -> keras.optimizers.Optimizer:
    opt = candidate(learning_rate=learning_rate)
    if not isinstance(opt, keras.optimizers.Optimizer):
        raise ValueError("candidate must be a keras.optimizers.Optimizer subclass or a callable "
                         f"returning one, got {type(opt).__name__}")
    return opt


def _probe(opt: keras.optimizers.Optimizer, g: np.ndarray) -> np.ndarray:
    var = keras.Variable(np.zeros(g.shape[1], np.float32), name="probe")
    before = var.numpy().astype(np.float64)
    out = []
    for gt in g:
        opt.apply_gradients([(tf.constant(gt, tf.float32), var)])
        now = var.numpy().astype(np.float64)
        out.append(now - before)
        before = now
    return np.array(out)


def check_optimizer(candidate: Any, reference: str = "adam", *, data: LabData | None = None,
                    steps: int = 5, learning_rate: float = 0.01, batch_size: int = 64,
                    seed: int = 0, atol: float = 1e-5) -> OptimizerCheck:
    r"""Check a hand-written optimizer against Keras's built-in one.

    Two tests, both from the same starting point:

    1. **Training**: the lecture's network (784 -> 32 sigmoid -> 10) is built once; a copy is
       trained for ``steps`` steps with the candidate and another with
       ``keras.optimizers.Adam`` (or ``RMSprop``) and the same hyperparameters, on the same
       MNIST batches, in :func:`train_with_tape`'s ``tf.GradientTape`` loop. The largest weight
       difference after each step is reported.
    2. **Probe** (for the diagnosis): one variable receives a fixed sequence of gradients
       spanning magnitudes :math:`10^{-7}` to 1. Its updates are compared with Adam and with
       its usual mistakes -- no bias correction, :math:`\epsilon` inside the square root, a
       sign error, :math:`\beta_1 \leftrightarrow \beta_2`, ... (for RMSprop: :math:`\epsilon`
       outside the root, :math:`\rho \leftrightarrow 1-\rho`, no decay, ...) -- computed in
       float64. The closest one within 1 % of the learning rate names the mistake in the hint.

    The candidate passes when its probe updates match Keras's form (or, for Adam, the paper's
    Algorithm 1, which differs only in where :math:`\epsilon` enters) and, for Keras's form,
    the training difference is at most ``atol``.

    Parameters
    ----------
    candidate : class or callable
        Called as ``candidate(learning_rate=...)``; must return a
        ``keras.optimizers.Optimizer``. Its ``beta_1``, ``beta_2``, ``epsilon`` (Adam) or
        ``rho``, ``epsilon`` (RMSprop) attributes, if present, are given to the built-in.
    reference : {"adam", "rmsprop"}
    data : LabData, optional
        MNIST batches for the training test (default: the first MNIST images).
    steps : int, 1..100
    learning_rate : float, > 0
    batch_size : int
    seed : int
        Seeds the network's initial weights.
    atol : float, > 0
        Tolerance on the training difference.

    Returns
    -------
    OptimizerCheck
        Also for a template that still raises ``NotImplementedError`` (``passed=False`` with a
        hint); other exceptions of the candidate propagate, with their traceback.
    """
    reference = check_choice("reference", reference, tuple(_REFERENCES))
    steps = check_int("steps", steps, low=1, high=100)
    lr = check_scalar("learning_rate", learning_rate, low=0.0, low_open=True)
    batch_size = check_int("batch_size", batch_size, low=1)
    atol = check_scalar("atol", atol, low=0.0, low_open=True)
    try:
        probe_opt = _instantiate(candidate, lr)
        hyper = {k: float(getattr(probe_opt, k)) for k in _REFERENCES[reference].hyperparameters
                 if isinstance(getattr(probe_opt, k, None), (int, float))}
        g = probe_gradients(8)
        got = _probe(probe_opt, g)
    except NotImplementedError as exc:
        return OptimizerCheck(False, reference, float("nan"), [], None, {},
                              f"Not implemented yet ({exc or 'NotImplementedError'}): fill "
                              "in build() and update_step(), then run this cell again.")

    # -- probe: which implementation do the updates match?
    variants = variant_updates(reference, g, lr, **hyper)
    finite = bool(np.all(np.isfinite(got)))
    errors = {k: (float(np.max(np.abs(got - v))) / lr if finite else float("inf"))
              for k, v in variants.items()}
    best = min(errors, key=errors.get)
    matched = best if errors[best] <= 1e-2 else None

    # -- training on MNIST in a GradientTape loop, candidate vs built-in
    n = batch_size * steps
    source = "MNIST"
    if isinstance(data, LabData) and len(data.x_train) >= n:
        x, y = data.x_train[:n], data.y_train[:n]
    else:
        try:
            (x, y), _ = load_mnist(flatten=True, normalize=True, subset=(n, 1))
        except (FileNotFoundError, MnistFileError):
            rng = np.random.default_rng(seed)  # the optimizer's arithmetic needs no real digits
            x = rng.random((n, 784), dtype=np.float32)
            y = rng.integers(0, 10, n)
            source = "random images (MNIST is not available)"
    batches = [(tf.constant(x[i:i + batch_size]), tf.constant(y[i:i + batch_size], tf.int32))
               for i in range(0, batch_size * steps, batch_size)]
    net = lecture_model(seed=seed)
    initial = net.get_weights()
    copies = []
    for opt in (_instantiate(candidate, lr),
                build_keras_optimizer(reference, learning_rate=lr, **hyper)):
        model = keras.models.clone_model(net)
        model.set_weights(initial)
        copies.append((model, opt))
    step_diffs = []
    for b in batches:
        for model, opt in copies:
            train_with_tape(model, opt, [b], steps=1, compiled=False)
        diff = max(float(np.max(np.abs(a - c))) for a, c in
                   zip(copies[0][0].get_weights(), copies[1][0].get_weights(), strict=True))
        step_diffs.append(diff if math.isfinite(diff) else float("inf"))
    max_diff = max(step_diffs)

    if not finite or not math.isfinite(max_diff):
        hint = ("Your updates contain NaN or inf. A bias correction 1 - beta^t with t = "
                "self.iterations is 0 at the first step: t must be iterations + 1. Also check "
                "for a square root of something negative.")
        return OptimizerCheck(False, reference, max_diff, step_diffs, None, errors, hint,
                              source)
    passed = matched in _ACCEPTED and (matched == "textbook" or max_diff <= atol)
    if matched is not None:
        hint = _HINTS[matched]
        if matched in _ACCEPTED and not passed:
            hint = (f"The probe matches, but training differs by {max_diff:.1e} > atol={atol}: "
                    "do all weights get updated (build() must create one slot per variable)?")
        elif not passed:
            hint = "Hint: " + hint
    else:
        ratio = np.median(np.abs(got).ravel() / np.maximum(np.abs(variants["keras"]).ravel(),
                                                           1e-30))
        same_sign = float(np.mean(np.sign(got) == np.sign(variants["keras"])))
        hint = (f"Hint: the updates match no known variant. On the probe they are "
                f"{ratio:.3g} times Keras's (median) and have the same sign in "
                f"{same_sign:.0%} of the cases. Compare your update_step with the equations "
                "line by line; print the update for a constant gradient g = 1.")
    return OptimizerCheck(bool(passed), reference, max_diff, step_diffs, matched, errors, hint,
                          source)


@dataclass
class ToyComparison:
    """Paths of a ``course_utils`` stepper and the Keras optimizer on one 2-D surface."""

    name: str
    numpy_path: np.ndarray
    keras_path: np.ndarray

    @property
    def max_abs_diff(self) -> float:
        """Largest coordinate difference between the two paths."""
        return float(np.max(np.abs(self.numpy_path - self.keras_path)))


def compare_with_numpy(name: str, surface: Any, *, learning_rate: float, steps: int = 50,
                       start: Any = None) -> ToyComparison:
    """Run the numpy stepper ``course_utils.optimizers.get(name)`` and the Keras optimizer of
    its descriptor (``optimizers.info(name).keras``; any registered optimizer with one) from
    the same start on a 2-D ``surface``, in float64.

    Both take the gradient ``surface.grad`` at the current point; Keras updates a float64
    ``keras.Variable`` with ``apply_gradients``.
    """
    keras_spec(name, lab_only=False)  # ValueError naming the choices if it has no Keras class
    steps = check_int("steps", steps, low=1, high=100_000)
    lr = check_scalar("learning_rate", learning_rate, low=0.0, low_open=True)
    x0 = np.array(surface.start if start is None else start, dtype=np.float64)
    stepper = optimizers.get(name, learning_rate=lr)
    x = x0.copy()
    state = stepper.init(x)
    ours = [x.copy()]
    for _ in range(steps):
        updates, state = stepper.update(surface.grad(x), state, x)
        x = x + updates
        ours.append(x.copy())
    opt = build_keras_optimizer(name, learning_rate=lr)
    var = keras.Variable(x0.copy(), dtype="float64")
    theirs = [x0.copy()]
    for _ in range(steps):
        grad = tf.constant(surface.grad(var.numpy()), tf.float64)
        opt.apply_gradients([(grad, var)])
        theirs.append(var.numpy().copy())
    return ToyComparison(name, np.array(ours), np.array(theirs))
