r"""Loss landscapes of a real Keras network: the 1-D and 2-D pictures of the toy surfaces.

A network has tens of thousands of parameters :math:`\theta`, so its loss cannot be drawn; a
*slice* of it can. Two kinds, both evaluated on a fixed set of examples:

* **linear interpolation** (Goodfellow, Vinyals & Saxe 2015): the loss along the straight line
  :math:`\theta(\alpha) = (1-\alpha)\,\theta_0 + \alpha\,\theta_1` from the initial weights
  :math:`\theta_0` to the trained ones :math:`\theta_1` (:func:`interpolate`);
* **a 2-D slice** (Li, Xu, Taylor, Studer & Goldstein 2018, *Visualizing the Loss Landscape of
  Neural Nets*): :math:`f(a, b) = L(\theta^* + a\,\delta + b\,\eta)` around the trained weights
  :math:`\theta^*` along two directions (:func:`loss_surface`), either

  - random directions, *filter-normalised* (:func:`random_direction`): for every neuron
    :math:`j` of every layer, the direction's incoming weights :math:`d_{\cdot j}` are rescaled
    to the norm of the trained ones, :math:`d_{\cdot j} \leftarrow d_{\cdot j} /
    \|d_{\cdot j}\| \cdot \|\theta_{\cdot j}\|`, and the directions of biases and
    batch-normalisation parameters are set to zero. This removes the scale invariance of
    ReLU networks (multiplying a neuron's incoming weights by 10 and its outgoing ones by 1/10
    changes nothing), so slices of different networks compare; or
  - the top two PCA directions of the training trajectory (:func:`pca_directions`): in
    thousands of dimensions two random directions are almost orthogonal to the path the
    optimizer took, so the path would project onto a dot. The principal directions of
    :math:`\{\theta_i - \theta^*\}` capture most of its movement, and the projected path can
    be drawn on the slice with :func:`course_utils.plotting.path`.

Weights are lists of NumPy arrays in the order of ``model.trainable_variables`` (non-trainable
variables such as batch-norm statistics stay at the model's values). This module imports
Keras (through :mod:`course_utils.lab._runtime`); ``import course_utils`` does not load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import plotting
from .._validate import check_int, check_scalar
from ._runtime import MissingData, keras, needs_data, skip_notice, stands_in_for, tf

__all__ = [
    "Weights",
    "WeightRecorder",
    "PCADirections",
    "get_weights",
    "flatten",
    "unflatten",
    "random_direction",
    "pca_directions",
    "LossEvaluator",
    "interpolate",
    "loss_surface",
    "LossSlice",
    "random_slice",
    "pca_slice",
    "plot_interpolation",
    "plot_slice",
]

Weights = list[np.ndarray]


def get_weights(model: keras.Model) -> Weights:
    """Copies of ``model.trainable_variables`` as float64 NumPy arrays."""
    return [np.array(v.numpy(), dtype=np.float64) for v in model.trainable_variables]


def flatten(weights: Sequence[np.ndarray]) -> np.ndarray:
    """All arrays of ``weights`` in one vector."""
    if len(weights) == 0:
        raise ValueError("weights must hold at least one array")
    return np.concatenate([np.ravel(w) for w in weights]).astype(np.float64)


def unflatten(vector: np.ndarray, like: Sequence[np.ndarray]) -> Weights:
    """Split ``vector`` into arrays shaped like ``like`` (the inverse of :func:`flatten`)."""
    vector = np.asarray(vector, dtype=np.float64)
    sizes = [int(np.size(w)) for w in like]
    if vector.ndim != 1 or vector.size != sum(sizes):
        raise ValueError(f"vector must have shape ({sum(sizes)},) to fill the weights, got "
                         f"{vector.shape}")
    out, start = [], 0
    for w, n in zip(like, sizes, strict=True):
        out.append(vector[start:start + n].reshape(np.shape(w)))
        start += n
    return out


class WeightRecorder(keras.callbacks.Callback):
    """Keep the trainable weights during ``model.fit``: at the start, then every ``every``
    training steps (or at every epoch end if ``every`` is None).

    With ``steps_per_execution = s`` Keras reports batches in groups of ``s``, so weights are
    recorded at the first reported step at or after each multiple of ``every``.

    Attributes
    ----------
    weights : list of Weights
    steps : list of int
        The training step of each record (0 = initial weights).
    """

    def __init__(self, every: int | None = None) -> None:
        super().__init__()
        self.every = None if every is None else check_int("every", every, low=1)
        self.weights: list[Weights] = []
        self.steps: list[int] = []
        self._step = 0
        self._epoch_steps = 0

    def on_train_begin(self, logs: Any = None) -> None:
        self.weights = [get_weights(self.model)]
        self.steps = [0]
        self._step = 0

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._epoch_steps = 0

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        done = batch + 1 - self._epoch_steps
        self._epoch_steps = batch + 1
        before = self._step
        self._step += done
        if self.every is not None and self._step // self.every > before // self.every:
            self.weights.append(get_weights(self.model))
            self.steps.append(self._step)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if self.every is None:
            self.weights.append(get_weights(self.model))
            self.steps.append(self._step)

    def on_train_end(self, logs: Any = None) -> None:
        if self.steps[-1] != self._step:
            self.weights.append(get_weights(self.model))
            self.steps.append(self._step)


@needs_data
def random_direction(weights: Sequence[np.ndarray], *, seed: int = 0,
                     filter_normalize: bool = True) -> Weights:
    r"""A Gaussian random direction shaped like ``weights``, filter-normalised (Li et al. 2018).

    For every weight array with two or more axes, the last axis indexes the neurons (filters)
    of the layer -- a Dense kernel has shape ``(n_in, n_out)``, so neuron :math:`j` owns the
    column :math:`\theta_{\cdot j}`. Each such column of the direction is rescaled,

    .. math:: d_{\cdot j} \leftarrow \frac{d_{\cdot j}}{\|d_{\cdot j}\|}\,\|\theta_{\cdot j}\|,

    and one-axis arrays (biases, batch-norm :math:`\gamma, \beta`) get a zero direction.
    With ``filter_normalize=False`` the raw Gaussian direction is returned.
    """
    rng = np.random.default_rng(seed)
    out = []
    for w in weights:
        w = np.asarray(w, dtype=np.float64)
        d = rng.standard_normal(w.shape)
        if filter_normalize:
            if w.ndim < 2:
                d = np.zeros_like(w)
            else:
                axes = tuple(range(w.ndim - 1))
                d_norm = np.sqrt(np.sum(d**2, axis=axes, keepdims=True))
                w_norm = np.sqrt(np.sum(w**2, axis=axes, keepdims=True))
                d = d / np.maximum(d_norm, 1e-12) * w_norm
        out.append(d)
    return out


@stands_in_for
@dataclass
class PCADirections:
    r"""The top principal directions of a trajectory and the trajectory's coordinates in them.

    Attributes
    ----------
    directions : list of Weights
        Unit vectors (in the flattened parameter space), shaped like the weights.
    coords : ndarray, shape (T, k)
        :math:`(\theta_i - \theta^*) \cdot d_k` for every recorded point :math:`\theta_i`.
    explained : ndarray, shape (k,)
        Fraction of the trajectory's variance along each direction.
    """

    directions: list[Weights]
    coords: np.ndarray
    explained: np.ndarray


@needs_data
def pca_directions(trajectory: Sequence[Sequence[np.ndarray]],
                   center: Sequence[np.ndarray] | None = None, *, n: int = 2) -> PCADirections:
    r"""PCA of a weight trajectory (Li et al. 2018, Sec. 7).

    The rows :math:`\theta_i - \theta^*` (``center`` defaults to the last point, the trained
    weights) are centred and decomposed by SVD; the top ``n`` right singular vectors are the
    directions. Needs at least ``n + 1`` recorded points.
    """
    if len(trajectory) < n + 1:
        raise ValueError(f"trajectory needs at least n + 1 = {n + 1} points, got "
                         f"{len(trajectory)}")
    n = check_int("n", n, low=1)
    like = trajectory[-1] if center is None else center
    c = flatten(like)
    m = np.stack([flatten(w) - c for w in trajectory])
    _, s, vt = np.linalg.svd(m - m.mean(axis=0), full_matrices=False)
    var = s**2
    explained = var[:n] / var.sum() if var.sum() > 0 else np.zeros(n)
    dirs = vt[:n]
    # a stable orientation: the first point (the start) lies at positive coordinates
    signs = np.where(m[0] @ dirs.T < 0, -1.0, 1.0)
    dirs = dirs * signs[:, None]
    return PCADirections([unflatten(d, like) for d in dirs], m @ dirs.T, explained)


@stands_in_for
class LossEvaluator:
    """Loss and accuracy of ``model`` at arbitrary weights on a fixed set of examples.

    The weights are given as one flat vector; evaluation runs ``model.stateless_call`` in a
    compiled ``tf.function``, so the model's own variables are never changed and a grid of
    hundreds of points costs one graph call each. Without data (``x`` or ``y`` a
    :class:`~course_utils.lab._runtime.MissingData`) the constructor prints "skipped" and
    returns that ``MissingData`` instead of an evaluator, like every helper that needs data.
    """

    def __new__(cls, model: keras.Model, x: np.ndarray, y: np.ndarray, *args: Any,
                **kwargs: Any) -> Any:
        if isinstance(x, MissingData) or isinstance(y, MissingData):
            missing = x if isinstance(x, MissingData) else y
            print(skip_notice("LossEvaluator()", missing))
            return missing
        return super().__new__(cls)

    def __init__(self, model: keras.Model, x: np.ndarray, y: np.ndarray,
                 batch_size: int = 4096) -> None:
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"x and y must be non-empty with the same length, got {len(x)} and "
                             f"{len(y)}")
        batch_size = check_int("batch_size", batch_size, low=1)
        self.model = model
        self.like = get_weights(model)
        self._shapes = [w.shape for w in self.like]
        self._sizes = [int(np.size(w)) for w in self.like]
        self._dtypes = [v.dtype for v in model.trainable_variables]
        self._non_trainable = [v.value for v in model.non_trainable_variables]
        self._batches = [(tf.constant(x[i:i + batch_size]), tf.constant(y[i:i + batch_size]))
                         for i in range(0, len(x), batch_size)]
        self._n = len(x)
        self._fn = tf.function(self._evaluate, reduce_retracing=True)

    def _evaluate(self, flat: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        parts = tf.split(flat, self._sizes)
        values = [tf.cast(tf.reshape(p, s), d)
                  for p, s, d in zip(parts, self._shapes, self._dtypes, strict=True)]
        total_loss = tf.constant(0.0, tf.float64)
        correct = tf.constant(0.0, tf.float64)
        for xb, yb in self._batches:
            out, _ = self.model.stateless_call(values, self._non_trainable, xb, training=False)
            loss = keras.losses.sparse_categorical_crossentropy(yb, out)
            total_loss += tf.cast(tf.reduce_sum(loss), tf.float64)
            hits = tf.equal(tf.argmax(out, axis=-1, output_type=yb.dtype), yb)
            correct += tf.reduce_sum(tf.cast(hits, tf.float64))
        return total_loss / self._n, correct / self._n

    def __call__(self, weights: Sequence[np.ndarray] | np.ndarray) -> tuple[float, float]:
        """``(mean loss, accuracy)`` at ``weights`` (a weight list or a flat vector)."""
        flat = weights if isinstance(weights, np.ndarray) and weights.ndim == 1 \
            else flatten(weights)
        if flat.size != sum(self._sizes):
            raise ValueError(f"weights hold {flat.size} numbers, the model has "
                             f"{sum(self._sizes)}")
        loss, acc = self._fn(tf.constant(flat, tf.float64))
        return float(loss), float(acc)


@needs_data(returns=2)
def interpolate(evaluator: LossEvaluator, start: Sequence[np.ndarray],
                end: Sequence[np.ndarray], alphas: Sequence[float] | np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    r"""Loss and accuracy along :math:`\theta(\alpha) = (1-\alpha)\theta_{start} +
    \alpha\,\theta_{end}` for each ``alpha`` (0 = start, 1 = end; outside [0, 1] extrapolates).
    """
    a = np.asarray(alphas, dtype=np.float64)
    if a.ndim != 1 or a.size == 0 or not np.all(np.isfinite(a)):
        raise ValueError("alphas must be a non-empty 1-D sequence of finite numbers")
    s, e = flatten(start), flatten(end)
    results = np.array([evaluator((1 - t) * s + t * e) for t in a])
    return results[:, 0], results[:, 1]


@needs_data(returns=3)
def loss_surface(evaluator: LossEvaluator, center: Sequence[np.ndarray],
                 directions: Sequence[Sequence[np.ndarray]], xs: Sequence[float] | np.ndarray,
                 ys: Sequence[float] | np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""The loss :math:`L(\theta^* + a\,\delta + b\,\eta)` on the grid ``xs`` x ``ys``.

    Returns ``X, Y, Z`` of shape ``(len(ys), len(xs))`` like ``np.meshgrid`` (rows follow
    ``ys``), ready for :func:`course_utils.plotting.contour`.
    """
    if len(directions) != 2:
        raise ValueError(f"directions must hold exactly two directions, got {len(directions)}")
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    if xs.ndim != 1 or ys.ndim != 1 or xs.size < 2 or ys.size < 2:
        raise ValueError("xs and ys must be 1-D with at least two values each")
    c = flatten(center)
    d1, d2 = (flatten(d) for d in directions)
    if d1.size != c.size or d2.size != c.size:
        raise ValueError("the directions must have the shapes of the center weights")
    X, Y = np.meshgrid(xs, ys)
    Z = np.empty_like(X)
    for i in range(len(ys)):
        for j in range(len(xs)):
            Z[i, j] = evaluator(c + X[i, j] * d1 + Y[i, j] * d2)[0]
    return X, Y, Z


