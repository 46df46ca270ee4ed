"""Tests of course_utils.schedules: Keras equivalence, lecture formulas, API and validation."""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from course_utils import schedules as S

STEPS = np.arange(301)  # contains every boundary / decay_steps used below

# one valid instance of every schedule (and of the main variants)
EXAMPLES = [
    S.constant(0.05),
    S.exponential_decay(0.1, 7, 0.5),
    S.exponential_decay(0.1, 7, 0.5, staircase=True),
    S.inverse_time_decay(0.1, 10, 0.5),
    S.inverse_time_decay(0.1, 10, 0.5, staircase=True),
    S.piecewise_constant_decay([100, 200], [0.1, 0.01, 0.001]),
    S.step_decay(0.1, 10, 0.5),
    S.natural_exp_decay(0.1, 0.01),
    S.linear_decay(0.1, 0.001, 150),
    S.cosine_decay(0.1, 250, alpha=0.1),
    S.cosine_decay(0.0, 200, alpha=0.05, warmup_target=0.2, warmup_steps=50),
    S.linear_warmup(0.1, 20),
    S.linear_warmup(0.1, 20, 0.01, then=S.cosine_decay(0.1, 100)),
    S.polynomial_decay(0.1, 120, 0.01, power=2.0),
    S.polynomial_decay(0.1, 70, 0.01, power=0.5, cycle=True),
]


def test_examples_cover_every_schedule():
    assert {s.name for s in EXAMPLES} == set(S.names())
    assert len(S.names()) == 10


# --------------------------------------------------------------------------- Keras equivalence


@pytest.fixture(scope="module")
def kschedules():
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    keras = pytest.importorskip("keras")
    return keras.optimizers.schedules


def _assert_close_to_keras(ours, theirs, scale):
    # Keras computes in float32: relative 1e-6, plus an absolute float32 round-off of the
    # peak rate for values that come from a cancellation (1 + cos x near x = pi).
    np.testing.assert_allclose(ours, np.asarray(theirs, dtype=np.float64),
                               rtol=1e-6, atol=2e-7 * scale)


