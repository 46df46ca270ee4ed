r"""Reference solution of lab 08's exercise: Adam and RMSprop as Keras optimizers.

Try the exercise in ``08_optimizer_lab.ipynb`` first; read this when you are stuck or to
compare. Both classes follow Keras's own arithmetic, so ``course_utils.lab.check_optimizer``
finds them equal to ``keras.optimizers.Adam`` / ``RMSprop`` to float32 precision.

Adam (Kingma & Ba 2015), with :math:`t` = ``iterations + 1`` (the update being computed):

.. math::
    m \leftarrow \beta_1 m + (1-\beta_1) g, \qquad
    v \leftarrow \beta_2 v + (1-\beta_2) g^2, \qquad
    \alpha_t = \varepsilon \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}, \qquad
    \theta \leftarrow \theta - \alpha_t \frac{m}{\sqrt{v} + \hat\epsilon}.

Folding both bias corrections into :math:`\alpha_t` is the paper's "more efficient" order of
computation; it equals :math:`\hat m / (\sqrt{\hat v} + \epsilon)` up to where
:math:`\epsilon` enters.

RMSprop (Keras's form, :math:`\epsilon` inside the root):

.. math::
    v \leftarrow \rho v + (1-\rho) g^2, \qquad
    \theta \leftarrow \theta - \varepsilon \frac{g}{\sqrt{v + \epsilon}}.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
from keras import ops  # noqa: E402


class Adam(keras.optimizers.Optimizer):
    """Adam written from the equations (reference solution)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="solution_adam", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        # one zero-initialised slot of the variable's shape per variable, for m and for v
        self.m = [self.add_variable_from_reference(v, name="m") for v in variables]
        self.v = [self.add_variable_from_reference(v, name="v") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        i = self._get_variable_index(variable)
        m, v = self.m[i], self.v[i]
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        t = ops.cast(self.iterations + 1, variable.dtype)
        alpha = lr * ops.sqrt(1 - ops.power(self.beta_2, t)) / (1 - ops.power(self.beta_1, t))
        self.assign(m, self.beta_1 * m + (1 - self.beta_1) * g)
        self.assign(v, self.beta_2 * v + (1 - self.beta_2) * ops.square(g))
        self.assign_sub(variable, alpha * m / (ops.sqrt(v) + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return config


class RMSprop(keras.optimizers.Optimizer):
    """RMSprop written from the equations (reference solution)."""

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, name="solution_rmsprop",
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.v = [self.add_variable_from_reference(v, name="v") for v in variables]

    def update_step(self, gradient, variable, learning_rate):
        v = self.v[self._get_variable_index(variable)]
        lr = ops.cast(learning_rate, variable.dtype)
        g = ops.cast(gradient, variable.dtype)
        self.assign(v, self.rho * v + (1 - self.rho) * ops.square(g))
        self.assign_sub(variable, lr * g / ops.sqrt(v + self.epsilon))

    def get_config(self):
        config = super().get_config()
        config.update(rho=self.rho, epsilon=self.epsilon)
        return config