@needs_data
def plot_interpolation(ax: Any, alphas: np.ndarray, losses: np.ndarray,
                       accuracies: np.ndarray | None = None) -> list:
    """Loss (and accuracy, on a twin axis) along the straight line from the initial
    (:math:`\\alpha = 0`) to the trained weights (:math:`\\alpha = 1`). Returns the lines."""
    colour, _ = plotting.color_for(0)
    lines = ax.plot(alphas, losses, color=colour, lw=2, label="loss")
    # the two ends are named in the tick labels, where they cannot collide with a title
    ticks = np.unique(np.round(np.concatenate([ax.get_xticks(), [0.0, 1.0]]), 6))
    ticks = ticks[(ticks >= np.min(alphas)) & (ticks <= np.max(alphas))]
    names = {0.0: "\ninitial", 1.0: "\ntrained"}
    for a in (0.0, 1.0):
        ax.axvline(a, color="grey", lw=0.8, ls=":")
    ax.set_xticks(ticks, [f"{t:g}{names.get(float(t), '')}" for t in ticks])
    ax.set_xlabel(r"$\alpha$ in $(1-\alpha)\,\theta_0 + \alpha\,\theta_1$")
    ax.set_ylabel("loss", color=colour)
    ax.grid(alpha=0.3)
    if accuracies is not None:
        twin = ax.twinx()
        colour2, _ = plotting.color_for(1)
        lines += twin.plot(alphas, accuracies, color=colour2, lw=1.5, ls="--", label="accuracy")
        twin.set_ylabel("accuracy", color=colour2)
    return lines


