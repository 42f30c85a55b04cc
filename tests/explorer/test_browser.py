"""The explorer in a real headless Chromium, against the demo under a real uvicorn.

Every wait is on a condition (Playwright's ``expect``), never a sleep.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.e2e.wsclient import origin_of, unique
from tests.explorer.conftest import ADMIN, DemoServer
from tests.test_frames import corpus_text
from typedws.api import get_api

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT / "tests" / "corpus" / "frames.json"
SCREENSHOT = REPO_ROOT / "docs" / "explorer.png"
STATIC = "/typedws/explorer"  # the page's modules are served beside it
SEP = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "  # between a path's parts on the page


# --- helpers -------------------------------------------------------------------------------


def log_in(page: Page, server: DemoServer) -> None:
    """Sign in as the staff user through the admin's login form: a browser session."""
    username, password = ADMIN
    page.goto(f"{server.http}/admin/login/?next=/typedws/explorer/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{server.http}/typedws/explorer/**")


def open_explorer(page: Page, server: DemoServer, operation: str = "") -> None:
    """Open the page (on ``#stream.action`` if given); return once its socket is open."""
    page.goto(f"{server.http}/typedws/explorer/{'#' + operation if operation else ''}")
    wait_ready(page)


def wait_ready(page: Page) -> None:
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "open")


def editor_frame(page: Page) -> Any:
    return json.loads(page.locator("#editor").input_value())


def write_frame(page: Page, frame: Any) -> None:
    page.locator("#editor").fill(json.dumps(frame, indent=2, ensure_ascii=False))


def pick(page: Page, operation: str) -> None:
    page.locator(f'button.action[data-operation="{operation}"]').click()
    stream, action = operation.split(".")
    expect(page.locator("#request-heading")).to_have_text(f"{stream} · {action}")


def entry(page: Page, kind: str, text: str) -> Locator:
    """The log entry of this kind (``request``, ``reply``, ``event``) containing ``text``."""
    return page.locator(f"#log .entry--{kind}").filter(has_text=text)


def field(page: Page, name: str) -> Locator:
    return page.locator(f'.field[data-field="{name}"]')


def entry_id(locator: Locator) -> str:
    value = locator.get_attribute("data-entry-id")
    assert value is not None
    return value


def ws_request(server: DemoServer, frame: dict[str, Any]) -> dict[str, Any]:
    """Another client: one request over its own socket, its reply's payload."""
    with connect(server.ws, origin=Origin(origin_of(server.ws)), open_timeout=10) as socket:
        socket.send(json.dumps(frame))
        reply = json.loads(socket.recv(timeout=10))
    payload: dict[str, Any] = reply["payload"]
    return payload


# --- tests ---------------------------------------------------------------------------------


def test_create_is_sent_and_its_201_reply_is_logged(page: Page, demo: DemoServer) -> None:
    log_in(page, demo)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    handshakes: list[dict[str, Any]] = []
    cdp.on("Network.webSocketWillSendHandshakeRequest", lambda event: handshakes.append(event))
    open_explorer(page, demo)
    expect(page.locator("#user")).to_have_text("Signed in as admin")
    # The socket: on the page's own host and scheme, with the browser's session cookie.
    expect(page.locator("#socket-url")).to_have_text(demo.ws)
    session = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    assert handshakes, "no WebSocket handshake seen"
    cookies = handshakes[-1]["request"]["headers"].get("Cookie", "").split("; ")
    assert f"sessionid={session}" in cookies

    pick(page, "questions.create")
    frame = editor_frame(page)
    request_id = frame["payload"]["request_id"]
    assert isinstance(request_id, str)
    assert request_id
    assert frame == {
        "stream": "questions",
        "payload": {
            "action": "create",
            "request_id": request_id,
            "data": {"question_text": "question text"},  # the document's generated example
        },
    }
    # The schema's constraints are on show.
    question_text = field(page, "data.question_text")
    expect(question_text.locator(".badge.required")).to_be_visible()
    expect(question_text.locator(".constraints")).to_have_text(
        re.compile("not blank.*≤ 200 characters")
    )
    expect(field(page, "data.pub_date")).to_contain_text("string (date-time)")

    marker = unique("explorer")
    frame["payload"]["data"]["question_text"] = marker
    write_frame(page, frame)
    page.locator("#editor").press("Control+Enter")

    reply = entry(page, "reply", marker)
    expect(reply.locator(".status")).to_have_text("201")
    expect(reply.locator(".rid")).to_have_text(json.dumps(request_id))
    request = entry(page, "request", json.dumps(request_id))
    expect(request.locator(".status")).to_have_text("201")
    expect(request.locator(".pair")).to_contain_text(f"reply #{entry_id(reply)} in")
    expect(reply.locator(".pair")).to_have_text(f"to #{entry_id(request)}")
    # Written for real: another client finds it.
    listed = ws_request(
        demo, {"stream": "questions", "payload": {"action": "list", "data": {"search": marker}}}
    )
    assert [q["question_text"] for q in listed["data"]["results"]] == [marker]
    # The editor is ready for the next request, under a new request_id.
    assert editor_frame(page)["payload"]["request_id"] not in (request_id, None)

    # A detail action is prefilled with the object last seen on its stream.
    created = json.loads(reply.locator("pre.json").text_content() or "")["payload"]["data"]
    pick(page, "questions.retrieve")
    assert editor_frame(page)["payload"]["pk"] == created["id"]
    page.locator("#send").click()
    retrieved = entry(page, "reply", "retrieve").filter(has_text=marker)
    expect(retrieved.locator(".status")).to_have_text("200")


