"""Test helper: checks many exported scripts and string literals in one Python process.

usage: python3 test/security/check_exports.py JOB.json
JOB.json is {"scripts": [PATH, ...], "literals": [[PYTHON_LITERAL, JSON_STRING], ...]}.
Prints one JSON object:
  "scripts": per script {"path", "error" (why it does not parse, or null), "exact" (ast.dump of
      the file's bytes, as Python reads a file: encoding declarations included), "canonical" (the
      dump with str constants blanked, NODE_IDS emptied and identifiers renamed scope by scope
      in order of appearance), "node_ids" (the NODE_IDS table), "globals" (the names bound at
      module level or read as globals, builtins included), "comments" (the leading comment
      lines, decoded with unicode_escape)}
  "literals": per pair, whether ast.literal_eval(PYTHON_LITERAL) == json.loads(JSON_STRING)
Nothing is executed: scripts are only parsed.
"""
import ast
import codecs
import json
import symtable
import sys


SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.ListComp,
          ast.SetComp, ast.DictComp, ast.GeneratorExp)
SCOPE_NAMES = {ast.Lambda: "lambda", ast.ListComp: "listcomp", ast.SetComp: "setcomp",
               ast.DictComp: "dictcomp", ast.GeneratorExp: "genexpr"}


class Canonical(ast.NodeTransformer):
    """Blanks str constants, empties NODE_IDS and renames identifiers in order of appearance,
    scope by scope (Python's symtable says which scope binds a name): the same structure with
    other names gives the same dump, but a node variable that shadows a name of the script
    (a module-level `node_id`, a local `torch`) does not. Attributes and keyword arguments
    are renamed in namespaces of their own. Scopes are numbered in the order entered."""

    def __init__(self, table):
        self.stack = [table]
        self.scopes = {table.get_id(): (0, {})}  # scope id -> (index, {name: canonical})
        self.children = {}  # scope id -> its child scopes not yet entered
        self.attrs = {}     # (scope id, variable) or None -> (index, {attribute: canonical})
        self.keywords = {}

    def binding(self, name):
        """The table of the scope that binds `name` as seen from the innermost scope."""
        for depth in range(len(self.stack) - 1, -1, -1):
            t = self.stack[depth]
            if t.get_type() == "module":
                return t
            if depth < len(self.stack) - 1 and t.get_type() == "class":
                continue  # a class body's names are not visible in its methods
            try:
                sym = t.lookup(name)
            except KeyError:
                continue
            if sym.is_global() or sym.is_declared_global():
                return self.stack[0]
            if sym.is_local() or sym.is_parameter():
                return t
        return self.stack[0]

    def rename(self, name, table=None):
        t = table if table is not None else self.binding(name)
        index, names = self.scopes[t.get_id()]
        return names.setdefault(name, "s%d_v%d" % (index, len(names)))

    def enter(self, node, name):
        """Pushes the symtable child of the scope `node` (called `name` there) opens."""
        parent = self.stack[-1]
        pending = self.children.setdefault(parent.get_id(), list(parent.get_children()))
        same = [k for k, child in enumerate(pending) if child.get_name() == name]
        if not same:
            raise AssertionError("no symtable scope for %s at line %d" % (name, node.lineno))
        # The one on the node's line, else the first (a comprehension may span lines).
        k = next((k for k in same if pending[k].get_lineno() == node.lineno), same[0])
        child = pending.pop(k)
        self.scopes.setdefault(child.get_id(), (len(self.scopes), {}))
        self.stack.append(child)

    def generic_visit(self, node):
        if not isinstance(node, SCOPES):
            return super().generic_visit(node)
        name = SCOPE_NAMES.get(type(node), getattr(node, "name", None))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            node.name = self.rename(node.name)  # bound in the enclosing scope
        self.enter(node, name)
        try:
            return super().generic_visit(node)
        finally:
            self.stack.pop()

    def visit_Assign(self, node):
        if any(isinstance(t, ast.Name) and t.id == "NODE_IDS" for t in node.targets):
            node.value = ast.Dict(keys=[], values=[])
        return self.generic_visit(node)

    def visit_Constant(self, node):
        return ast.Constant(value="") if isinstance(node.value, str) else node

    def visit_Name(self, node):
        node.id = self.rename(node.id)
        return node

    def visit_arg(self, node):
        node.arg = self.rename(node.arg, self.stack[-1])
        return self.generic_visit(node)

    def visit_Attribute(self, node):
        # One namespace per variable the attribute is read from (`self` of Model is not
        # `self` of Recorder), one for attributes of other expressions.
        base = node.value
        key = (self.binding(base.id).get_id(), base.id) if isinstance(base, ast.Name) else None
        index, names = self.attrs.setdefault(key, (len(self.attrs), {}))
        node.attr = names.setdefault(node.attr, "a%d_%d" % (index, len(names)))
        return self.generic_visit(node)

    def visit_keyword(self, node):
        if node.arg is not None:
            node.arg = self.keywords.setdefault(node.arg, "k%d" % len(self.keywords))
        return self.generic_visit(node)


def node_ids(tree):
    for stmt in tree.body:
        targets = [getattr(t, "id", None) for t in getattr(stmt, "targets", [])]
        if isinstance(stmt, ast.Assign) and targets == ["NODE_IDS"]:
            return ast.literal_eval(stmt.value)
    return None


def global_names(table):
    """Every name the script binds at module level or reads as a global (builtins included)."""
    out = set()
    for sym in table.get_symbols():
        if table.get_type() == "module" or sym.is_global():
            out.add(sym.get_name())
    for child in table.get_children():
        out |= global_names(child)
    return out


def leading_comments(source):
    out = []
    for line in source.split(b"\n"):
        if not line.startswith(b"#"):
            break
        out.append(codecs.decode(line[1:].lstrip(b" "), "unicode_escape"))
    return out


def check_script(path):
    with open(path, "rb") as fh:
        source = fh.read()
    entry = {"path": path, "error": None}
    try:
        tree = ast.parse(source)  # bytes: Python applies an encoding declaration as for a file
    except (SyntaxError, ValueError) as exc:
        entry["error"] = "%s: %s" % (type(exc).__name__, exc)
        return entry
    entry["exact"] = ast.dump(tree)
    entry["node_ids"] = node_ids(tree)
    table = symtable.symtable(source.decode("utf-8", "surrogateescape"), path, "exec")
    entry["canonical"] = ast.dump(Canonical(table).visit(tree))
    entry["globals"] = sorted(global_names(table))
    entry["comments"] = leading_comments(source)
    return entry


def check_literal(literal, json_text):
    try:
        return ast.literal_eval(literal) == json.loads(json_text)
    except (SyntaxError, ValueError):
        return False


def main(job_path):
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    out = {"scripts": [check_script(p) for p in job.get("scripts", [])],
           "literals": [check_literal(lit, js) for lit, js in job.get("literals", [])]}
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
