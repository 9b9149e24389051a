"""The one module that owns every QSettings key; the rest of the app sees plain dataclasses."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from jazzgui.limits import CHORUSES, TEMPO
from jazzgui.music.defaults import (
    FORM,
    SOLO_PROGRAM,
    SWING,
    TEMPO_BPM,
    TRAINING_PRESET,
    TRAINING_PRESETS,
)
from jazzgui.music.meter import COMMON_METERS

log = logging.getLogger(__name__)

ORGANIZATION = "JazzGUI"
APPLICATION = "JazzGUI"
CONFIG_ENV = "JAZZGUI_CONFIG_DIR"
MAX_RECENT_MODELS = 8
_PRESET = TRAINING_PRESETS[TRAINING_PRESET]  # a new person's training values


@dataclass
class GenerateSettings:
    """Values of the Generate panel."""

    model_path: str = ""  # "" means the starter model
    recent_models: list[str] = field(default_factory=list)
    progression_text: str = ""
    form_name: str = FORM
    choruses: int = 2
    tempo_bpm: float = float(TEMPO_BPM)
    swing: float = SWING
    temperature: float = 1.0
    seed: int = 1
    seed_locked: bool = False
    solo_program: int = SOLO_PROGRAM
    comp: bool = True
    bass: bool = True
    port_name: str = ""
    export_folder: str = ""
    soundfont: str = ""  # the built-in synth's sound: "" automatic, "none", or a .sf2 path
    meter: str = "4/4"  # the meter control; a (3/4) marker in typed changes wins over it
    midi_export_swing: bool = True  # MIDI exports carry the swing in their note times
    network_only: bool = False  # sample from the network alone (SamplerSettings.rules=False)
    midi_input: str = ""  # the Play Along box's MIDI input, as listed
    pass_through: bool = True  # the Play Along box plays the person's notes on the output


@dataclass
class FileOverride:
    """A Train-panel file's overrides as typed: melody track and bar range ("" = automatic)."""

    track: str = ""
    bars: str = ""


@dataclass
class TrainSettings:
    """Values of the Train panel."""

    preset: str = TRAINING_PRESET
    epochs: int = _PRESET.epochs
    hidden_size: int = _PRESET.hidden_size
    learning_rate: float = _PRESET.learning_rate
    batch_size: int = _PRESET.batch_size
    val_fraction: float = _PRESET.val_fraction
    early_stopping: int = _PRESET.early_stopping  # patience in epochs; 0 turns it off
    kind: str = "new"  # the kind of network to train (ModelConfig.kind)
    files: list[str] = field(default_factory=list)
    last_folder: str = ""
    # Per file of `files`: its overrides, kept with the list so a restart reads it the same.
    file_overrides: dict[str, FileOverride] = field(default_factory=dict)


@dataclass
class WindowSettings:
    """Where the window was and which panel was open."""

    geometry: bytes = b""
    current_tab: int = 0


@dataclass
class AppSettings:
    """Everything remembered between runs."""

    generate: GenerateSettings = field(default_factory=GenerateSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    window: WindowSettings = field(default_factory=WindowSettings)
    # Where an unreadable settings file was moved ("" if none): the window can say so once.
    recovered_backup: str = ""


def config_dir() -> Path:
    """The folder holding the settings file: $JAZZGUI_CONFIG_DIR, else the platform's."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppConfigLocation)
    return Path(location) if location else Path.home() / ".config" / "jazzgui"


def models_dir() -> Path:
    """Where trained models are offered to be saved by default."""
    return config_dir() / "models"


def settings_path() -> Path:
    return config_dir() / "jazzgui.ini"


def _open() -> QSettings:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


def _coerce(value: Any, default: Any) -> Any:
    """A stored value converted to the default's type; raises ValueError/TypeError if it cannot."""
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "yes"):
            return True
        if text in ("false", "0", "no"):
            return False
        raise ValueError(f"not a boolean: {value!r}")
    if isinstance(default, int):
        return int(str(value))
    if isinstance(default, float):
        number = float(str(value))
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError("not a finite number")
        return number
    if isinstance(default, bytes):
        if isinstance(value, QByteArray):
            return bytes(value.data())
        if isinstance(value, bytes):
            return value
        raise TypeError("not bytes")
    if isinstance(default, dict):
        return _overrides_from_json(value)
    if isinstance(default, list):
        if value in (None, ""):
            return []
        items = value if isinstance(value, list) else [value]
        return [str(item) for item in items]
    return str(value)