def test_errors_are_shown_on_their_fields(page: Page, demo: DemoServer) -> None:
    open_explorer(page, demo, "questions.create")
    question_text = field(page, "data.question_text")
    frame = editor_frame(page)
    frame["payload"]["data"] = {"question_text": "x" * 201, "votes": 1}
    write_frame(page, frame)

    # The server's verdict: checking in the browser is off.
    page.locator("#check-first").uncheck()
    page.locator("#send").click()
    reply = entry(page, "reply", json.dumps(frame["payload"]["request_id"]))
    expect(reply.locator(".status")).to_have_text("400")
    expect(reply.locator(".errors")).to_contain_text(SEP.join(["payload", "data", "question_text"]))
    expect(reply.locator(".errors")).to_contain_text("max_length")
    expect(question_text).to_have_class(re.compile(r"\bhas-error\b"))
    expect(question_text.locator(".field-error")).to_have_text(re.compile("^max_length "))
    # An unknown key belongs to the object that holds it, with its full path.
    expect(field(page, "data").locator(".field-error")).to_have_text(
        re.compile("unknown_field .*" + SEP.join(["payload", "data", "votes"]))
    )
    expect(page.locator("#check-result")).to_contain_text("The server replied 400 with 2 error")

    # The same verdict in the browser, before sending: nothing leaves the page.
    requests = page.locator("#log .entry--request")
    sent = requests.count()
    page.locator("#check-first").check()
    page.locator("#send").click()
    expect(page.locator("#check-result")).to_contain_text(
        "Checked in the browser: the server would reply 400 with 2 error"
    )
    expect(question_text.locator(".field-error")).to_have_text(re.compile("^max_length "))
    expect(page.locator("#send-anyway")).to_be_visible()
    assert requests.count() == sent
    # Send anyway: the server says the same.
    page.locator("#send-anyway").click()
    expect(requests).to_have_count(sent + 1)
    expect(page.locator("#log .entry--reply .status").last).to_have_text("400")

    # A valid frame clears the errors.
    page.locator("#reset").click()
    page.locator("#check").click()
    expect(page.locator("#check-result")).to_have_text(re.compile("^Valid"))
    expect(page.locator(".field.has-error")).to_have_count(0)


def test_the_page_checks_the_corpus_as_the_server_does(page: Page, demo: DemoServer) -> None:
    """The shared corpus through the page's own modules, over the test project's contract."""
    open_explorer(page, demo)
    cases = json.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    document = get_api("tests.api.api").document().asyncapi
    verdicts = page.evaluate(
        """async ([base, document, texts]) => {
            const { readContract } = await import(`${base}/contract.js`);
            const { checkFrame } = await import(`${base}/frames.js`);
            const contract = readContract(document);
            return texts.map((text) => {
                const { ok, status, errors, echo } = checkFrame(text, contract);
                const items = errors.map(({ code, path }) => ({ code, path }));
                return { ok, status, echo, errors: items };
            });
        }""",
        [STATIC, document, [corpus_text(case) for case in cases]],
    )
    assert len(verdicts) == len(cases)
    for case, verdict in zip(cases, verdicts, strict=True):
        if case["valid"]:
            assert verdict["ok"], (case["name"], verdict)
        else:
            expected = {"status": case["status"], "errors": case["errors"], "echo": case["echo"]}
            got = {key: verdict[key] for key in expected}
            assert got == expected, case["name"]