@stands_in_for
@dataclass
class LossSlice:
    """A 2-D slice of the loss: grids ``X, Y, Z`` (as from ``np.meshgrid``, rows follow ``Y``),
    the directions, and optionally a path projected onto the plane (``coords``)."""

    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    directions: list[Weights]
    coords: np.ndarray | None = None


@needs_data
def random_slice(evaluator: LossEvaluator, center: Sequence[np.ndarray], *, n: int = 21,
                 extent: float = 1.0, seed: int = 1) -> LossSlice:
    r"""The loss on an ``n`` x ``n`` grid :math:`a, b \in [-e, e]` along two filter-normalised
    random directions (seeds ``seed`` and ``seed + 1``) through ``center``."""
    n = check_int("n", n, low=2)
    extent = check_scalar("extent", extent, low=0.0, low_open=True)
    dirs = [random_direction(center, seed=seed + k) for k in range(2)]
    grid = np.linspace(-extent, extent, n)
    X, Y, Z = loss_surface(evaluator, center, dirs, grid, grid)
    return LossSlice(X, Y, Z, dirs)


@needs_data
def pca_slice(evaluator: LossEvaluator, center: Sequence[np.ndarray], pca: PCADirections, *,
              n: int = 21, margin: float = 1.2) -> LossSlice:
    """The loss on an ``n`` x ``n`` grid in the plane of the two PCA directions through
    ``center``, wide enough to hold the projected path (times ``margin``), with the path."""
    n = check_int("n", n, low=2)
    margin = check_scalar("margin", margin, low=1.0)
    span = float(np.abs(pca.coords[:, :2]).max()) * margin or 1.0
    grid = np.linspace(-span, span, n)
    X, Y, Z = loss_surface(evaluator, center, pca.directions[:2], grid, grid)
    return LossSlice(X, Y, Z, pca.directions[:2], pca.coords[:, :2])


@needs_data
def plot_slice(ax: Any, plane: LossSlice, *, levels: int = 25, log_scale: bool = True,
               label: str | None = "training path") -> list:
    """Contour map of a :class:`LossSlice` with :func:`course_utils.plotting.contour` and, if it
    has one, the projected training path with :func:`course_utils.plotting.path` (it starts at
    the white circle and ends at the centre, the trained weights, marked by a star)."""
    artists = plotting.contour(ax, plane.X, plane.Y, plane.Z, levels=levels,
                               log_scale=log_scale)
    artists.append(ax.scatter([0.0], [0.0], marker="*", s=160, c="white", edgecolors="k",
                              zorder=6, label="trained weights"))
    if plane.coords is not None:
        artists += plotting.path(ax, plane.coords, index=1, label=label)
        ax.legend(fontsize="small", loc="lower right")
    ax.set_xlim(plane.X.min(), plane.X.max())
    ax.set_ylim(plane.Y.min(), plane.Y.max())
    return artists
