r"""Optimizer steppers as pure functions, in the style of optax.

Every optimizer is a :class:`GradientTransformation`: a factory such as
``adam(learning_rate=0.01)`` captures the hyperparameters and returns

* ``init(params) -> state``: the optimizer's memory for these parameters;
* ``update(grads, state, params=None, **extra) -> (updates, new_state)``:
  the step to *add* to the parameters, ``params_next = params + updates``.

States are ``NamedTuple`` objects whose fields carry the names of the
mathematics (``velocity``, ``m``, ``v``, ``accum_grad`` ...). Nothing is
mutated in place, so a state can be kept, compared and replayed.

Shapes and grids
----------------
Parameters have shape ``(..., d)``: the last axis holds the coordinates of one
point (``d = 2`` on the course's surfaces), the leading axes are a batch of
independent trajectories. Every real hyperparameter may be a float or an array
whose shape broadcasts against the *batch* shape ``params.shape[:-1]``: one call
then runs a whole grid, e.g. 256 learning rates x 256 momenta::

    lr, mu = np.meshgrid(np.geomspace(1e-3, 2, 256), np.linspace(0, 0.99, 256))
    opt = sgd(learning_rate=lr, momentum=mu)        # batch shape (256, 256)

``learning_rate`` may also be a schedule from :mod:`course_utils.schedules`
(any callable of the step count), evaluated at ``count``, the number of updates
already applied (0 at the first update), as Keras does with ``iterations``.

Keras
-----
Names and defaults follow ``keras.optimizers`` (Keras 3), and with default
settings the numbers agree with Keras run in float64 (the test-suite checks a
relative 1e-5; Keras keeps ``learning_rate`` as a float32 variable, so the
agreement is near 1e-7, not 1e-15). Where the lecture's textbook form differs
from Keras, the docstring says how.

Composition
-----------
``chain(clip_by_norm(1.0), sgd(0.1))`` clips the gradient, then steps.

Layout and registry
-------------------
``base`` (the stepper type and its helpers), one module per family as the notebooks group
them (``sgd``: SGD and momentum; ``adaptive``: AdaGrad, RMSProp, AdaDelta, Rprop; ``adam``:
Adam, Adamax, Nadam; ``second_order``: Newton), ``transforms`` (clipping, noise, schedules,
``chain``), and ``registry``: one :class:`OptimizerInfo` per optimizer with everything the
explorer and the labs need. ``catalog`` registers the course's own; :func:`register` adds one
from a notebook.
"""

from .._validate import ParamSpec
from . import catalog as _catalog  # noqa: F401  (registers the lecture's optimizers)
from . import catalog_modern as _catalog_modern  # noqa: F401  (and the six since the lecture)
from .adam import AdamaxState, AdamState, NadamState, adam, adamax, nadam
from .adaptive import (
    AdadeltaState,
    AdagradState,
    RmspropNesterovState,
    RmspropState,
    RpropState,
    adadelta,
    adagrad,
    adagrad_textbook,
    rmsprop,
    rmsprop_nesterov,
    rprop,
)
from .base import CountState, GradientTransformation, Inside, apply_updates, state_size
from .modern import (
    AdafactorState,
    LambState,
    LionState,
    MuonState,
    ScheduleFreeState,
    adafactor,
    adamw,
    lamb,
    lion,
    muon,
    newton_schulz,
    schedule_free_adamw,
    schedule_free_average,
)
from .registry import (
    KerasSpec,
    OptimizerInfo,
    Style,
    get,
    info,
    names,
    parameters,
    register,
    unregister,
)
from .second_order import newton, saddle_free_newton
from .sgd import MomentumState, SgdState, momentum, nesterov, nesterov_lookahead, sgd
from .transforms import (
    NoiseState,
    add_noise,
    chain,
    clip_by_norm,
    clip_by_value,
    scale_by_schedule,
)

__all__ = [
    "GradientTransformation",
    "ParamSpec",
    "sgd",
    "momentum",
    "nesterov",
    "nesterov_lookahead",
    "adagrad",
    "adagrad_textbook",
    "rmsprop",
    "rmsprop_nesterov",
    "adadelta",
    "adam",
    "adamax",
    "nadam",
    "rprop",
    "newton",
    "saddle_free_newton",
    "adamw",
    "lion",
    "lamb",
    "adafactor",
    "schedule_free_adamw",
    "schedule_free_average",
    "muon",
    "newton_schulz",
    "clip_by_value",
    "clip_by_norm",
    "add_noise",
    "scale_by_schedule",
    "chain",
    "get",
    "names",
    "parameters",
    "info",
    "register",
    "unregister",
    "OptimizerInfo",
    "Style",
    "KerasSpec",
    "Inside",
    "apply_updates",
    "state_size",
    "SgdState",
    "MomentumState",
    "AdagradState",
    "RmspropState",
    "RmspropNesterovState",
    "AdadeltaState",
    "AdamState",
    "AdamaxState",
    "NadamState",
    "RpropState",
    "NoiseState",
    "CountState",
    "LionState",
    "LambState",
    "AdafactorState",
    "ScheduleFreeState",
    "MuonState",
]
