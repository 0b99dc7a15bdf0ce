"""Models derived once from the Kokoro ONNX model: integer convolutions turned into float ones, and its duration predictor alone.

ONNX Runtime's ``ConvInteger`` has no fast CPU kernel: in the int8 Kokoro-82M it
takes about half the synthesis time. Each quantized convolution (input quantized
on the fly, int8 weights, the bias folded in at the input's scale) is replaced by
a float ``Conv`` over the dequantized weights and the float bias; matrix
products stay int8. The weights were int8 before, so the sound is the same to
within rounding of the activations.

The duration predictor alone tells how long a text will be at any speed before it
is synthesized, so a take's speaking rate can be chosen before synthesis.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from localize.cache import atomic_path
from localize.errors import BackendUnavailable

__all__ = ["DURATIONS_OUTPUT", "duration_model", "float_convolutions"]

DURATIONS_OUTPUT = "/encoder/predictor/ReduceSum_output_0"
"""Kokoro's predicted duration of each token, in frames at speed 1.0, before rounding."""


def _graph_tools() -> Any:
    try:
        import onnx
    except ImportError as exc:
        raise BackendUnavailable("the onnx package is not installed", "pip install onnx") from exc
    return onnx


def float_convolutions(source: Path, target: Path) -> int:
    """Write ``source`` with every ``ConvInteger`` made a float ``Conv`` to ``target``; return how many were replaced."""
    onnx = _graph_tools()
    from onnx import helper, numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    producer = {output: node for node in graph.node for output in node.output}
    consumers: dict[str, list[Any]] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)

    replaced: dict[int, Any] = {}
    removed: set[int] = set()
    weights = []
    for node in graph.node:
        if node.op_type != "ConvInteger":
            continue
        quantized_input, quantized_weight, _, weight_zero = node.input
        float_input = producer[quantized_input].input[0]
        scale_name = quantized_weight.removesuffix("_quantized") + "_scale"
        weight = (numpy_helper.to_array(initializers[quantized_weight]).astype(np.float32)) - numpy_helper.to_array(
            initializers[weight_zero]
        ).astype(np.float32)
        weight *= numpy_helper.to_array(initializers[scale_name]).astype(np.float32)
        chain, bias = _rescaling_chain(node, consumers, producer)
        name = quantized_weight.removesuffix("_quantized") + "_float"
        weights.append(numpy_helper.from_array(weight, name))
        conv = helper.make_node("Conv", [float_input, name, *bias], [chain[-1].output[0]], name=f"{node.name}_float")
        conv.attribute.extend(node.attribute)
        replaced[id(node)] = conv
        removed.update(id(step) for step in chain)
    nodes = [replaced.get(id(node), node) for node in graph.node if id(node) not in removed]
    del graph.node[:]
    graph.node.extend(_without_dead_nodes(nodes, {output.name for output in graph.output}))
    graph.initializer.extend(weights)
    used = {name for node in graph.node for name in node.input}
    kept = [tensor for tensor in graph.initializer if tensor.name in used]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    with atomic_path(target) as temp:
        onnx.save(model, str(temp))
    return len(replaced)


def duration_model(source: Path, target: Path) -> None:
    """Write the part of the Kokoro model ``source`` that predicts each token's duration (about 1 % of its cost) to ``target``."""
    _graph_tools()
    from onnx.utils import extract_model

    with atomic_path(target) as temp:
        try:
            extract_model(str(source), str(temp), ["tokens", "style"], [DURATIONS_OUTPUT])
        except (KeyError, ValueError) as exc:
            raise BackendUnavailable(f"no duration predictor in {source.name} ({exc})", "use a Kokoro-82M v1.0 ONNX export") from exc


def _rescaling_chain(node: Any, consumers: dict[str, list[Any]], producer: dict[str, Any]) -> tuple[list[Any], list[str]]:
    """The nodes after a ``ConvInteger`` that add the quantized bias and rescale to float, and the float bias's name."""
    chain: list[Any] = []
    bias: list[str] = []
    step = consumers[node.output[0]][0]
    if step.op_type == "Add":
        quantized_bias = step.input[1] if step.input[0] == node.output[0] else step.input[0]
        reshape = producer[quantized_bias]
        divide = producer[producer[producer[reshape.input[0]].input[0]].input[0]]  # Reshape <- Cast <- Floor <- Div(bias, scale)
        bias = [divide.input[0]]
        chain.append(step)
        step = consumers[step.output[0]][0]
    if step.op_type != "Cast" or consumers[step.output[0]][0].op_type != "Mul":
        raise BackendUnavailable(
            f"unexpected quantized convolution pattern at {node.name}", "use an int8 model from onnxruntime's quantize_dynamic"
        )
    chain += [step, consumers[step.output[0]][0]]
    return chain, bias


def _without_dead_nodes(nodes: list[Any], outputs: set[str]) -> list[Any]:
    """``nodes`` less those whose results nothing uses (the quantization steps of the replaced convolutions)."""
    while True:
        used = {name for node in nodes for name in node.input} | outputs
        alive = [node for node in nodes if any(output in used for output in node.output)]
        if len(alive) == len(nodes):
            return alive
        nodes = alive
