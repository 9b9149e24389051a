"""A lead sheet read from a solo file: the melody, its chords, meter, tempo, key and bars."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jazzgui.music.events import MelodyNote
from jazzgui.music.progression import Progression


@dataclass
class LeadSheet:
    """A melody line with its chord progression; beats count from the first selected bar."""

    path: Path
    melody: list[MelodyNote]  # notes and rests in time order, no overlaps, beats from bar 1
    progression: Progression  # one entry per bar of the melody
    beats_per_bar: int = 4
    tempo_bpm: float = 120.0
    key: str = ""
    first_bar: int = 1  # 1-based number, in the file, of the sheet's first bar
    melody_track: str = ""  # which track or part the melody came from
    track_reason: str = ""  # why that track was picked
    chord_source: str = ""  # "symbols", "accompaniment" or "melody"
    notes: dict[str, str] = field(default_factory=dict)  # anything else worth reporting

    @property
    def bars(self) -> int:
        return len(self.progression)

    @property
    def note_count(self) -> int:
        return sum(1 for n in self.melody if n.pitch is not None)
