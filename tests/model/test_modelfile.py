"""Model files: round trip, atomic saving, and a clear error for every kind of bad file."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from jazzgui.errors import ModelFileError, OutputPathError
from jazzgui.model import modelfile
from jazzgui.model.config import ModelConfig
from jazzgui.model.modelfile import load_model, save_model, weight_shapes


def test_round_trip_keeps_everything(tmp_path, make_model):
    model = make_model()
    model.pitch_prior = {"dominant": [float(i + 1) for i in range(12)], "minor": [1 / 12] * 12}
    path = save_model(model, tmp_path / "m.jazzmodel")
    loaded = load_model(path)
    assert loaded.vocabulary == model.vocabulary
    assert loaded.config == model.config
    assert loaded.card == model.card
    assert loaded.primers == model.primers
    assert loaded.corpus == model.corpus
    assert loaded.pitch_prior == model.pitch_prior
    assert loaded.name == "m"
    for name, array in model.weights.items():
        np.testing.assert_array_equal(loaded.weights[name], array)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "jazzgui-model"
    assert manifest["format_version"] == modelfile.FORMAT_VERSION
    assert {"numpy", "jazzgui"} <= set(manifest["versions"])


def test_reference_shape_has_45530_parameters():
    shapes = weight_shapes(90, ModelConfig(kind="reference"))
    assert sum(int(np.prod(s)) for s in shapes.values()) == 45_530


def test_crash_mid_save_leaves_old_file(tmp_path, make_model, monkeypatch):
    path = save_model(make_model(seed=1), tmp_path / "m.jazzmodel")
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(modelfile.os, "fsync", crash)
    with pytest.raises(OutputPathError, match=r"writing failed \(disk full\)"):
        save_model(make_model(seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.jazzmodel"]  # no temporary left over


def _rewrite(path, change):
    """Copy a model archive member by member, letting `change(name, data)` edit or drop one."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            data = change(name, data)
            if data is not None:
                archive.writestr(name, data)


def _manifest_version(version):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["format_version"] = version
        return json.dumps(manifest)

    return change


def _wrong_weights(name, data):
    if name != "weights.npz":
        return data
    arrays = dict(np.load(io.BytesIO(data)))
    arrays["lstm0.bias"] = np.zeros(3, dtype=np.float32)
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def _corpus_json(corpus):
    def change(name, data):
        return json.dumps(corpus).encode() if name == "corpus.json" else data

    return change


def _prior_json(text):
    def change(name, data):
        return text.encode() if name == "pitch_prior.json" else data

    return change


def _short_vocabulary(name, data):
    return json.dumps(json.loads(data)[:-1]).encode() if name == "vocabulary.json" else data


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.unlink(), "does not exist"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(bytes(range(256)) * 8), "not a JazzGUI model"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "truncated"),
        (lambda p: _rewrite(p, lambda n, d: None if n == "weights.npz" else d), "weights.npz"),
        (lambda p: _rewrite(p, _manifest_version(99)), "newer than this JazzGUI reads"),
        (lambda p: _rewrite(p, _manifest_version("x")), "format version"),
        (lambda p: _rewrite(p, _wrong_weights), "lstm0.bias has shape"),
        (lambda p: _rewrite(p, _short_vocabulary), "has shape"),
        (lambda p: _rewrite(p, lambda n, d: b"{oops" if n == "config.json" else d), "JSON"),
        (lambda p: _rewrite(p, _corpus_json([[0, 1, 999]])), "outside the vocabulary"),
        (lambda p: _rewrite(p, _corpus_json([[0, -1]])), "outside the vocabulary"),
        (lambda p: _rewrite(p, _corpus_json([[0, True]])), "outside the vocabulary"),
        (lambda p: _rewrite(p, _corpus_json([[0, "C,1"]])), "outside the vocabulary"),
        (lambda p: _rewrite(p, _corpus_json({"a": 1})), "corpus.json is not a list"),
        (lambda p: _rewrite(p, _prior_json('{"major": [1, 2, 3]}')), "not a list of 12"),
        (lambda p: _rewrite(p, _prior_json('{"major": [[1]]}')), "not a list of 12"),
        (lambda p: _rewrite(p, _prior_json('{"major": [NaN' + ", 1" * 11 + "]}")), "NaN"),
        (lambda p: _rewrite(p, _prior_json('{"major": [-1' + ", 1" * 11 + "]}")), "negative"),
        (lambda p: _rewrite(p, _prior_json('{"major": [0' + ", 0" * 11 + "]}")), "all zeros"),
        (lambda p: _rewrite(p, _prior_json('{"blues": [1' + ", 1" * 11 + "]}")), "unknown"),
        (lambda p: _rewrite(p, _prior_json("[1, 2]")), "pitch_prior.json is not a mapping"),
        (lambda p: _rewrite(p, _prior_json("{oops")), "pitch_prior.json inside the model"),
    ],
    ids=[
        "missing",
        "empty",
        "random-bytes",
        "truncated",
        "no-weights",
        "newer-format",
        "bad-version",
        "wrong-shape",
        "vocabulary-mismatch",
        "bad-json",
        "corpus-id-too-big",
        "corpus-id-negative",
        "corpus-id-bool",
        "corpus-id-text",
        "corpus-not-a-list",
        "prior-short",
        "prior-nested",
        "prior-nan",
        "prior-negative",
        "prior-zeros",
        "prior-unknown-family",
        "prior-not-a-mapping",
        "prior-bad-json",
    ],
)
def test_bad_files_raise_model_file_error(tmp_path, make_model, damage, message):
    path = save_model(make_model(), tmp_path / "m.jazzmodel")
    damage(path)
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(path)
    assert info.value.path == path
    assert info.value.advice  # says what to do


