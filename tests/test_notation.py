"""One notation in every notebook (docs/notation.md): the learning rate is ϵ (``\\epsilon``),
the small stabilizing constant is δ (``\\delta``), and each notebook links the table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: Ways of writing the learning rate or the stabilizer that the table does not allow.
FORBIDDEN = {
    r"\\varepsilon": "the learning rate is \\epsilon (ϵ), not \\varepsilon",
    r"\\eta(?![\^_]?\s*[\^{]?[+-])":
        "the learning rate is \\epsilon, not \\eta (η⁺/η⁻ are Rprop's)",
    r"\\sqrt\{[^}]*\\epsilon": "the stabilizer inside a root is \\delta, not \\epsilon",
    r"\\sqrt\{[^}]*\}\s*\+\s*\\epsilon": "the stabilizer added to a root is \\delta",
    r"\\epsilon\s*\+\s*\\sqrt": "the stabilizer added to a root is \\delta",
    r"√\S*\s*\+\s*ε": "the stabilizer added to a root is δ",
    r"ε\s*\+\s*√": "the stabilizer added to a root is δ",
}


def _markdown(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_learning_rate_and_stabilizer_follow_the_table(path):
    problems = []
    for index, text in enumerate(_markdown(path)):
        for pattern, why in FORBIDDEN.items():
            for match in re.finditer(pattern, text):
                problems.append(f"markdown cell {index}: {match.group(0)!r}: {why}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_links_the_notation_table(path):
    assert "../docs/notation.md" in _markdown(path)[0]


def test_the_rules_catch_what_they_are_for():
    bad = [r"$\varepsilon$", r"$\theta - \eta g$", r"$\sqrt{r + \epsilon}$",
           r"$\sqrt{\hat r} + \epsilon$", "g / (√r + ε)"]
    good = [r"$\epsilon g$", r"$\eta^+$", r"$\eta^-$", r"$\sqrt{\hat r} + \delta$",
            r"$\sqrt{\delta + r}$", "ε / √r"]
    for text in bad:
        assert any(re.search(p, text) for p in FORBIDDEN), text
    for text in good:
        assert not any(re.search(p, text) for p in FORBIDDEN), text
    assert (ROOT / "docs" / "notation.md").is_file()
