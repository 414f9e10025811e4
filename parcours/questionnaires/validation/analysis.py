"""What the validator reads in an expression's syntax tree, once per form version.

- :func:`contextualise`: absolute paths into the repeat a bind lives in (``/data/member/age`` in a bind of
  ``/data/member/x``) are rewritten to the current repeat instance (``current()/../age``), as JavaRosa
  contextualises them; pyxform writes relative paths there already, hand-written and older forms do not.
- :func:`anchor`: what a value depends on besides the answers (nothing, the context's parent, the context), so
  that siblings share one evaluation.
- :func:`narrow`: a choice filter split around its predicate, to test one item instead of the whole list.
"""

from __future__ import annotations

from .. import xpath
from ..xpath import syntax


def contextualise(text: str, bind_path: str, repeats: list[str]) -> str:
    """Rewrite absolute paths into an enclosing repeat so they mean the current repeat instance (see the module)."""
    enclosing = [r for r in repeats if bind_path == r or bind_path.startswith(r + "/")]
    if not enclosing or "/" not in text:
        return text
    try:
        tree = syntax.parse(text)
    except xpath.XPathError:
        return text  # compiling reports it
    depth = bind_path.count("/") + 1
    edits: list[tuple[int, int, str]] = []

    def visit(node) -> None:
        if isinstance(node, syntax.Call):
            if node.name == "indexed-repeat":  # takes the repeats' generic paths
                return
            for arg in node.args:
                visit(arg)
        elif isinstance(node, syntax.Binary):
            visit(node.left)
            visit(node.right)
        elif isinstance(node, syntax.Negate):
            visit(node.operand)
        elif isinstance(node, syntax.Filter):
            visit(node.primary)
        elif isinstance(node, syntax.Path):
            if isinstance(node.start, syntax.Node):
                visit(node.start)
            elif node.start == "/":
                _rewrite(node)

    def _rewrite(path: syntax.Path) -> None:
        names = []
        for step in path.steps:
            if step.axis != "child" or step.kind != "name" or step.predicates:
                break
            names.append(step.local)
        for repeat in sorted(enclosing, key=len, reverse=True):
            parts = repeat.split("/")
            size = len(parts) + 1  # + the root element
            if len(names) > size and names[1:size] == parts:
                ups = depth - len(parts)
                edits.append((path.pos, path.steps[size].pos, "current()/" + "../" * ups))
                return

    visit(tree)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


_CONTEXT_FUNCTIONS = {"position", "last", "current"}


def anchor(expression: xpath.Expression) -> str | None:
    """What an expression's value depends on besides the answers: nothing ("doc": only absolute paths), the context
    node's parent ("parent": relative paths all start with ``..``), or the context node itself (None).

    Siblings share the value of a "parent" expression (``../age >= 5`` for the eight questions of a member): the
    engine evaluates it once per parent while no answer changes.
    """
    rank = {"doc": 0, "parent": 1, None: 2}
    worst = ["doc"]

    def need(level: str | None) -> None:
        if rank[level] > rank[worst[0]]:
            worst[0] = level

    def visit(node, top: bool) -> None:  # top: evaluated for the context node, not inside a predicate
        if isinstance(node, syntax.Call):
            spec = expression.specs.get(id(node))
            uses_context = spec is None or spec.context_first or (
                not node.args and (spec.context_default or node.name in _CONTEXT_FUNCTIONS))
            if (node.name == "current" and not node.args) or (top and uses_context):
                need(None)
            for arg in node.args:
                visit(arg, top)
        elif isinstance(node, syntax.Binary):
            visit(node.left, top)
            visit(node.right, top)
        elif isinstance(node, syntax.Negate):
            visit(node.operand, top)
        elif isinstance(node, syntax.Filter):
            visit(node.primary, top)
            for predicate in node.predicates:
                visit(predicate, False)
        elif isinstance(node, syntax.Path):
            start = node.start
            if start is None and top:
                first = node.steps[0]
                need("parent" if first.axis == "parent" and first.kind == "node" and not first.predicates else None)
            elif isinstance(start, syntax.Call) and start.name == "current" and not start.args:
                first = node.steps[0] if node.steps else None
                need("parent" if first is not None and first.axis == "parent" and first.kind == "node"
                     and not first.predicates else None)
            elif isinstance(start, syntax.Node):
                visit(start, top)
            for step in node.steps:
                for predicate in step.predicates:
                    visit(predicate, False)

    visit(expression.ast, True)
    return worst[0]


