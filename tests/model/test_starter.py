"""The shipped starter model: it loads without TensorFlow, matches the corpus and generates."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import mido
import pytest

from jazzgui.model.modelfile import load_model
from jazzgui.model.sampling import SamplerSettings
from jazzgui.model.starter import STARTER_COMMAND, starter_configs, starter_model_path
from jazzgui.model.takes import generate_take
from jazzgui.music.corpus import build_corpus
from jazzgui.music.evaluate import line_from_take, polyphony
from jazzgui.music.events import BASS_CHANNEL, COMP_CHANNEL, SOLO_CHANNEL
from jazzgui.music.pitch_prior import pitch_class_prior
from jazzgui.music.progression import form_progression

SOLOS = Path(__file__).resolve().parents[2] / "data" / "solos"


@pytest.fixture(scope="module")
def starter():
    return load_model(starter_model_path())


def test_the_starter_model_ships_in_the_package(starter):
    assert starter_model_path().is_file()
    assert starter_model_path().stat().st_size < 1_000_000
    assert starter.check() == []
    assert starter.corpus  # so the sampler can keep takes from copying the corpus


def test_it_was_trained_as_the_documented_command_says(starter):
    model_config, train_config = starter_configs()
    assert starter.config == model_config
    train = starter.card["train"]
    assert train["seed"] == train_config.seed
    assert train["val_fraction"] == train_config.val_fraction
    assert train["patience"] == train_config.early_stopping_patience
    assert f"--seed {train_config.seed}" in STARTER_COMMAND
    assert f"--hidden {model_config.n_a}" in STARTER_COMMAND
    assert f"--kind {model_config.kind}" in STARTER_COMMAND
    assert f"--dropout {model_config.dropout:g}" in STARTER_COMMAND
    readme = (SOLOS.parent / "README.md").read_text(encoding="utf-8")
    assert STARTER_COMMAND in readme


def test_it_was_trained_on_the_corpus_as_it_is_now(starter):
    trained_on = {entry["file"]: entry["sha256"] for entry in starter.card["corpus"]}
    files = sorted(SOLOS.glob("*.musicxml"))
    assert sorted(trained_on) == [f.name for f in files]
    for file in files:
        assert trained_on[file.name] == hashlib.sha256(file.read_bytes()).hexdigest(), (
            f"{file.name} changed since the starter model was trained: retrain it with "
            f"{STARTER_COMMAND}"
        )


def test_its_vocabulary_covers_the_corpus(starter):
    corpus = build_corpus([SOLOS])
    assert len(corpus.ok_entries) == len(list(SOLOS.glob("*.musicxml")))
    tokens = {t for entry in corpus.ok_entries for bar in entry.bars for t in bar}
    assert tokens <= set(starter.vocabulary)
    assert starter.corpus == [s.tolist() for s in corpus.sequences()]


def test_it_carries_the_corpus_pitch_class_prior(starter):
    corpus = build_corpus([SOLOS])
    expected = pitch_class_prior(entry.sheet for entry in corpus.ok_entries)
    assert starter.pitch_prior.keys() == expected.keys()
    for family, weights in expected.items():
        assert starter.pitch_prior[family] == pytest.approx(weights)
    dominant = starter.pitch_prior["dominant"]
    assert min(dominant[4], dominant[10]) > dominant[0]  # 3rds and 7ths over roots


def test_it_improvises_a_blues_in_f_with_the_band(starter):
    blues = form_progression("blues-f")
    take = generate_take(starter, blues, SamplerSettings(seed=1), tempo_bpm=180)
    assert take.bars == 12 == len(blues)
    solo = take.part(SOLO_CHANNEL)
    assert polyphony(line_from_take(take).notes) == 1
    assert max(e.end_beat for e in solo) <= 48 + 1e-9
    for first in range(0, 12, 3):  # the solo breathes, but never falls silent for 3 bars
        assert any(4 * first <= e.start_beat < 4 * (first + 3) for e in solo)
    assert all(55 <= e.pitch <= 84 for e in solo)
    assert {COMP_CHANNEL, BASS_CHANNEL} <= {e.channel for e in take.events}


def test_generating_from_it_never_loads_tensorflow():
    code = (
        "import sys\n"
        "from jazzgui.model.modelfile import load_model\n"
        "from jazzgui.model.sampling import SamplerSettings\n"
        "from jazzgui.model.takes import generate_take\n"
        "from jazzgui.model.starter import starter_model_path\n"
        "from jazzgui.music.progression import form_progression\n"
        "take = generate_take(load_model(starter_model_path()), form_progression('blues-f'),\n"
        "                     SamplerSettings(seed=2))\n"
        "print(len(take.events), 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    events, tensorflow, keras = done.stdout.split()
    assert int(events) > 0
    assert (tensorflow, keras) == ("False", "False")


def test_generate_without_model_uses_the_starter(tmp_path):
    out = tmp_path / "x.mid"
    done = subprocess.run(
        [sys.executable, "-m", "jazzgui", "generate", "-o", str(out), "--seed", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "starter" in done.stdout
    tracks = mido.MidiFile(out).tracks
    notes = [m for t in tracks for m in t if m.type == "note_on" and m.velocity]
    assert {m.channel for m in notes} >= {SOLO_CHANNEL, COMP_CHANNEL, BASS_CHANNEL}
