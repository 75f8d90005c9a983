"""`model.summary()`: Keras 3's table (layer (type), output shape, param #, connections)."""
import shutil
import textwrap

import jax
import numpy as np

from jkeras.core import symbolic

_SEQUENTIAL_WIDTHS = (33, 24, 15)     # inner widths Keras 3 prints at its 76-column default
_FUNCTIONAL_WIDTHS = (21, 19, 12, 19)


def readable_size(num_bytes):
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1024 or unit == "GB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024


def _weights_size(weights):
    return sum(int(np.prod(w.shape)) * w.dtype.itemsize for w in weights)


def _is_sequential_like(model):
    from jkeras.models.functional import Functional
    if not isinstance(model, Functional):
        return True
    return all(len(node.input_tensors) <= 1 for node in model._nodes) and len(model._inputs) == 1


def _connections(model, layer):
    out = []
    for node in model._nodes:
        if node.layer is layer:
            for t in node.input_tensors:
                origin = t._keras_history[0]
                out.append(f"{origin.name}[0][{t._keras_history[2]}]")
    return out or ["-"]


def _shape_text(layer):
    shape = layer.output_shape
    built_for = getattr(layer, "_build_input_shape", None)
    if shape is None and layer.built and built_for is not None and \
            all(isinstance(d, (int, type(None))) for d in built_for):
        # Built by `build(shape)` and never called: Keras shows the shape for the build shape.
        spec = symbolic.output_specs(layer, (symbolic.KerasTensor(tuple(built_for)),), {})
        shape = jax.tree_util.tree_leaves(spec, is_leaf=lambda s: hasattr(s, "shape"))[0].shape
    return "?" if shape is None else str(tuple(shape))


def _cell_lines(text, width, wrap=True):
    if not wrap:
        return [text if len(text) <= width else text[:width - 1] + "…"]
    return textwrap.wrap(text, width) or [""]


def print_summary(model, line_length=None, print_fn=None):
    print_fn = print_fn or print
    functional = not _is_sequential_like(model)
    widths = _FUNCTIONAL_WIDTHS if functional else _SEQUENTIAL_WIDTHS
    total = line_length or min(sum(widths) + len(widths) + 1,
                               shutil.get_terminal_size().columns - 4)
    scale = (total - len(widths) - 1) / sum(widths)
    widths = [max(4, int(w * scale)) for w in widths]
    inner = [w - 2 for w in widths]
    headers = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])

    def row(cells, left="│", mid="│", right="│", align=None):
        lines = max(len(c) for c in cells)
        out = []
        for i in range(lines):
            parts = []
            for j, cell in enumerate(cells):
                text = cell[i] if i < len(cell) else ""
                text = text.rjust(inner[j]) if align and align[j] == "r" else text.ljust(inner[j])
                parts.append(f" {text} ")
            out.append(left + mid.join(parts) + right)
        return out

    def rule(left, mid, right, char):
        return left + mid.join(char * w for w in widths) + right

    lines = [f'Model: "{model.name}"', rule("┏", "┳", "┓", "━")]
    lines += row([[h] for h in headers], "┃", "┃", "┃",
                 align=["l", "l", "r", "l"])
    lines.append(rule("┡", "╇", "┩", "━"))
    layers = model.layers
    for i, layer in enumerate(layers):
        params = f"{layer.count_params():,}" if layer.built else "0 (unbuilt)"
        cells = [_cell_lines(f"{layer.name} ({type(layer).__name__})", inner[0]),
                 _cell_lines(_shape_text(layer), inner[1]), [params]]
        if functional:
            conns = _connections(model, layer)
            cells.append([_cell_lines(c + ("," if k < len(conns) - 1 else ""), inner[3], False)[0]
                          for k, c in enumerate(conns)])
        lines += row(cells, align=["l", "l", "r", "l"])
        lines.append(rule("├", "┼", "┤", "─") if i < len(layers) - 1 else rule("└", "┴", "┘", "─"))
    if not layers:
        lines.append(rule("└", "┴", "┘", "─"))
    if model.built:
        trainable, non_trainable = model.trainable_weights, model.non_trainable_weights
    else:  # Keras 3 prints an unbuilt model too, counting the layers already built
        trainable = [w for layer in layers for w in layer.trainable_weights]
        non_trainable = [w for layer in layers for w in layer.non_trainable_weights]
    n_train = sum(int(np.prod(w.shape)) for w in trainable)
    n_non = sum(int(np.prod(w.shape)) for w in non_trainable)
    size_t, size_n = _weights_size(trainable), _weights_size(non_trainable)
    lines.append(f" Total params: {n_train + n_non:,} ({readable_size(size_t + size_n)})")
    lines.append(f" Trainable params: {n_train:,} ({readable_size(size_t)})")
    lines.append(f" Non-trainable params: {n_non:,} ({readable_size(size_n)})")
    opt_state = getattr(model.optimizer, "state", None) if model.compiled else None
    if opt_state is not None:  # Keras: once the optimizer is built, its variables count too
        leaves = jax.tree_util.tree_leaves(opt_state)
        n_opt, size_o = sum(int(np.size(a)) for a in leaves), _weights_size(leaves)
        if hasattr(opt_state, "iterations"):  # Keras's `iterations` variable is an int64
            size_o += 8 - np.dtype(opt_state.iterations.dtype).itemsize
        lines[-3] = f" Total params: {n_train + n_non + n_opt:,} (" \
                    f"{readable_size(size_t + size_n + size_o)})"
        lines.append(f" Optimizer params: {n_opt:,} ({readable_size(size_o)})")
    for line in lines:
        print_fn(line)
