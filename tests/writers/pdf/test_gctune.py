"""The garbage collector is idle during a render and left as it was found afterwards."""

from __future__ import annotations

import gc
import threading

import pytest

from reportkit.writers.pdf.gctune import YOUNG_THRESHOLD, rendering


@pytest.fixture(autouse=True)
def known_settings():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_a_render_raises_the_threshold_and_freezes_what_was_alive() -> None:
    alive = [[] for _ in range(1000)]  # noqa: F841 - objects that exist before the render
    with rendering():
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        assert gc.get_freeze_count() >= 1000
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_nested_renders_restore_the_settings_once_at_the_outermost_exit() -> None:
    with rendering():
        with rendering():
            pass
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
    assert gc.get_threshold() == (700, 10, 10)


def test_settings_are_restored_when_a_render_fails() -> None:
    with pytest.raises(RuntimeError), rendering():
        raise RuntimeError("layout failed")
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_a_render_are_collected_after_it() -> None:
    class Node:
        pass

    with rendering():
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        import weakref

        ref = weakref.ref(node)
        del node
    gc.collect()
    assert ref() is None


def test_concurrent_renders_share_one_setting_until_the_last_one_ends() -> None:
    both_inside = threading.Barrier(3)  # two renders and this test
    first_may_leave, second_may_leave = threading.Event(), threading.Event()

    def render(may_leave: threading.Event) -> None:
        with rendering():
            both_inside.wait(5)
            may_leave.wait(5)

    threads = [threading.Thread(target=render, args=(e,)) for e in (first_may_leave, second_may_leave)]
    for thread in threads:
        thread.start()
    both_inside.wait(5)
    first_may_leave.set()
    threads[0].join(5)
    assert gc.get_threshold()[0] == YOUNG_THRESHOLD  # the second render is still running
    second_may_leave.set()
    threads[1].join(5)
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_cycles_dropped_inside_a_render_are_freed_as_it_ends_with_automatic_collection_off() -> None:
    import weakref

    class Node:
        pass

    gc.disable()  # only rendering()'s own collections can free anything
    try:
        with rendering():
            node = Node()
            node.self = node  # type: ignore[attr-defined]
            ref = weakref.ref(node)
            del node
        assert ref() is None
    finally:
        gc.enable()


def test_a_cycle_still_referenced_when_the_render_ends_survives_it() -> None:
    import weakref

    class Node:
        pass

    gc.disable()
    try:
        with rendering():
            node = Node()
            node.self = node  # type: ignore[attr-defined]
            ref = weakref.ref(node)
        assert ref() is node
        del node
    finally:
        gc.enable()


def test_young_garbage_made_before_a_render_is_freed_when_it_starts_not_frozen() -> None:
    import weakref

    class Node:
        pass

    gc.disable()
    try:
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        ref = weakref.ref(node)
        del node
        with rendering():
            assert ref() is None
    finally:
        gc.enable()


def test_old_garbage_made_between_renders_is_freed_within_full_every_renders() -> None:
    import weakref

    from reportkit.writers.pdf.gctune import FULL_EVERY

    class Node:
        pass

    gc.disable()
    try:
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        ref = weakref.ref(node)
        gc.collect()  # alive: promoted to the oldest generation, as a document model is during a build
        del node
        for _ in range(FULL_EVERY):
            with rendering():
                pass
        assert ref() is None
    finally:
        gc.enable()
