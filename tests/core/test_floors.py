"""The floors of DESIGN.md, checked on the source: every `import` / `from ... import` of a jkeras
module (at module level or inside a function) points to the importer's own floor or below.

Bottom to top: core <- activations, initializers, ... optimizers <- layers <- models <- training
<- saving, distribution, ensemble, applications, testing. The package facades (`jkeras/__init__`,
`jkeras.config`, ...) sit on top. Exceptions that exist today are listed in `KNOWN_UPWARD` with
the reason; the list may only shrink."""
import ast
import pathlib

import pytest

import jkeras

PACKAGE = pathlib.Path(jkeras.__file__).parent

# DESIGN.md's floors, bottom (0) to top; a module's floor is that of the first name after
# "jkeras." (`jkeras.layers.core` -> "layers"; a top-level module is its own name).
FLOORS = [
    {"core"},
    {"activations", "initializers", "regularizers", "constraints", "ops", "random", "losses",
     "metrics", "optimizers", "tree", "dtype_policies", "quantizers"},
    {"layers"},
    {"models"},
    {"training", "callbacks"},
    {"saving", "distribution", "ensemble", "applications", "testing", "utils", "datasets",
     "wrappers", "visualization", "distillation"},
    # Facades gathering public names from every floor: the package itself, `jkeras.config`,
    # `jkeras.backend`, `jkeras.mixed_precision`, `jkeras.preprocessing` (re-exports of utils).
    {"__init__", "backend", "config", "mixed_precision", "preprocessing"},
]
FLOOR_OF = {name: level for level, names in enumerate(FLOORS) for name in names}

# core/ never reaches these, not even inside a function (issue #11, "config beside its class").
CORE_FORBIDDEN = {"saving", "models", "layers", "training"}

# (importer, imported floor package) pairs that point up today, with the reason; an importer
# that is a package ("jkeras.training") stands for every module in it. The list may only
# shrink (test_known_exceptions_still_exist).
KNOWN_UPWARD = {
    # Layer.add_weight resolves initializer / regularizer / constraint names; those packages
    # import only core pieces below Layer, so there is no cycle.
    ("jkeras.core.layer", "jkeras.initializers"): "add_weight's initializer names",
    ("jkeras.core.weight_options", "jkeras.constraints"): "add_weight's constraint names",
    ("jkeras.core.weight_options", "jkeras.regularizers"): "add_weight's regularizer names",
    ("jkeras.models", "jkeras.saving"):
        "Keras's Model API methods (save, save_weights, load_weights, and "
        "keras.models.load_model / save_model) whose work is file I/O in saving/",
    ("jkeras.layers.preprocessing.feature_space", "jkeras.saving"):
        "FeatureSpace.save (Keras API) writes a .keras file with saving/archive.py",
    ("jkeras.models.model", "jkeras.training"):
        "Model inherits the Trainer mixin (Keras's `Model(Trainer, Layer)`)",
    ("jkeras.training", "jkeras.saving"):
        "get_compile_config / compile_from_config use saving/compile_config.py",
    ("jkeras.training", "jkeras.distribution"):
        "the training engine places batches and state with the current distribution; "
        "DESIGN.md puts distribution/ above training/, where it does not sit today",
    ("jkeras.training", "jkeras.utils"):
        "`unpack_x_y_sample_weight` is public as keras.utils.*; its module sits in utils/",
    ("jkeras.testing.parity", "jkeras"): "the parity helpers walk the whole public API",
}


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor_word(module):
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _imports(path, module=None):
    """(line, imported jkeras module) for every import statement in the file, at any depth."""
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source == "jkeras":  # `from jkeras import layers`: the names are modules
                found += [(node.lineno, f"jkeras.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, source))
    return [(line, name) for line, name in found if name.split(".")[0] == "jkeras"]


def _all_imports():
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        for line, imported in _imports(path):
            yield path, module, line, imported


def _known_key(module, imported):
    """The KNOWN_UPWARD key that covers this import: the module's own, else its package's."""
    for key in ((module, imported), (".".join(module.split(".")[:2]), imported)):
        if key in KNOWN_UPWARD:
            return key
    return (module, imported)


def _upward():
    out = {}
    for path, module, line, imported in _all_imports():
        here = FLOOR_OF[_floor_word(module)]
        there = FLOOR_OF.get(_floor_word(imported))
        if there is not None and there > here:
            out.setdefault(_known_key(module, _top(imported)), []).append(
                f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}")
    return out


def _top(imported):
    """The pair key: `jkeras.<floor word>` (the package imported, not its submodule)."""
    return ".".join(imported.split(".")[:2])


def test_every_module_has_a_floor():
    words = {_floor_word(_module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert words - set(FLOOR_OF) == set(), "add the new top-level module to FLOORS"


def test_core_imports_no_upper_floor_even_in_functions():
    bad = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {imported}"
           for path, module, line, imported in _all_imports()
           if _floor_word(module) == "core" and _floor_word(imported) in CORE_FORBIDDEN]
    assert bad == []


def test_imports_point_down_the_floors():
    upward = _upward()
    new = {key: where for key, where in upward.items() if key not in KNOWN_UPWARD}
    assert new == {}, "upward imports (move the piece to its floor, or import it from below)"


def test_known_exceptions_still_exist():
    """An exception that was fixed must leave KNOWN_UPWARD, so the list only shrinks."""
    upward = _upward()
    assert [key for key in KNOWN_UPWARD if key not in upward] == []


def test_errors_module_imports_no_model():
    path = PACKAGE / "core" / "errors.py"
    assert [name for _, name in _imports(path)] == []


def test_layer_and_model_configs_live_beside_their_classes():
    """saving/ reads and writes files; get_config / from_config sit with the classes."""
    assert [name for name in ("model_config.py", "layer_config.py", "subclass_config.py")
            if (PACKAGE / "saving" / name).exists()] == []
    assert (PACKAGE / "core" / "layer_config.py").exists()
    assert (PACKAGE / "models" / "functional_config.py").exists()


def test_the_checker_sees_function_level_and_relative_imports(tmp_path):
    fake = tmp_path / "fake.py"
    fake.write_text("import jax\n\ndef f():\n    from jkeras.saving import archive\n"
                    "    import jkeras.models.model\n    from . import layer\n"
                    "    from ..layers import core\n    from jkeras import ops, layers\n")
    assert [name for _, name in _imports(fake, "jkeras.core.fake")] == [
        "jkeras.saving", "jkeras.models.model", "jkeras.core", "jkeras.layers",
        "jkeras.ops", "jkeras.layers"]
