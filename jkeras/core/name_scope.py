"""`keras.name_scope(name)`: a sub-namespace for variable paths, as Keras 3.

Variables created inside `with name_scope("outer"):` get `outer/` in front of their path; a
layer's `build` and `add_weight` run inside a scope named after the layer (so a Variable made in
`build` has the path `layer_name/variable_name`, as Keras). Scopes nest, per thread.
"""
from jkeras.core.scoped import ScopeStack, StackedScope


class name_scope(StackedScope):
    """Creates a sub-namespace for variable paths.

    Args:
        name: Name of the current scope (string, without `/`).
        caller: Optional caller object (e.g. the layer opening it).
        deduplicate: If `True`, entering a scope of the same `name` and `caller` as the
            innermost open one does not open a new level.
        override_parent: An absolute path that replaces the enclosing scopes.
    """

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or "/" in name:
            raise ValueError("Argument `name` must be a string and cannot contain character "
                             f"`/`. Received: name={name}")
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent

    _open = ScopeStack()

    def _enters(self):
        stack = self._open.items
        if self.deduplicate and stack and self.caller is not None:
            top = stack[-1]
            return not (top.caller is self.caller and top.name == self.name)
        return True


def current_path():
    """The path of the open scopes ("outer/inner"), "" when none is open."""
    parts = []
    for scope in name_scope._open.items:
        if scope.override_parent is not None:
            parts = [p for p in scope.override_parent.split("/") if p]
        parts.append(scope.name)
    return "/".join(parts)
