"""Checkers for the notebooks' exercises, with hints for the typical mistakes.

``steps`` checks one update step of an optimizer and a learning-rate schedule (notebooks 01,
03-05, 10); each further module holds the checkers of one notebook's exercises: ``learning``
(01), ``challenges`` (02), ``choosing`` (06), ``second_order`` (07), ``deep`` (09).
"""

from . import challenges, choosing, deep, learning, second_order
from .steps import CheckResult, check_schedule, check_step, exercises, template

__all__ = ["CheckResult", "check_schedule", "check_step", "exercises", "template", "challenges",
           "choosing", "deep", "learning", "second_order"]
