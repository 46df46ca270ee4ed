r"""Two-parameter loss surfaces with analytic gradients and Hessians.

Every surface is a function :math:`f:\mathbb{R}^2\to\mathbb{R}` of a point
:math:`p = (x, y)` together with its gradient :math:`\nabla f(p)` and Hessian
:math:`\nabla^2 f(p)`, all in closed form and all vectorized: they take an array of points of
shape ``(..., 2)`` (a single point has shape ``(2,)``) and return shapes ``(...)``,
``(..., 2)`` and ``(..., 2, 2)``. The math runs in float64 inside ``np.errstate(all="ignore")``
with overflow-free forms (``np.logaddexp``, bounded exponents), so points far outside the plot
box give large or infinite values but no warnings.

Use :func:`get` to build a surface, :func:`names` to list them and :func:`parameters` to see each
surface's own parameters (default, range, log-scale hint and description, e.g. for sliders):

=================  ==========================================================================
name               what it teaches
=================  ==========================================================================
``ravine``         ill-conditioning: zig-zag across a steep valley, crawl along its floor
``rosenbrock``     a narrow curved valley with a flat floor
``beale``          flat arms and sharp ridges: gradients over many orders of magnitude
``himmelblau``     four equally good minima: the start decides
``saddle``         a strict saddle that attracts plain gradient descent for a while
``saddle_plateau`` a saddle inside a wide flat plateau, with two deep wells beyond it
``plateau``        vanishing gradients far from the basin
``cliff``          exploding gradients on a steep wall; clipping
``local_minima``   basins of different depth
``logistic``       a real empirical risk: logistic regression on one MNIST feature
=================  ==========================================================================

Built surfaces are cached per (name, parameters), so ``get("logistic")`` loads MNIST once.

A new surface is one registration: build it with :func:`from_functions` (or any function
returning a :class:`Surface`) and add it with :func:`register`; the explorer and the races
offer it from then on. Modules: ``base`` (the type, helpers, the stationary-point search),
``classic``, ``landscapes`` and ``data`` (the surfaces by kind), ``registry`` and ``catalog``
(the course's ten, registered in teaching order).
"""

from .._validate import ParamSpec
from . import catalog as _catalog  # noqa: F401  (registers the course's surfaces)
from .base import Surface, from_functions, with_l2
from .data import LogisticSurface
from .registry import get, names, parameters, register, unregister

__all__ = ["LogisticSurface", "ParamSpec", "Surface", "from_functions", "get", "names",
           "parameters", "register", "unregister", "with_l2"]
