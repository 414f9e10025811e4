"""Conformance of the XPath evaluator with ODK's own test vectors (2,150 recorded from @getodk/xpath's suite).

Acts as: nobody — the system checks itself against ODK's behaviour, the reference our users' phones follow.
Vectors come from ``$ODK_XPATH_VECTORS`` (default ``../shared/conformance/odk-xpath/vectors.jsonl`` next to the
project). Each vector is one test; groups we do not evaluate are skipped with their reason (see ``vectors.SKIPPED``)
and the pass rate is printed at the end of the run (``test_pass_rate`` and the terminal summary).
"""

from __future__ import annotations

import pytest

from parcours.questionnaires import xpath
from parcours.questionnaires.xpath.model import XFormModel

from . import vectors

VECTORS = vectors.load()
OUTCOMES: dict[str, str] = {}  # vector id → passed / failed / skipped group

pytestmark = pytest.mark.skipif(not VECTORS, reason=f"no ODK XPath vectors at {vectors.VECTORS_PATH}")

NODE_KINDS = {"nodes", "node_sequence", "nodes_unordered", "single_node", "node_count"}


def run(vector: dict):
    """Evaluate one vector as ODK's test did; returns (ok, detail)."""
    tree = vectors.document(vector["xml"])
    path_namespaces = vector.get("path_namespaces") or {}
    context = vectors.resolve(tree, vector["context"], path_namespaces)
    root = vectors.resolve(tree, vector["root"], path_namespaces) if vector["root"] else None
    namespaces = {(None if prefix == "#default" else prefix): uri
                  for prefix, uri in (vector.get("ns_lookups") or {}).items()}
    if None not in namespaces:
        # ODK resolves unprefixed names against the default namespace in scope at the context node; the recorder
        # missed cached look-ups, so fall back to that.
        namespaces[None] = vectors.default_namespace(context)
    model = XFormModel(tree.getroot(), keep_namespaces=True) if vector["xforms"] else None
    options = {"root": root, "model": model, "language": vector.get("active_language"),
               "now": vector.get("now_ms"), "tz": vector.get("tz") or "America/Phoenix"}
    kind, expected = vector["kind"], vector["expected"]
    try:
        expression = xpath.compile(vector["expression"], xforms=vector["xforms"], namespaces=namespaces)
        if kind == "boolean":
            actual = expression.evaluate_boolean(context, **options)
            return actual == expected, actual
        if kind in ("number", "number_rounded"):
            actual = expression.evaluate_number(context, **options)
            if kind == "number_rounded":
                actual = vectors.rounded(actual, vector["factor"])
            return vectors.number_matches(actual, expected), actual
        if kind.startswith("string"):
            actual = expression.evaluate_string(context, **options)
            if kind == "string_matches":
                return vectors.js_regex(expected["pattern"], expected["flags"]).search(actual) is not None, actual
            if kind == "string_lowercased":
                return actual.lower() == expected, actual
            if kind == "string_length":
                return len(actual.encode("utf-16-le")) // 2 == expected, actual
            return actual == expected, actual
        if kind in NODE_KINDS:
            nodes = expression.evaluate_nodes(context, **options)
            actual = [vectors.node_key(node) for node in nodes]
            if kind == "node_count":
                return len(actual) == expected, len(actual)
            if kind == "single_node":
                wanted = None if expected is None else vectors.node_key(
                    vectors.resolve(tree, expected, path_namespaces))
                return (actual[0] if actual else None) == wanted, actual[:1]
            wanted = [vectors.node_key(vectors.resolve(tree, path, path_namespaces)) for path in expected]
            if kind == "nodes_unordered":
                return sorted(actual) == sorted(wanted), actual
            return actual == wanted, actual
        if kind == "error":
            expression.evaluate(context, **options)
            return False, "no error"
    except xpath.XPathError as error:
        if kind != "error":
            raise
        included = (expected or {}).get("message_includes")
        return included is None or included in str(error), str(error)
    raise AssertionError(f"unknown kind {kind}")


@pytest.mark.parametrize("vector", VECTORS, ids=[vector["id"] for vector in VECTORS])
def test_vector(vector):
    group = vectors.skip_reason(vector)
    if group:
        OUTCOMES[vector["id"]] = group
        pytest.skip(vectors.SKIPPED[group])
    OUTCOMES[vector["id"]] = "failed"
    ok, actual = run(vector)
    assert ok, f"{vector['expression']!r} ({vector['kind']}): expected {vector['expected']!r}, got {actual!r}"
    OUTCOMES[vector["id"]] = "passed"


def summary() -> str:
    total = len(VECTORS)
    passed = sum(1 for outcome in OUTCOMES.values() if outcome == "passed")
    failed = sum(1 for outcome in OUTCOMES.values() if outcome == "failed")
    usable = passed + failed
    groups = {group: sum(1 for outcome in OUTCOMES.values() if outcome == group) for group in vectors.SKIPPED}
    rate = 100 * passed / usable if usable else 0.0
    lines = [f"ODK XPath conformance: {passed} passed / {usable} usable ({rate:.1f} %), {total} vectors in all"]
    lines += [f"  skipped {count:4d}: {vectors.SKIPPED[group]}" for group, count in groups.items() if count]
    return "\n".join(lines)


def test_pass_rate(capsys):
    """Reports (does not assert) the pass rate of the vectors evaluated in this run."""
    if not OUTCOMES:
        pytest.skip("no vector ran in this session")
    with capsys.disabled():
        print("\n" + summary())
