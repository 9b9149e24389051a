"""The take pipeline: a request in, a take out bar by bar, the same for the window and the CLI.

`TakeStream` resolves the seed, fills the take's provenance once, and yields each bar's solo
and band as soon as it is improvised. The command line drains it into a file; the window hands
its bars to the player as they come. Both get the very same take for the same request and seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from jazzgui.errors import JazzGUIError
from jazzgui.model.modelfile import JazzModel
from jazzgui.model.sampling import SamplerSettings, improvise, resolve_seed
from jazzgui.music import defaults
from jazzgui.music.accompaniment import band_bars
from jazzgui.music.events import STRAIGHT_SWING, NoteEvent, Provenance, Take
from jazzgui.music.progression import Progression

STARTER_LABEL = "starter"


def model_label(path: str | Path | None) -> str:
    """How a take names its model: the file's name without suffix, or "starter"."""
    return Path(path).stem if path else STARTER_LABEL


@dataclass(frozen=True)
class TakeRequest:
    """Everything a take is made from: one chorus of changes and how to play and improvise."""

    progression: Progression
    choruses: int = 1
    tempo_bpm: float = defaults.TEMPO_BPM
    swing: float = defaults.SWING
    solo_program: int = defaults.SOLO_PROGRAM
    comp: bool = True
    bass: bool = True
    sampler: SamplerSettings = field(default_factory=SamplerSettings)
    model_name: str | None = None  # None: the name in the model's card


@dataclass(frozen=True)
class TakeBar:
    """One finished bar of a take: its index, the solo's notes and the band's (absolute beats)."""

    index: int
    solo: tuple[NoteEvent, ...]
    band: tuple[NoteEvent, ...]

    @property
    def events(self) -> list[NoteEvent]:
        return [*self.solo, *self.band]


def _provenance(model: JazzModel, request: TakeRequest, sampler: SamplerSettings) -> Provenance:
    extra = {
        "mode": sampler.mode,
        "choruses": str(request.choruses),
        "band": f"comp={request.comp}, bass={request.bass}",
    }
    if request.progression.meter_summary != "4/4":
        extra["meter"] = request.progression.meter_summary
    if sampler.mode == "sample":
        extra.update(
            top_p=f"{sampler.top_p:g}",
            repetition_penalty=f"{sampler.repetition_penalty:g}",
            strong_beat_chord_bias=f"{sampler.strong_beat_chord_bias:g}",
            max_copy=str(sampler.max_copy),
            rules=str(sampler.rules),
        )
    progression = request.progression
    return Provenance(
        model=request.model_name or model.name,
        seed=sampler.seed,
        temperature=sampler.temperature if sampler.mode == "sample" else None,
        progression=" ".join(progression.text.split()) or progression.to_text(),
        extra=extra,
    )


class TakeStream:
    """A take being improvised: iterate it for its bars; `take` holds what has come so far.

    The seed is resolved when the stream is made (`seed`), so a take can be redone; the take's
    events are complete (and in order) once the iteration has ended.
    """

    def __init__(self, model: JazzModel, request: TakeRequest) -> None:
        if request.choruses < 1:
            raise JazzGUIError(f"Choruses must be at least 1 (got {request.choruses})")
        self.model = model
        self.request = request
        self.seed = resolve_seed(request.sampler.seed)
        self.sampler = replace(request.sampler, seed=self.seed)
        self.changes = request.progression.repeated(request.choruses)
        self.take = Take(
            events=[],
            progression_text=self.changes.to_text(),
            tempo_bpm=request.tempo_bpm,
            beats_per_bar=self.changes.beats_per_bar,
            bars=len(self.changes),
            solo_program=request.solo_program,
            comp_program=defaults.COMP_PROGRAM,
            bass_program=defaults.BASS_PROGRAM,
            # 6/8's eighths are already in threes: played even
            swing=STRAIGHT_SWING if request.progression.meter.compound else request.swing,
            provenance=_provenance(model, request, self.sampler),
            meter=request.progression.meter.text,
            bar_meters=tuple(meter.text for meter in self.changes.meters),
        )

    def __iter__(self) -> Iterator[TakeBar]:
        request, changes = self.request, self.changes
        solo = improvise(self.model, changes, self.sampler)
        band_parts = band_bars(changes, self.seed, comp=request.comp, bass=request.bass)
        for bar, band in zip(solo, band_parts, strict=True):
            self.take.events.extend(bar.events)
            self.take.events.extend(band)
            yield TakeBar(bar.index, tuple(bar.events), tuple(band))
        self.take.events.sort()

    def drain(self) -> Take:
        """Improvise every bar and return the finished take."""
        for _bar in self:
            pass
        return self.take


def generate_take(
    model: JazzModel,
    progression: Progression,
    settings: SamplerSettings | None = None,
    choruses: int = 1,
    tempo_bpm: float = defaults.TEMPO_BPM,
    band: bool = True,
    comp: bool = True,
    bass: bool = True,
    model_name: str | None = None,
) -> Take:
    """A whole take: the solo over `choruses` times the progression, with the band if asked."""
    request = TakeRequest(
        progression,
        choruses=choruses,
        tempo_bpm=tempo_bpm,
        comp=band and comp,
        bass=band and bass,
        sampler=settings or SamplerSettings(),
        model_name=model_name,
    )
    return TakeStream(model, request).drain()
