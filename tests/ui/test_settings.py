"""Settings: remembered between windows, and a corrupt file falls back to the defaults."""

from __future__ import annotations

from jazzgui.limits import CHORUSES
from jazzgui.ui.settings_store import (
    AppSettings,
    load_settings,
    remember_model,
    save_settings,
    settings_path,
)


def test_settings_round_trip_through_the_file(qapp):
    settings = AppSettings()
    settings.generate.tempo_bpm = 132
    settings.generate.swing = 0.66
    settings.generate.seed_locked = True
    settings.train.files = ["/a/solo.mid"]
    settings.window.geometry = b"\x01\x02\x03"
    remember_model(settings.generate, "/m/one.jazzmodel")
    remember_model(settings.generate, "/m/two.jazzmodel")
    remember_model(settings.generate, "/m/one.jazzmodel")
    save_settings(settings)

    loaded = load_settings()
    assert loaded.generate.tempo_bpm == 132
    assert loaded.generate.swing == 0.66
    assert loaded.generate.seed_locked is True
    assert loaded.generate.recent_models == ["/m/one.jazzmodel", "/m/two.jazzmodel"]
    assert loaded.train.files == ["/a/solo.mid"]
    assert loaded.window.geometry == b"\x01\x02\x03"


def test_values_persist_between_two_windows(make_window):
    first = make_window()
    panel = first.generate_panel
    panel.tempo_spin.setValue(97)
    panel.choruses_spin.setValue(3)
    panel.progression_edit.setPlainText("Dm7 G7 | Cmaj7 | % |")
    panel.seed_spin.setValue(4242)
    panel.seed_lock.setChecked(True)
    first.train_panel.epochs_spin.setValue(7)
    first.tabs.setCurrentIndex(1)
    first.close()
    assert settings_path().exists()

    second = make_window()
    panel = second.generate_panel
    assert panel.tempo_spin.value() == 97
    assert panel.choruses_spin.value() == 3
    assert panel.progression_edit.toPlainText() == "Dm7 G7 | Cmaj7 | % |"
    assert panel.seed_spin.value() == 4242
    assert panel.seed_lock.isChecked()
    assert second.train_panel.epochs_spin.value() == 7
    assert second.train_panel.preset_combo.currentText() == "Custom"
    assert second.tabs.currentIndex() == 1
    assert second.generate_panel.ports.port_name == "Fake synth"


def test_corrupt_settings_file_falls_back_to_defaults(make_window):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00\xff\xfe[[[generate\ntempo_bpm=\x01\x02\n[General\x00garbage=")

    window = make_window()
    defaults = AppSettings()
    assert window.generate_panel.tempo_spin.value() == defaults.generate.tempo_bpm
    assert window.train_panel.epochs_spin.value() == defaults.train.epochs
    assert path.with_suffix(".ini.corrupt").exists()
    window.close()
    assert load_settings().generate.tempo_bpm == defaults.generate.tempo_bpm


def test_wrongly_typed_values_fall_back_one_by_one(qapp):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[generate]\ntempo_bpm=fast\nswing=0.55\nchoruses=99999\n[train]\nepochs=nan\n")
    loaded = load_settings()
    assert loaded.generate.tempo_bpm == AppSettings().generate.tempo_bpm
    assert loaded.generate.swing == 0.55
    assert loaded.generate.choruses == CHORUSES.maximum
    assert loaded.train.epochs == AppSettings().train.epochs