@pytest.mark.parametrize(
    "ours, keras_name, args, kwargs",
    [
        (S.exponential_decay(0.1, 7, 0.5), "ExponentialDecay", (0.1, 7, 0.5), {}),
        (S.exponential_decay(0.1, 7, 0.5, staircase=True), "ExponentialDecay", (0.1, 7, 0.5),
         {"staircase": True}),
        (S.exponential_decay(0.3, 25, 0.9), "ExponentialDecay", (0.3, 25, 0.9), {}),
        (S.inverse_time_decay(0.1, 10, 0.5), "InverseTimeDecay", (0.1, 10, 0.5), {}),
        (S.inverse_time_decay(0.1, 10, 0.5, staircase=True), "InverseTimeDecay",
         (0.1, 10, 0.5), {"staircase": True}),
        (S.piecewise_constant_decay([100, 200], [0.1, 0.01, 0.001]), "PiecewiseConstantDecay",
         ([100, 200], [0.1, 0.01, 0.001]), {}),
        (S.piecewise_constant_decay([0, 1, 150, 299], [0.5, 0.4, 0.3, 0.2, 0.1]),
         "PiecewiseConstantDecay", ([0, 1, 150, 299], [0.5, 0.4, 0.3, 0.2, 0.1]), {}),
        (S.cosine_decay(0.1, 250), "CosineDecay", (0.1, 250), {}),
        (S.cosine_decay(0.1, 250, alpha=0.1), "CosineDecay", (0.1, 250), {"alpha": 0.1}),
        (S.polynomial_decay(0.1, 120, 0.01, power=2.0), "PolynomialDecay", (0.1, 120, 0.01),
         {"power": 2.0}),
        (S.polynomial_decay(0.1, 70, 0.01, power=0.5, cycle=True), "PolynomialDecay",
         (0.1, 70, 0.01), {"power": 0.5, "cycle": True}),
        (S.polynomial_decay(0.1, 100), "PolynomialDecay", (0.1, 100), {}),
        (S.linear_decay(0.1, 0.001, 150), "PolynomialDecay", (0.1, 150, 0.001), {"power": 1.0}),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_matches_keras_vectorized(kschedules, ours, keras_name, args, kwargs):
    theirs = getattr(kschedules, keras_name)(*args, **kwargs)(STEPS)
    values = ours(STEPS)
    _assert_close_to_keras(values, theirs, scale=values.max())


@pytest.mark.parametrize(
    "lr0, decay_steps, alpha, target, warmup",
    [(0.0, 200, 0.0, 0.2, 50), (0.01, 150, 0.1, 0.1, 100), (0.1, 250, 0.0, 0.3, 0)],
)
def test_cosine_decay_warmup_matches_keras(kschedules, lr0, decay_steps, alpha, target, warmup):
    # Keras' warm-up branch uses ops.cond, so it only takes scalar steps.
    k = kschedules.CosineDecay(lr0, decay_steps, alpha=alpha, warmup_target=target,
                               warmup_steps=warmup)
    theirs = [float(k(int(t))) for t in STEPS]
    ours = S.cosine_decay(lr0, decay_steps, alpha, warmup_target=target, warmup_steps=warmup)
    _assert_close_to_keras(ours(STEPS), theirs, scale=target)


def test_cosine_warmup_ignored_without_target_as_in_keras(kschedules):
    theirs = kschedules.CosineDecay(0.1, 100, warmup_steps=30)(STEPS)
    ours = S.cosine_decay(0.1, 100, warmup_steps=30)
    _assert_close_to_keras(ours(STEPS), theirs, scale=0.1)
    assert ours(0) == 0.1


# --------------------------------------------------------------------------- lecture formulas


def test_step_decay_by_hand():
    s = S.step_decay(0.1, 10, 0.5)
    assert s(0) == pytest.approx(0.1)
    assert s(9) == pytest.approx(0.1)
    assert s(10) == pytest.approx(0.05)
    assert s(25) == pytest.approx(0.025)
    assert s(30) == pytest.approx(0.0125)


def test_step_decay_is_staircase_exponential_decay():
    k = np.arange(1000)
    np.testing.assert_allclose(S.step_decay(0.2, 13, 0.3)(k),
                               S.exponential_decay(0.2, 13, 0.3, staircase=True)(k), rtol=1e-14)


def test_exponential_decay_by_hand():
    assert S.exponential_decay(0.1, 10, 0.5)(15) == pytest.approx(0.1 * 0.5**1.5)
    assert S.exponential_decay(0.1, 10, 0.5, staircase=True)(15) == pytest.approx(0.05)


def test_natural_exp_decay_by_hand_and_as_exponential_decay():
    s = S.natural_exp_decay(0.1, 0.02)
    assert s(0) == pytest.approx(0.1)
    assert s(50) == pytest.approx(0.1 * math.exp(-1.0))
    k = np.arange(500)
    np.testing.assert_allclose(s(k), S.exponential_decay(0.1, 1, math.exp(-0.02))(k),
                               rtol=1e-12)


def test_inverse_time_decay_is_keras2_decay_argument():
    lr0, decay = 0.1, 1e-3
    s = S.inverse_time_decay(lr0, 1, decay)
    for t in (0, 1, 999, 1000, 12345):
        assert s(t) == pytest.approx(lr0 / (1 + decay * t), rel=1e-14)
    assert s(1000) == pytest.approx(0.05)
    assert S.inverse_time_decay(0.1, 10, 1.0, staircase=True)(25) == pytest.approx(0.1 / 3)


def test_linear_decay_goodfellow_8_14():
    s = S.linear_decay(1.0, 0.01, 100)
    assert s(0) == pytest.approx(1.0)
    assert s(50) == pytest.approx(0.5 * 1.0 + 0.5 * 0.01)
    assert s(25) == pytest.approx(0.75 + 0.25 * 0.01)
    assert s(100) == pytest.approx(0.01)
    assert s(10**6) == pytest.approx(0.01)


def test_piecewise_boundary_belongs_to_left_piece():
    s = S.piecewise_constant_decay([100, 200], [0.1, 0.01, 0.001])
    assert [s(t) for t in (0, 100, 101, 200, 201, 10**9)] == [0.1, 0.1, 0.01, 0.01, 0.001, 0.001]


def test_cosine_decay_by_hand():
    s = S.cosine_decay(0.2, 100, alpha=0.1)
    assert s(0) == pytest.approx(0.2)
    assert s(50) == pytest.approx(0.2 * (0.9 * 0.5 + 0.1))
    assert s(100) == pytest.approx(0.02)
    assert s(1000) == pytest.approx(0.02)
    w = S.cosine_decay(0.0, 100, warmup_target=0.2, warmup_steps=10)
    assert w(0) == 0.0
    assert w(5) == pytest.approx(0.1)
    assert w(10) == pytest.approx(0.2)
    assert w(60) == pytest.approx(0.1)


def test_linear_warmup():
    s = S.linear_warmup(0.1, 10)
    assert s(0) == 0.0
    assert s(5) == pytest.approx(0.05)
    assert s(10) == pytest.approx(0.1)
    assert s(10**6) == pytest.approx(0.1)
    s = S.linear_warmup(0.1, 4, 0.02, then=S.step_decay(0.1, 10, 0.5))
    assert s(2) == pytest.approx(0.06)
    assert s(4) == pytest.approx(0.1)
    assert s(13) == pytest.approx(0.1)
    assert s(14) == pytest.approx(0.05)
    assert S.linear_warmup(0.3, 0)(0) == pytest.approx(0.3)


def test_linear_warmup_then_cosine_equals_keras_style_cosine_warmup():
    k = np.arange(400)
    a = S.linear_warmup(0.2, 50, 0.0, then=S.cosine_decay(0.2, 200, alpha=0.05))
    b = S.cosine_decay(0.0, 200, alpha=0.05, warmup_target=0.2, warmup_steps=50)
    np.testing.assert_allclose(a(k), b(k), rtol=1e-12, atol=1e-15)


def test_polynomial_power_one_is_linear_decay():
    k = np.arange(300)
    np.testing.assert_allclose(S.polynomial_decay(0.1, 150, 0.001)(k),
                               S.linear_decay(0.1, 0.001, 150)(k), rtol=1e-12)


# --------------------------------------------------------------------------- calling


@pytest.mark.parametrize("s", EXAMPLES, ids=repr)
def test_vectorized_equals_scalar(s):
    k = np.arange(0, 301, 7).reshape(-1, 1) * np.array([1, 3])
    out = s(k)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == k.shape
    scalar = np.array([[s(int(t)) for t in row] for row in k])
    np.testing.assert_array_equal(out, scalar)
    assert all(isinstance(s(t), float) for t in (3, np.int64(3), np.uint8(3), np.array(3)))
    assert s(np.int32(42)) == s(42)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)


@pytest.mark.parametrize("s", EXAMPLES, ids=repr)
def test_bad_steps_raise(s):
    for bad in (-1, np.array([0, 3, -2]), 1.5, np.arange(3.0), True, "3"):
        with pytest.raises(ValueError, match="step"):
            s(bad)


def test_empty_step_array():
    out = S.step_decay(0.1, 10, 0.5)(np.array([], dtype=int))
    assert out.shape == (0,) and out.dtype == np.float64


# --------------------------------------------------------------------------- config / registry


@pytest.mark.parametrize("s", EXAMPLES, ids=repr)
def test_config_round_trip(s):
    cfg = s.to_config()
    assert cfg["name"] == s.name
    back = S.from_config(json.loads(json.dumps(cfg)))
    assert back == s and type(back) is type(s)
    assert back.to_config() == cfg
    np.testing.assert_array_equal(back(STEPS), s(STEPS))
    assert S.get(**cfg) == s


@pytest.mark.parametrize("s", EXAMPLES, ids=repr)
def test_repr_and_immutability(s):
    text = repr(s)
    assert text.startswith(type(s).__name__ + "(")
    for key in s.to_config():
        if key != "name":
            assert f"{key}=" in text
    field = next(k for k in s.to_config() if k != "name")
    with pytest.raises(AttributeError):
        setattr(s, field, 1.0)
    assert hash(s) == hash(S.from_config(s.to_config()))


def test_get_errors():
    with pytest.raises(ValueError, match="exponential_decay") as info:
        S.get("exponential_decy", initial_learning_rate=0.1, decay_steps=1, decay_rate=0.5)
    assert "cosine_decay" in str(info.value)
    with pytest.raises(ValueError, match=r"decay_rate.*decay_steps|decay_steps.*decay_rate"):
        S.get("exponential_decay", initial_learning_rate=0.1, decay_steps=1, decay=0.5)
    with pytest.raises(ValueError, match="'decay'"):
        S.get("exponential_decay", initial_learning_rate=0.1, decay_steps=1, decay=0.5)
    with pytest.raises(ValueError, match="decay_rate"):
        S.get("exponential_decay", initial_learning_rate=0.1, decay_steps=1)
    with pytest.raises(ValueError, match="name"):
        S.from_config({"learning_rate": 0.1})
    assert S.get("constant", learning_rate=0.3)(7) == 0.3


@pytest.mark.parametrize("name", S.names())
def test_parameters_defaults_build_and_lie_in_range(name):
    specs = S.parameters(name)
    cls_fields = set(S.get(name, **{k: p.default for k, p in specs.items()}).to_config())
    assert set(specs) == cls_fields - {"name"}
    for key, p in specs.items():
        assert isinstance(p, S.ParamSpec) and p.description
        if p.low is not None and p.default is not None and not isinstance(p.default, bool):
            assert p.low <= p.default <= p.high, key
            assert not p.log or p.low > 0, key


def test_is_schedule_and_resolve():
    s = S.cosine_decay(0.1, 10)
    assert S.is_schedule(s) and not S.is_schedule(0.1) and not S.is_schedule(lambda k: 0.1)
    assert S.resolve(s) is s
    c = S.resolve(0.01)
    assert c == S.constant(0.01) and c(123) == 0.01
    assert S.resolve(np.float32(0.5))(0) == 0.5
    assert S.resolve(s.to_config()) == s

    def fn(k):
        return 0.1

    assert S.resolve(fn) is fn
    for bad in (-0.1, 0.0, float("nan"), float("inf"), "0.1", None):
        with pytest.raises(ValueError, match="learning_rate"):
            S.resolve(bad)


# --------------------------------------------------------------------------- argument checks


BAD_ARGS = [
    ("constant", {"learning_rate": 0.0}, "learning_rate"),
    ("constant", {"learning_rate": float("nan")}, "learning_rate"),
    ("constant", {"learning_rate": np.array([0.1, 0.2])}, "learning_rate"),
    ("exponential_decay", {"initial_learning_rate": -0.1, "decay_steps": 10, "decay_rate": 0.5},
     "initial_learning_rate"),
    ("exponential_decay", {"initial_learning_rate": float("inf"), "decay_steps": 10,
                           "decay_rate": 0.5}, "initial_learning_rate"),
    ("exponential_decay", {"initial_learning_rate": 0.1, "decay_steps": 0, "decay_rate": 0.5},
     "decay_steps"),
    ("exponential_decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": -0.5},
     "decay_rate"),
    ("exponential_decay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                           "decay_rate": float("nan")}, "decay_rate"),
    ("exponential_decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5,
                           "staircase": "yes"}, "staircase"),
    ("inverse_time_decay", {"initial_learning_rate": 0.1, "decay_steps": -1, "decay_rate": 0.5},
     "decay_steps"),
    ("inverse_time_decay", {"initial_learning_rate": 0.1, "decay_steps": 1, "decay_rate": -1},
     "decay_rate"),
    ("piecewise_constant_decay", {"boundaries": [100, 100], "values": [0.1, 0.01, 0.001]},
     "boundaries"),
    ("piecewise_constant_decay", {"boundaries": [200, 100], "values": [0.1, 0.01, 0.001]},
     "boundaries"),
    ("piecewise_constant_decay", {"boundaries": [100, 200], "values": [0.1, 0.01]}, "values"),
    ("piecewise_constant_decay", {"boundaries": [], "values": [0.1]}, "boundaries"),
    ("piecewise_constant_decay", {"boundaries": [10.5], "values": [0.1, 0.01]}, "boundaries"),
    ("piecewise_constant_decay", {"boundaries": [10], "values": [0.1, -0.01]}, "values"),
    ("step_decay", {"initial_learning_rate": 0.1, "step_size": 0, "factor": 0.5}, "step_size"),
    ("step_decay", {"initial_learning_rate": 0.1, "step_size": 2.5, "factor": 0.5}, "step_size"),
    ("step_decay", {"initial_learning_rate": 0.1, "step_size": 10, "factor": -0.5}, "factor"),
    ("natural_exp_decay", {"initial_learning_rate": 0.1, "k": -0.01}, "k"),
    ("linear_decay", {"initial_learning_rate": 0.1, "final_learning_rate": -0.001, "tau": 100},
     "final_learning_rate"),
    ("linear_decay", {"initial_learning_rate": 0.1, "final_learning_rate": 0.001, "tau": 0},
     "tau"),
    ("cosine_decay", {"initial_learning_rate": 0.1, "decay_steps": 0}, "decay_steps"),
    ("cosine_decay", {"initial_learning_rate": 0.0, "decay_steps": 10}, "initial_learning_rate"),
    ("cosine_decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "alpha": 1.5}, "alpha"),
    ("cosine_decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "warmup_target": 0.0},
     "warmup_target"),
    ("cosine_decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "warmup_target": 0.2,
                      "warmup_steps": -5}, "warmup_steps"),
    ("linear_warmup", {"target_learning_rate": 0.0, "warmup_steps": 10}, "target_learning_rate"),
    ("linear_warmup", {"target_learning_rate": 0.1, "warmup_steps": -1}, "warmup_steps"),
    ("linear_warmup", {"target_learning_rate": 0.1, "warmup_steps": 10,
                       "initial_learning_rate": -0.1}, "initial_learning_rate"),
    ("linear_warmup", {"target_learning_rate": 0.1, "warmup_steps": 10, "then": 0.1}, "then"),
    ("polynomial_decay", {"initial_learning_rate": 0.1, "decay_steps": 0}, "decay_steps"),
    ("polynomial_decay", {"initial_learning_rate": 0.1, "decay_steps": 10, "power": 0.0},
     "power"),
    ("polynomial_decay", {"initial_learning_rate": 0.1, "decay_steps": 10,
                          "end_learning_rate": -1.0}, "end_learning_rate"),
]


