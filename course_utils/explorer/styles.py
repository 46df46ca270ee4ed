"""How the explorer names and draws an optimizer: all of it read from the optimizer registry.

An optimizer's label, slider labels and look (colour, marker, line style) come from
``optimizers.info(name)``, so an optimizer registered with :func:`course_utils.optimizers.register`
appears in every explorer, race and phase diagram without any change here. A name the registry
does not know (a label in a user's own mapping) keeps its own name and gets a path style by
position, as :func:`course_utils.plotting.path_style` gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .. import optimizers
from ..optimizers.registry import path_linestyle, path_style

__all__ = ["LABELS", "label", "param_label", "style"]


def _known(name: str) -> bool:
    return isinstance(name, str) and name in optimizers.names()


def label(name: str) -> str:
    """The display name of optimizer ``name`` (``"Adam"``), or ``name`` if it is unknown."""
    return optimizers.info(name).label if _known(name) else name


def param_label(name: str, param: str) -> str:
    """The short slider label of hyperparameter ``param`` of ``name`` (``"β₁"``)."""
    if _known(name):
        spec = optimizers.info(name).hyperparameters.get(param)
        if spec is not None and spec.label:
            return spec.label
    return param


def style(name: str, index: int | None = None) -> tuple[str, str, str]:
    """``(colour, marker, linestyle)`` of optimizer ``name``, the same in every figure.

    A registered optimizer has one look whatever else is shown; any other name gets the
    ``index``-th path style (default: after the registered ones).
    """
    if _known(name):
        return tuple(optimizers.info(name).style)
    if index is None:
        index = len(optimizers.names())
    color, marker = path_style(index)
    return color, marker, path_linestyle(index)


class _Labels(Mapping):
    """``{name: label}`` of every registered optimizer, read live from the registry."""

    def __getitem__(self, name: str) -> str:
        if not _known(name):
            raise KeyError(name)
        return optimizers.info(name).label

    def __iter__(self) -> Iterator[str]:
        return iter(optimizers.names())

    def __len__(self) -> int:
        return len(optimizers.names())

    def __repr__(self) -> str:
        return f"LABELS({dict(self)!r})"


#: Display names, ``LABELS["adam"] == "Adam"``: a read-only view of the registry, so optimizers
#: registered later are in it too.
LABELS: Mapping[str, str] = _Labels()
