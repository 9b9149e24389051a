"""Training on tiny corpora: epoch reports, stopping within a batch, early stopping, resuming,
and the mirrored strategy on two logical CPUs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from jazzgui.errors import TrainingError
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.modelfile import load_model, save_model
from jazzgui.model.sampling import SamplerSettings
from jazzgui.model.takes import generate_take
from jazzgui.model.training import EpochLog, train
from jazzgui.music.corpus import Corpus, CorpusEntry, Vocabulary
from jazzgui.music.events import MelodyNote
from jazzgui.music.grammar import tokenize
from jazzgui.music.leadsheet import LeadSheet
from jazzgui.music.pitch_prior import pitch_class_prior
from jazzgui.music.progression import parse_progression

SMALL = ModelConfig(n_a=16, tx=8, kind="reference")  # the tiny corpus has no chords


def test_training_reports_epochs_and_learns(tmp_path, corpus):
    logs: list[EpochLog] = []
    result = train(corpus, SMALL, TrainConfig(epochs=6, seed=1), on_epoch=logs.append)
    assert [e.epoch for e in logs] == [1, 2, 3, 4, 5, 6]
    assert logs == result.history
    assert all(e.val_loss is not None and e.seconds > 0 for e in logs)
    assert logs[-1].loss < logs[0].loss < np.log(len(corpus.vocabulary)) + 0.5
    assert not result.stopped and result.reason == "finished"
    model = result.model
    assert model.check() == []
    card = model.card
    assert card["epochs"] == 6 and card["loss"] == pytest.approx(logs[-1].loss)
    assert [c["file"] for c in card["corpus"]] == ["tiny0.mid", "tiny1.mid"]
    assert card["bars"] == corpus.bar_count and card["tokens"] == corpus.token_count
    assert model.primers and all(t in model.vocabulary for b in model.primers for t in b)
    # Every file's tokens, whole, so the sampler can limit verbatim copies.
    assert model.corpus == [s.tolist() for s in corpus.sequences()]
    loaded = load_model(save_model(model, tmp_path / "tiny.jazzmodel"))
    assert loaded.corpus == model.corpus
    take = generate_take(loaded, parse_progression("C7 | F7 | C7 | G7 |"), SamplerSettings(seed=0))
    assert take.events


def _sheet_corpus() -> Corpus:
    """A corpus of one hand-made lead sheet: a line of chord 3rds and 7ths over a blues."""
    changes = parse_progression(" | ".join(["C7", "F7", "C7", "G7"] * 4))
    melody = []
    for bar in range(len(changes)):
        root = changes.chord_at(4 * bar).root
        for beat, step in enumerate((4, 10, 4, 7)):
            melody.append(MelodyNote(4.0 * bar + beat, 1.0, 60 + (root + step) % 12))
    sheet = LeadSheet(Path("line.musicxml"), melody, changes)
    bars = tokenize(sheet)
    return Corpus([CorpusEntry(sheet.path, sheet, bars)], Vocabulary.from_bars(bars))


def test_the_model_carries_the_corpus_pitch_class_prior(tmp_path, corpus):
    sheets = _sheet_corpus()
    model = train(sheets, SMALL, TrainConfig(epochs=1, val_fraction=0)).model
    assert model.pitch_prior == pitch_class_prior([sheets.entries[0].sheet])
    dominant = model.pitch_prior["dominant"]
    # 64 notes: 32 thirds, 16 sevenths, 16 fifths; add-one smoothing over 12 pitch classes.
    assert dominant[4] == pytest.approx(33 / 76) and dominant[0] == pytest.approx(1 / 76)
    assert dominant[10] == dominant[7] == pytest.approx(17 / 76)
    assert load_model(save_model(model, tmp_path / "m.jazzmodel")).pitch_prior == (
        model.pitch_prior
    )
    # Token bars without their lead sheets: no prior, pitches follow the windows alone.
    assert train(corpus, SMALL, TrainConfig(epochs=1)).model.pitch_prior == {}


def test_should_stop_is_seen_after_every_batch(corpus):
    calls = []

    def should_stop() -> bool:
        calls.append(1)
        return len(calls) >= 3

    result = train(corpus, SMALL, TrainConfig(epochs=50, batch_size=8), should_stop=should_stop)
    assert len(calls) == 3  # asked after each of three batches, then it stopped at once
    assert result.stopped and result.reason == "stopped"
    assert result.history == []  # the partial epoch is not reported


def test_early_stopping_keeps_the_best_epoch(corpus):
    # A learning rate so small that nothing improves: patience 2 ends training at epoch 3.
    config = TrainConfig(epochs=40, learning_rate=1e-12, early_stopping_patience=2)
    result = train(corpus, SMALL, config)
    assert result.reason == "early stopping" and result.stopped
    assert len(result.history) == 3 and result.best_epoch == 1
    assert result.model.card["best_epoch"] == 1


def test_resume_continues_from_the_saved_weights(corpus):
    first = train(corpus, SMALL, TrainConfig(epochs=5, seed=2))
    resumed = train(corpus, SMALL, TrainConfig(epochs=1, seed=2), resume=first.model)
    fresh = train(corpus, SMALL, TrainConfig(epochs=1, seed=2))
    assert resumed.history[0].loss < fresh.history[0].loss
    assert resumed.model.card["epochs"] == 6
    assert resumed.model.card["resumed_from"] == first.model.name


def test_resume_refuses_another_vocabulary(corpus, make_model):
    with pytest.raises(TrainingError, match="vocabulary"):
        train(corpus, SMALL, TrainConfig(epochs=1), resume=make_model(tokens=["C,1", "R,1"]))


def test_bad_settings_and_short_corpus_are_training_errors(corpus):
    with pytest.raises(TrainingError, match="batch size"):
        train(corpus, SMALL, TrainConfig(batch_size=0))
    with pytest.raises(TrainingError, match="Tx"):
        train(corpus, ModelConfig(n_a=8, tx=500, kind="reference"), TrainConfig(epochs=1))


_MIRRORED = """
import json, sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)
sys.path.insert(0, {tests!r})
from model_fakes import tiny_corpus
from jazzgui.model.config import ModelConfig, TrainConfig
from jazzgui.model.training import train
config = ModelConfig(n_a=16, tx=8, kind="reference")
result = train(tiny_corpus(), config, TrainConfig(epochs=3, strategy="mirrored"))
print(json.dumps({{"replicas": result.replicas,
                  "losses": [e.loss for e in result.history],
                  "problems": result.model.check()}}))
"""


@pytest.mark.slow
def test_mirrored_strategy_on_two_logical_cpus():
    script = _MIRRORED.format(tests=str(Path(__file__).parent))
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["replicas"] == 2
    assert report["problems"] == []
    losses = report["losses"]
    assert len(losses) == 3 and all(np.isfinite(losses)) and losses[-1] < losses[0]


def test_validation_bars_shorter_than_a_window_give_no_val_loss(corpus):
    result = train(corpus, ModelConfig(n_a=8, tx=20, kind="reference"), TrainConfig(epochs=1))
    assert result.history[0].val_loss is None and result.val_windows == 0
