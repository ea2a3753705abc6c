"""A Ctrl-C that library code catches and drops still stops the render, before anything is written."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

import reportkit as rk
from reportkit.writers.pdf.interrupts import kept
from conftest import SAMPLES

#: Renders many documents or runs outside validators: not part of `pytest -m "not slow"`.
pytestmark = pytest.mark.slow




def _press_ctrl_c_and_drop_it() -> None:
    """What WeasyPrint's SVG drawing does when Ctrl-C lands in it: ``except BaseException``, carry on."""
    try:
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # the handler runs at the next check of the interpreter
            pass
    except BaseException:
        pass


def test_a_dropped_ctrl_c_is_raised_at_the_end_of_the_block() -> None:
    after: list[str] = []
    with pytest.raises(KeyboardInterrupt), kept():
        _press_ctrl_c_and_drop_it()
        after.append("the block went on")
    assert after == ["the block went on"]


def test_handlers_are_given_back_after_the_block() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), kept():
        _press_ctrl_c_and_drop_it()
    with kept():
        pass
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_program_handler_that_does_not_raise_is_left_alone() -> None:
    pressed: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: pressed.append(number))
    try:
        with kept():
            _press_ctrl_c_and_drop_it()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert pressed == [signal.SIGINT]


def test_ctrl_c_during_an_svg_drawing_stops_the_pdf_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.svg import SVG

    drawn: list[Any] = []
    real_draw = SVG.draw

    def draw(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not drawn:
            drawn.append(self)
            _press_ctrl_c_and_drop_it()  # lands inside WeasyPrint's ``except BaseException``
        return real_draw(self, *args, **kwargs)

    check = rk.load(SAMPLES / "russia-nato.md")
    target = tmp_path / "russia-nato.pdf"
    target.write_bytes(b"%PDF- the earlier, good file")
    monkeypatch.setattr(SVG, "draw", draw)
    with pytest.raises(KeyboardInterrupt):
        check.to_pdf(target)
    assert drawn, "the sample draws SVG images"
    assert target.read_bytes() == b"%PDF- the earlier, good file"
    assert [p.name for p in tmp_path.iterdir()] == ["russia-nato.pdf"]


def test_weasyprint_still_swallows_base_exception_while_drawing_svg() -> None:
    # The reason interrupts.kept() exists; when this fails, WeasyPrint no longer swallows Ctrl-C there.
    import inspect

    from weasyprint.images import SVGImage

    assert "except BaseException" in inspect.getsource(SVGImage.draw)
