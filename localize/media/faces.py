"""Faces and their landmarks: MediaPipe's face detector and face mesh, run by LiteRT on the CPU.

The two models ship inside the ``mediapipe==0.10.14`` wheel (later wheels no longer carry
them). localize reads the ``.tflite`` files from the installed wheel and never imports
mediapipe's Python code, whose dependencies pin an old protobuf: install it with
``pip install --no-deps mediapipe==0.10.14`` (``make setup`` does).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
from scipy.special import expit

from localize.errors import BackendUnavailable

__all__ = ["MODELS_VERSION", "Box", "FaceModels", "Landmarks", "face_model_files", "face_models_missing"]

MODELS_VERSION = "0.10.14"
DETECTOR = "mediapipe/modules/face_detection/face_detection_full_range_sparse.tflite"
LANDMARKER = "mediapipe/modules/face_landmark/face_landmark.tflite"
DETECTOR_SIZE = 192
"""The full-range detector's square input (faces near and far, down to about 20 px in a 640 px frame)."""
LANDMARK_SIZE = 192
MIN_DETECTION_SCORE = 0.6
MIN_PRESENCE = 0.5
"""Face-mesh presence score below which the crop no longer holds a face (the track ends)."""
ROI_SCALE = 1.5
"""A face box is widened this much (square) before the face mesh reads it, as MediaPipe does."""
NMS_OVERLAP = 0.3
INSTALL_HINT = f"pip install --no-deps mediapipe=={MODELS_VERSION} ai-edge-litert (make setup installs both)"


@dataclass(frozen=True)
class Box:
    """A face's square region in frame pixels (centre and side), with how sure the detector is."""

    x: float
    y: float
    side: float
    score: float = 1.0

    def overlap(self, other: Box) -> float:
        """Intersection over union of the two squares."""
        half, other_half = self.side / 2, other.side / 2
        width = min(self.x + half, other.x + other_half) - max(self.x - half, other.x - other_half)
        height = min(self.y + half, other.y + other_half) - max(self.y - half, other.y - other_half)
        if width <= 0 or height <= 0:
            return 0.0
        inter = width * height
        return inter / (self.side**2 + other.side**2 - inter)


@dataclass(frozen=True)
class Landmarks:
    """The 468 face-mesh points (x, y in frame pixels) and the model's face-presence score."""

    points: np.ndarray
    presence: float

    def box(self) -> Box:
        """The square region the next frame's face mesh reads: these points' bounds, widened."""
        low, high = self.points.min(axis=0), self.points.max(axis=0)
        centre = (low + high) / 2
        return Box(float(centre[0]), float(centre[1]), float(max(high - low)) * ROI_SCALE, self.presence)


def face_model_files() -> tuple[Path, Path]:
    """The detector and face-mesh model files from the installed mediapipe wheel, or BackendUnavailable."""
    try:
        distribution = metadata.distribution("mediapipe")
    except metadata.PackageNotFoundError as exc:
        raise BackendUnavailable("MediaPipe's face models are not installed", INSTALL_HINT) from exc
    if distribution.version != MODELS_VERSION:
        raise BackendUnavailable(f"mediapipe {distribution.version} is installed; its wheel no longer ships the face models", INSTALL_HINT)
    files = tuple(Path(str(distribution.locate_file(name))) for name in (DETECTOR, LANDMARKER))
    missing = [path.name for path in files if not path.is_file()]
    if missing:
        raise BackendUnavailable(f"the mediapipe wheel lacks {', '.join(missing)}", INSTALL_HINT)
    return files[0], files[1]


def face_models_missing() -> BackendUnavailable | None:
    """Why the face models cannot run here (what to install), or None when they can."""
    try:
        face_model_files()
    except BackendUnavailable as exc:
        return exc
    if importlib.util.find_spec("ai_edge_litert") is None:
        return BackendUnavailable("the LiteRT runtime (ai-edge-litert) is not installed", INSTALL_HINT)
    return None


