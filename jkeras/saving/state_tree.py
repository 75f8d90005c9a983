"""Keras 3's state tree (`model.get_state_tree()` / `model.set_state_tree()`), in its layout:

    {"trainable_variables": nested by each variable's Keras path,
     "non_trainable_variables": the same (frozen layers' weights included, as Keras),
     "optimizer_variables": {"<optimizer name>": {"iteration", "learning_rate",
                             "<variable path with _>_<slot>", ...}, ...},
     "metrics_variables": {"<metric name>": {"total", "count", ...}, ...}}

A Keras variable's path is the name scope it was created in: a layer's weights sit below the
names of the layers that built it. In a Functional model layers are built when called on
symbolic inputs, so their paths start at the layer's own name; a Sequential model with an
`Input` is built when made, so its layers sit below its name wherever it is used later; any
other model or layer is built by its parent and sits below the parent's scope. Optimizer
variables are `<optimizer name>/<variable path, "/" -> "_">_<slot>` (Keras's
`add_variable_from_reference`), in `optimizer.variables` order; a LossScaleOptimizer and a
MultiOptimizer write their own group and one per inner optimizer; Nadam's `u_product` is
Keras's unnamed root "variable". Metric variables sit below the name the metric had when
Keras created them (`"mae"` creates `mean_absolute_error/total`).

`Layout(model)` lists, for one model, every entry's Keras path and where jkeras keeps its
value (the variables pytree, the optimizer state, a metric's state). Differences: jkeras has
no seed-generator variables (Keras's `seed_generator*/seed_generator_state`, ignored when
read) and no per-output loss trackers (`compile_loss/*`, ignored when read).
"""
import inspect

import jax
import jax.numpy as jnp
import numpy as np

from jkeras.core.naming import to_snake_case
from jkeras.metrics.base import Metric
from jkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from jkeras.optimizers.multi_optimizer import MultiOptimizer
from jkeras.saving import optimizer_vars

TRAINABLE, NON_TRAINABLE, OPTIMIZER, METRICS = (
    "trainable_variables", "non_trainable_variables", "optimizer_variables", "metrics_variables")
SECTIONS = (TRAINABLE, NON_TRAINABLE, OPTIMIZER, METRICS)


# ---- nested dicts <-> "a/b/c" paths ------------------------------------------------------------
def nest(flat):
    """{"a/b/c": value} -> {"a": {"b": {"c": value}}} (Keras's `_create_nested_dict`)."""
    out = {}
    for path, value in flat.items():
        parts = path.split("/")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def flatten(nested, prefix=""):
    """Keras's `_flatten_nested_dict`: {"a": {"b": v}} -> {"a/b": v}."""
    out = {}
    for key, value in nested.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}{key}/"))
        else:
            out[f"{prefix}{key}"] = value
    return out


def unique(flat_entries):
    """{path: entry} from [(path, entry)], with Keras's error for a path found twice."""
    out = {}
    for path, entry in flat_entries:
        if path in out:
            raise ValueError(
                f"The following variable path is found twice in the model: '{path}'. "
                "`get_state_tree()` can only be called when all variable paths are unique. "
                "Make sure to give unique names to your layers (and other objects).")
        out[path] = entry
    return out


def ignorable(section, path):
    """Keras entries jkeras has no object for (read and dropped)."""
    leaf = path.rsplit("/", 1)[-1]
    return (section == NON_TRAINABLE and leaf == "seed_generator_state") or (
        section == METRICS and path.startswith("compile_loss/"))


# ---- reading and writing inside a state pytree --------------------------------------------------
def get_in(tree, loc):
    for key in loc:
        tree = getattr(tree, key) if _is_namedtuple(tree) and isinstance(key, str) else \
            tree[key]
    return tree


def set_in(tree, loc, value):
    """A copy of `tree` with `value` at `loc` (only the containers along `loc` are copied)."""
    if not loc:
        return value
    key, rest = loc[0], loc[1:]
    child = set_in(get_in(tree, (key,)), rest, value)
    if _is_namedtuple(tree) and isinstance(key, str):
        return tree._replace(**{key: child})
    if isinstance(tree, dict):
        return {**tree, key: child}
    items = list(tree)
    items[key] = child
    return type(tree)(items) if isinstance(tree, tuple) else items


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _entry_key(entry):
    for attr in ("key", "name", "idx"):
        if hasattr(entry, attr):
            return getattr(entry, attr)
    return str(entry)


