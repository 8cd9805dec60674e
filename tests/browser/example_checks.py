"""What a person sees when using the DESIGN.md example, checked the same way in every frontend.

Each function drives one ``CounterView`` (the example's heading, number input, Start/Stop and
Reset buttons) by clicking and typing, and reads the heading text. Rates are read over windows
of a few seconds and accepted in generous ranges: the machine is shared and slow.
"""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import CounterView

# The task counts every 0.5 s: about 4 ticks in 2 s. Two tasks at once would tick about 8.
TICK_WINDOW_S = 2.0
MIN_TICKS, MAX_TICKS = 2, 7
# A longer window separates one task (about 6 ticks in 3 s) from two (about 12).
RATE_WINDOW_S = 3.0
MAX_RATE_ONE_TASK = 3.0  # ticks per second
MIN_RATE = 1.0
STOP_TIMEOUT = 20_000  # ms: 10 ticks take 5 s


def check_initial(ui: CounterView) -> None:
    ui.wait_rendered()
    expect(ui.heading).to_have_text("0 /")
    expect(ui.toggle).to_have_text("Start")
    expect(ui.reset).to_have_text("Reset")
    expect(ui.max_input).to_have_value("10")


def check_start_ticks_and_stops_at_default_max(ui: CounterView) -> None:
    """Start flips to Stop; the heading ticks about twice a second; it stops at 10."""
    check_initial(ui)
    ui.toggle.click()
    expect(ui.toggle).to_have_text("Stop")
    ui.wait_counter(lambda n: n >= 1, "at least 1", 10_000)
    first, last, elapsed = ui.ticks_over(TICK_WINDOW_S)
    ticks = last - first
    assert MIN_TICKS <= ticks <= MAX_TICKS, (
        f"{ticks} ticks in {elapsed:.1f}s (from {first} to {last}); expected about 2 a second"
    )
    # max_counter is 10 by default: the task stops there and the label flips back.
    expect(ui.toggle).to_have_text("Start", timeout=STOP_TIMEOUT)
    expect(ui.heading).to_have_text("10 /")


def start_long_run(ui: CounterView, max_counter: int = 1000) -> None:
    """Type a large max_counter, press Start and wait for the first ticks."""
    ui.type_max(max_counter)
    expect(ui.max_input).to_have_value(str(max_counter))
    ui.toggle.click()
    expect(ui.toggle).to_have_text("Stop")
    ui.wait_counter(lambda n: n >= 2, "at least 2", 10_000)


def stop(ui: CounterView) -> int:
    """Press Stop, wait for the label to flip; return the counter it froze at."""
    ui.toggle.click()
    expect(ui.toggle).to_have_text("Start")
    ui.page.wait_for_timeout(300)  # an update sent just before the stop may still be on its way
    return ui.counter()


def check_stops_at_typed_max(ui: CounterView) -> None:
    """A max_counter of 4 typed into the number input stops the counter at 4."""
    check_initial(ui)
    ui.type_max(4)
    expect(ui.max_input).to_have_value("4")
    ui.toggle.click()
    expect(ui.toggle).to_have_text("Stop")
    expect(ui.toggle).to_have_text("Start", timeout=STOP_TIMEOUT)
    expect(ui.heading).to_have_text("4 /")
    ui.page.wait_for_timeout(1500)
    assert ui.counter() == 4, "the counter went past max_counter"
    assert ui.toggle.inner_text() == "Start"
    expect(ui.max_input).to_have_value("4")


def check_reset_and_stop(ui: CounterView) -> None:
    """Reset returns the counter to 0 (running or not); Stop freezes it."""
    check_initial(ui)
    start_long_run(ui)
    before = ui.wait_counter(lambda n: n >= 4, "at least 4", 10_000)
    # Reset while it runs: back to 0, and it keeps counting from there.
    ui.reset.click()
    ui.wait_counter(lambda n: n <= 1, f"0 or 1 again after Reset (it was {before})", 5_000)
    expect(ui.toggle).to_have_text("Stop")
    ui.wait_counter(lambda n: n >= 3, "at least 3 again", 10_000)
    # Stop freezes it.
    frozen = stop(ui)
    assert frozen >= 3
    ui.page.wait_for_timeout(1500)
    assert ui.counter() == frozen, f"the counter moved from {frozen} after Stop"
    expect(ui.toggle).to_have_text("Start")
    # Reset while stopped: 0, and it stays 0.
    ui.reset.click()
    expect(ui.heading).to_have_text("0 /")
    ui.page.wait_for_timeout(1000)
    assert ui.counter() == 0, "the counter moved after Reset while stopped"


def quick_start_stop_start(ui: CounterView) -> None:
    """Click Start, Stop, Start as fast as the page allows; the label ends on Stop."""
    check_initial(ui)
    ui.type_max(1000)
    expect(ui.max_input).to_have_value("1000")
    for _ in range(3):
        ui.toggle.click()
    expect(ui.toggle).to_have_text("Stop")
    ui.wait_counter(lambda n: n >= 2, "at least 2", 10_000)


def check_one_task_rate(ui: CounterView) -> None:
    """The counter ticks at the rate of one task (about 2 a second), not two (about 4)."""
    first, last, elapsed = ui.ticks_over(RATE_WINDOW_S)
    rate = (last - first) / elapsed
    assert MIN_RATE <= rate <= MAX_RATE_ONE_TASK, (
        f"{last - first} ticks in {elapsed:.1f}s ({rate:.1f}/s): one task ticks about 2/s"
    )
