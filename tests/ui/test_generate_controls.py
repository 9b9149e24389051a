"""The Generate panel's controls: ranges from jazzgui.limits, Network only, meter, chord symbols."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from jazzgui import limits
from jazzgui.music.events import SOLO_CHANNEL

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def ready_panel(tiny_model_window):
    window, panel = tiny_model_window
    panel.tempo_spin.setValue(300)
    panel.choruses_spin.setValue(1)
    return window, panel


def _generate(qtbot, panel):
    count = len(panel.takes)
    qtbot.mouseClick(panel.generate_button, LEFT)
    qtbot.waitUntil(lambda: len(panel.takes) == count + 1, timeout=15000)
    panel.stop()
    return panel.takes[-1].take


def test_every_spin_box_takes_its_range_from_the_limits(make_window):
    panel = make_window().generate_panel
    spins = {
        panel.choruses_spin: limits.CHORUSES,
        panel.tempo_spin: limits.TEMPO,
        panel.swing_spin: limits.SWING,
        panel.temperature_spin: limits.TEMPERATURE,
    }
    for spin, limit in spins.items():
        assert (spin.minimum(), spin.maximum()) == (limit.minimum, limit.maximum), limit.label
        assert spin.singleStep() == limit.step
        if isinstance(spin, QDoubleSpinBox):
            assert spin.decimals() == limit.decimals
        else:
            assert isinstance(spin, QSpinBox) and limit.whole
        assert limit.range_text()[1:] in spin.toolTip()  # "The tempo must be from 20 to 400 BPM"
    # The seed spin box holds a part of the take seeds' range (a QSpinBox stops at 2**31-1).
    assert limits.SEED.problem(panel.seed_spin.minimum()) is None
    assert limits.SEED.problem(panel.seed_spin.maximum()) is None


def test_typing_past_a_limit_stops_at_the_limit(make_window, qtbot):
    panel = make_window().generate_panel
    panel.tempo_spin.selectAll()
    qtbot.keyClicks(panel.tempo_spin, "999")
    panel.tempo_spin.interpretText()
    assert panel.tempo_spin.value() <= limits.TEMPO.maximum
    panel.temperature_spin.setValue(0.0)  # 0 = the likeliest value, allowed by the limit
    assert panel.temperature_spin.value() == 0.0


def test_a_take_longer_than_the_bar_cap_is_refused_in_place(ready_panel):
    _window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | " * 6)  # 12 bars
    panel.choruses_spin.setValue(limits.MAX_BARS // 12 + 1)
    assert "more than 5000" in panel.progression_error.text()
    assert not panel.generate_button.isEnabled()
    panel.choruses_spin.setValue(limits.MAX_BARS // 12)
    assert panel.progression_error.text() == ""
    assert panel.generate_button.isEnabled()


def test_a_stored_seed_out_of_range_is_not_shown(make_window):
    from jazzgui.ui.settings_store import AppSettings

    settings = AppSettings()
    settings.generate.seed = -5
    panel = make_window(settings=settings).generate_panel
    assert panel.seed_spin.value() == settings.generate.__class__.seed


def test_network_only_turns_the_rules_off_and_is_remembered(ready_panel, qtbot):
    from jazzgui.ui.settings_store import load_settings, save_settings

    window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 |")
    panel.network_only_check.click()
    assert panel.network_only_check.isChecked()
    take = _generate(qtbot, panel)
    assert take.provenance.extra["rules"] == "False"
    panel.network_only_check.setChecked(False)
    assert _generate(qtbot, panel).provenance.extra["rules"] == "True"

    panel.network_only_check.setChecked(True)
    save_settings(window.collect_settings())
    assert load_settings().generate.network_only is True


@pytest.mark.parametrize("meter, beats", [("3/4", 3), ("5/4", 5), ("6/8", 3), ("4/4", 4)])
def test_the_meter_control_sets_the_take_the_piano_roll_and_the_length(
    ready_panel, qtbot, meter, beats
):
    _window, panel = ready_panel
    panel.progression_edit.setPlainText("Dm7 | G7 | Cmaj7 |")
    panel.meter_combo.setCurrentIndex(panel.meter_combo.findData(meter))
    if meter != "4/4":
        assert f"of {meter}" in panel.progression_info.text()
    take = _generate(qtbot, panel)
    assert take.time_signature.text == meter
    assert take.beats_per_bar == beats and take.bars == 3
    solo = [e for e in take.events if e.channel == SOLO_CHANNEL]
    assert solo and max(e.end_beat for e in solo) <= 3 * beats + 1e-6
    canvas = panel.piano_roll.canvas
    assert canvas.bar_starts()[:3] == [0.0, beats, 2.0 * beats]
    # The chord lane spans the three bars (a band note may ring a little past the end).
    assert max(start + length for start, length, _ in canvas._chords) == 3 * beats
    assert [start for start, _, _ in canvas._chords] == [0, beats, 2 * beats]
    assert 3 * beats <= canvas._length_beats < 3 * beats + 1


def test_a_meter_marker_in_the_changes_wins_over_the_control(ready_panel, qtbot):
    _window, panel = ready_panel
    panel.meter_combo.setCurrentIndex(panel.meter_combo.findData("4/4"))
    panel.progression_edit.setPlainText("(3/4) Dm7 | G7 | Cmaj7 |")
    assert "3/4 (set by the marker" in panel.progression_info.text()
    take = _generate(qtbot, panel)
    assert take.time_signature.text == "3/4" and take.beats_per_bar == 3
    # A marker inside a bar (after its chord) is refused in place, naming the bar.
    panel.progression_edit.setPlainText("Dm7 | G7 (3/4) |")
    assert "marker" in panel.progression_error.text()
    assert "bar 2" in panel.progression_error.text()
    assert not panel.generate_button.isEnabled()


def test_forms_have_their_titles_and_follow_the_meter(ready_panel, qtbot):
    from jazzgui.music.progression import form_progression

    _window, panel = ready_panel
    index = panel.form_combo.findData("blues-f")
    assert panel.form_combo.itemText(index) == "Blues in F"
    panel.meter_combo.setCurrentIndex(panel.meter_combo.findData("6/8"))
    panel.form_combo.setCurrentIndex(index)
    panel.form_combo.activated.emit(index)
    expected = form_progression("blues-f", "6/8")
    assert panel.controls.progression.bars == expected.bars
    assert panel.controls.progression.meter.text == "6/8"
    panel.tempo_spin.setValue(400)
    take = _generate(qtbot, panel)
    assert take.time_signature.text == "6/8" and take.bars == len(expected)
    assert "Blues in F" in [panel.form_combo.itemText(i) for i in range(panel.form_combo.count())]


@pytest.mark.parametrize(
    "symbol",
    ["C7b5", "Cm7-5", "C11", "Ab13#11", "C7b9#11", "Cm6/9", "Cadd9", "Csus2", "N.C.", "C/E"],
)
def test_jazz_chord_symbols_keep_generate_enabled(ready_panel, symbol):
    _window, panel = ready_panel
    panel.progression_edit.setPlainText(f"Dm7 G7 | {symbol} | Cmaj7 |")
    assert panel.progression_error.text() == ""
    assert panel.generate_button.isEnabled()
    assert panel.progression_info.text().startswith("3 bars")


def test_configure_refuses_a_whole_number_box_for_a_limit_with_decimals(qapp):
    from jazzgui.ui.limits_widgets import configure

    with pytest.raises(TypeError, match="the tempo takes decimals"):
        configure(QSpinBox(), limits.TEMPO)
    spin = QSpinBox()
    configure(spin, limits.EPOCHS)  # the Train panel's boxes use the same helper
    assert (spin.minimum(), spin.maximum(), spin.value()) == (1, 100_000, 100)
    assert spin.toolTip() == "The number of epochs must be a whole number from 1 to 100000."