def test_subscription_events_arrive_as_they_happen(page: Page, demo: DemoServer) -> None:
    with urlopen(f"{demo.http}/typedws/asyncapi.json", timeout=10) as response:
        operations = json.load(response)["operations"]
    if "questions.subscribe" not in operations:
        pytest.skip(
            "The demo's document has no questions.subscribe operation: subscriptions are not "
            "on this branch yet. This test runs as soon as they are."
        )
    created = ws_request(
        demo,
        {"stream": "questions", "payload": {"action": "create", "data": {"question_text": "?"}}},
    )
    pk = created["data"]["id"]
    open_explorer(page, demo, "questions.subscribe")
    write_frame(
        page,
        {
            "stream": "questions",
            "payload": {
                "action": "subscribe",
                "request_id": "s1",
                "data": {"action": "update", "pk": pk},
            },
        },
    )
    page.locator("#send").click()
    subscribe = entry(page, "request", '"s1"')
    expect(subscribe.locator(".status")).to_have_text(re.compile("^2"))

    text = unique("changed")
    ws_request(
        demo,
        {
            "stream": "questions",
            "payload": {"action": "patch", "pk": pk, "data": {"question_text": text}},
        },
    )
    event = entry(page, "event", text)
    expect(event.locator(".rid")).to_have_text('"s1"')
    expect(event.locator(".pair")).to_have_text(f"for subscribe #{entry_id(subscribe)}")
    expect(subscribe.locator(".events")).to_have_text("1 event")


def test_event_frames_are_logged_with_their_request(page: Page, demo: DemoServer) -> None:
    """Any ``type: "event"`` frame is logged and paired with the request whose ``request_id``
    it carries. Until the server sends events (see the test above), the frame is handed to the
    page's socket handler as the socket would hand it."""
    open_explorer(page, demo, "questions.list")
    frame = editor_frame(page)
    frame["payload"]["request_id"] = "s1"
    write_frame(page, frame)
    page.locator("#send").click()
    request = entry(page, "request", '"s1"')
    expect(request.locator(".status")).to_have_text("200")
    marker = unique("live")
    event = {
        "type": "event",
        "stream": "questions",
        "payload": {
            "action": "update",
            "pk": 1,
            "data": {"id": 1, "question_text": marker},
            "model": "polls.question",
            "request_id": "s1",
        },
    }
    page.evaluate("(text) => window.typedwsExplorer.receive(text)", json.dumps(event))
    logged = entry(page, "event", marker)
    expect(logged.locator(".kind")).to_have_text("event")
    expect(logged.locator(".pair")).to_have_text(f"for list #{entry_id(request)}")
    expect(request.locator(".events")).to_have_text("1 event")


def test_replies_pair_by_request_id_first_in_first_out(page: Page, demo: DemoServer) -> None:
    """The log's pairing rules, on the page's own module: "1" and 1 are different ids, two
    requests with one id are answered in order, a reply nobody asked for stays unpaired."""
    open_explorer(page, demo)
    pairs = page.evaluate(
        """async (base) => {
            const { FrameLog } = await import(`${base}/log.js`);
            const log = new FrameLog();
            const frame = (payload) => JSON.stringify({ stream: "s", payload });
            const request = (id) => log.sent(frame({ action: "a", request_id: id }));
            const reply = (id, status) => log.received(JSON.stringify({
                type: "reply",
                ...JSON.parse(frame({ action: "a", request_id: id, response_status: status })),
            }));
            const first = request("1"), number = request(1), again = request("1");
            const replies = [reply(1, 200), reply("1", 201), reply("1", 202), reply("1", 203)];
            return [first, number, again, ...replies].map((e) => [e.id, e.pairedWith, e.status]);
        }""",
        STATIC,
    )
    assert pairs == [
        [1, 5, 201],  # the first "1" gets the first reply to "1"
        [2, 4, 200],
        [3, 6, 202],
        [4, 2, 200],
        [5, 1, 201],
        [6, 3, 202],
        [7, None, 203],  # nothing left waiting with "1"
    ]


