"""Generate a 10-minute scripted es-AR episode for the dub and mix benchmarks, deterministically.

Run from the repository root::

    .venv/bin/python benchmarks/longform/make_longform.py [--minutes 10]

It writes into ``benchmarks/longform/out/`` (git-ignored): ``episode.wav`` (stereo
48 kHz dialogue over the bed), ``episode.me.flac`` (the music-and-effects bed alone)
and ``truth.json`` (lines with speaker, start, end and text). Four characters speak
lines drawn with a fixed seed from a pool of everyday sentences; some lines hold a
long internal pause, some overlap the line before, some follow it closely. The voices,
speech synthesis and bed come from the bundled sample's generator
(``samples/colectivo/make_sample.py``), imported, not copied.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"
SEED = 20261123


def _sample_module():  # type: ignore[no-untyped-def]
    """The sample generator, imported by path (``samples/`` is not a package)."""
    path = ROOT / "samples" / "colectivo" / "make_sample.py"
    spec = importlib.util.spec_from_file_location("make_sample", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample"] = module
    spec.loader.exec_module(module)
    return module


ms = _sample_module()

VOICES = {
    **ms.VOICES,
    "ELENA": ms.Voice("Elena", "female", "jf_gongitsune*0.6+jf_tebukuro*0.4", speed=0.95),
}

SENTENCES = (
    "Che, ¿querés un mate?",
    "El agua ya está lista.",
    "Dale, pero rapidito.",
    "Entro al laburo a las nueve.",
    "¿Otra vez llegás tarde?",
    "No es mi culpa.",
    "El colectivo nunca pasa a horario.",
    "Tomá, está calentito.",
    "Cuidado que quema.",
    "Gracias, no sé si llego.",
    "Buenos días, ¿cómo está usted?",
    "Vengo por el alquiler.",
    "Se lo pago mañana sin falta.",
    "Siempre me dice lo mismo.",
    "¿No quiere pasar a tomar unos mates?",
    "Me voy a la plaza.",
    "Tenga cuidado con los autos.",
    "Ahí viene el colectivo.",
    "No te olvides de la plata.",
    "Estos chicos de hoy están siempre apurados.",
    "Mi hermana vive en Córdoba.",
    "Mañana hay partido en la cancha.",
    "La verdulería de la esquina cerró temprano.",
    "¿Compraste pan para la cena?",
    "Hace mucho frío esta mañana.",
    "Llamame cuando llegues a tu casa.",
    "El jefe me pidió el informe para el lunes.",
    "No encuentro las llaves del departamento.",
    "¿Viste las noticias de anoche?",
    "Vamos al cine el sábado.",
    "La abuela cocinó empanadas para todos.",
    "Tengo que ir al médico el jueves.",
    "El tren viene con demora otra vez.",
    "Prestame tu paraguas, por favor.",
    "Ya te dije que no tengo tiempo.",
    "Qué lindo día para caminar por el parque.",
    "Mi tío arregla bicicletas en el barrio.",
    "Hay que pagar la luz antes del viernes.",
    "¿A qué hora cierra el almacén?",
    "Me duele la cabeza desde ayer.",
)


def _script(rng: np.random.Generator, minutes: float) -> list[tuple[str, tuple[str, ...], float, tuple[float, ...]]]:
    """(speaker, chunks, gap before, pauses) per line, until the timeline is long enough (estimated)."""
    speakers = list(VOICES)
    lines = []
    estimate = ms.LEAD_IN
    previous = ""
    while estimate < minutes * 60 - 4:
        speaker = str(rng.choice([s for s in speakers if s != previous]))
        count = int(rng.choice([1, 1, 2, 2, 3]))
        sentences = [str(s) for s in rng.choice(SENTENCES, size=count, replace=False)]
        draw = float(rng.random())
        gap = -0.35 if draw < 0.05 else 0.2 if draw < 0.12 else round(float(rng.uniform(0.5, 1.8)), 2)
        if count > 1 and rng.random() < 0.15:
            chunks, pauses = (" ".join(sentences[:1]), " ".join(sentences[1:])), (1.2,)
        else:
            chunks, pauses = (" ".join(sentences),), ()
        lines.append((speaker, chunks, gap, pauses))
        estimate += gap + sum(len(c) for c in chunks) * 0.068 + sum(pauses)
        previous = speaker
    return lines


def build(minutes: float, out: Path) -> dict[str, object]:
    """Synthesize and lay out the episode; write the files into ``out``; return the truth."""
    rng = np.random.default_rng(SEED)
    target_rms = 10 ** (ms.DIALOGUE_RMS_DBFS / 20)
    placed = []
    cursor = ms.LEAD_IN
    for number, (speaker, chunks, gap, pauses) in enumerate(_script(rng, minutes), start=1):
        pieces = [ms.trim(ms.synthesize(VOICES[speaker], chunk)) for chunk in chunks]
        gain = target_rms / math.sqrt(float(np.mean(np.concatenate(pieces) ** 2)))
        start = cursor + gap if placed else cursor
        parts = []
        for index, piece in enumerate(pieces):
            parts.append(piece * gain)
            if index < len(pauses):
                parts.append(np.zeros(round(pauses[index] * ms.SR)))
        audio = np.concatenate(parts)
        end = start + len(audio) / ms.SR
        placed.append({"id": f"L{number:04d}", "speaker": speaker, "start": start, "end": end, "text": " ".join(chunks), "audio": audio})
        cursor = end
    n_samples = round((cursor + ms.TAIL) * ms.SR)
    dialogue = np.zeros(n_samples)
    for line in placed:
        first = round(float(line["start"]) * ms.SR)  # type: ignore[arg-type]
        audio = line.pop("audio")
        dialogue[first : first + len(audio)] += audio  # type: ignore[arg-type]
    bed = ms.pads(n_samples) * 10 ** (-30 / 20)
    for at in np.arange(20.0, n_samples / ms.SR - 10, 47.0):
        ms.add_at(bed, ms.door_knock(rng), float(at), -21)
    for at in np.arange(45.0, n_samples / ms.SR - 10, 95.0):
        ms.add_at(bed, ms.bus_pass(rng, 6.0), float(at), -24)
    mix = bed + dialogue[:, None]
    out.mkdir(parents=True, exist_ok=True)
    sf.write(out / "episode.wav", mix.astype(np.float32), ms.SR, subtype="PCM_24")
    sf.write(out / "episode.me.flac", bed, ms.SR, subtype="PCM_24", format="FLAC")
    truth = {
        "language": "es-AR",
        "duration": round(n_samples / ms.SR, 3),
        "speakers": {key: {"name": v.name, "gender": v.gender} for key, v in VOICES.items()},
        "lines": [{**line, "start": round(float(line["start"]), 3), "end": round(float(line["end"]), 3)} for line in placed],  # type: ignore[arg-type]
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


def main() -> None:
    """Parse arguments and build the episode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    ms.check_tools()
    truth = build(args.minutes, args.out)
    lines = truth["lines"]
    assert isinstance(lines, list)
    print(f"{args.out}/episode.wav: {truth['duration']} s, {len(lines)} lines")


if __name__ == "__main__":
    main()
