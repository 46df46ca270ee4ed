"""The course's own optimizers, registered in the order the course lists them.

Each call below is the whole of what the tools know about one optimizer: its label, its
hyperparameters with slider ranges, its look (the same in the explorer and in the Keras labs),
the explorer's demo step sizes, the Keras class that computes the same method, and how the
explorer shows its state. An instructor adds one the same way, from a notebook.

Demo learning rates: Keras's defaults (``adam`` 0.001) barely move on a 2-D surface in a few
hundred steps, so the explorer starts from per-surface demo values picked from a sweep of each
optimizer over learning rates 1e-3 ... 10 on each surface (200 steps): a value that moves
visibly and mostly converges, the same one for the SGD family so that plain SGD and momentum
compare at equal step size, and the paper's ``learning_rate=1`` for AdaDelta. The labs'
learning rates are the lecture's (Keras defaults, ``Adadelta(1.0)``, ``Adamax/Nadam(0.002)``),
except AdaGrad, whose Keras default 0.001 barely moves in 10 epochs.

Styles: the first ten optimizers get the ten path colours and solid lines; the other five
reuse the colour of an optimizer they are rarely shown with, with another marker and a dashed
line. No two optimizers share a colour and a marker.
"""

from __future__ import annotations

from .._validate import ParamSpec
from . import adam as _adam
from . import adaptive as _adaptive
from . import second_order as _second
from . import sgd as _sgd
from .registry import KerasSpec, Style, register

_LR = ParamSpec(0.01, 1e-4, 10.0, True, "learning rate ε", "learning rate ε")
_MU = ParamSpec(0.9, 0.0, 0.999, False, "momentum μ (friction 1 − μ)", "momentum μ")
_EPS = ParamSpec(1e-7, 1e-10, 1e-1, True, "δ: small constant against division by zero "
                 "(Keras's epsilon)", "δ (epsilon)")
_B1 = ParamSpec(0.9, 0.0, 0.999, False, "β₁: decay of the first moment m", "β₁")
_B2 = ParamSpec(0.999, 0.5, 0.9999, False, "β₂: decay of the second moment v", "β₂")
_RHO = ParamSpec(0.9, 0.0, 0.999, False, "ρ: decay rate of the mean of g²", "ρ")
_NESTEROV = ParamSpec(False, None, None, False, "Nesterov (Keras form)", "Nesterov")
_SGD_SPECS = {"learning_rate": _LR, "momentum": _MU}
_ADAM_SPECS = {"learning_rate": _LR, "beta_1": _B1, "beta_2": _B2, "epsilon": _EPS}

_SGD_FAMILY = ("sgd", "momentum", "nesterov", "nesterov_lookahead")
_ON = {  # per-surface demo learning rates shared by the SGD family
    "ravine": 0.3, "rosenbrock": 0.001, "beale": 0.003, "himmelblau": 0.003, "saddle": 0.01,
    "plateau": 1.0, "cliff": 0.01, "logistic": 0.3,
}
_MOMENTUM_DEMO = dict(_ON)

register(
    "sgd", _sgd.sgd, label="SGD", family="sgd",
    hyperparameters={"learning_rate": _LR, "momentum": _MU, "nesterov": _NESTEROV},
    style=Style("#4477AA", "o", "-"), demo_learning_rate=0.1,
    demo_learning_rates={**_ON, "beale": 0.01, "himmelblau": 0.01, "saddle": 0.05,
                         "cliff": 0.1, "local_minima": 0.3, "logistic": 1.0},
    keras=KerasSpec("SGD", lab_learning_rate=0.01), inside=_sgd.inside_momentum,
    description="steepest descent with a fixed step: θ ← θ − ε g")
register(
    "momentum", _sgd.momentum, label="momentum", family="sgd", hyperparameters=_SGD_SPECS,
    style=Style("#EE6677", "s", "-"), demo_learning_rate=0.1, demo_learning_rates=_MOMENTUM_DEMO,
    keras=KerasSpec("SGD", fixed={"momentum": 0.9}, lab_learning_rate=0.01),
    inside=_sgd.inside_momentum,
    description="a velocity that accumulates past gradients: v ← μv − εg, θ ← θ + v")
