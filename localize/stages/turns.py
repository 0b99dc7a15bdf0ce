"""Words and speaker turns: which speaker said each word (diarize profiles speakers with it, segment cuts lines by it)."""

from __future__ import annotations

from localize.model import SpeechTurn, Word

__all__ = ["assign_speakers"]


def assign_speakers(words: list[Word], turns: list[SpeechTurn]) -> list[Word]:
    """Give each word the speaker whose turns cover most of it (nearest turn if none)."""
    if not turns:
        return words
    assigned: list[Word] = []
    for word in words:
        cover: dict[str, float] = {}
        for turn in turns:
            shared = min(word.end, turn.end) - max(word.start, turn.start)
            if shared > 0:
                cover[turn.speaker] = cover.get(turn.speaker, 0.0) + shared
        if cover:
            speaker = max(cover, key=lambda s: cover[s])
        else:
            middle = (word.start + word.end) / 2
            speaker = min(turns, key=lambda t: min(abs(t.start - middle), abs(t.end - middle))).speaker
        assigned.append(word.model_copy(update={"speaker": speaker}))
    return assigned
