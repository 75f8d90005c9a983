"""model_to_dot against keras.utils.model_to_dot (pydot needed, not Graphviz); plot_model
writes a file when Graphviz's `dot` is installed and says what is missing when it is not."""
import re
import sys

import pytest

import jkeras
from jkeras import utils
from jkeras.utils import model_visualization

pydot = pytest.importorskip("pydot")


def graph_of(dot):
    """(header attributes, node labels by name, edges as label pairs): layer ids replaced by
    the labels, so graphs of different processes compare."""
    labels = {n.get_name(): n.get("label") for n in dot.get_nodes()
              if n.get_name() not in ("node", "edge", "graph")}
    edges = sorted((labels.get(e.get_source(), e.get_source()),
                    labels.get(e.get_destination(), e.get_destination()))
                   for e in dot.get_edges())
    header = {k: str(v) for k, v in dot.get_attributes().items()}
    return header, sorted(labels.values()), edges


def functional(K):
    a, b = K.Input((4,), name="a"), K.Input((3,), name="b")
    h = K.layers.Dense(5, activation="relu", name="d1")(a)
    c = K.layers.Concatenate(name="cat")([h, b])
    bn = K.layers.BatchNormalization(name="bn")
    bn.trainable = False
    o = K.layers.Dense(1, name="out")(bn(c))
    return K.Model([a, b], o)


def sequential(K):
    return K.Sequential([K.Input((3,)), K.layers.Dense(2, activation="tanh", name="x"),
                         K.layers.Dropout(0.1, name="drop"), K.layers.Dense(1, name="y")])


def nested(K):
    inner = K.Sequential([K.Input((4,)), K.layers.Dense(3, name="i1"),
                          K.layers.Dense(2, name="i2")], name="inner")
    x = K.Input((4,), name="x")
    return K.Model(x, K.layers.Dense(1, name="head")(inner(x)))


OPTIONS = [dict(), dict(show_shapes=True, show_dtype=True),
           dict(show_layer_names=False, show_layer_activations=True, show_trainable=True,
                rankdir="LR", dpi=96, splines="curved")]


@pytest.mark.parametrize("build", [functional, sequential, nested])
@pytest.mark.parametrize("options", OPTIONS)
def test_model_to_dot_matches_keras(tf, build, options):
    import keras
    ours = utils.model_to_dot(build(jkeras), **options)
    ref = keras.utils.model_to_dot(build(keras), **options)
    assert isinstance(ours, pydot.Dot)
    assert graph_of(ours) == graph_of(ref)


def test_expand_nested_matches_keras(tf):
    import keras
    ours = utils.model_to_dot(nested(jkeras), expand_nested=True, show_shapes=True)
    ref = keras.utils.model_to_dot(nested(keras), expand_nested=True, show_shapes=True)
    assert [s.get_name() for s in ours.get_subgraphs()] == [
        s.get_name() for s in ref.get_subgraphs()] == ["cluster_inner"]
    sub, ref_sub = ours.get_subgraphs()[0], ref.get_subgraphs()[0]
    assert graph_of(sub)[1:] == graph_of(ref_sub)[1:]
    labels = {n.get_name(): n.get("label") for g in (ours, sub) for n in g.get_nodes()}
    ref_labels = {n.get_name(): n.get("label") for g in (ref, ref_sub) for n in g.get_nodes()}
    edges = sorted((labels[e.get_source()], labels[e.get_destination()])
                   for e in ours.get_edges())
    ref_edges = sorted((ref_labels[e.get_source()], ref_labels[e.get_destination()])
                       for e in ref.get_edges())
    assert edges == ref_edges


def test_subclassed_model_is_one_node():
    class Net(jkeras.Model):
        def __init__(self):
            super().__init__()
            self.d = jkeras.layers.Dense(2)

        def call(self, x):
            return self.d(x)
    net = Net()
    net(jkeras.ops.ones((1, 3)))
    dot = utils.model_to_dot(net)
    assert [re.search(r"\((\w+)\)", n.get("label")).group(1) for n in dot.get_nodes()
            if n.get("label")] == ["Net"]


def test_errors(monkeypatch, capsys):
    model = sequential(jkeras)
    with pytest.raises(ValueError, match="Argument `layer_range` is no longer supported"):
        utils.model_to_dot(model, layer_range=["x", "y"])
    with pytest.raises(ValueError, match="Unrecognized keyword arguments: {'colour': 1}"):
        utils.model_to_dot(model, colour=1)
    unbuilt = jkeras.Sequential([jkeras.layers.Dense(2)])
    with pytest.raises(ValueError, match="This model has not yet been built"):
        utils.model_to_dot(unbuilt)
    monkeypatch.setattr(model_visualization, "_pydot", lambda: None)
    with pytest.raises(ImportError, match=r"install pydot \(`pip install pydot`\)"):
        utils.model_to_dot(model)
    monkeypatch.delitem(sys.modules, "IPython.core.magics.namespace", raising=False)
    with pytest.raises(ImportError, match=r"install pydot .*for `plot_model` to work"):
        utils.plot_model(model)
    # In a notebook Keras prints the message instead of raising.
    monkeypatch.setitem(sys.modules, "IPython.core.magics.namespace", object())
    assert utils.plot_model(model) is None
    assert "for `plot_model` to work" in capsys.readouterr().out


def test_plot_model_writes_the_file_or_names_graphviz(tmp_path, monkeypatch):
    model = functional(jkeras)
    target = tmp_path / "model.png"
    if not model_visualization.check_graphviz():
        monkeypatch.delitem(sys.modules, "IPython.core.magics.namespace", raising=False)
        with pytest.raises(ImportError, match="You must install graphviz"):
            utils.plot_model(model, to_file=target)
        assert not target.exists()
        pytest.skip("Graphviz's `dot` program is not installed: nothing to render")
    utils.plot_model(model, to_file=target, show_shapes=True)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_model_without_graphviz_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(model_visualization, "check_graphviz", lambda: False)
    monkeypatch.delitem(sys.modules, "IPython.core.magics.namespace", raising=False)
    with pytest.raises(ImportError, match=r"You must install graphviz \(see instructions at "
                                          r"https://graphviz.gitlab.io/download/\)"):
        utils.plot_model(functional(jkeras), to_file=tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()
