"""The one home of JazzGUI's defaults: instruments, forms, feel, training presets, file kinds.

The command line, the window and the settings store all read them from here, so a default
changed once changes everywhere. Numeric ranges (what a value may be) live in
`jazzgui.limits`; channels live with the note type in `jazzgui.music.events`. This module
imports nothing of JazzGUI, so every layer can read it.
"""

from __future__ import annotations

from dataclasses import dataclass

# General MIDI programs (0-based) that suit a jazz solo line, the first being the default.
SOLO_INSTRUMENTS: tuple[tuple[str, int], ...] = (
    ("Alto sax", 65),
    ("Tenor sax", 66),
    ("Soprano sax", 64),
    ("Baritone sax", 67),
    ("Trumpet", 56),
    ("Muted trumpet", 59),
    ("Trombone", 57),
    ("Clarinet", 71),
    ("Flute", 73),
    ("Vibraphone", 11),
    ("Acoustic piano", 0),
    ("Electric piano", 4),
    ("Jazz guitar", 26),
)
SOLO_PROGRAM = SOLO_INSTRUMENTS[0][1]  # alto sax
COMP_PROGRAM = 0  # acoustic grand piano
BASS_PROGRAM = 32  # acoustic bass

FORM = "blues-f"  # the changes played when none are given
TEMPO_BPM = 160.0
SWING = 0.6  # the share of a beat its first eighth takes: 0.5 straight, 0.67 triplet feel
CHORUSES = 1  # on the command line; the window remembers the person's choice

# Files a solo can be read from (takes are written as MIDI).
MIDI_SUFFIXES = (".mid", ".midi")
MUSICXML_SUFFIXES = (".xml", ".mxl", ".musicxml")
SOLO_SUFFIXES = MIDI_SUFFIXES + MUSICXML_SUFFIXES


@dataclass(frozen=True)
class TrainingPreset:
    """A named set of training hyperparameters the Train panel offers."""

    epochs: int
    hidden_size: int
    learning_rate: float
    batch_size: int
    val_fraction: float
    early_stopping: int  # patience in epochs; 0 turns it off


# Learning rates as `jazzgui train`'s defaults (a window every 8 tokens, gradients clipped at
# norm 1): the best epoch comes after about 4-9 epochs on a small corpus, and early stopping
# keeps it.
TRAINING_PRESETS: dict[str, TrainingPreset] = {
    "Quick": TrainingPreset(20, 64, 0.05, 32, 0.1, 5),
    "Standard": TrainingPreset(100, 64, 0.05, 32, 0.1, 10),
    "Long": TrainingPreset(300, 128, 0.02, 32, 0.15, 30),
}
TRAINING_PRESET = "Quick"
