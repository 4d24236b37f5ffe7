"""Checks every TwiML answer of the voice menu must pass, and a walker over all its branches."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from fastapi import FastAPI

# Twilio's voice verbs, and the nouns each may hold (https://www.twilio.com/docs/voice/twiml).
VERBS = {
    "Say",
    "Play",
    "Pause",
    "Gather",
    "Redirect",
    "Hangup",
    "Reject",
    "Dial",
    "Record",
    "Enqueue",
    "Leave",
    "Connect",
    "Refer",
    "Pay",
    "Start",
    "Stop",
}
GATHER_NOUNS = {"Say", "Play", "Pause"}
SAY_ATTRIBUTES = {"voice", "language", "loop"}
# Verbs after which Twilio never reads the rest of the document.
ENDING = {"Hangup", "Reject", "Redirect"}

Post = Callable[[str, dict[str, str]], tuple[int, str]]


def post_paths(app: FastAPI) -> set[str]:
    """The app's POST routes, from its OpenAPI schema (`app.routes` nests included routers)."""
    return {path for path, item in app.openapi()["paths"].items() if "post" in item}


def check_twiml(document: str, app: FastAPI) -> ET.Element:
    """Valid XML, only Twilio verbs, every Gather/Redirect to a real POST route, a clear end."""
    root = ET.fromstring(document)  # noqa: S314 - the bot's own answer
    assert root.tag == "Response", document
    routes = post_paths(app)
    verbs = list(root)
    assert verbs, "an empty answer leaves the caller in silence"
    for index, verb in enumerate(verbs):
        assert verb.tag in VERBS, f"not a Twilio verb: {verb.tag}"
        if verb.tag == "Say":
            assert (verb.text or "").strip(), "empty <Say>"
            assert set(verb.attrib) <= SAY_ATTRIBUTES
            assert verb.get("voice") and verb.get("language"), "every <Say> names its voice"
        if verb.tag == "Gather":
            assert {child.tag for child in verb} <= GATHER_NOUNS, document
            action = verb.get("action", "")
            assert urlsplit(action).path in routes, f"Gather action {action!r} is not a route"
            assert verb.get("method") == "POST"
        if verb.tag == "Redirect":
            target = (verb.text or "").strip()
            assert urlsplit(target).path in routes, f"Redirect {target!r} is not a route"
        if verb.tag in ENDING:
            assert index == len(verbs) - 1, "nothing can follow a verb that ends the document"
    assert verbs[-1].tag in ("Hangup", "Redirect"), "each answer ends in a hangup or a redirect"
    assert root.find(".//Record") is None, "the bot never records a caller"
    return root


def next_requests(root: ET.Element, inputs: dict[str, Iterable[str]]) -> list[tuple[str, str]]:
    """Each request Twilio could make next: each Gather action with each input, and Redirects."""
    found: list[tuple[str, str]] = []
    for verb in root:
        if verb.tag == "Gather":
            kind = "key" if verb.get("numDigits") == "1" else "number"
            found += [(verb.get("action", ""), digits) for digits in inputs[kind]]
        if verb.tag == "Redirect":
            found.append(((verb.text or "").strip(), ""))
    return found


def walk_menu(
    post: Post,
    first: dict[str, str],
    app: FastAPI,
    inputs: dict[str, Iterable[str]],
) -> dict[str, set[str]]:
    """Follow every branch from POST /twilio/voice; return the graph of step URLs it reached.

    The state of a call lives in the step URL, so the menu never loops forever exactly when this
    graph has no cycle, and every answer without a next step ends in <Hangup/>.
    """
    graph: dict[str, set[str]] = {}
    seen: set[tuple[str, str]] = set()
    todo: list[tuple[str, str]] = [("/twilio/voice", "")]
    while todo:
        url, digits = todo.pop()
        if (url, digits) in seen:
            continue
        seen.add((url, digits))
        form = dict(first)
        if url != "/twilio/voice":
            form["Digits"] = digits
        status, body = post(url, form)
        assert status == 200, (url, digits, status, body)
        root = check_twiml(body, app)
        following = next_requests(root, inputs)
        if not following:
            assert list(root)[-1].tag == "Hangup", body
        graph.setdefault(url, set()).update(target for target, _ in following)
        todo += following
    assert_acyclic(graph)
    return graph


def assert_acyclic(graph: dict[str, set[str]]) -> None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 2:
            return
        assert state.get(node) != 1, "the menu can loop: " + " -> ".join([*path, node])
        state[node] = 1
        for target in graph.get(node, ()):
            visit(target, [*path, node])
        state[node] = 2

    for node in list(graph):
        visit(node, [])
