"""Model files (.jazzmodel): weights, vocabulary, configuration and a model card in one zip.

Loading needs numpy only (no TensorFlow), so generating from a saved model starts at once.
"""

from __future__ import annotations

import io
import json
import logging
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import numpy as np

from jazzgui.errors import ModelFileError
from jazzgui.files import atomic_write
from jazzgui.model.config import ModelConfig
from jazzgui.music.conditioning import FEATURE_SIZE
from jazzgui.music.pitch_prior import prior_problems
from jazzgui.music.valueparts import value_parts

log = logging.getLogger(__name__)

SUFFIX = ".jazzmodel"
FORMAT_NAME = "jazzgui-model"
FORMAT_VERSION = 1
_MEMBERS = ("manifest.json", "vocabulary.json", "config.json", "card.json", "weights.npz")
_PRIMERS = "primers.json"
# The training corpus as token ids, one list per file: lets the sampler refuse long verbatim
# copies. Optional, so files written before it was added still load.
_CORPUS = "corpus.json"
# P(pitch class above the root | chord family) of the training corpus, {family: 12 weights}:
# unparsing leans on it. Optional: files without it unparse by the tokens' windows alone.
_PITCH_PRIOR = "pitch_prior.json"
_OPTIONAL = (_PRIMERS, _CORPUS, _PITCH_PRIOR)
_RETRAIN = "Train a new model with `jazzgui train` or pick another model file"


def weight_shapes(
    vocabulary: int | Sequence[str], config: ModelConfig
) -> dict[str, tuple[int, ...]]:
    """Names and shapes of every weight array of a network (Keras LSTM layout, gates i f c o).

    The reference kind needs only the vocabulary's size; the new kind its tokens, whose parts
    (types, durations, intervals) set the widths of its input and of its three heads.
    """
    if config.conditioned:
        if isinstance(vocabulary, int):
            raise TypeError("the new kind of network needs the vocabulary's tokens, not a size")
        parts = value_parts(vocabulary)
        kinds, durations, intervals = parts.sizes
        width = parts.input_width + FEATURE_SIZE
    else:
        width = vocabulary if isinstance(vocabulary, int) else len(vocabulary)
    size = width
    shapes: dict[str, tuple[int, ...]] = {}
    for layer in range(config.layers):
        shapes[f"lstm{layer}.kernel"] = (width, 4 * config.n_a)
        shapes[f"lstm{layer}.recurrent_kernel"] = (config.n_a, 4 * config.n_a)
        shapes[f"lstm{layer}.bias"] = (4 * config.n_a,)
        width = config.n_a
    if not config.conditioned:
        shapes["dense.kernel"] = (config.n_a, size)
        shapes["dense.bias"] = (size,)
        return shapes
    heads = {
        "type": (0, kinds),
        "duration": (kinds, durations),
        "interval": (kinds + durations, intervals),
    }
    for name, (given, out) in heads.items():
        shapes[f"{name}.kernel"] = (config.n_a + given, out)
        shapes[f"{name}.bias"] = (out,)
    return shapes