def test_log_filter_copy_and_clear(page: Page, demo: DemoServer) -> None:
    open_explorer(page, demo, "questions.list")
    page.locator("#send").click()
    pick(page, "choices.list")
    page.locator("#send").click()
    choices_reply = page.locator('#log .entry--reply[data-stream="choices"]')
    expect(choices_reply.locator(".status")).to_have_text("200")
    expect(page.locator("#log-count")).to_have_text("4 frames")

    page.locator("#log-filter").select_option("choices")
    expect(page.locator('#log .entry[data-stream="questions"]')).to_have_count(2)
    for item in page.locator('#log .entry[data-stream="questions"]').all():
        expect(item).to_be_hidden()
    expect(choices_reply).to_be_visible()
    expect(page.locator("#log-count")).to_have_text("2 frames")

    choices_reply.locator("summary").click()
    choices_reply.get_by_role("button", name="Copy frame").click()
    expect(choices_reply.get_by_role("button", name="Copied")).to_be_visible()
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["type"] == "reply"
    assert copied["stream"] == "choices"
    assert copied["payload"]["response_status"] == 200
    shown = choices_reply.locator("pre.json").inner_text()
    assert json.loads(shown) == copied

    page.locator("#log-clear").click()
    expect(page.locator("#log .entry")).to_have_count(0)
    expect(page.locator("#log-count")).to_have_text("0 frames")