@contextlib.contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Drop what native code writes to stderr meanwhile (LiteRT's INFO line when it first applies its CPU delegate)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(null)
        os.close(saved)


@functools.lru_cache(maxsize=1)
def _anchors() -> np.ndarray:
    """The full-range detector's anchor centres (48 x 48 grid, stride 4, one anchor a cell), as fractions."""
    cells = DETECTOR_SIZE // 4
    centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
    y, x = np.meshgrid(centres, centres, indexing="ij")
    return np.stack([x.ravel(), y.ravel()], axis=1)


class FaceModels:
    """The two models loaded once; an instance is not thread-safe (use one per thread)."""

    def __init__(self, threads: int = 1) -> None:
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError as exc:
            raise BackendUnavailable("the LiteRT runtime (ai-edge-litert) is not installed", INSTALL_HINT) from exc
        detector, landmarker = face_model_files()
        self._detector = Interpreter(model_path=str(detector), num_threads=threads)
        self._landmarker = Interpreter(model_path=str(landmarker), num_threads=threads)
        with _native_stderr_silenced():
            self._detector.allocate_tensors()
            self._landmarker.allocate_tensors()
        self._lock = threading.Lock()

    @staticmethod
    def _square(frame: np.ndarray, box: Box, size: int) -> tuple[np.ndarray, float, float, float]:
        """The square ``box`` of ``frame`` resampled to ``size`` pixels (zeros outside the frame), and its mapping."""
        height, width = frame.shape[:2]
        scale = box.side / size
        left, top = box.x - box.side / 2, box.y - box.side / 2
        columns = np.clip(np.round(left + (np.arange(size) + 0.5) * scale - 0.5).astype(int), -1, width)
        rows = np.clip(np.round(top + (np.arange(size) + 0.5) * scale - 0.5).astype(int), -1, height)
        crop = frame[np.clip(rows, 0, height - 1)][:, np.clip(columns, 0, width - 1)].astype(np.float32)
        crop[(rows < 0) | (rows >= height)] = 0.0
        crop[:, (columns < 0) | (columns >= width)] = 0.0
        return crop, left, top, scale

    def detect(self, frame: np.ndarray) -> list[Box]:
        """Faces in an RGB frame (uint8, height x width x 3), most confident first, overlapping ones merged."""
        height, width = frame.shape[:2]
        side = float(max(height, width))
        crop, left, top, _ = self._square(frame, Box(width / 2, height / 2, side), DETECTOR_SIZE)
        with self._lock:
            inputs = self._detector.get_input_details()[0]
            self._detector.set_tensor(inputs["index"], (crop / 127.5 - 1.0)[None])
            self._detector.invoke()
            outputs = sorted(self._detector.get_output_details(), key=lambda d: int(d["shape"][-1]))
            scores = self._detector.get_tensor(outputs[0]["index"])[0, :, 0]
            boxes = self._detector.get_tensor(outputs[1]["index"])[0, :, :4]
        probability = expit(scores.astype(np.float64))
        keep = np.flatnonzero(probability >= MIN_DETECTION_SCORE)
        found: list[Box] = []
        for index in keep[np.argsort(-probability[keep])]:
            anchor = _anchors()[index]
            x = (boxes[index, 0] / DETECTOR_SIZE + anchor[0]) * side + left
            y = (boxes[index, 1] / DETECTOR_SIZE + anchor[1]) * side + top
            size = max(boxes[index, 2], boxes[index, 3]) / DETECTOR_SIZE * side * ROI_SCALE
            candidate = Box(float(x), float(y), float(size), float(probability[index]))
            if all(candidate.overlap(other) < NMS_OVERLAP for other in found):
                found.append(candidate)
        return found

    def landmarks(self, frame: np.ndarray, box: Box) -> Landmarks:
        """The face mesh of the face in ``box``."""
        crop, left, top, scale = self._square(frame, box, LANDMARK_SIZE)
        with self._lock:
            inputs = self._landmarker.get_input_details()[0]
            self._landmarker.set_tensor(inputs["index"], (crop / 255.0)[None])
            self._landmarker.invoke()
            outputs = sorted(self._landmarker.get_output_details(), key=lambda d: int(d["shape"][-1]))
            presence = float(self._landmarker.get_tensor(outputs[0]["index"]).ravel()[0])
            mesh = self._landmarker.get_tensor(outputs[1]["index"]).reshape(-1, 3)[:, :2]
        points = mesh * scale + np.array([left, top], dtype=np.float32)
        return Landmarks(points.astype(np.float32), float(expit(presence)))