def test_foreign_zip_is_named_as_such(tmp_path):
    path = tmp_path / "other.jazzmodel"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": "something-else"}))
    with pytest.raises(ModelFileError, match="not a JazzGUI model"):
        load_model(path)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="no manifest"):
        load_model(path)


def test_nan_weights_are_refused(tmp_path, make_model):
    model = make_model()
    model.weights["lstm0.bias"][0] = np.nan
    with pytest.raises(ModelFileError, match="NaN"):
        save_model(model, tmp_path / "m.jazzmodel")


def test_a_model_without_corpus_sequences_loads_and_generates(tmp_path, make_model, caplog):
    from jazzgui.model.sampling import SamplerSettings
    from jazzgui.model.takes import generate_take
    from jazzgui.music.progression import parse_progression

    path = save_model(make_model(), tmp_path / "old.jazzmodel")
    _rewrite(path, lambda n, d: None if n == "corpus.json" else d)  # as written before it existed
    with caplog.at_level("INFO", logger="jazzgui.model.modelfile"):
        loaded = load_model(path)
    assert loaded.corpus == []
    assert "cannot limit verbatim copies" in caplog.text
    take = generate_take(loaded, parse_progression("C7 | F7 | C7 | G7 |"), SamplerSettings(seed=3))
    assert take.bars == 4 and take.events


def test_a_model_without_a_pitch_prior_loads_and_generates(tmp_path, make_model, caplog):
    from jazzgui.model.sampling import SamplerSettings
    from jazzgui.model.takes import generate_take
    from jazzgui.music.progression import parse_progression

    model = make_model()
    model.pitch_prior = {"dominant": [1.0] * 12}
    path = save_model(model, tmp_path / "old.jazzmodel")
    _rewrite(path, lambda n, d: None if n == "pitch_prior.json" else d)  # as written before it
    with caplog.at_level("INFO", logger="jazzgui.model.modelfile"):
        loaded = load_model(path)
    assert loaded.pitch_prior == {}
    assert "no pitch-class prior" in caplog.text
    take = generate_take(loaded, parse_progression("C7 | F7 | C7 | G7 |"), SamplerSettings(seed=3))
    assert take.bars == 4 and take.events


def test_a_bad_pitch_prior_is_not_saved(tmp_path, make_model):
    model = make_model()
    model.pitch_prior = {"major": [1.0] * 11 + [float("inf")]}
    with pytest.raises(ModelFileError, match="NaN or infinite"):
        save_model(model, tmp_path / "m.jazzmodel")


def test_a_saved_model_is_readable_by_others_like_any_data_file(tmp_path, make_model):
    path = save_model(make_model(), tmp_path / "m.jazzmodel")
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    path.chmod(0o640)
    save_model(make_model(seed=1), path)
    assert path.stat().st_mode & 0o777 == 0o640  # an existing file keeps its mode
