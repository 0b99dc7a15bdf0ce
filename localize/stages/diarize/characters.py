"""The series-level character file: each named character's voice, so the next episode recognises it.

JSON, ``{"version": 1, "characters": {"Lucía": {"references": {"<episode id>": [embedding...]}}}}``.
A character keeps one reference embedding per episode it was named in; a speaker
of a new episode takes the character's name when its voice embedding is close
enough to the mean of those references (cosine similarity), each character
going to at most one speaker, best matches first. Re-running an episode rewrites
its own references only, so the file settles instead of drifting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from localize.cache import atomic_write_text
from localize.errors import ConfigError

__all__ = ["CharacterFile", "match_characters"]

VERSION = 1


@dataclass
class CharacterFile:
    """Characters by name, each with one reference voice embedding per episode."""

    references: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> CharacterFile:
        """Load the file; an absent file is an empty one, a malformed one a ConfigError."""
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            characters = {
                str(name): {str(episode): [float(v) for v in vector] for episode, vector in entry["references"].items()}
                for name, entry in data["characters"].items()
            }
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ConfigError(f"character file {path} is not valid ({exc})", "fix it, or delete it to start afresh") from exc
        return cls(characters)

    def write(self, path: Path) -> None:
        """Save atomically (an unchanged file is left untouched)."""
        data = {"version": VERSION, "characters": {name: {"references": refs} for name, refs in sorted(self.references.items())}}
        body = json.dumps(data, ensure_ascii=False, indent=1)
        if path.is_file() and path.read_text(encoding="utf-8") == body:
            return
        atomic_write_text(path, body)

    def remember(self, episode: str, name: str, embedding: list[float]) -> None:
        """Store ``embedding`` as ``name``'s reference from ``episode`` (replacing that episode's previous one)."""
        if embedding:
            self.references.setdefault(name, {})[episode] = [round(float(v), 5) for v in embedding]

    def voices(self) -> dict[str, np.ndarray]:
        """Each character's unit-length mean reference embedding."""
        means: dict[str, np.ndarray] = {}
        for name, refs in self.references.items():
            if refs:
                mean = np.mean(np.asarray(list(refs.values()), dtype=np.float64), axis=0)
                means[name] = mean / (np.linalg.norm(mean) + 1e-12)
        return means


def match_characters(embeddings: dict[str, list[float]], voices: dict[str, np.ndarray], similarity: float) -> dict[str, str]:
    """speaker id -> character name for voices at least ``similarity`` alike; one speaker per character, best first."""
    scored: list[tuple[float, str, str]] = []
    for speaker, embedding in embeddings.items():
        if not embedding:
            continue
        vector = np.asarray(embedding, dtype=np.float64)
        vector /= np.linalg.norm(vector) + 1e-12
        for name, voice in voices.items():
            if len(voice) == len(vector):
                score = float(vector @ voice)
                if score >= similarity:
                    scored.append((score, speaker, name))
    matched: dict[str, str] = {}
    for _, speaker, name in sorted(scored, reverse=True):
        if speaker not in matched and name not in matched.values():
            matched[speaker] = name
    return matched