register(
    "nesterov", _sgd.nesterov, label="Nesterov (Keras)", family="sgd",
    hyperparameters=_SGD_SPECS, style=Style("#228833", "^", "-"), demo_learning_rate=0.1,
    demo_learning_rates=_MOMENTUM_DEMO,
    keras=KerasSpec("SGD", fixed={"momentum": 0.9, "nesterov": True}, lab_learning_rate=0.01),
    inside=_sgd.inside_momentum,
    description="Nesterov momentum in Keras's form (gradient at the current point)")
register(
    "adam", _adam.adam, label="Adam", family="adam",
    hyperparameters={**_ADAM_SPECS,
                     "amsgrad": ParamSpec(False, None, None, False, "AMSGrad: max of v",
                                          "AMSGrad")},
    style=Style("#AA3377", "D", "-"), demo_learning_rate=0.1,
    demo_learning_rates={"ravine": 0.3, "rosenbrock": 0.3, "saddle": 0.01},
    keras=KerasSpec("Adam", lab_learning_rate=0.001), inside=_adam.inside_adam,
    description="momentum on m and RMSProp's scaling by v, both bias-corrected")
register(
    "rmsprop", _adaptive.rmsprop, label="RMSProp", family="adaptive",
    hyperparameters={"learning_rate": _LR, "rho": _RHO, "momentum": _MU._replace(default=0.0),
                     "epsilon": _EPS,
                     "centered": ParamSpec(False, None, None, False,
                                           "divide by the variance, not E[g²]", "centered")},
    style=Style("#000000", "v", "-"), demo_learning_rate=0.03,
    demo_learning_rates={"ravine": 0.1, "rosenbrock": 0.01, "saddle": 0.01},
    keras=KerasSpec("RMSprop", lab_learning_rate=0.001), inside=_adaptive.inside_rmsprop,
    description="AdaGrad with a decaying mean of g² instead of the sum")
register(
    "adagrad", _adaptive.adagrad, label="AdaGrad (Keras)", family="adaptive",
    hyperparameters={"learning_rate": _LR,
                     "initial_accumulator_value": ParamSpec(0.1, 0.0, 1.0, False,
                                                            "r₀: starting sum of g²", "r₀"),
                     "epsilon": _EPS},
    style=Style("#CCBB44", "P", "-"), demo_learning_rate=1.0,
    demo_learning_rates={"himmelblau": 0.3, "saddle": 0.1, "saddle_plateau": 0.3,
                         "cliff": 0.3},
    keras=KerasSpec("Adagrad", lab_learning_rate=0.01), inside=_adaptive.inside_adagrad,
    description="per-coordinate step ε/√(Σg²): large steps where gradients were small")
register(
    "rprop", _adaptive.rprop, label="Rprop", family="adaptive", step_size="initial_step",
    hyperparameters={
        "initial_step": ParamSpec(0.01, 1e-4, 1.0, True, "initial step size U₀",
                                  "initial step U₀"),
        "eta_plus": ParamSpec(1.2, 1.0, 2.0, False, "η⁺: growth on equal signs", "η⁺"),
        "eta_minus": ParamSpec(0.5, 0.05, 1.0, False, "η⁻: shrink on a sign change", "η⁻"),
        "min_step": ParamSpec(1e-6, 0.0, 1e-2, False, "smallest step", "min step"),
        "max_step": ParamSpec(50.0, 1e-2, 100.0, True, "largest step", "max step"),
        "backtracking": ParamSpec(False, None, None, False,
                                  "undo the previous step where the sign flips", "backtracking")},
    style=Style("#66CCEE", "X", "-"), demo_learning_rate=0.01,
    demo_learning_rates={"ravine": 0.1}, inside=_adaptive.inside_rprop,
    description="only the sign of g: a step per coordinate that grows or shrinks")
