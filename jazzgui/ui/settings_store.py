"""The one module that owns every QSettings key; the rest of the app sees plain dataclasses."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

log = logging.getLogger(__name__)

ORGANIZATION = "JazzGUI"
APPLICATION = "JazzGUI"
CONFIG_ENV = "JAZZGUI_CONFIG_DIR"
MAX_RECENT_MODELS = 8


@dataclass
class GenerateSettings:
    """Values of the Generate panel."""

    model_path: str = ""  # "" means the starter model
    recent_models: list[str] = field(default_factory=list)
    progression_text: str = ""
    form_name: str = "blues-f"
    choruses: int = 2
    tempo_bpm: int = 160
    swing: float = 0.6
    temperature: float = 1.0
    seed: int = 1
    seed_locked: bool = False
    solo_program: int = 65
    comp: bool = True
    bass: bool = True
    port_name: str = ""
    export_folder: str = ""
    soundfont: str = ""  # the built-in synth's sound: "" automatic, "none", or a .sf2 path


@dataclass
class TrainSettings:
    """Values of the Train panel."""

    preset: str = "Quick"
    epochs: int = 20
    hidden_size: int = 64
    learning_rate: float = 0.01
    batch_size: int = 32
    val_fraction: float = 0.1
    early_stopping: int = 0  # patience in epochs; 0 turns it off
    files: list[str] = field(default_factory=list)
    last_folder: str = ""


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


def _set_aside_corrupt_file() -> None:
    path = settings_path()
    if not path.exists():
        return
    backup = path.with_suffix(".ini.corrupt")
    try:
        path.replace(backup)
        log.warning("settings file %s was unreadable; moved to %s, using defaults", path, backup)
    except OSError as error:
        log.warning("settings file %s was unreadable and could not be moved: %s", path, error)


def load_settings() -> AppSettings:
    """Read the settings; a corrupt file is set aside and the defaults are used instead."""
    settings = _open()
    if settings.status() != QSettings.Status.NoError:
        del settings
        _set_aside_corrupt_file()
        return AppSettings()
    result = AppSettings(
        generate=_read_group(settings, "generate", GenerateSettings),
        train=_read_group(settings, "train", TrainSettings),
        window=_read_group(settings, "window", WindowSettings),
    )
    result.generate.tempo_bpm = min(max(result.generate.tempo_bpm, 40), 320)
    result.generate.choruses = min(max(result.generate.choruses, 1), 16)
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
            settings.setValue(key, item)
        settings.endGroup()
    settings.sync()
    if settings.status() != QSettings.Status.NoError:
        log.warning("settings could not be written to %s", settings_path())


def remember_model(generate: GenerateSettings, path: str) -> None:
    """Put a model at the top of the recent list (no duplicates, bounded length)."""
    recent = [p for p in generate.recent_models if p != path]
    generate.recent_models = [path, *recent][:MAX_RECENT_MODELS]
