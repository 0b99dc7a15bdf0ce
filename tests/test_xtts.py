"""The XTTS backend through Coqui's own loader, on a tiny random-weight XTTS model built here.

Coqui TTS needs torchaudio and torchcodec built for its torch, which the main
environment (CPU torch 2.13) cannot have: ``make test-extras`` runs this file in
its own ``.venv-tts`` (torch 2.11). Elsewhere it is skipped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile

from localize.errors import BackendUnavailable
from localize.registry import create
from localize.stages.dub.backend import VoiceSpec
from localize.stages.dub.xtts import conditioning_latents
from tests.conftest import espeak

pytest.importorskip("TTS.tts.models.xtts", exc_type=ImportError)

SENTENCES = [
    "The water is ready, do you want a mate?",
    "El agua ya está lista, ¿querés un mate?",
    "A água está pronta, quer um chimarrão?",
    "I came about the rent of the flat on Defensa street.",
]


def build_tiny_xtts(folder: Path) -> Path:
    """config.json, model.pth (random weights, 1 GPT layer of width 64) and vocab.json (BPE trained on four sentences)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from TTS.tts.configs.xtts_config import XttsConfig
    from TTS.tts.layers.xtts.tokenizer import VoiceBpeTokenizer
    from TTS.tts.models.xtts import Xtts

    folder.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer(models.BPE(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    specials = ["[STOP]", "[UNK]", "[SPACE]", "[START]", "[en]", "[es]", "[pt]", "[fr]"]
    tokenizer.train_from_iterator([s.lower() for s in SENTENCES], trainers.BpeTrainer(vocab_size=160, special_tokens=specials))
    tokenizer.save(str(folder / "vocab.json"))

    torch.manual_seed(0)
    config = XttsConfig()
    args = config.model_args
    args.gpt_layers, args.gpt_n_model_channels, args.gpt_n_heads = 1, 64, 2
    args.decoder_input_dim = 64
    args.gpt_max_audio_tokens = 24  # random weights rarely stop on their own: cap the codes generated
    config.save_json(str(folder / "config.json"))
    model = Xtts.init_from_config(config)
    model.tokenizer = VoiceBpeTokenizer(vocab_file=str(folder / "vocab.json"))
    model.init_models()
    torch.save({"model": model.state_dict()}, folder / "model.pth")
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_xtts(tmp_path_factory.mktemp("xtts") / "tiny-xtts")


def test_clones_each_reference_through_coquis_loader(tiny_model: Path, tmp_path: Path) -> None:
    """The model loads from its folder, each voice is conditioned on its own reference clip, and takes are sound."""
    import torch

    text = "Hola, soy Martín. Vengo por el alquiler del departamento de la calle Defensa."
    references = [espeak(text, tmp_path / "low.wav", pitch=20), espeak(text, tmp_path / "high.wav", voice="es-419+f3", pitch=80)]
    synthesizer = create("tts", "xtts.v1", {})

    def take(reference: Path, name: str) -> np.ndarray:
        voice = VoiceSpec(
            id=f"xtts-{reference.stem}",
            backend="xtts.v1",
            voice=str(tiny_model),
            language="pt-BR",
            gender="male",
            pitch_hz=120,
            reference_audio=str(reference),
        )
        torch.manual_seed(7)  # XTTS samples its codes: the same seed, the same take (up to float noise)
        synthesizer.synthesize("A água está pronta.", voice, 1.0, tmp_path / name)
        samples, rate = soundfile.read(tmp_path / name, dtype="float32")
        assert rate == 24_000 and samples.ndim == 1 and len(samples) > 0 and np.isfinite(samples).all()
        return np.asarray(samples)

    low, again, high = take(references[0], "a.wav"), take(references[0], "b.wav"), take(references[1], "c.wav")
    assert len(low) == len(again) and float(np.max(np.abs(low - again))) < 0.01
    assert len(high) > 0
    (_, low_speaker), (_, high_speaker) = (conditioning_latents(str(tiny_model), "cpu", str(r)) for r in references)
    assert low_speaker.shape == high_speaker.shape and not torch.allclose(low_speaker, high_speaker), "each voice clones its own reference"


def test_a_model_folder_without_weights_is_a_clear_error(tiny_model: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "config.json").write_bytes((tiny_model / "config.json").read_bytes())
    synthesizer = create("tts", "xtts.v1", {"model": str(partial)})
    voice = VoiceSpec(
        id="v", backend="xtts.v1", voice="", language="en", gender="female", pitch_hz=210, reference_audio=str(tmp_path / "r.wav")
    )
    with pytest.raises(BackendUnavailable, match=r"lacks model\.pth, vocab\.json"):
        synthesizer.synthesize("Hello.", voice, 1.0, tmp_path / "out.wav")
