"""The one note type that crosses layers, and the take that holds a generated solo."""

from __future__ import annotations

from dataclasses import dataclass, field

from jazzgui.music import defaults
from jazzgui.music.meter import Meter, MeterMap, meter_for_beats, parse_meter

# General MIDI channels used by a take (0-based). Channel 9 is drums and is never used.
SOLO_CHANNEL = 0
COMP_CHANNEL = 1
BASS_CHANNEL = 2
# The person playing along (their keyboard, passed through and recorded as "You").
YOU_CHANNEL = 3
YOU_PROGRAM = 4  # GM electric piano (0-based): the person, told apart from the band by ear

# The swing ratio of even eighths (the player's and synth's own constant is the same value).
STRAIGHT_SWING = 0.5

# Note kinds, as the value grammar names them; "" for band notes.
KIND_CHORD = "C"
KIND_SCALE = "S"
KIND_APPROACH = "A"
KIND_OTHER = "X"


@dataclass(frozen=True, order=True)
class NoteEvent:
    """One note: where it starts and how long it lasts in beats, and what it plays."""

    start_beat: float
    duration_beats: float
    pitch: int
    velocity: int = 90
    channel: int = SOLO_CHANNEL
    kind: str = ""

    @property
    def end_beat(self) -> float:
        return self.start_beat + self.duration_beats


@dataclass(frozen=True)
class Provenance:
    """Where a take came from, written into its MIDI file and shown in the take list."""

    model: str = ""
    seed: int | None = None
    temperature: float | None = None
    progression: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"model={self.model or '-'}", f"seed={self.seed}"]
        if self.temperature is not None:
            parts.append(f"temperature={self.temperature:g}")
        parts.append(f"progression={self.progression}")
        parts.extend(f"{k}={v}" for k, v in sorted(self.extra.items()))
        return "; ".join(parts)


def beats_to_seconds(beats: float, tempo_bpm: float) -> float:
    """The one place beats become seconds (a constant tempo)."""
    return beats * 60.0 / tempo_bpm


@dataclass
class Take:
    """A generated (or loaded) performance: notes of every part, the changes, tempo and meter."""

    events: list[NoteEvent]
    progression_text: str
    tempo_bpm: float = defaults.TEMPO_BPM
    beats_per_bar: int = 4
    bars: int = 0
    solo_program: int = defaults.SOLO_PROGRAM
    comp_program: int = defaults.COMP_PROGRAM
    bass_program: int = defaults.BASS_PROGRAM
    you_program: int = YOU_PROGRAM
    swing: float = defaults.SWING
    provenance: Provenance = field(default_factory=Provenance)
    meter: str = ""  # the time signature, e.g. "6/8"; "" means beats_per_bar/4
    # Each bar's time signature when the changes change meter; () = every bar in `meter`.
    bar_meters: tuple[str, ...] = ()

    @property
    def time_signature(self) -> Meter:
        """The take's meter (of its first bar if the meter changes; 6/8 and 3/4 both have 3
        beats a bar)."""
        if self.bar_meters:
            return parse_meter(self.bar_meters[0])
        if self.meter:
            return parse_meter(self.meter)
        return meter_for_beats(self.beats_per_bar)

    @property
    def meter_map(self) -> MeterMap:
        """Each bar's meter, start and length in beats (bars at cumulative positions)."""
        if self.bar_meters:
            return MeterMap([parse_meter(text) for text in self.bar_meters])
        return MeterMap.uniform(self.time_signature, self.bars)

    @property
    def length_beats(self) -> float:
        if self.bar_meters:
            return self.meter_map.length
        if self.bars:
            return float(self.bars * self.beats_per_bar)
        return max((e.end_beat for e in self.events), default=0.0)

    @property
    def programs(self) -> dict[int, int]:
        """The General MIDI program of each channel the take plays on."""
        return {
            SOLO_CHANNEL: self.solo_program,
            COMP_CHANNEL: self.comp_program,
            BASS_CHANNEL: self.bass_program,
        }

    def part(self, channel: int) -> list[NoteEvent]:
        return sorted(e for e in self.events if e.channel == channel)


@dataclass(frozen=True)
class MelodyNote:
    """A melody element read from a file: a note, or a rest when `pitch` is None (beats)."""

    start_beat: float
    duration_beats: float
    pitch: int | None

    @property
    def is_rest(self) -> bool:
        return self.pitch is None

    @property
    def end_beat(self) -> float:
        return self.start_beat + self.duration_beats
