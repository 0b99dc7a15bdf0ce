"""How well each on-screen take follows its speaker's visible mouth (the dub's lip-sync score)."""

from __future__ import annotations

import soundfile

from localize.cache import WorkDir
from localize.media.lipsync import Samples, mouth_sync
from localize.media.mouths import MouthTracks
from localize.model import Picture, Rendition, Screen, TakeSync

__all__ = ["MARGIN", "REACH", "score_lip_sync"]

MARGIN = 0.2
"""Seconds of silence around the mouth's opening and closing that the score also hears."""
REACH = 0.3
"""Seconds either way the take's sound is searched for its best match with the mouth."""


def score_lip_sync(renditions: dict[str, Rendition], picture: Picture, workdir: WorkDir) -> dict[str, Rendition]:
    """Each on-screen take with its :class:`TakeSync`: the correlation of its envelope with the mouth, lag, onset and end errors."""
    tracks: MouthTracks | None = None
    scored = dict(renditions)
    for line_id, rendition in renditions.items():
        sight = picture.lines.get(line_id)
        take = rendition.take
        if take is None or sight is None or sight.screen != Screen.ON or sight.face is None:
            continue
        tracks = tracks or MouthTracks.load(workdir.resolve(picture.mouths))
        opened = sight.mouth_open if sight.mouth_open is not None else take.start
        closed = sight.mouth_close if sight.mouth_close is not None else take.start + take.duration
        audio, rate = soundfile.read(str(workdir.resolve(take.audio)), dtype="float32")
        sound = Samples(audio if audio.ndim == 1 else audio.mean(axis=1), int(rate), start=take.start)
        _, found = mouth_sync(
            tracks, sight.face, sound, min(opened, take.start) - MARGIN, max(closed, take.start + take.duration) + MARGIN, REACH
        )
        sync = TakeSync(
            score=round(found.score, 3) if found.score == found.score else 0.0,
            lag=round(found.lag, 3),
            onset_error=round(take.start - opened, 3) if sight.mouth_open is not None else None,
            end_error=round(take.start + take.duration - closed, 3) if sight.mouth_close is not None else None,
        )
        scored[line_id] = rendition.model_copy(update={"take": take.model_copy(update={"lip_sync": sync})})
    return scored