def _leaves_with_locs(tree, loc=()):
    """[(locator, leaf)] of a pytree in its own order (dicts as inserted, as Keras creates
    variables), the locator being plain keys / field names / indices."""
    if isinstance(tree, dict):
        return [pair for key, value in tree.items()
                for pair in _leaves_with_locs(value, loc + (key,))]
    if _is_namedtuple(tree):
        return [pair for key in tree._fields
                for pair in _leaves_with_locs(getattr(tree, key), loc + (key,))]
    if isinstance(tree, (list, tuple)):
        return [pair for i, value in enumerate(tree)
                for pair in _leaves_with_locs(value, loc + (i,))]
    if tree is None:
        return []
    flat = jax.tree_util.tree_flatten_with_path(tree)[0]
    if len(flat) == 1 and not flat[0][0]:
        return [(loc, tree)]
    return [(loc + tuple(_entry_key(e) for e in path), leaf) for path, leaf in flat]


def like(value, old):
    """`value` as an array of `old`'s dtype; jax.Arrays keep their placement."""
    dtype = jnp.asarray(old).dtype if not hasattr(old, "dtype") else old.dtype
    if isinstance(value, jax.Array):
        return value if value.dtype == dtype else value.astype(dtype)
    return jnp.asarray(np.asarray(value), dtype)


# ---- model variables: Keras paths ---------------------------------------------------------------
def _is_a(obj, module, name):
    """isinstance by class name: models/ and training/ import saving/ while they load (the
    `utils` package reaches it), so their classes are recognised without importing them."""
    return any(c.__name__ == name and c.__module__ == module for c in type(obj).__mro__)


def _is_rooted_sequential(layer):
    return _is_a(layer, "jkeras.models.sequential", "Sequential") and \
        layer.input_shape is not None


def _scopes(layer, parent_scope):
    """(scope of the layer's own variables, scope its sub-layers are built in)."""
    own = f"{parent_scope}/{layer.name}" if parent_scope else layer.name
    if getattr(layer, "_is_functional", False):
        return own, ""  # built when made: its layers were called on symbolic inputs
    if _is_rooted_sequential(layer):
        return layer.name, layer.name  # built when made, under its own name only
    return own, own


def keras_variable_paths(model):
    """{id(variable): Keras path} for every variable held by `model` and its layers."""
    out = {}

    def walk(layer, parent_scope):
        own, inner = _scopes(layer, parent_scope)
        for var in layer._own_weights:
            out.setdefault(id(var), f"{own}/{var.name}")
        for child in layer._child_layers():
            walk(child, inner)
    walk(model, "")
    return out


def _variable_entries(model):
    """[(section, Keras path, path in the variables pytree)] in Keras's weight order."""
    keras_paths, tree_paths = keras_variable_paths(model), model._variable_paths()
    out = []
    for section, group in ((TRAINABLE, model.trainable_weights),
                           (NON_TRAINABLE, model.non_trainable_weights)):
        for var in group:
            if id(var) in tree_paths:
                out.append((section, keras_paths.get(id(var), var.path), tree_paths[id(var)]))
    return out


# ---- optimizer variables ------------------------------------------------------------------------
class Const:
    """An entry Keras has whose value jkeras does not keep (a wrapper's own iteration and
    learning rate, which Keras never moves); written, and ignored when read."""

    def __init__(self, value):
        self.value = value


def _base_entries(opt, lr):
    out = [(f"{opt.name}/iteration", ("iterations",))]
    if lr is not None:
        out.append((f"{opt.name}/learning_rate", ("learning_rate",)))
    return out


def _prefixed(entries, prefix):
    return [(path, loc if isinstance(loc, Const) else prefix + loc) for path, loc in entries]


