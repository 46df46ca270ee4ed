"""The optimizers since the lecture (notebook 10), registered after the course's own."""

from __future__ import annotations

from .._validate import ParamSpec
from . import modern as _modern
from .catalog import _ADAM_SPECS, _B2, _EPS, _LR, _MU
from .registry import KerasSpec, Style, register

# --------------------------------------------------------------------------- since the lecture
# Notebook 10. Keras names and defaults. Demo rates: AdamW takes Adam's, so the two compare at
# equal step size; the others come from a sweep over 1e-3 ... 3 on each surface (200 steps),
# rounded to the course's grid: Lion about a third of Adam's (its steps are ±ε per
# coordinate), Lamb and Adafactor by their relative steps, schedule-free AdamW higher (its
# average x moves slower than z), Muon's fixed step length 0.2 ε. The labs' rates: Keras's
# defaults for AdamW, Lion at a third of Adam's (the paper's rule), and 0.01 for Lamb,
# Adafactor, Muon and schedule-free AdamW, whose defaults barely move in the labs' short runs
# (lab 08 fast mode: 3 epochs on 4,096 images).

_WD = ParamSpec(0.004, 0.0, 1.0, False, "α: decoupled weight decay (θ ← θ − εαθ)",
                "weight decay α")
_WD0 = _WD._replace(default=0.0)

register(
    "adamw", _modern.adamw, label="AdamW", family="modern",
    style=Style("#AA3377", "o", "--"),  # Adam's colour, dashed
    hyperparameters={**_ADAM_SPECS, "weight_decay": _WD,
                     "amsgrad": ParamSpec(False, None, None, False, "AMSGrad: max of v",
                                          "AMSGrad")},
    demo_learning_rate=0.1, demo_learning_rates={"ravine": 0.3, "rosenbrock": 0.3,
                                                 "saddle": 0.01},
    keras=KerasSpec("AdamW", lab_learning_rate=0.001), inside=_modern.inside_adamw,
    phase_axes=("learning_rate", "weight_decay"),
    description="Adam with decoupled weight decay: θ ← θ − εαθ outside the adaptive scaling")
register(
    "lion", _modern.lion, label="Lion", family="modern", style=Style("#EE6677", "*", "--"),
    hyperparameters={"learning_rate": _LR,
                     "beta_1": ParamSpec(0.9, 0.0, 1.0, False, "β₁: weight of m in the sign",
                                         "β₁"),
                     "beta_2": ParamSpec(0.99, 0.0, 0.999, False, "β₂: decay of the momentum m",
                                         "β₂"),
                     "weight_decay": _WD0},
    demo_learning_rate=0.03,
    demo_learning_rates={"ravine": 0.1, "rosenbrock": 0.01, "local_minima": 0.1,
                         "logistic": 0.3},
    keras=KerasSpec("Lion", lab_learning_rate=0.0003), inside=_modern.inside_lion,
    description="the sign of an interpolated momentum: every coordinate moves by ε")
register(
    "lamb", _modern.lamb, label="Lamb", family="modern", style=Style("#4477AA", "D", "--"),
    hyperparameters={**_ADAM_SPECS, "weight_decay": _WD0}, demo_learning_rate=0.03,
    demo_learning_rates={"ravine": 0.1, "plateau": 0.1, "saddle": 0.01},
    keras=KerasSpec("Lamb", lab_learning_rate=0.01),
    description="Adam's direction scaled per layer to a step of ε‖θ‖ (trust ratio)")
register(
    "adafactor", _modern.adafactor, label="Adafactor", family="modern",
    style=Style("#000000", "X", "--"),
    hyperparameters={
        "learning_rate": _LR,
        "beta_2_decay": ParamSpec(-0.8, -1.0, -0.1, False, "c: β̂₂ = 1 − tᶜ", "β₂ decay c"),
        "epsilon_1": ParamSpec(1e-30, 1e-35, 1e-10, True, "δ₁ added to g²", "δ₁"),
        "epsilon_2": ParamSpec(1e-3, 1e-6, 1e-1, True, "δ₂: smallest parameter scale", "δ₂"),
        "clip_threshold": ParamSpec(1.0, 0.1, 10.0, True, "d: largest RMS of an update", "d"),
        "relative_step": ParamSpec(True, None, None, False, "cap ε at 1/√t",
                                   "relative step"),
        "weight_decay": _WD0},
    demo_learning_rate=0.1,
    demo_learning_rates={"ravine": 0.3, "beale": 0.03, "himmelblau": 0.03, "saddle": 0.01,
                         "saddle_plateau": 0.01, "plateau": 1.0, "local_minima": 1.0},
    keras=KerasSpec("Adafactor", ignored=("shape",), lab_learning_rate=0.01),
    phase_axes=("learning_rate", "clip_threshold"),
    description="a step relative to RMS(θ), with a factored second moment for matrices")
register(
    "schedule_free_adamw", _modern.schedule_free_adamw, label="schedule-free AdamW",
    family="modern", style=Style("#EE7733", "^", "--"),
    hyperparameters={"learning_rate": _LR,
                     "beta_1": ParamSpec(0.9, 0.05, 0.999, False,
                                         "β₁: where y sits between z and x", "β₁"),
                     "beta_2": _B2, "epsilon": _EPS._replace(default=1e-8),
                     "warmup_steps": ParamSpec(0, 0, 200, False, "linear warm-up steps",
                                               "warm-up steps"),
                     "weight_decay": _WD0},
    demo_learning_rate=0.3,
    demo_learning_rates={"ravine": 1.0, "beale": 1.0, "rosenbrock": 0.1, "saddle": 0.03,
                         "saddle_plateau": 0.1},
    keras=KerasSpec("ScheduleFreeAdamW", same_path_on_points=False, lab_learning_rate=0.01,
                    note="Keras 3 on TensorFlow recovers x from the already updated z (it "
                         "keeps a reference to the variable, not a copy); the first steps "
                         "agree, then the paths drift apart by a few per cent"),
    inside=_modern.inside_schedule_free,
    description="no schedule: the gradient at y, the answer at the running average x")
register(
    "muon", _modern.muon, label="Muon", family="modern", style=Style("#882255", "X", ":"),
    hyperparameters={"learning_rate": _LR, "momentum": _MU._replace(default=0.95),
                     "nesterov": ParamSpec(True, None, None, False, "Nesterov momentum",
                                           "Nesterov"),
                     "ns_steps": ParamSpec(5, 0, 10, False, "Newton-Schulz iterations",
                                           "NS steps"),
                     "rms_rate": ParamSpec(0.2, 0.05, 1.0, True, "ρ: RMS of the update",
                                           "RMS rate ρ"),
                     "weight_decay": _WD},
    demo_learning_rate=0.3,
    demo_learning_rates={"rosenbrock": 0.1, "beale": 0.1, "cliff": 0.1},
    keras=KerasSpec("Muon", ignored=("shape",), same_path_on_points=False,
                    lab_learning_rate=0.01,
                    note="Keras runs AdamW on variables that are not matrices; on a weight "
                         "matrix the two agree"),
    inside=_modern.inside_muon,
    description="momentum orthogonalized by Newton-Schulz: equal steps in every direction "
                "of a weight matrix (on a 2-D point: normalized Nesterov SGD)")
