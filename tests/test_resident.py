"""Models kept loaded while a stage runs are released when it ends."""

from __future__ import annotations

from localize.resident import release_models, resident


def test_a_resident_model_is_loaded_once_until_released() -> None:
    loads: list[str] = []

    @resident(maxsize=2)
    def load(name: str) -> list[str]:
        loads.append(name)
        return [name]

    first = load("kokoro")
    assert load("kokoro") is first and loads == ["kokoro"]
    release_models()
    assert load("kokoro") is not first and loads == ["kokoro", "kokoro"]