def test_log_follows_new_frames_unless_scrolled_up(page: Page, demo: DemoServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    open_explorer(page, demo, "questions.list")
    replies = page.locator("#log .entry--reply")
    for count in range(1, 13):
        page.locator("#editor").press("Control+Enter")
        expect(replies).to_have_count(count)
    scroller = page.locator(".log-scroll")
    assert scroller.evaluate("(el) => el.scrollHeight > el.clientHeight")
    expect(replies.last).to_be_in_viewport()
    scroller.evaluate("(el) => { el.scrollTop = 0; }")
    page.locator("#editor").press("Control+Enter")
    expect(replies).to_have_count(13)
    expect(replies.last).not_to_be_in_viewport()
    assert page.evaluate("window.scrollY") == 0  # the page itself never jumps


def test_socket_url_follows_the_page_scheme(page: Page, demo: DemoServer) -> None:
    open_explorer(page, demo)
    urls = page.evaluate(
        """async (base) => {
            const { socketUrl } = await import(`${base}/contract.js`);
            return [
                socketUrl("/ws/", { protocol: "https:", host: "api.example.com" }),
                socketUrl("/ws/", { protocol: "http:", host: "127.0.0.1:8000" }),
                socketUrl("live/", { protocol: "https:", host: "example.com:8443" }),
            ];
        }""",
        STATIC,
    )
    assert urls == [
        "wss://api.example.com/ws/",
        "ws://127.0.0.1:8000/ws/",
        "wss://example.com:8443/live/",
    ]


def test_keyboard_only(page: Page, demo: DemoServer) -> None:
    open_explorer(page, demo)
    # Every control has a label.
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
            .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label"))
            .map((el) => el.id)"""
    )
    assert unlabelled == []
    operations = page.locator("button.action").evaluate_all(
        "(buttons) => buttons.map((b) => b.dataset.operation)"
    )
    page.locator("button.action").first.focus()
    for _ in range(operations.index("choices.list")):
        page.keyboard.press("ArrowDown")
    expect(page.locator('button.action[data-operation="choices.list"]')).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#request-heading")).to_have_text("choices · list")
    expect(page.locator("#editor")).to_be_focused()
    page.keyboard.press("Control+Enter")
    expect(page.locator('#log .entry--reply[data-stream="choices"] .status')).to_have_text("200")
    # Tab leaves the editor for the Send button, and Enter sends.
    page.locator("#editor").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#send")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator('#log .entry--reply[data-stream="choices"]')).to_have_count(2)


def test_disconnect_and_connect_again(page: Page, demo: DemoServer) -> None:
    open_explorer(page, demo, "questions.list")
    status = page.locator("#connection-status")
    page.locator("#connection-toggle").click()
    expect(status).to_have_text("Disconnected")
    expect(page.locator("#log .entry--note").last).to_contain_text("Disconnected (code 1000")
    # Sending opens the socket again.
    page.locator("#send").click()
    expect(status).to_have_text("Connected")
    expect(page.locator("#log .entry--reply .status")).to_have_text("200")
    page.locator("#connection-toggle").click()
    expect(status).to_have_text("Disconnected")
    page.locator("#connection-toggle").click()
    expect(status).to_have_text("Connected")


def test_refused_when_debug_is_off(browser: Browser, production: DemoServer) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(f"{production.http}/typedws/explorer/")
        assert response is not None
        assert response.status == 404
        expect(page.locator("#editor")).to_have_count(0)
        # The document itself stays public, as before.
        assert page.goto(f"{production.http}/typedws/asyncapi.json").status == 200  # type: ignore[union-attr]
    finally:
        context.close()


def test_fits_a_laptop_screen(page: Page, demo: DemoServer) -> None:
    """Three panes side by side without horizontal scrolling; writes ``docs/explorer.png`` when
    ``TYPEDWS_UPDATE_SCREENSHOT=1`` (``make explorer-screenshot``)."""
    log_in(page, demo)
    open_explorer(page, demo, "questions.list")
    page.locator("#send").click()
    expect(page.locator("#log .entry--reply .status").last).to_have_text("200")
    pick(page, "questions.create")
    page.locator("#send").click()
    expect(page.locator("#log .entry--reply .status").last).to_have_text("201")
    frame = editor_frame(page)
    frame["payload"]["data"]["question_text"] = ""
    write_frame(page, frame)
    page.locator("#check-first").uncheck()
    page.locator("#send").click()
    expect(page.locator("#log .entry--reply .status").last).to_have_text("400")
    page.locator("#check-first").check()

    for width, height in ((1440, 900), (1280, 720)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        boxes = [
            page.locator(selector).bounding_box()
            for selector in (".streams", ".request", ".log-panel")
        ]
        assert all(box is not None for box in boxes)
        lefts = [box["x"] for box in boxes if box]
        assert lefts == sorted(lefts)
        assert all(box["x"] + box["width"] <= width for box in boxes if box)
    page.set_viewport_size({"width": 1440, "height": 900})
    shot = page.screenshot()
    assert shot.startswith(b"\x89PNG")
    if os.environ.get("TYPEDWS_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(shot)


def test_events_show_their_seq_and_gaps_are_marked(page: Page, demo: DemoServer) -> None:
    """Each event shows its ``seq``; an event whose ``prev`` skips events, and an
    acknowledgement saying ``recovered: false``, are marked as gaps."""
    open_explorer(page, demo, "questions.subscribe")
    write_frame(
        page,
        {
            "stream": "questions",
            "payload": {"action": "subscribe", "request_id": "g1", "data": {"action": "create"}},
        },
    )
    page.locator("#send").click()
    subscribe = entry(page, "request", '"g1"')
    expect(subscribe.locator(".status")).to_have_text("201")
    texts = [unique("seq") for _ in range(2)]
    for text in texts:
        ws_request(
            demo,
            {
                "stream": "questions",
                "payload": {"action": "create", "data": {"question_text": text}},
            },
        )
    first, second = (entry(page, "event", text) for text in texts)
    expect(second.locator(".seq")).to_be_visible()
    first_seq = int(first.locator(".seq").inner_text().removeprefix("seq "))
    expect(second.locator(".seq")).to_have_text(f"seq {first_seq + 1}")
    expect(page.locator("#log .gap")).to_have_count(0)

    marker = unique("skipped")
    skipped = {
        "type": "event",
        "stream": "questions",
        "payload": {
            "action": "create",
            "pk": 0,
            "data": {"id": 0, "question_text": marker},
            "model": "polls.question",
            "request_id": "g1",
            "epoch": page.evaluate(
                "(id) => window.typedwsExplorer.log.get(Number(id)).frame.payload.epoch",
                entry_id(first),
            ),
            "seq": first_seq + 5,
            "prev": first_seq + 4,
        },
    }
    page.evaluate("(text) => window.typedwsExplorer.receive(text)", json.dumps(skipped))
    expect(entry(page, "event", marker).locator(".gap")).to_have_text(
        f"gap: missed after seq {first_seq + 1}"
    )

    write_frame(
        page,
        {
            "stream": "questions",
            "payload": {
                "action": "subscribe",
                "request_id": "g2",
                "data": {"action": "create", "since": {"epoch": "gone", "seq": 1}},
            },
        },
    )
    page.locator("#send").click()
    ack = entry(page, "reply", '"g2"')
    expect(ack.locator(".gap")).to_have_text("gap: epoch_changed")