register(
    "nadam", _adam.nadam, label="Nadam", family="adam", hyperparameters=_ADAM_SPECS,
    style=Style("#EE7733", "*", "-"), demo_learning_rate=0.1,
    demo_learning_rates={"ravine": 0.3, "rosenbrock": 0.3, "saddle": 0.01},
    keras=KerasSpec("Nadam", lab_learning_rate=0.002), inside=_adam.inside_nadam,
    description="Adam with Nesterov momentum")
register(
    "adamax", _adam.adamax, label="Adamax", family="adam", hyperparameters=_ADAM_SPECS,
    style=Style("#009988", "o", "-"), demo_learning_rate=0.1,
    demo_learning_rates={"ravine": 0.3, "rosenbrock": 0.3, "beale": 0.3, "saddle": 0.03},
    keras=KerasSpec("Adamax", lab_learning_rate=0.002), inside=_adam.inside_adamax,
    description="Adam with the infinity norm in place of the RMS")
register(
    "adadelta", _adaptive.adadelta, label="AdaDelta", family="adaptive",
    hyperparameters={"learning_rate": _LR, "rho": _RHO, "epsilon": _EPS},
    style=Style("#882255", "s", "-"), demo_learning_rate=1.0,
    keras=KerasSpec("Adadelta", lab_learning_rate=1.0), inside=_adaptive.inside_adadelta,
    description="RMSProp whose step is scaled by the RMS of past updates: units that match")
register(
    "newton", _second.newton, label="Newton", family="second_order",
    hyperparameters={"learning_rate": _LR,
                     "damping": ParamSpec(0.0, 0.0, 10.0, False, "α added to H", "damping α")},
    style=Style("#66CCEE", "s", "--"), demo_learning_rate=1.0,  # Rprop's colour
    description="the step −H⁻¹g to the minimum of the local quadratic")
register(
    "saddle_free_newton", _second.saddle_free_newton, label="saddle-free Newton",
    family="second_order",
    hyperparameters={"learning_rate": _LR,
                     "damping": ParamSpec(1e-3, 0.0, 10.0, False, "α added to |eigenvalues|",
                                          "damping α")},
    style=Style("#882255", "^", "--"), demo_learning_rate=1.0,  # AdaDelta's colour
    demo_learning_rates={"beale": 0.3, "himmelblau": 0.3, "saddle": 0.1,
                         "saddle_plateau": 0.3, "plateau": 0.3, "local_minima": 0.3},
    description="Newton with |H|: it moves away from saddles instead of towards them")
register(
    "nesterov_lookahead", _sgd.nesterov_lookahead, label="Nesterov (look-ahead)", family="sgd",
    hyperparameters=_SGD_SPECS, style=Style("#CCBB44", "v", "--"),  # AdaGrad (Keras)'s colour
    demo_learning_rate=0.1, demo_learning_rates=_MOMENTUM_DEMO,
    inside=_sgd.inside_lookahead,
    description="the textbook Nesterov: the gradient at the look-ahead point θ + μv")
register(
    "adagrad_textbook", _adaptive.adagrad_textbook, label="AdaGrad (textbook)",
    family="adaptive", hyperparameters={"learning_rate": _LR, "epsilon": _EPS},
    style=Style("#009988", "D", "--"), demo_learning_rate=1.0,  # Adamax's colour
    demo_learning_rates={"himmelblau": 0.3, "saddle": 0.1, "saddle_plateau": 0.3,
                         "plateau": 0.3, "cliff": 0.3},
    inside=_adaptive.inside_adagrad_textbook,
    description="the textbook AdaGrad: r starts at 0, δ outside the root")
register(
    "rmsprop_nesterov", _adaptive.rmsprop_nesterov, label="RMSProp + Nesterov",
    family="adaptive",
    hyperparameters={"learning_rate": _LR, "rho": _RHO, "momentum": _MU, "epsilon": _EPS},
    style=Style("#228833", "P", "--"), demo_learning_rate=0.003,  # Nesterov (Keras)'s colour
    demo_learning_rates={"ravine": 0.01, "saddle": 0.001, "local_minima": 0.01,
                         "logistic": 0.01},
    inside=_adaptive.inside_rmsprop_nesterov,
    description="RMSProp with the textbook Nesterov look-ahead")