def package_versions() -> dict[str, str]:
    """Versions of the packages that matter for a model, without importing TensorFlow."""
    from importlib import metadata

    versions = {"numpy": np.__version__}
    for name in ("jazzgui", "tensorflow", "keras", "music21"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@dataclass
class JazzModel:
    """A trained network: vocabulary, shape, numpy weights, its card, and a few primer bars."""

    vocabulary: list[str]
    config: ModelConfig
    weights: dict[str, np.ndarray]
    card: dict[str, Any] = field(default_factory=dict)
    primers: list[list[str]] = field(default_factory=list)  # corpus bars that prime sampling
    path: Path | None = None  # where it was loaded from or saved to
    # Token ids of each training file (empty: unknown, e.g. an older file), for max_copy.
    corpus: list[list[int]] = field(default_factory=list)
    # Chord family -> 12 pitch-class weights (empty: unknown, no preference), for unparsing.
    pitch_prior: dict[str, list[float]] = field(default_factory=dict)
    # Arrays derived from the weights by the numpy steppers, kept for the next stepper
    # (jazzgui.model.stepper); never saved, compared or shown.
    derived: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def name(self) -> str:
        if self.path is not None:
            return self.path.stem
        return str(self.card.get("name", "unsaved model"))

    @property
    def parameter_count(self) -> int:
        return int(sum(w.size for w in self.weights.values()))

    def check(self) -> list[str]:
        """Problems that make this model unusable (shapes, vocabulary), empty when none."""
        problems = list(self.config.validate())
        if not self.vocabulary:
            problems.append("the vocabulary is empty")
        elif len(set(self.vocabulary)) != len(self.vocabulary):
            problems.append("the vocabulary lists a token twice")
        elif not all(isinstance(t, str) and t for t in self.vocabulary):
            problems.append("the vocabulary holds something other than token texts")
        if problems:
            return problems
        expected = weight_shapes(self.vocabulary, self.config)
        missing = sorted(set(expected) - set(self.weights))
        extra = sorted(set(self.weights) - set(expected))
        if missing:
            problems.append(f"weights {', '.join(missing)} are missing")
        if extra:
            problems.append(f"unexpected weights {', '.join(extra)}")
        for name, shape in expected.items():
            array = self.weights.get(name)
            if array is not None and tuple(array.shape) != shape:
                problems.append(
                    f"weight {name} has shape {tuple(array.shape)} but the vocabulary "
                    f"({len(self.vocabulary)} tokens) and configuration need {shape}"
                )
            elif array is not None and not np.all(np.isfinite(array)):
                problems.append(f"weight {name} holds NaN or infinite values")
        vocab = set(self.vocabulary)
        for i, bar in enumerate(self.primers):
            unknown = [t for t in bar if t not in vocab]
            if unknown:
                problems.append(f"primer bar {i} uses tokens not in the vocabulary: {unknown[:3]}")
                break
        size = len(self.vocabulary)
        for i, sequence in enumerate(self.corpus):
            bad = [t for t in sequence if not _is_token_id(t, size)]
            if bad:
                problems.append(
                    f"corpus sequence {i} holds token ids outside the vocabulary "
                    f"(0-{size - 1}): {bad[:3]}"
                )
                break
        problems.extend(prior_problems(self.pitch_prior))
        return problems


def _is_token_id(value: object, size: int) -> bool:
    # JSON's true/false would pass as ints: a token id is a plain integer.
    integer = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    return integer and 0 <= value < size


def save_model(model: JazzModel, path: str | Path) -> Path:
    """Write the model atomically: a crash mid-save leaves any older file at `path` intact."""
    path = Path(path)
    problems = model.check()
    if problems:
        raise ModelFileError(
            path,
            "cannot save an inconsistent model: " + "; ".join(problems),
            "This is a bug in JazzGUI; please report it",
        )
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        "parameters": model.parameter_count,
    }
    weights = io.BytesIO()
    np.savez(weights, **{k: np.asarray(v, dtype=np.float32) for k, v in model.weights.items()})
    path.parent.mkdir(parents=True, exist_ok=True)

    def write_archive(handle: IO[bytes]) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=1))
            archive.writestr("vocabulary.json", json.dumps(list(model.vocabulary)))
            archive.writestr("config.json", json.dumps(model.config.to_dict(), indent=1))
            archive.writestr("card.json", json.dumps(model.card, indent=1, default=str))
            archive.writestr(_PRIMERS, json.dumps(model.primers))
            archive.writestr(_CORPUS, json.dumps([list(map(int, s)) for s in model.corpus]))
            prior = {family: list(map(float, w)) for family, w in model.pitch_prior.items()}
            archive.writestr(_PITCH_PRIOR, json.dumps(prior))
            archive.writestr("weights.npz", weights.getvalue())

    atomic_write(path, write_archive)
    _fsync_folder(path.parent)
    model.path = path
    log.info("saved model %s (%d parameters)", path, model.parameter_count)
    return path


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable where the platform allows it (not on Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_model(path: str | Path) -> JazzModel:
    """Read and check a model file; anything wrong with it raises ModelFileError."""
    path = Path(path)
    if not path.exists():
        raise ModelFileError(
            path, "the model file does not exist", "Check the path, or " + _RETRAIN
        )
    if path.is_dir():
        raise ModelFileError(path, "is a folder, not a model file", f"Pick a {SUFFIX} file")
    try:
        with path.open("rb") as handle:
            head = handle.read(4)
        size = path.stat().st_size
    except OSError as error:
        raise ModelFileError(
            path, f"cannot be read ({error.strerror})", "Check the file's permissions"
        ) from error
    if size == 0:
        raise ModelFileError(path, "the model file is empty", _RETRAIN)
    try:
        with zipfile.ZipFile(path) as archive:
            members = _read_members(path, archive)
    except zipfile.BadZipFile as error:
        if head == b"PK\x03\x04":
            raise ModelFileError(
                path, "the model file is truncated or damaged", _RETRAIN
            ) from error
        raise ModelFileError(
            path,
            f"is not a JazzGUI model (not a {SUFFIX} archive)",
            f"Pick a {SUFFIX} file written by `jazzgui train`",
        ) from error
    except (OSError, EOFError) as error:
        raise ModelFileError(path, "the model file is truncated or damaged", _RETRAIN) from error
    return _build_model(path, members)


def _read_members(path: Path, archive: zipfile.ZipFile) -> dict[str, bytes]:
    names = set(archive.namelist())
    if "manifest.json" not in names:
        raise ModelFileError(
            path,
            "is a zip archive but not a JazzGUI model (no manifest)",
            f"Pick a {SUFFIX} file written by `jazzgui train`",
        )
    manifest = _json(path, archive.read("manifest.json"), "manifest.json")
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ModelFileError(
            path,
            "is a zip archive but not a JazzGUI model (foreign manifest)",
            f"Pick a {SUFFIX} file written by `jazzgui train`",
        )
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(path, f"has an unreadable format version ({version!r})", _RETRAIN)
    if version > FORMAT_VERSION:
        raise ModelFileError(
            path,
            f"was written in model format {version}, newer than this JazzGUI reads "
            f"({FORMAT_VERSION})",
            "Update JazzGUI, or " + _RETRAIN,
        )
    missing = [m for m in _MEMBERS if m not in names]
    if missing:
        raise ModelFileError(path, f"is incomplete: {', '.join(missing)} missing", _RETRAIN)
    wanted = [*_MEMBERS, *(name for name in _OPTIONAL if name in names)]
    # Reading every member checks its CRC, so damage inside the archive shows up here.
    return {name: archive.read(name) for name in wanted}


def _json(path: Path, data: bytes, member: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(
            path, f"{member} inside the model is not valid JSON", _RETRAIN
        ) from error


def _build_model(path: Path, members: dict[str, bytes]) -> JazzModel:
    vocabulary = _json(path, members["vocabulary.json"], "vocabulary.json")
    if not isinstance(vocabulary, list):
        raise ModelFileError(path, "vocabulary.json is not a list of tokens", _RETRAIN)
    config_data = _json(path, members["config.json"], "config.json")
    card = _json(path, members["card.json"], "card.json")
    primers = _json(path, members[_PRIMERS], _PRIMERS) if _PRIMERS in members else []
    if not isinstance(config_data, dict) or not isinstance(card, dict):
        raise ModelFileError(path, "config.json or card.json is not a JSON object", _RETRAIN)
    if not isinstance(primers, list) or not all(isinstance(b, list) for b in primers):
        raise ModelFileError(path, "primers.json is not a list of bars", _RETRAIN)
    if _CORPUS in members:
        corpus = _json(path, members[_CORPUS], _CORPUS)
        if not isinstance(corpus, list) or not all(isinstance(s, list) for s in corpus):
            raise ModelFileError(path, "corpus.json is not a list of token sequences", _RETRAIN)
    else:
        corpus = []
        log.info(
            "model %s carries no corpus sequences (an older file): the sampler cannot limit "
            "verbatim copies from its training music",
            path,
        )
    if _PITCH_PRIOR in members:
        pitch_prior = _json(path, members[_PITCH_PRIOR], _PITCH_PRIOR)
        if not isinstance(pitch_prior, dict):
            raise ModelFileError(
                path, "pitch_prior.json is not a mapping of chord families to weights", _RETRAIN
            )
    else:
        pitch_prior = {}
        log.info(
            "model %s carries no pitch-class prior (an older file): pitches follow the "
            "tokens' windows alone",
            path,
        )
    try:
        config = ModelConfig.from_dict(config_data)
        with np.load(io.BytesIO(members["weights.npz"]), allow_pickle=False) as npz:
            weights = {name: np.asarray(npz[name], dtype=np.float32) for name in npz.files}
    except (TypeError, ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(
            path, f"its configuration or weights cannot be read ({error})", _RETRAIN
        ) from error
    model = JazzModel(list(vocabulary), config, weights, card, primers, path, corpus, pitch_prior)
    problems = model.check()
    if problems:
        raise ModelFileError(path, "is inconsistent: " + "; ".join(problems), _RETRAIN)
    return model