def _optimizer_entries(opt, view, slot_prefix):
    """[(path in optimizer_variables, locator into `view.state` or Const)], Keras's order."""
    if isinstance(view, optimizer_vars.LossScaleView):
        own = [(f"{opt.name}/iteration", Const(jnp.zeros((), jnp.int32))),
               (f"{opt.name}/learning_rate", Const(jnp.zeros((), jnp.float32))),
               (f"{opt.name}/step_counter", ("slots", "step_counter")),
               (f"{opt.name}/dynamic_scale", ("slots", "dynamic_scale"))]
        inner = _optimizer_entries(opt.inner_optimizer, view.inner, slot_prefix)
        return own + [(path, loc if isinstance(loc, Const) or loc[0] != "slots"
                       else ("slots", "inner") + loc[1:]) for path, loc in inner]
    if isinstance(view, optimizer_vars.MultiView):
        out = [(f"{opt.name}/iteration", ("iterations",)),
               (f"{opt.name}/learning_rate", Const(jnp.zeros((), jnp.float32)))]
        for i, (sub_opt, sub) in enumerate(zip(opt.optimizers, view.subs)):
            out += _prefixed(_optimizer_entries(sub_opt, sub, slot_prefix),
                             ("slots", "optimizers", i))
        return out
    state = view.state
    out = _base_entries(opt, state.learning_rate)
    if view.optax:  # a wrapped optax transform: no Keras form, its state's own tree
        return out + [(f"{opt.name}/optax_state/" + "/".join(str(k) for k in loc),
                       ("slots",) + loc) for loc, _ in _leaves_with_locs(state.slots)]
    for group in optimizer_vars.slot_groups(opt):
        for key in view.slot_keys:
            key_loc = (key,) if isinstance(key, int) else tuple(key)
            for name in group:
                loc = ("slots", name) + key_loc
                if get_in(state, loc) is not None:  # None: no such slot for this variable
                    out.append((f"{opt.name}/{slot_prefix(key)}_{name}", loc))
    for name in optimizer_vars.scalar_names(opt):
        # Keras creates Nadam's u_product outside the optimizer's name scope, unnamed.
        out.append(("variable" if name == "u_product" else f"{opt.name}/{name}",
                    ("slots", name)))
    return out


def _unbuilt_entries(opt):
    """An optimizer without state: what Keras has before `build` (iteration, learning rate)."""
    zero_i, zero_f = jnp.zeros((), jnp.int32), jnp.zeros((), jnp.float32)
    if isinstance(opt, (LossScaleOptimizer, MultiOptimizer)):
        own = [(f"{opt.name}/iteration", Const(zero_i)),
               (f"{opt.name}/learning_rate", Const(zero_f))]
        inners = [opt.inner_optimizer] if isinstance(opt, LossScaleOptimizer) else \
            opt.optimizers
        return own + [e for inner in inners for e in _unbuilt_entries(inner)]
    out = [(f"{opt.name}/iteration", Const(zero_i))]
    lr = getattr(opt, "_learning_rate", None)
    if isinstance(lr, float):
        out.append((f"{opt.name}/learning_rate", Const(jnp.asarray(lr, jnp.float32))))
    return out


def _slot_prefixer(model, opt, keras_paths):
    """Keras's name prefix of a slot's variable from a view's slot key."""
    tree_to_keras = {"/".join(p[1:]): keras_paths[i]
                     for i, p in model._variable_paths().items() if i in keras_paths}
    imp_vars = list(getattr(opt, "_imp_vars", None) or [])
    by_list_path = dict(zip(getattr(opt, "_list_paths", None) or [], imp_vars))

    def prefix(key):
        if isinstance(key, int):
            var = imp_vars[key]
            path = keras_paths.get(id(var), getattr(var, "path", str(key)))
        else:
            joined = "/".join(str(k) for k in key)
            var = by_list_path.get(joined)
            path = tree_to_keras.get(joined) or (
                keras_paths.get(id(var), joined) if var is not None else joined)
        return path.replace("/", "_")
    return prefix


# ---- metric variables ---------------------------------------------------------------------------
def _created_name(ident, metric):
    """The name a compiled metric had when Keras created its variables (their path)."""
    if isinstance(ident, str):
        if ident.lower() in ("accuracy", "acc"):
            return ident
        param = inspect.signature(type(metric).__init__).parameters.get("name")
        if param is not None and isinstance(param.default, str):
            return param.default
        return to_snake_case(type(metric).__name__)
    if isinstance(ident, Metric):
        return ident.name
    return "mean_metric_wrapper"  # a function, wrapped unnamed by Keras


