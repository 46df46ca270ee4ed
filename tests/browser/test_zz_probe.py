import json

import pytest

from . import test_slides as ts
from .conftest import loopback_page
from .lab_helpers import open_notebook, run_all


@pytest.fixture(scope="module")
def deck_page(browser, lab_server):
    path = lab_server.root / ts.DECK_NOTEBOOK
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("slideshow", {}).get("slide_type") == "-":
            del cell["metadata"]["slideshow"]
    path.write_text(json.dumps(nb))
    with loopback_page(browser, "probe") as pg:
        open_notebook(pg, lab_server, ts.DECK_NOTEBOOK)
        run_all(pg)
        yield pg


def test_a(deck_page):
    ts.test_deck_shows_live_widgets_as_widgets(deck_page)


def test_b(deck_page):
    ts.test_deck_arrow_key_goes_to_the_next_slide(deck_page)