def _read_group(settings: QSettings, group: str, cls: type) -> Any:
    defaults = cls()
    values = {}
    settings.beginGroup(group)
    for f in fields(cls):
        default = getattr(defaults, f.name)
        if not settings.contains(f.name):
            values[f.name] = default
            continue
        try:
            values[f.name] = _coerce(settings.value(f.name), default)
        except (ValueError, TypeError) as error:
            log.warning("settings %s/%s unreadable (%s); using the default", group, f.name, error)
            values[f.name] = default
    settings.endGroup()
    return cls(**values)


_BAR_RANGE_TEXT = re.compile(r"^\s*(\d+\s*[-–]\s*\d+)?\s*$")


def _overrides_from_json(value: Any) -> dict[str, FileOverride]:
    """File overrides from their stored JSON; entries that are not two texts are dropped."""
    data = json.loads(str(value)) if value not in (None, "") else {}
    if not isinstance(data, dict):
        raise ValueError("not a table of files")
    result = {}
    for path, override in data.items():
        if not isinstance(override, dict):
            continue
        track, bars = override.get("track", ""), override.get("bars", "")
        if isinstance(track, str) and isinstance(bars, str) and _BAR_RANGE_TEXT.match(bars):
            result[str(path)] = FileOverride(track.strip(), bars.strip())
    return result


def _corruption(path: Path) -> str | None:
    """Why the settings file cannot be settings (binary, not text, no [group]), or None."""
    try:
        data = path.read_bytes()
    except OSError:
        return None  # missing or unreadable: QSettings reports what it can
    if not data.strip():
        return None
    if b"\x00" in data:
        return "it holds binary data"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "it is not text"
    if not re.search(r"^\s*\[[^\]\n]+\]\s*$", text, re.MULTILINE):
        return "it has no [section] lines"
    return None


def _set_aside_corrupt_file(why: str) -> str:
    """Move the unreadable settings file beside itself as a backup; returns where ("" if not).

    An earlier backup is never overwritten: the new one carries the time in its name.
    """
    path = settings_path()
    if not path.exists():
        return ""
    backup = path.with_name(path.name + ".corrupt")
    if backup.exists():
        backup = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        path.replace(backup)
    except OSError as error:
        log.warning(
            "settings file %s is unreadable (%s) and could not be moved: %s", path, why, error
        )
        return ""
    log.warning(
        "settings file %s was unreadable (%s); kept as %s, using defaults", path, why, backup
    )
    return str(backup)


def load_settings() -> AppSettings:
    """Read the settings; a corrupt file is set aside as a backup and the defaults are used."""
    why = _corruption(settings_path())
    settings = _open()
    if why is None and settings.status() != QSettings.Status.NoError:
        why = f"QSettings status {settings.status().name}"
    if why is not None:
        del settings
        return AppSettings(recovered_backup=_set_aside_corrupt_file(why))
    result = AppSettings(
        generate=_read_group(settings, "generate", GenerateSettings),
        train=_read_group(settings, "train", TrainSettings),
        window=_read_group(settings, "window", WindowSettings),
    )
    generate = result.generate
    generate.tempo_bpm = min(max(generate.tempo_bpm, TEMPO.minimum), TEMPO.maximum)
    generate.choruses = min(max(generate.choruses, CHORUSES.minimum), CHORUSES.maximum)
    if result.generate.meter not in COMMON_METERS:
        result.generate.meter = GenerateSettings.meter
    train = result.train
    train.file_overrides = {p: o for p, o in train.file_overrides.items() if p in train.files}
    return result


def save_settings(app_settings: AppSettings) -> None:
    """Write every value; the file is replaced as a whole so no stale keys linger."""
    settings = _open()
    settings.clear()
    for group, value in (
        ("generate", app_settings.generate),
        ("train", app_settings.train),
        ("window", app_settings.window),
    ):
        settings.beginGroup(group)
        for key, item in asdict(value).items():
            if isinstance(item, bytes):
                item = QByteArray(item)
            elif isinstance(item, dict):
                item = json.dumps(item, ensure_ascii=False, sort_keys=True)
            settings.setValue(key, item)
        settings.endGroup()
    settings.sync()
    if settings.status() != QSettings.Status.NoError:
        log.warning("settings could not be written to %s", settings_path())


def remember_model(generate: GenerateSettings, path: str) -> None:
    """Put a model at the top of the recent list (no duplicates, bounded length)."""
    recent = [p for p in generate.recent_models if p != path]
    generate.recent_models = [path, *recent][:MAX_RECENT_MODELS]
