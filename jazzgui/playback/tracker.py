"""Bookkeeping of the notes that sound now, so every note-on gets its note-off."""

from __future__ import annotations

from collections.abc import Iterable

import mido

from jazzgui.music.events import NoteEvent

ALL_SOUND_OFF = 120
ALL_NOTES_OFF = 123
MIDI_CHANNELS = range(16)


class NoteTracker:
    """The sounding notes per channel, each owned by the scheduled note that started it.

    A pitch re-struck on the same channel before its note-off belongs to the newer note, so
    the older note's late note-off must not cut it: ownership decides which note-off counts.
    """

    def __init__(self) -> None:
        self._owners: dict[tuple[int, int], tuple[int, NoteEvent | None]] = {}
        self._channels: set[int] = set()

    def use_channel(self, channel: int) -> None:
        """Remember a channel that received any message (it gets the all-off controllers)."""
        self._channels.add(channel)

    def is_sounding(self, channel: int, pitch: int) -> bool:
        return (channel, pitch) in self._owners

    def note_on(self, channel: int, pitch: int, owner: int, event: NoteEvent | None = None) -> None:
        self._owners[(channel, pitch)] = (owner, event)
        self._channels.add(channel)

    def note_off(self, channel: int, pitch: int, owner: int) -> bool:
        """Forget the note if `owner` still owns it; True when its note-off must be sent."""
        current = self._owners.get((channel, pitch))
        if current is None or current[0] != owner:
            return False
        del self._owners[(channel, pitch)]
        return True

    def release_channel(self, channel: int) -> list[tuple[int, NoteEvent | None]]:
        """Forget every sounding note of one channel; (pitch, event) of each, to be ended."""
        released = [(p, ev) for (ch, p), (_, ev) in sorted(self._owners.items()) if ch == channel]
        for pitch, _ in released:
            del self._owners[(channel, pitch)]
        return released

    def sounding(self) -> list[tuple[int, int, NoteEvent | None]]:
        """(channel, pitch, event) of every sounding note, in channel and pitch order."""
        return [(ch, p, ev) for (ch, p), (_, ev) in sorted(self._owners.items())]

    def silence_messages(self, channels: Iterable[int] | None = None) -> list[mido.Message]:
        """Note-offs of the sounding notes on their own channels, then All Notes Off and All
        Sound Off on every channel used (or on `channels`); the tracker is empty afterwards."""
        messages = [
            mido.Message("note_off", channel=ch, note=p, velocity=0) for ch, p, _ in self.sounding()
        ]
        targets = sorted(set(self._channels if channels is None else channels))
        for channel in targets:
            messages.append(
                mido.Message("control_change", channel=channel, control=ALL_NOTES_OFF, value=0)
            )
            messages.append(
                mido.Message("control_change", channel=channel, control=ALL_SOUND_OFF, value=0)
            )
        self._owners.clear()
        self._channels.clear()
        return messages