def _compiled_names(outputs):
    idents = [ident for cfg in (outputs.user_metrics, outputs.user_weighted_metrics)
              for per_output in outputs._per_output_metrics(cfg) for ident in per_output]
    return [_created_name(ident, m) for ident, (_, _, m, _) in
            zip(idents, outputs.metric_entries)]


def _metric_leaves(metric, state):
    """[(variable name, locator into the metric's state)]."""
    added = metric.__dict__.get("_added_variables")
    if added and metric._keras_style():
        return [(var.name, (i,)) for i, var in enumerate(added)]
    return [("/".join(str(k) for k in loc), loc) for loc, _ in _leaves_with_locs(state)]


def _metric_entries(model):
    """[(path in metrics_variables, metric object, locator into its `state`)]."""
    named = []  # (name, object, locator prefix, the sub-metric, its state)
    for m in model.metrics:
        if _is_a(m, "jkeras.training.seams", "CompileMetrics"):
            state = m.state
            for i, (name, (_, _, sub, _)) in enumerate(
                    zip(_compiled_names(m._outputs), m._outputs.metric_entries)):
                named.append((name, m, (i,), sub, state[i]))
        else:
            named.append((m.name, m, (), m, m.state))
    seen, out = {}, []
    for name, obj, prefix, sub, state in named:
        count = seen.get(name, 0)
        seen[name] = count + 1
        name = f"{name}_{count}" if count else name  # Keras's auto-names count on
        out += [(f"{name}/{leaf}", obj, prefix + loc) for leaf, loc in _metric_leaves(sub, state)]
    return out


# ---- one model's layout -------------------------------------------------------------------------
class Layout:
    """Every state-tree entry of `model`: its Keras path and where jkeras keeps the value.

    `opt` / `view` / `frozen`: the compiled optimizer and its state (optimizer_vars's view;
    None while it has none, unless `fresh_optimizer` builds the state `fit` would start from,
    to receive a loaded one)."""

    def __init__(self, model, fresh_optimizer=False):
        self.model = model
        self.variables = {section: unique((keras, tree) for s, keras, tree in
                                          _variable_entries(model) if s == section)
                          for section in (TRAINABLE, NON_TRAINABLE)}
        unique((k, None) for section in (TRAINABLE, NON_TRAINABLE)
               for k in self.variables[section])
        self.opt = getattr(model, "optimizer", None)
        self.view = self.frozen = None
        entries = []
        if self.opt is not None:
            self.view = optimizer_vars.current_view(model, self.opt)
            if self.view is None and fresh_optimizer:
                self.view, self.frozen = optimizer_vars.fresh_view(model, self.opt)
            if self.view is None:
                entries = _unbuilt_entries(self.opt)
            else:
                prefixer = _slot_prefixer(model, self.opt, keras_variable_paths(model))
                entries = _optimizer_entries(self.opt, self.view, prefixer)
        self.optimizer = unique(entries)
        self.metrics = unique((path, (obj, loc)) for path, obj, loc in _metric_entries(model))
        self.current = self.values(model.get_variables())

    def values(self, variables, opt_state=None):
        """{section: {path: value}} read from `variables` (the model's pytree) and
        `opt_state` (the view's state unless given), metrics from the metric objects."""
        out = {section: {path: get_in(variables, tree) for path, tree in entries.items()}
               for section, entries in self.variables.items()}
        state = self.view.state if opt_state is None and self.view is not None else opt_state
        out[OPTIMIZER] = {path: loc.value if isinstance(loc, Const) else get_in(state, loc)
                          for path, loc in self.optimizer.items()}
        out[METRICS] = {path: get_in(obj.state, loc) for path, (obj, loc) in
                        self.metrics.items()}
        return out

    def targets(self, section):
        return {**self.variables, OPTIMIZER: self.optimizer, METRICS: self.metrics}[section]

    def resolve(self, saved):
        """For the saved {section: [path]}: ({section: {saved path: our path}}, {section:
        [saved paths the model does not have]}). Names Keras and jkeras number per session
        may differ (`sequential_1`, `adam_2`): a saved top-level group (the model's name in a
        Sequential or subclassed model, a layer of a Functional one, an optimizer) missing
        here is renamed when exactly one of ours holds the same entries; the model's new name
        also renames the optimizer's slot names."""
        var_sections = [s for s in (TRAINABLE, NON_TRAINABLE) if s in saved]
        var_renames = _group_renames(
            [(p, s) for s in (TRAINABLE, NON_TRAINABLE) for p in self.variables[s]],
            [(p, s) for s in var_sections for p in saved[s]], sole=True)
        opt_saved = {_rename_slot(p, var_renames): p for p in saved.get(OPTIMIZER, ())}
        opt_renames = _group_renames([(p, OPTIMIZER) for p in self.optimizer],
                                     [(p, OPTIMIZER) for p in opt_saved])
        mapping, unknown = {}, {}
        for section, paths in saved.items():
            targets = self.targets(section)
            mapping[section], unknown[section] = {}, []
            for path in paths:
                if section == OPTIMIZER:
                    ours = _rename(_rename_slot(path, var_renames), opt_renames)
                else:
                    ours = _rename(path, var_renames) if section != METRICS else path
                if ours in targets:
                    mapping[section][path] = ours
                elif not ignorable(section, path) and (section != OPTIMIZER or self.opt):
                    unknown[section].append(path)
        return mapping, unknown

    def assign(self, flat):
        """Write {section: {our path: value}} into the model, its optimizer and metrics."""
        model = self.model
        variables = model.get_variables()
        tree = {"params": variables["params"], "state": variables["state"]}
        for section in (TRAINABLE, NON_TRAINABLE):
            for path, value in flat.get(section, {}).items():
                loc = self.variables[section][path]
                tree = set_in(tree, loc, like(value, get_in(tree, loc)))
        opt_values = {p: v for p, v in flat.get(OPTIMIZER, {}).items()
                      if not isinstance(self.optimizer[p], Const)}
        if opt_values and self.view is not None:
            state = self.view.state
            for path, value in opt_values.items():
                loc = self.optimizer[path]
                state = set_in(state, loc, like(value, get_in(state, loc)))
        model.set_variables(tree)
        if opt_values and self.view is not None:
            optimizer_vars.install(model, self.opt, _Installed(state, self.view), self.frozen)
        states = {}
        for path, value in flat.get(METRICS, {}).items():
            obj, loc = self.metrics[path]
            current = states.get(id(obj), (obj, obj.state))[1]
            states[id(obj)] = (obj, set_in(current, loc, like(value, get_in(current, loc))))
        for obj, state in states.values():
            obj.state = state


