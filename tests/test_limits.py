"""Every limit is enforced at its boundary, in the API and the CLI, and the time limit behaves at its edges.

Each limit is met exactly (the document builds) and exceeded by one (a LimitError naming the
count, the limit and the Limits field to raise): an off-by-one in any comparison fails here.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

import reportkit as rk
from reportkit.limits import time_limit

from conftest import run_cli
from archivalutil import png


def document(sections: int = 1, sources: int = 1, body: str = "Text [@s0].", summary: str = "Summary.") -> dict[str, Any]:
    """A valid fact-check with the given number of sections and sources (every source cited once)."""
    return {
        "title": "How many limits are there?",
        "summary": summary,
        "sections": [
            {"heading": f"Part {i}", "body": body if i == 0 else f"More [@s{min(i, sources - 1)}]."}
            for i in range(sections)
        ],
        "sources": [{"key": f"s{i}", "title": f"Source {i}", "url": f"https://example.org/{i}"} for i in range(sources)],
    }


def cite_all(data: dict[str, Any]) -> dict[str, Any]:
    cites = "; ".join(f"@{s['key']}" for s in data["sources"])
    data["sections"][0]["body"] = f"Everything [{cites}]."
    return data


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("max_sources", lambda n: cite_all(document(sources=n))),
        ("max_sections", lambda n: document(sections=n)),
    ],
)
def test_a_count_limit_admits_its_value_and_refuses_one_more(field: str, make: Any) -> None:
    limit = 7
    rk.FactCheck.from_dict(make(limit), limits=rk.Limits(**{field: limit})).resolve()
    with pytest.raises(rk.LimitError) as caught:
        rk.FactCheck.from_dict(make(limit + 1), limits=rk.Limits(**{field: limit})).resolve()
    assert f"{limit + 1:,}" in str(caught.value) and f"limit of {limit:,}" in str(caught.value)
    assert f"Limits({field}=...)" in str(caught.value)


def _characters(value: Any) -> int:
    """The characters of every text in ``value`` (the input's fields, at any depth)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_characters(v) for v in value.values())
    if isinstance(value, list):
        return sum(_characters(v) for v in value)
    return 0


def test_the_text_limit_counts_every_field() -> None:
    data = document(body="x" * 40 + " [@s0].", summary="y" * 30)
    data["verdict"] = {"rating": "false", "label": "No", "explanation": "z" * 20}
    data["subtitle"] = "w" * 25
    total = _characters(data)
    assert total > 40 + len(" [@s0].") + 30 + 20 + 25  # titles, headings, keys and labels count too
    rk.FactCheck.from_dict(data, limits=rk.Limits(max_text_chars=total)).resolve()
    with pytest.raises(rk.LimitError, match=f"{total:,} characters of text, more than the limit of {total - 1:,}"):
        rk.FactCheck.from_dict(data, limits=rk.Limits(max_text_chars=total - 1)).resolve()


def test_the_image_limit_admits_a_file_of_its_size_and_refuses_one_byte_more(tmp_path: Path) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(png(8, 8))
    size = image.stat().st_size
    data = document(body="![A chart](chart.png)\n\nText [@s0].")
    rk.FactCheck.from_dict(data, base_dir=tmp_path, limits=rk.Limits(max_image_bytes=size)).resolve()
    with pytest.raises(rk.LimitError) as caught:
        rk.FactCheck.from_dict(data, base_dir=tmp_path, limits=rk.Limits(max_image_bytes=size - 1)).resolve()
    assert "chart.png" in str(caught.value) and "max_image_bytes" in str(caught.value)


def test_the_input_limit_admits_a_file_of_its_size_and_refuses_one_byte_more(tmp_path: Path) -> None:
    source = tmp_path / "check.json"
    source.write_text(json.dumps(document()), encoding="utf-8")
    size = source.stat().st_size
    rk.load(source, limits=rk.Limits(max_input_bytes=size))
    with pytest.raises(rk.LimitError) as caught:
        rk.load(source, limits=rk.Limits(max_input_bytes=size - 1))
    assert caught.value.file is not None and Path(caught.value.file).name == "check.json"


def test_the_cli_refuses_an_input_over_max_input_mb_with_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "check.json"
    data = document(summary="w " * 600_000)  # about 1.2 MB
    source.write_text(json.dumps(data), encoding="utf-8")
    proc = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "epub", "--max-input-mb", "1")
    assert proc.returncode == 2, proc.stderr
    assert "check.json" in proc.stderr and "limit of 1 MB" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "how-many-limits-are-there.epub").exists()


def test_the_cli_refuses_more_sources_than_the_default_limit_with_exit_2(tmp_path: Path) -> None:
    count = rk.Limits().max_sources + 1
    source = tmp_path / "check.json"
    source.write_text(json.dumps(cite_all(document(sources=count))), encoding="utf-8")
    proc = run_cli("build", str(source), "-o", str(tmp_path / "out"), "-f", "epub")
    assert proc.returncode == 2, proc.stderr
    assert f"{count:,} sources" in proc.stderr and "max_sources" in proc.stderr


# --- the time limit ---------------------------------------------------------------------------


def slow(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_block_over_its_time_limit_is_stopped_with_what_it_was_doing() -> None:
    started = time.monotonic()
    with pytest.raises(rk.LimitError, match="drawing the chart took longer than 0.2 s"):
        with time_limit(0.2, "drawing the chart"):
            slow(5)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("seconds", [None, 0, -1])
def test_no_time_limit_when_none_zero_or_negative(seconds: float | None) -> None:
    with time_limit(seconds):
        slow(0.3)


def test_the_time_limit_does_nothing_outside_the_main_thread() -> None:
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with time_limit(0.05):
                slow(0.3)
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert failures == []


def test_the_time_limit_restores_the_alarm_handler_and_stops_its_timer() -> None:
    import signal

    before = signal.getsignal(signal.SIGALRM)
    with time_limit(5):
        pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with pytest.raises(rk.LimitError):
        with time_limit(0.05):
            slow(2)
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_block_within_its_time_limit_returns_normally() -> None:
    with time_limit(5):
        value = sum(range(1000))
    assert value == 499500


def test_a_limit_inside_another_leaves_the_outer_limit_in_force() -> None:
    # The inner block ends in time; the outer one then runs past its own limit and must still be stopped.
    started = time.monotonic()
    with pytest.raises(rk.LimitError, match="the job took longer than 0.4 s"):
        with time_limit(0.4, "the job"):
            with time_limit(5, "reading a PDF"):
                slow(0.1)
            slow(3)
    assert time.monotonic() - started < 2


def test_an_outer_limit_that_passed_during_the_inner_block_stops_the_outer_block_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(rk.LimitError, match="the job took longer"):
        with time_limit(0.2, "the job"):
            with time_limit(5, "reading a PDF"):
                slow(0.5)  # the outer limit passes in here, while the inner handler holds the alarm
            slow(3)
    assert time.monotonic() - started < 1.5
