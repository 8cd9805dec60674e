"""Patch ops: small in-place changes to a var's JSON value, as sent to the browser.

>>> apply_ops([1, 2], [{"op": "append", "path": [], "value": 3}])
[1, 2, 3]
>>> apply_ops({"a": {"b": 1}}, [{"op": "set", "path": ["a", "b"], "value": 2}])
{'a': {'b': 2}}
"""

from __future__ import annotations

from typing import Any

from .jsondata import copy_json

Op = dict[str, Any]


def _walk(root: Any, path: list[Any]) -> Any:
    node = root
    for key in path:
        node = node[key]
    return node


def apply_ops(root: Any, ops: list[Op]) -> Any:
    """Apply ``ops`` to ``root`` in place where possible; return the (possibly new) root."""
    for op in ops:
        kind, path = op["op"], op["path"]
        if kind == "replace":
            value = copy_json(op["value"])
            if not path:
                root = value
            else:
                _walk(root, path[:-1])[path[-1]] = value
        elif kind == "append":
            _walk(root, path).append(copy_json(op["value"]))
        elif kind == "set":
            parent = _walk(root, path[:-1])
            parent[path[-1]] = copy_json(op["value"])
        elif kind == "insert":
            _walk(root, path[:-1]).insert(path[-1], copy_json(op["value"]))
        elif kind == "delete":
            del _walk(root, path[:-1])[path[-1]]
        else:
            raise ValueError(f"unknown patch op {kind!r}")
    return root
