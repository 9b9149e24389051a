"""Exporting a take as it was heard: MIDI with the swing in its note times, MusicXML, WAV.

The one export path for the window and the command line. Swing lives in the player and the
synth as a ratio applied at play time; a MIDI file played elsewhere (a DAW, another synth)
only has its note times, so the export moves the off-beat eighths there and records the take
as straight, which keeps a re-import from swinging it twice.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from jazzgui.errors import JazzGUIError
from jazzgui.music.events import NoteEvent, Take
from jazzgui.playback.timing import STRAIGHT, swing_beat

log = logging.getLogger(__name__)

# Export kinds and the file suffixes the window's dialog offers for them.
EXPORT_KINDS = {"mid": ".mid", "musicxml": ".musicxml", "wav": ".wav"}
_SUFFIX_KINDS = {
    ".mid": "mid", ".midi": "mid", ".musicxml": "musicxml", ".xml": "musicxml", ".wav": "wav",
}  # fmt: skip


def swung_take(take: Take) -> Take:
    """A copy of `take` whose note times carry its swing, marked straight (swing 0.5)."""
    if take.swing == STRAIGHT:
        return take
    events = [_swung(event, take.swing) for event in take.events]
    extra = {**take.provenance.extra, "swing_in_note_times": f"{take.swing:g}"}
    provenance = dataclasses.replace(take.provenance, extra=extra)
    return dataclasses.replace(take, events=events, swing=STRAIGHT, provenance=provenance)


def _swung(event: NoteEvent, swing: float) -> NoteEvent:
    start = swing_beat(event.start_beat, swing)
    end = swing_beat(event.end_beat, swing)
    return dataclasses.replace(event, start_beat=start, duration_beats=max(end - start, 1e-3))


def kind_for_path(path: str | Path) -> str:
    """The export kind a file name asks for by its suffix; JazzGUIError naming the choices."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX_KINDS:
        raise JazzGUIError(
            f"{path}: JazzGUI exports takes as .mid, .musicxml or .wav, not {suffix or 'no'} "
            "files. Choose one of those endings"
        )
    return _SUFFIX_KINDS[suffix]


def export_take(
    take: Take, kind: str, path: str | Path, swing: bool = True, soundfont: str = ""
) -> Path:
    """Write `take` to `path` as `kind` ("mid", "musicxml" or "wav"), atomically.

    MIDI carries the swing in its note times unless `swing` is False (straight eighths, the
    ratio kept as a text event); MusicXML is notated straight with the soloist's instrument
    and program; WAV is rendered by the built-in synth with the swing, as it was heard (with
    the `soundfont` choice of live play: "" automatic, "none", or a .sf2 path).
    """
    target = Path(path)
    if kind == "mid":
        from jazzgui.music.midifile import write_take_midi

        write_take_midi(swung_take(take) if swing else take, target)
    elif kind == "musicxml":
        from jazzgui.music.midifile import write_take_musicxml

        write_take_musicxml(take, target)
    elif kind == "wav":
        from jazzgui.playback.soundfont import render_take_as_heard
        from jazzgui.playback.synth import write_wav

        write_wav(target, render_take_as_heard(take, soundfont))
    else:
        raise JazzGUIError(f"{kind!r} is not an export kind; use one of {', '.join(EXPORT_KINDS)}")
    log.info("exported %s (%s, swing in note times: %s)", target, kind, swing)
    return target
