"""Reads a Pulumi Python program on stdin and prints, as JSON, what it declares: its imports, its
assignments and its bare expression statements (`pulumi.export(...)`), each expression as a small
tree (`const`, `list`, `dict`, `name`, `attr`, `call`, `or`). Parsed with the standard library's
`ast`, never run: the program's imports (pulumi_nhi, pulumi_aws) need not be installed. Anything
outside that subset comes out as `unsupported`, which the test refuses by line.

Used by test/support/other-languages.ts.
"""

import ast
import json
import sys


def expr(node):
    if isinstance(node, ast.Constant):
        return {"k": "const", "v": node.value, "line": node.lineno}
    if isinstance(node, (ast.List, ast.Tuple)):
        return {"k": "list", "items": [expr(e) for e in node.elts], "line": node.lineno}
    if isinstance(node, ast.Dict):
        if any(not (isinstance(k, ast.Constant) and isinstance(k.value, str)) for k in node.keys):
            return {"k": "unsupported", "what": "a dict key that is not a string literal", "line": node.lineno}
        return {"k": "dict", "entries": [[k.value, expr(v)] for k, v in zip(node.keys, node.values)], "line": node.lineno}
    if isinstance(node, ast.Name):
        return {"k": "name", "id": node.id, "line": node.lineno}
    if isinstance(node, ast.Attribute):
        return {"k": "attr", "value": expr(node.value), "attr": node.attr, "line": node.lineno}
    if isinstance(node, ast.Call):
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return {"k": "unsupported", "what": "*args or **kwargs", "line": node.lineno}
        return {
            "k": "call",
            "func": expr(node.func),
            "args": [expr(a) for a in node.args],
            "kwargs": [[k.arg, expr(k.value)] for k in node.keywords],
            "line": node.lineno,
        }
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return {"k": "or", "values": [expr(v) for v in node.values], "line": node.lineno}
    return {"k": "unsupported", "what": type(node).__name__, "line": node.lineno}


def statement(node):
    if isinstance(node, ast.Import):
        return [{"s": "import", "module": a.name, "as": a.asname or a.name, "line": node.lineno} for a in node.names]
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return [{"s": "assign", "target": node.targets[0].id, "value": expr(node.value), "line": node.lineno}]
    if isinstance(node, ast.Expr):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return []  # a docstring
        return [{"s": "expr", "value": expr(node.value), "line": node.lineno}]
    return [{"s": "unsupported", "what": type(node).__name__, "line": node.lineno}]


def main():
    tree = ast.parse(sys.stdin.read())
    print(json.dumps([s for node in tree.body for s in statement(node)]))


main()
