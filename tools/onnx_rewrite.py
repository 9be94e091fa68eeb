"""Shared steps of the tools that rewrite a packaged ONNX graph (``optimize_face_*.py``).

Each tool reads its source graph (checked by sha256), builds new node and initializer
lists, and writes the result deterministically; :func:`replace_graph` and :func:`main`
are those common steps, :class:`GraphIndex` finds a tensor's producer, users,
constant value and shape, :func:`channel_pad` reads a channel padding.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper


class GraphIndex:
    """Producers, users, constants and inferred shapes of a graph's tensors.

    Parameters
    ----------
    model : onnx.ModelProto
        The graph to index (not modified).
    strict_shapes : bool
        Run ONNX shape inference in strict mode (fail on a node it cannot type).

    Attributes
    ----------
    inits : dict of str to numpy.ndarray
        Each initializer's value.
    producer : dict of str to onnx.NodeProto
        The node writing each tensor.
    users : dict of str to list of onnx.NodeProto
        The nodes reading each tensor, in graph order.
    dims : dict of str to list of int
        Each typed tensor's inferred shape (0 for an unknown dimension).
    """

    def __init__(self, model: onnx.ModelProto, *, strict_shapes: bool = False) -> None:
        graph = model.graph
        self.inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.producer = {o: n for n in graph.node for o in n.output}
        self.users: dict[str, list[onnx.NodeProto]] = {}
        for n in graph.node:
            for i in n.input:
                self.users.setdefault(i, []).append(n)
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=strict_shapes)
        self.dims: dict[str, list[int]] = {}
        for v in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]:
            self.dims[v.name] = [d.dim_value for d in v.type.tensor_type.shape.dim]


def channel_pad(pads: np.ndarray) -> int | None:
    """Channels appended by an NCHW ``Pad`` that pads only the channel axis at its end.

    Parameters
    ----------
    pads : numpy.ndarray
        The ``pads`` input of an ONNX ``Pad`` (8 values for a 4-D tensor).

    Returns
    -------
    int or None
        The number of channels appended, or None for any other padding.
    """
    p = [int(v) for v in pads.reshape(-1)]
    if len(p) == 8 and p[5] > 0 and all(v == 0 for i, v in enumerate(p) if i != 5):
        return p[5]
    return None


def replace_graph(
    model: onnx.ModelProto, nodes: list[onnx.NodeProto], new_inits: list[onnx.TensorProto]
) -> onnx.ModelProto:
    """Give ``model`` the nodes ``nodes``, drop unused initializers, re-infer shapes.

    Parameters
    ----------
    model : onnx.ModelProto
        The model to change (modified in place and returned re-inferred).
    nodes : list of onnx.NodeProto
        The new node list, in topological order.
    new_inits : list of onnx.TensorProto
        Initializers the new nodes add; those no node reads are left out, as are the
        old ones.

    Returns
    -------
    onnx.ModelProto
        The model with strictly inferred shapes, checked by ``onnx.checker``.
    """
    graph = model.graph
    used = {i for n in nodes for i in n.input}
    kept = [t for t in graph.initializer if t.name in used]
    del graph.node[:]
    graph.node.extend(nodes)
    del graph.initializer[:]
    graph.initializer.extend(kept + [t for t in new_inits if t.name in used])
    del graph.value_info[:]
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model)
    return model


def main(
    doc: str,
    source_sha256: str,
    source_help: str,
    rewrite: Callable[[onnx.ModelProto], onnx.ModelProto],
    check: Callable[[onnx.ModelProto], None] | None = None,
) -> None:
    """Command line ``TOOL SRC.onnx OUT.onnx`` of a rewriting tool.

    Parameters
    ----------
    doc : str
        The tool's docstring (its first paragraph is the description).
    source_sha256 : str
        The only accepted source file's sha256.
    source_help : str
        Help text of the ``src`` argument.
    rewrite : callable
        The tool's rewrite of the source model.
    check : callable, optional
        Raises ``SystemExit`` if the rewritten model is not what the tool expects.
    """
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("src", type=Path, help=source_help)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    data = args.src.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != source_sha256:
        raise SystemExit(f"{args.src}: sha256 {digest} is not the expected {source_sha256}")
    model = rewrite(onnx.ModelProto.FromString(data))
    if check is not None:
        check(model)
    args.out.write_bytes(model.SerializeToString(deterministic=True))
    print(f"{args.out}: sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}")
