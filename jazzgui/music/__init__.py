"""Pure music domain: lead sheets, chords, the value grammar, progressions and MIDI files."""
