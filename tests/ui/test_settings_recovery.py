"""The settings store: an unreadable file kept as a backup, per-file overrides kept."""

from __future__ import annotations

import logging

import pytest

from jazzgui.ui.settings_store import (
    AppSettings,
    FileOverride,
    load_settings,
    save_settings,
    settings_path,
)


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\xff\xfe binary junk",
        b"tempo is fast and the files are gone\n",
        b"[generate\ntempo_bpm=100\n[train]\nfiles=@Invalid(\n",
        "[generate]\ntempo_bpm=1\n".encode("utf-16"),
    ],
)
def test_unreadable_file_is_kept_as_a_backup_and_the_next_save_works(qapp, caplog, content):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="jazzgui.ui.settings_store"):
        loaded = load_settings()
        assert loaded.generate == AppSettings().generate
        assert loaded.recovered_backup
        backup = settings_path().parent / loaded.recovered_backup.rsplit("/", 1)[-1]
        assert backup.read_bytes() == content
        loaded.generate.tempo_bpm = 111
        save_settings(loaded)
    assert "could not be written" not in caplog.text
    assert "kept as" in caplog.text
    again = load_settings()
    assert again.generate.tempo_bpm == 111 and not again.recovered_backup


def test_a_second_bad_file_does_not_overwrite_the_first_backup(qapp):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x00first")
    first = load_settings().recovered_backup
    path.write_bytes(b"\x00second")
    second = load_settings().recovered_backup
    assert first != second
    assert settings_path().with_name(first.rsplit("/", 1)[-1]).read_bytes() == b"\x00first"
    assert settings_path().with_name(second.rsplit("/", 1)[-1]).read_bytes() == b"\x00second"


def test_file_overrides_are_kept_with_the_file_list(qapp):
    settings = AppSettings()
    settings.train.files = ["/solos/a.mid", "/solos/b é.mid"]
    settings.train.file_overrides = {
        "/solos/a.mid": FileOverride(track="2", bars="9-40"),
        "/solos/b é.mid": FileOverride(track="Tenor", bars=""),
        "/solos/removed.mid": FileOverride(track="1", bars="1-8"),
    }
    save_settings(settings)
    loaded = load_settings().train
    assert loaded.files == ["/solos/a.mid", "/solos/b é.mid"]
    assert loaded.file_overrides == {
        "/solos/a.mid": FileOverride("2", "9-40"),
        "/solos/b é.mid": FileOverride("Tenor", ""),
    }


def test_bad_overrides_fall_back_alone(qapp):
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "[train]\nepochs=9\nfiles=/a.mid\n"
        'file_overrides="{\\"/a.mid\\": {\\"track\\": 3, \\"bars\\": \\"x\\"}}"\n'
    )
    loaded = load_settings().train
    assert loaded.epochs == 9 and loaded.files == ["/a.mid"]
    assert loaded.file_overrides == {}
    path.write_text("[train]\nepochs=8\nfile_overrides=not json\n")
    loaded = load_settings().train
    assert loaded.epochs == 8 and loaded.file_overrides == {}


def test_meter_and_export_swing_are_remembered_and_checked(qapp):
    settings = AppSettings()
    settings.generate.meter = "6/8"
    settings.generate.midi_export_swing = False
    save_settings(settings)
    loaded = load_settings().generate
    assert loaded.meter == "6/8" and loaded.midi_export_swing is False
    path = settings_path()
    # Another length, so Qt's settings cache (which compares size and time) sees a new file.
    path.write_text(path.read_text().replace("meter=6/8", "meter=15/16"))
    assert load_settings().generate.meter == "4/4"
