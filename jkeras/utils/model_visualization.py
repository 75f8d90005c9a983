"""`model_to_dot` / `plot_model` (`keras.utils`): the model's layer graph as a `pydot.Dot`,
with Keras's node tables (name, class, activation, shapes, dtype, trainable) and edges.

pydot is an optional extra (`pip install jkeras[plot]`, or `pip install pydot`); `plot_model`
also needs the Graphviz `dot` program (https://graphviz.gitlab.io/download/) to render images.
"""
import os
import sys

from jkeras.core.io_utils import print_msg
from jkeras.layers.input_layer import InputLayer

# Models are told apart by their marks, not imported: `jkeras.utils` loads before
# `jkeras.models` (training imports utils), so an import of models here would be a cycle.


def _is_functional(model):
    return bool(getattr(type(model), "_is_functional", False))


def _is_sequential(model):
    return any(c.__name__ == "Sequential" and c.__module__.startswith("jkeras.")
               for c in type(model).__mro__)


def _pydot():
    try:
        import pydot  # optional extra: imported when a plot is asked for
    except ImportError:
        return None
    return pydot


def check_pydot():
    """True if pydot is available."""
    return _pydot() is not None


def check_graphviz():
    """True if both pydot and Graphviz's `dot` program are available."""
    pydot = _pydot()
    if pydot is None:
        return False
    try:
        pydot.Dot.create(pydot.Dot())  # render a blank graph
        return True
    except (OSError, pydot.PydotException):
        return False


def _single(values):
    return values[0] if len(values) == 1 else list(values)


def _io_tensors(layer, model):
    """(input, output) symbolic tensors of the layer's first call, as Keras's `layer.input` /
    `layer.output`: one tensor, or a list of several; None where unknown."""
    if isinstance(layer, InputLayer):
        for x in getattr(model, "inputs", None) or []:
            if x._keras_history and x._keras_history[0] is layer:
                return None, x
        return None, None
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if not nodes:
        return None, None
    return _single(nodes[0].input_tensors), _single(nodes[0].output_tensors)


def _map(fn, value):
    return [fn(v) for v in value] if isinstance(value, list) else fn(value)


def _activation_name(layer):
    activation = layer.activation
    if hasattr(activation, "name"):
        return activation.name
    if hasattr(activation, "__name__"):
        return activation.__name__
    return str(activation)


def _format_shape(shape):
    return "?" if shape is None else f"{shape}".replace("}", "").replace("{", "")


def make_layer_label(layer, model, show_layer_names, show_layer_activations, show_dtype,
                     show_shapes, show_trainable):
    class_name = type(layer).__name__
    table = '<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
    colspan = max(1, sum(int(x) for x in (show_dtype, show_trainable)) + 2 * bool(show_shapes))
    title = f"<b>{layer.name}</b> ({class_name})" if show_layer_names else f"<b>{class_name}</b>"
    table += (f'<tr><td colspan="{colspan}" bgcolor="black">'
              f'<font point-size="16" color="white">{title}</font></td></tr>')
    if show_layer_activations and getattr(layer, "activation", None) is not None:
        table += (f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
                  f"Activation: <b>{_activation_name(layer)}</b></font></td></tr>")
    cols = []
    inputs, outputs = _io_tensors(layer, model)

    def cell(text):
        return f'<td bgcolor="white"><font point-size="14">{text}</font></td>'
    if show_shapes:
        in_shape = None if inputs is None else _map(lambda x: tuple(x.shape), inputs)
        out_shape = None if outputs is None else _map(lambda x: tuple(x.shape), outputs)
        if class_name != "InputLayer":
            cols.append(cell(f"Input shape: <b>{_format_shape(in_shape)}</b>"))
        cols.append(cell(f"Output shape: <b>{_format_shape(out_shape)}</b>"))
    if show_dtype:
        dtype = None if outputs is None else _map(lambda x: x.dtype, outputs)
        cols.append(cell(f"Output dtype: <b>{dtype or '?'}</b>"))
    if show_trainable and hasattr(layer, "trainable") and layer.weights:
        if layer.trainable:
            cols.append('<td bgcolor="forestgreen"><font point-size="14" color="white">'
                        "<b>Trainable</b></font></td>")
        else:
            cols.append('<td bgcolor="firebrick"><font point-size="14" color="white">'
                        "<b>Non-trainable</b></font></td>")
    if cols:
        table += f"<tr>{''.join(cols)}</tr>"
    return table + "</table>>"


