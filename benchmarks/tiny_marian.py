"""Build a small random-weights Marian model with a SentencePiece tokenizer trained on a few sentences.

Used by the seq2seq backend tests and the throughput benchmark: the model is made
here (no download) and then loaded by the same code users run. It writes a
transformers checkpoint and its CTranslate2 conversion.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["CORPUS", "build_marian"]

CORPUS = [
    "Che, Martín, ¿querés un mate?",
    "El colectivo nunca pasa a horario.",
    "Hey, Martín, do you want a mate?",
    "The bus never comes on time.",
    "Me voy a Plaza de Mayo con Lucía.",
    "I am going to Plaza de Mayo with Lucía.",
    "Vengo por el alquiler, son tres mil pesos.",
    "I came for the rent, it is three thousand pesos.",
]


def build_marian(folder: Path, d_model: int = 32, layers: int = 1, vocab_size: int = 70, seed: int = 0) -> tuple[Path, Path]:
    """Write ``folder/hf`` (transformers) and ``folder/ct2`` (CTranslate2); return both paths."""
    import sentencepiece as spm
    import torch
    from ctranslate2.converters import TransformersConverter
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "corpus.txt"
    corpus.write_text("\n".join(CORPUS * 4), encoding="utf-8")
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(folder / "sp"),
        vocab_size=vocab_size,
        character_coverage=1.0,
        model_type="unigram",
        minloglevel=2,
    )
    model_dir = folder / "hf"
    model_dir.mkdir(exist_ok=True)
    for name in ("source.spm", "target.spm"):
        (model_dir / name).write_bytes((folder / "sp.model").read_bytes())
    pieces = [line.split("\t")[0] for line in (folder / "sp.vocab").read_text(encoding="utf-8").splitlines()]
    # Opus-MT layout: </s> and <unk> first, <pad> (the decoder start) last.
    vocab = {piece: i for i, piece in enumerate(["</s>", "<unk>", *[p for p in pieces if p not in {"<unk>", "<s>", "</s>"}], "<pad>"])}
    (model_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    tokenizer = MarianTokenizer(
        str(model_dir / "source.spm"), str(model_dir / "target.spm"), str(model_dir / "vocab.json"), source_lang="es", target_lang="en"
    )
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=d_model * 2,
        decoder_ffn_dim=d_model * 2,
        max_position_embeddings=256,
        pad_token_id=vocab["<pad>"],
        eos_token_id=vocab["</s>"],
        decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=None,
    )
    MarianMTModel(config).save_pretrained(model_dir)
    tokenizer.save_pretrained(model_dir)
    ct2_dir = folder / "ct2"
    files = ["source.spm", "target.spm", "vocab.json", "tokenizer_config.json"]
    TransformersConverter(str(model_dir), copy_files=files).convert(str(ct2_dir), force=True)
    return model_dir, ct2_dir
