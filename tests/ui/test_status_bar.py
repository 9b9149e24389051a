"""The status bar shows a long message as far as it fits, never widening the window."""

from __future__ import annotations


def test_a_long_status_shows_as_far_as_it_fits_with_the_whole_in_its_tooltip(make_window, qtbot):
    # No MIDI outputs: the start-up status says so, with the advice on starting a synth.
    window = make_window(port_lister=lambda: [])
    label = window.status_label
    qtbot.waitUntil(lambda: label.text().startswith("Using the built-in synth"), timeout=5000)
    whole = label.text()
    assert "fluidsynth" in whole and label.toolTip() == whole

    narrow = window.minimumSizeHint().width()
    window.resize(narrow, 600)
    qtbot.waitUntil(lambda: window.width() == narrow, timeout=5000)
    shown = label.shown_text()
    assert shown.endswith("…") and whole.startswith(shown[:-1].rstrip())
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert window.minimumSizeHint().width() == narrow  # the message asks for no more room

    window.resize(narrow + 600, 600)
    qtbot.waitUntil(lambda: len(label.shown_text()) > len(shown), timeout=5000)
    assert label.text() == whole

    window.show_status("Exported take 1 to solo.mid")  # a short one is shown whole
    assert label.shown_text() == label.text() == "Exported take 1 to solo.mid"
