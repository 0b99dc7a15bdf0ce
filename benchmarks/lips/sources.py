"""The talking-face clips of the lips benchmarks: where each came from (repository, commit, path) and its licence."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["CLIPS", "CLIPS_DIR", "Clip"]

CLIPS_DIR = Path(__file__).parent / "clips"
LIPNET = ("rizkiarm/LipNet", "bec592aa1e66378bc7ab33f6110f1c8a431b3b9a")
SADTALKER = ("OpenTalker/SadTalker", "cd4c0465ae0b54a6f85af57f5c65fec9fe23e7f8")
GRID_LICENCE = "GRID audiovisual sentence corpus (Cooke, Barker, Cunningham, Shao 2006), CC BY 4.0; repository MIT"
HDTF_LICENCE = (
    "HDTF clip of a Weekly Democratic Address (a US House member's official address, a work of the US government, "
    "public domain under 17 U.S.C. 105); repository Apache-2.0"
)


@dataclass(frozen=True)
class Clip:
    """One clip: its name here, where it is in which repository at which commit, its SHA-256 and its licence."""

    name: str
    repo: str
    commit: str
    path: str
    sha256: str
    licence: str

    @property
    def file(self) -> Path:
        return CLIPS_DIR / self.name


def _grid(name: str, sha256: str, folder: str = "evaluation/samples/GRID/") -> Clip:
    return Clip(f"grid-{name}.mpg", *LIPNET, f"{folder}{name}.mpg", sha256, GRID_LICENCE)


CLIPS: tuple[Clip, ...] = (
    _grid("bbaf2n", "e468120039e208b5ff9b9e269f8dc96bbddc45701f8dddcf2c0ae21abc0df546"),
    _grid("brbk7n", "2122707c6dd3b59a32b5272870afb37397dc6b20cf52241cf8ff7cfda7b3efa3"),
    _grid("lbax4n", "8f80c8ced6a8cb47d55c5c01704d4669b410369af653f6be7fbda9003337dedf"),
    _grid("lbbc2a", "9447e5e0732eeaf4444b5ba1e3412c8a9e194975ba7c814fa64c4c41c83d4e4c"),
    _grid("lrwp9a", "1a6c86fc5e7d4e9ee66a891f188f9a648c9b8be3bdc2431d73ac7e533aa70b3f"),
    _grid("lwbsza", "09090d1f7a8a946233a015a1b4258fafcb790ed6dbbd884ed88ae51fe36841a0"),
    _grid("pwij3p", "a610d98c101dde3587cc66d70cb569d3b1d0111cfad90bd0037e47e21316beda"),
    _grid("sbia1a", "768e49272122f1577839db576ea00146d08e83d778c7fe8b9ca1b194dff57c7d"),
    _grid("sbwe5n", "6707e709f1d713a6ff6673c85605e2fa721cfe59749c56b9f34e6d159c5fdf55"),
    _grid("swiz3n", "080f3e1511879a3baa41cdc31aa7029981f29c71434a570de3d52ee78f9e5dd0"),
    _grid("id2_vcd_swwp2s", "3bb8cffd51399caaf0c97abcd32bcab3493b2878ffda73bd648490ea47c75cc0", "evaluation/samples/"),
    Clip(
        "hdtf-aoc.mp4",
        *SADTALKER,
        "examples/ref_video/WDA_AlexandriaOcasioCortez_000.mp4",
        "a85242c3fc4d50e2202cea393b9e7ee59019759b68e78e26a254d528c22615a7",
        HDTF_LICENCE,
    ),
    Clip(
        "hdtf-hill.mp4",
        *SADTALKER,
        "examples/ref_video/WDA_KatieHill_000.mp4",
        "1fbb4cfd64eedc49b170c441714a9c4fd5e2c2f8a11592070ad89fbd257f2817",
        HDTF_LICENCE,
    ),
)