@pytest.mark.parametrize("name, kwargs, arg", BAD_ARGS,
                         ids=[f"{n}-{a}-{i}" for i, (n, _, a) in enumerate(BAD_ARGS)])
def test_bad_arguments_raise_naming_argument(name, kwargs, arg):
    with pytest.raises(ValueError, match=arg):
        S.get(name, **kwargs)


def test_cosine_warmup_may_start_at_zero():
    assert S.cosine_decay(0.0, 10, warmup_target=0.1, warmup_steps=5)(0) == 0.0


def test_no_overflow_warning_for_growing_rate():
    # decay_rate > 1 (a learning-rate range test) overflows to inf without a RuntimeWarning
    assert S.exponential_decay(1e-4, 1, 10.0)(10**4) == math.inf


# --------------------------------------------------------------------------- convergence sums


def test_sum_conditions_inverse_time_decay():
    lr0, k = 0.1, 0.5
    s = S.inverse_time_decay(lr0, 1, k)
    (a1, a2), (b1, b2) = S.sum_conditions(s, np.array([1000, 100_000]))
    assert (a1, b1) == S.sum_conditions(s, 1000)
    # sum of lr0 / (1 + k t) ~ (lr0 / k) ln t: diverges
    assert a2 - a1 == pytest.approx(lr0 / k * math.log(100), rel=0.01)
    # sum of squares converges; the tail after t is about lr0^2 / (k^2 t)
    assert 0 < b2 - b1 < 1.1 * lr0**2 / (k**2 * 1000)
    assert b2 - b1 > 0.9 * lr0**2 / (k**2 * 1000) - lr0**2 / (k**2 * 100_000)


