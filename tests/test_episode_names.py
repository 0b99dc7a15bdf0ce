"""Episode names from non-ASCII file names: accented Latin letters made plain, other letters kept, never dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from localize.config import Config
from localize.errors import InputError
from localize.pipeline import RunRequest, episode_id, open_episode
from tests.conftest import ffmpeg


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("épisodio 1 — prueba", "episodio-1-prueba"),
        ("Ñandú_2", "Nandu_2"),
        ("Coração (final)", "Coracao-final"),
        ("Москва серия 3 йод", "Москва-серия-3-йод"),
        ("東京 第1話", "東京-第1話"),
        ("Straße Ærø", "Straße-Ærø"),
        ("ﬁlm", "film"),
        ("ep.01", "ep.01"),
    ],
)
def test_an_episode_id_keeps_every_letter(stem: str, expected: str) -> None:
    assert episode_id(Path(f"{stem}.mp4"), None) == expected


def test_a_name_of_no_letters_or_digits_asks_for_one() -> None:
    with pytest.raises(InputError, match="cannot make an episode name"):
        episode_id(Path("— !.mp4"), None)
    assert len(episode_id(Path("x.mp4"), "á" * 400)) == 120


def test_the_episode_folder_is_named_after_the_accented_file(tmp_path: Path) -> None:
    source = tmp_path / "épisodio 1 — prueba.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:duration=1", source)
    workdir, episode = open_episode(RunRequest(source=source, out=tmp_path / "out", targets=["en"]), Config())
    assert episode.id == "episodio-1-prueba" and workdir.root == tmp_path / "out" / "episodio-1-prueba" and workdir.root.is_dir()
