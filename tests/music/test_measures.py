"""The measures generation and evaluation share: strong beats, chord families, copies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jazzgui.music.chords import parse_chord
from jazzgui.music.measures import NgramIndex, quality_family, strong_positions


def test_strong_beats_are_one_and_three_in_four_four_every_beat_otherwise():
    assert strong_positions(4) == (0, 2)
    assert strong_positions(3) == (0, 1, 2)
    assert strong_positions(5) == (0, 1, 2, 3, 4)


def test_quality_families():
    assert quality_family(parse_chord("Cmaj7")) == "major"
    assert quality_family(parse_chord("C6")) == "major"
    assert quality_family(parse_chord("Cm7")) == "minor"
    assert quality_family(parse_chord("C7#9")) == "dominant"
    assert quality_family(parse_chord("C7alt")) == "dominant"
    assert quality_family(parse_chord("Cm7b5")) == "half-dim"
    assert quality_family(parse_chord("Cdim7")) == "dim"


# --- verbatim copies -------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    return text.split()


def test_copy_of_nine_corpus_tokens_gives_nine():
    corpus = [f"C,1/2,<+{i},-{i}>" for i in range(20)]
    take = ["R,1", *corpus[5:14], "X,1/3", "S,1/4"]
    assert NgramIndex([corpus]).longest_match(take) == 9


def test_copies_never_span_two_files():
    index = NgramIndex([tokens("a b c"), tokens("d e f")])
    assert index.longest_match(tokens("b c d e")) == 2
    assert index.longest_match(tokens("a b c")) == 3
    assert index.longest_match(tokens("z y")) == 0
    assert NgramIndex().longest_match(tokens("a b")) == 0


def test_advancing_token_by_token_gives_the_longest_suffix_in_the_corpus():
    index = NgramIndex([tokens("a b c d"), tokens("c d e")])
    position = NgramIndex.START
    lengths = []
    for token in tokens("x a b c d e z c"):
        position = index.advance(position, token)
        lengths.append(position[1])
    # "a b c d" is in file 1; "c d e" in file 2, so after e only "c d e" (3) counts.
    assert lengths == [0, 1, 2, 3, 4, 3, 0, 1]


def brute_force_longest(corpus: list[list[str]], query: list[str]) -> int:
    best = 0
    for i in range(len(query)):
        for j in range(i + 1, len(query) + 1):
            piece = query[i:j]
            n = len(piece)
            if any(seq[k : k + n] == piece for seq in corpus for k in range(len(seq) - n + 1)):
                best = max(best, n)
    return best


@settings(max_examples=150, deadline=None)
@given(
    corpus=st.lists(st.lists(st.sampled_from("abc"), max_size=25), max_size=4),
    query=st.lists(st.sampled_from("abcd"), max_size=25),
)
def test_index_agrees_with_brute_force(corpus, query):
    assert NgramIndex(corpus).longest_match(query) == brute_force_longest(corpus, query)


# --- takes, profiles and variety -------------------------------------------------------------