def _make_node(pydot, layer, model, options):
    node = pydot.Node(str(id(layer)), label=make_layer_label(layer, model, **options))
    node.set("fontname", "Helvetica")
    node.set("border", "0")
    node.set("margin", "0")
    return node


def _add_edge(pydot, dot, src, dst):
    src_id, dst_id = str(id(src)), str(id(dst))
    if not dot.get_edge(src_id, dst_id):
        edge = pydot.Edge(src_id, dst_id)
        edge.set("penwidth", "2")
        dot.add_edge(edge)


def _is_model(layer):
    return _is_functional(layer) or _is_sequential(layer)


def _resolve_source(source, output_index):
    """A nested model as an edge's source: the real layer that makes that output."""
    while _is_model(source):
        tensor = source.outputs[output_index]
        source, _, output_index = tensor._keras_history
    return source


def _resolve_destination(destination, input_index):
    """A nested model as an edge's destination: its InputLayer (or first layer)."""
    while _is_model(destination):
        if _is_functional(destination):
            destination = destination.inputs[input_index]._keras_history[0]
        else:
            destination = destination.layers[0]
    return destination


def _edges(model, layers, expand_nested):
    """(source, destination) layer pairs, in Keras's order."""
    pairs = []
    if _is_sequential(model) and not expand_nested:
        pairs += list(zip(layers[:-1], layers[1:]))
    nodes = model._nodes if _is_functional(model) else [
        n for layer in layers for n in getattr(layer, "_inbound_nodes", [])[:1]]
    for layer in layers:
        for node in nodes:
            if node.layer is not layer:
                continue
            for input_index, tensor in enumerate(node.input_tensors):
                source, _, output_index = tensor._keras_history
                if _is_sequential(model) and source not in layers:
                    continue  # Sequential's Input is not drawn
                if expand_nested:
                    source = _resolve_source(source, output_index)
                    layer_to = _resolve_destination(layer, input_index)
                else:
                    layer_to = layer
                pairs.append((source, layer_to))
    return pairs


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Convert a Keras model to dot format: a `pydot.Dot` (or a `pydot.Cluster` of a nested
    model when `subgraph=True`). Arguments as `keras.utils.model_to_dot`."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    pydot = _pydot()
    if pydot is None:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to "
                          "work.")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    options = dict(show_layer_names=show_layer_names,
                   show_layer_activations=show_layer_activations, show_dtype=show_dtype,
                   show_shapes=show_shapes, show_trainable=show_trainable)
    if not _is_model(model):  # a subclassed model is one node
        dot.add_node(_make_node(pydot, model, model, options))
        return dot
    layers = model.layers if _is_sequential(model) else model._layers
    for layer in layers:
        if expand_nested and _is_model(layer):
            dot.add_subgraph(model_to_dot(layer, show_shapes, show_dtype, show_layer_names,
                                          rankdir, expand_nested, subgraph=True,
                                          show_layer_activations=show_layer_activations,
                                          show_trainable=show_trainable))
        else:
            dot.add_node(_make_node(pydot, layer, model, options))
    for source, destination in _edges(model, layers, expand_nested):
        _add_edge(pydot, dot, source, destination)
    return dot


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draw the model's graph (`model_to_dot`) into `to_file`; the format is the file's
    extension (png by default). Needs pydot and Graphviz's `dot` program."""
    if not model.built:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    for ok, message in ((check_pydot, "You must install pydot (`pip install pydot`) for "
                         "`plot_model` to work."),
                        (check_graphviz, "You must install graphviz (see instructions at "
                         "https://graphviz.gitlab.io/download/) for `plot_model` to work.")):
        if not ok():
            if "IPython.core.magics.namespace" in sys.modules:
                print_msg(message)  # in a notebook Keras prints instead of raising
                return None
            raise ImportError(message)
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = str(to_file)
    extension = os.path.splitext(to_file)[1][1:] or "png"
    dot.write(to_file, format=extension)
    if extension != "pdf":
        try:
            from IPython import display  # shown inline where IPython is installed
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None