def _group_renames(ours, saved, sole=False):
    """{saved group: our group} from [(path, section)] pairs, groups being first path parts:
    a saved group we lack, with the same entries as exactly one of ours we lack; with `sole`,
    also the only saved group to our only one (a model's name: its entries are then
    compared one by one)."""
    def groups(pairs):
        out = {}
        for path, section in pairs:
            group, sep, rest = path.partition("/")
            if sep:
                out.setdefault(group, set()).add((section, rest))
        return out
    ours, saved = groups(ours), groups(saved)
    missing = {g: n for g, n in ours.items() if g not in saved}
    extra = {g: n for g, n in saved.items() if g not in ours}
    renames = {}
    for group, names in extra.items():
        matches = [g for g, n in missing.items() if n == names]
        if len(matches) == 1 and [g for g, n in extra.items() if n == names] == [group]:
            renames[group] = matches[0]
    if sole and not renames and len(ours) == len(saved) == len(missing) == len(extra) == 1:
        renames[next(iter(extra))] = next(iter(missing))
    return renames


def _rename(path, renames):
    group, sep, rest = path.partition("/")
    return f"{renames[group]}/{rest}" if sep and group in renames else path


def _rename_slot(path, var_renames):
    """An optimizer slot `<opt>/<model>_<layer>_<weight>_<slot>` under the model's new name."""
    group, sep, rest = path.partition("/")
    for old, new in var_renames.items():
        if sep and rest.startswith(old + "_"):
            return f"{group}/{new}_{rest[len(old) + 1:]}"
    return path


class _Installed:
    """What `optimizer_vars.install` reads from a view: the state and where it lives."""

    def __init__(self, state, view):
        self.state = state
        self.imperative = getattr(view, "imperative", False)