def narrow(nodeset: str) -> tuple[str, str, str] | None:
    """``instance('x')/root/item[filter]`` → ("x", "instance('x')/root/item", "[filter]"), else None."""
    try:
        tree = syntax.parse(nodeset)
    except xpath.XPathError:
        return None
    if not (isinstance(tree, syntax.Path) and isinstance(tree.start, syntax.Call) and tree.start.name == "instance"
            and len(tree.start.args) == 1 and isinstance(tree.start.args[0], syntax.Literal)
            and [(s.axis, s.kind, s.local) for s in tree.steps] == [("child", "name", "root"),
                                                                    ("child", "name", "item")]
            and not tree.steps[0].predicates and tree.steps[1].predicates):
        return None
    cut = nodeset.index("[", tree.steps[1].pos)
    return tree.start.args[0].value, nodeset[:cut], nodeset[cut:]


# Functions whose value depends on more than their arguments' text: the clock, chance, the position or identity
# of nodes, the form's other instances and translations.
_IMPURE = {"now", "today", "random", "uuid", "once", "randomize", "position", "last", "current", "instance", "itext",
           "choice-name", "pulldata", "indexed-repeat", "digest", "base64-decode", "id", "lang", "name",
           "local-name", "namespace-uri", "generate-id", "jr:choice-name"}


def pure_refs(expression: xpath.Expression, leaves: set[str], root_name: str) -> tuple | None:
    """The answers an expression's value is a function of, when it is one: ``("self",)`` (the context node),
    ``("abs", path)`` (a question outside repeats) or ``("rel", names)`` (``../name``: a sibling question); None
    when its value may depend on anything else (node positions, the clock, a node-set it returns, a filter…).

    The validator then shares values between submissions: ``. >= 0`` or ``${consent} = 'yes'`` is evaluated once
    per distinct answer, not once per submission.
    """
    refs: list[tuple] = []

    def visit(node) -> bool:
        if isinstance(node, syntax.Literal | syntax.Number):
            return True
        if isinstance(node, syntax.Negate):
            return visit(node.operand)
        if isinstance(node, syntax.Binary):
            return node.op != "|" and visit(node.left) and visit(node.right)
        if isinstance(node, syntax.Call):
            spec = expression.specs.get(id(node))
            if spec is None or spec.context_first or node.name in _IMPURE or node.qname in _IMPURE:
                return False
            if not node.args and spec.context_default:  # string-length() reads the context node
                refs.append(("self",))
            return all(visit(a) for a in node.args)
        if isinstance(node, syntax.Path):
            return _path_ref(node, refs, leaves, root_name)
        return False

    if not visit(expression.ast) or isinstance(expression.ast, syntax.Path):
        return None  # a bare path's value is a node-set: nothing to share
    return tuple(dict.fromkeys(refs))


def _path_ref(path: syntax.Path, refs: list, leaves: set[str], root_name: str) -> bool:
    steps = path.steps
    if any(step.predicates for step in steps):
        return False
    if path.start == "/":
        names = [step.local for step in steps if step.axis == "child" and step.kind == "name" and not step.prefix]
        if len(names) != len(steps) or len(names) < 2 or names[0] != root_name or "/".join(names[1:]) not in leaves:
            return False
        refs.append(("abs", "/".join(names[1:])))
        return True
    if path.start is not None:
        return False
    if len(steps) == 1 and steps[0].is_self_node:
        refs.append(("self",))
        return True
    first, rest = steps[0], steps[1:]
    if not (first.axis == "parent" and first.kind == "node" and rest
            and all(s.axis == "child" and s.kind == "name" and not s.prefix and s.local != "*" for s in rest)):
        return False
    refs.append(("rel", tuple(s.local for s in rest)))
    return True