def test_sum_conditions_constant_grows_linearly_and_vectorizes():
    t = np.array([[0, 1, 10], [1000, 12345, 7]])
    s1, s2 = S.sum_conditions(0.2, t)
    assert s1.shape == s2.shape == t.shape
    np.testing.assert_allclose(s1, 0.2 * t, rtol=1e-12)
    np.testing.assert_allclose(s2, 0.04 * t, rtol=1e-12)
    assert S.sum_conditions(S.constant(0.2), 0) == (0.0, 0.0)


def test_sum_conditions_chunks_and_matches_direct_sum():
    s = S.cosine_decay(0.1, 300, alpha=0.2, warmup_target=0.3, warmup_steps=40)
    t = np.array([5, 999, 1, 1000, 64, 65])
    eps = s(np.arange(1000))
    for chunk in (1, 64, 10**6):
        s1, s2 = S.sum_conditions(s, t, chunk=chunk)
        np.testing.assert_allclose(s1, [eps[:n].sum() for n in t], rtol=1e-12)
        np.testing.assert_allclose(s2, [(eps[:n] ** 2).sum() for n in t], rtol=1e-12)


def test_sum_conditions_scalar_user_function():
    def fn(k):
        return 0.1 if k < 10 else 0.01

    assert S.sum_conditions(fn, 20) == pytest.approx((1.1, 0.101))
    with pytest.raises(ValueError, match="steps"):
        S.sum_conditions(0.1, -3)
