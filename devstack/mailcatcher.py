"""Dev mail catcher: an SMTP sink that keeps mail on disk, with a tiny web UI and a Mailpit API subset.

Run ``python -m devstack.mailcatcher [--smtp-port 1025] [--http-port 8025] [--store .devstack/mail]``.
Once both servers listen it prints one line starting with ``READY_PREFIX`` followed by the SMTP and
HTTP URLs; SIGINT or SIGTERM stop it with exit code 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import email
import email.policy
import html
import json
import logging
import os
import re
import secrets
import signal
import socket
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from flask import Flask, Response, abort, jsonify, render_template_string, request
from markupsafe import Markup, escape
from werkzeug.serving import make_server

HOST = "127.0.0.1"
READY_PREFIX = "mailcatcher ready"
SNIPPET_LENGTH = 200  # Mailpit's snippet limit
DEFAULT_LIMIT = 50  # Mailpit's default page size

log = logging.getLogger("devstack.mailcatcher")

# shortuuid's alphabet (Mailpit ids are shortuuids): 22 characters carry about 128 random bits.
_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_ID_LENGTH = 22
_URL_RE = re.compile(r"https?://[^\s<>\"']+")
_TAG_RE = re.compile(r"<[^>]*>")
# Lets links in the mail's HTML open in a new tab instead of inside the sandboxed frame.
_IFRAME_BASE = '<base target="_blank">'
_NOT_FOUND = "404 page not found"


def new_id() -> str:
    """Return a random message id shaped like Mailpit's."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


def _is_id(value: object) -> bool:
    # Ids become file names, so anything else (e.g. "../x") must never reach the file system.
    return isinstance(value, str) and len(value) == _ID_LENGTH and all(c in _ID_ALPHABET for c in value)


class Store:
    """Messages on disk: ``<id>.eml`` holds the bytes as received, ``<id>.json`` the metadata."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # SMTP and HTTP threads share the folder; one lock keeps reads from seeing half a delete.
        self._lock = threading.Lock()

    def add(self, raw: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
        """Store one message with its SMTP envelope and return its new id."""
        meta = {"ID": new_id(), "CreatedNs": time.time_ns(), "Read": False,
                "MailFrom": mail_from, "RcptTos": rcpt_tos}
        with self._lock:
            (self.root / f"{meta['ID']}.eml").write_bytes(raw)
            # The sidecar is written last: a message counts as stored once its sidecar exists.
            self._write_meta(meta)
        return meta["ID"]

    def list(self) -> list[dict]:
        """Return the metadata of all messages, newest first."""
        with self._lock:
            metas = [json.loads(p.read_text("utf-8")) for p in self.root.glob("*.json")]
        return sorted(metas, key=lambda m: m["CreatedNs"], reverse=True)

    def load(self, msg_id: str) -> tuple[dict, bytes] | None:
        """Return (metadata, raw bytes) of one message, or None if unknown."""
        if not _is_id(msg_id):
            return None
        with self._lock:
            try:
                meta = json.loads((self.root / f"{msg_id}.json").read_text("utf-8"))
                return meta, (self.root / f"{msg_id}.eml").read_bytes()
            except FileNotFoundError:
                return None

    def mark_read(self, msg_id: str) -> None:
        """Flag one message as read, as Mailpit does when a message is opened."""
        with self._lock:
            path = self.root / f"{msg_id}.json"
            if path.exists():
                self._write_meta({**json.loads(path.read_text("utf-8")), "Read": True})

    def delete(self, ids: list[str] | None = None) -> int:
        """Delete the given messages, or all when ids is None; return how many went."""
        with self._lock:
            if ids is None:
                ids = [p.stem for p in self.root.glob("*.json")]
            deleted = 0
            for msg_id in filter(_is_id, ids):
                if (self.root / f"{msg_id}.json").exists():
                    (self.root / f"{msg_id}.json").unlink()
                    (self.root / f"{msg_id}.eml").unlink(missing_ok=True)
                    deleted += 1
            return deleted

    def _write_meta(self, meta: dict) -> None:
        # Write-then-rename so a crash never leaves a truncated sidecar behind.
        tmp = self.root / f"{meta['ID']}.json.tmp"
        tmp.write_text(json.dumps(meta), "utf-8")
        os.replace(tmp, self.root / f"{meta['ID']}.json")


def parse(raw: bytes) -> EmailMessage:
    """Parse raw message bytes with the modern email API (decoded headers and bodies)."""
    return email.message_from_bytes(raw, policy=email.policy.default)


def _addresses(msg: EmailMessage, header: str) -> list[dict]:
    value = msg[header]
    if value is None:
        return []
    return [{"Name": a.display_name, "Address": a.addr_spec} for a in value.addresses]


def _sender(msg: EmailMessage) -> dict:
    found = _addresses(msg, "From")
    return found[0] if found else {"Name": "", "Address": ""}


def _bcc(msg: EmailMessage, rcpt_tos: list[str]) -> list[dict]:
    # Mailpit adds envelope recipients missing from To/Cc/Bcc to Bcc, so blind copies stay visible.
    bcc = _addresses(msg, "Bcc")
    seen = {a["Address"].lower() for h in ("To", "Cc", "Bcc") for a in _addresses(msg, h)}
    return bcc + [{"Name": "", "Address": r} for r in rcpt_tos if r.lower() not in seen]


def _part_text(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    if part is None:
        return ""
    try:
        return part.get_content()
    except LookupError:  # unknown charset name: show the text rather than fail the whole message
        return part.get_payload(decode=True).decode("utf-8", "replace")


def _attachments(msg: EmailMessage) -> list[dict]:
    return [{"FileName": p.get_filename() or "", "ContentType": p.get_content_type(),
             "ContentID": (p["Content-ID"] or "").strip("<>"),
             "Size": len(p.get_payload(decode=True) or b"")}
            for p in msg.iter_attachments() if p.get_content_disposition() == "attachment"]


def _snippet(text: str, html_body: str) -> str:
    source = text or html.unescape(_TAG_RE.sub(" ", html_body))
    flat = " ".join(source.split())
    return flat if len(flat) <= SNIPPET_LENGTH else flat[:SNIPPET_LENGTH] + "..."


def _rfc3339(value: dt.datetime) -> str:
    if value.tzinfo is None:  # "-0000" dates parse as naive; RFC 5322 means UTC by it
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _created(meta: dict) -> dt.datetime:
    return dt.datetime.fromtimestamp(meta["CreatedNs"] / 1e9, dt.timezone.utc)


def _common(meta: dict, raw: bytes, msg: EmailMessage) -> dict:
    return {
        "ID": meta["ID"],
        "MessageID": (msg["Message-ID"] or "").strip().strip("<>"),
        "From": _sender(msg),
        "To": _addresses(msg, "To"),
        "Cc": _addresses(msg, "Cc"),
        "Bcc": _bcc(msg, meta["RcptTos"]),
        "ReplyTo": _addresses(msg, "Reply-To"),
        "Subject": str(msg["Subject"] or ""),
        "Tags": [],
        "Username": "",
        "Size": len(raw),
    }


def summary(meta: dict, raw: bytes) -> dict:
    """Return a message in Mailpit's MessageSummary shape (list entries)."""
    msg = parse(raw)
    return {
        **_common(meta, raw, msg),
        "Read": meta["Read"],
        "Created": _rfc3339(_created(meta)),
        "Attachments": len(_attachments(msg)),
        "Snippet": _snippet(_part_text(msg, "plain"), _part_text(msg, "html")),
    }


def detail(meta: dict, raw: bytes) -> dict:
    """Return a message in Mailpit's Message shape (single message, decoded bodies)."""
    msg = parse(raw)
    common = _common(meta, raw, msg)
    date = getattr(msg["Date"], "datetime", None) or _created(meta)
    return {
        **common,
        # Mailpit rewrites Return-Path to the envelope sender; we keep the bytes and report it here.
        "ReturnPath": meta["MailFrom"] or common["From"]["Address"],
        "Date": _rfc3339(date),
        "Text": _part_text(msg, "plain"),
        "HTML": _part_text(msg, "html"),
        "Inline": [],
        "Attachments": _attachments(msg),
    }


_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mail catcher ({{ messages|length }})</title>
<style>body{font:14px sans-serif;margin:1em}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:4px;text-align:left}.unread{font-weight:bold}</style></head>
<body><h1>Mail catcher</h1>
{% if messages %}<table><tr><th>Received (UTC)</th><th>From</th><th>To</th><th>Subject</th></tr>
{% for m in messages %}<tr{% if not m.Read %} class="unread"{% endif %}><td>{{ m.Created }}</td>
<td>{{ m.From|addr }}</td><td>{{ m.To|map("addr")|join(", ") }}</td>
<td><a href="{{ url_for('view', msg_id=m.ID) }}">{{ m.Subject or "(no subject)" }}</a></td></tr>
{% endfor %}</table>{% else %}<p>No messages.</p>{% endif %}
</body></html>"""

_VIEW = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ subject or "(no subject)" }}</title>
<style>body{font:14px sans-serif;margin:1em}th,td{text-align:left;vertical-align:top;padding:2px 8px}
pre{white-space:pre-wrap;border:1px solid #ccc;padding:8px}
iframe{width:100%;height:60vh;border:1px solid #ccc}</style></head>
<body><p><a href="{{ url_for('index') }}">All messages</a> |
<a href="{{ url_for('api_raw', msg_id=id) }}">Raw source</a></p>
<h1>{{ subject or "(no subject)" }}</h1>
<table>{% for name, value in headers %}<tr><th>{{ name }}</th><td>{{ value }}</td></tr>{% endfor %}</table>
{% if srcdoc %}<h2>HTML</h2>
{# No allow-scripts / allow-same-origin: the mail can neither run code nor reach this origin. #}
<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="{{ srcdoc }}"></iframe>{% endif %}
{% if text %}<h2>Text</h2><pre>{{ text|linkify }}</pre>{% endif %}
</body></html>"""


def _addr(address: dict) -> str:
    return f"{address['Name']} <{address['Address']}>" if address["Name"] else address["Address"]


def _linkify(text: str) -> Markup:
    # Escape first, then wrap http(s) URLs: the only markup in the result is what we add here.
    escaped = str(escape(text))
    return Markup(_URL_RE.sub(r'<a href="\g<0>" target="_blank" rel="noopener">\g<0></a>', escaped))


def _query_int(name: str, default: int) -> int:
    # Like Mailpit: malformed or negative paging values fall back to the default.
    value = request.args.get(name, type=int)
    return value if value is not None and value >= 0 else default


def _not_found() -> Response:
    return Response(_NOT_FOUND, 404, mimetype="text/plain")


def create_app(store: Store) -> Flask:
    """Build the web UI and Mailpit-compatible API over a store."""
    app = Flask(__name__)
    app.add_template_filter(_addr, "addr")
    app.add_template_filter(_linkify, "linkify")

    @app.after_request
    def _harden(response: Response) -> Response:
        # The pages never need scripts; the mail's own HTML is confined by the iframe sandbox.
        response.headers["Content-Security-Policy"] = "script-src 'none'; object-src 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def find(msg_id: str) -> tuple[dict, bytes] | None:
        if msg_id == "latest":  # Mailpit accepts "latest" wherever an id is expected
            newest = store.list()[:1]
            msg_id = newest[0]["ID"] if newest else ""
        return store.load(msg_id)

    def summaries(metas: list[dict]) -> list[dict]:
        # A message deleted since store.list() is simply left out.
        return [summary(*found) for m in metas if (found := store.load(m["ID"]))]

    @app.get("/")
    def index() -> str:
        return render_template_string(_INDEX, messages=summaries(store.list()))

    @app.get("/view/<msg_id>")
    def view(msg_id: str) -> str:
        found = store.load(msg_id)
        if found is None:
            abort(404)
        meta, raw = found
        store.mark_read(meta["ID"])
        msg = parse(raw)
        html_body = _part_text(msg, "html")
        return render_template_string(
            _VIEW, id=meta["ID"], subject=str(msg["Subject"] or ""),
            headers=[(name, str(value)) for name, value in msg.items()],
            srcdoc=_IFRAME_BASE + html_body if html_body else "",
            text=_part_text(msg, "plain"))

    @app.get("/api/v1/messages")
    def api_list() -> Response:
        metas = store.list()
        start = _query_int("start", 0)
        limit = _query_int("limit", DEFAULT_LIMIT)
        page = metas[start:start + limit] if limit else metas[start:]  # limit=0 means all
        messages = summaries(page)
        unread = sum(not m["Read"] for m in metas)
        return jsonify({"total": len(metas), "unread": unread, "count": len(messages),
                        "messages_count": len(metas), "messages_unread": unread,
                        "start": start, "tags": [], "messages": messages})

    @app.get("/api/v1/message/<msg_id>")
    def api_message(msg_id: str) -> Response:
        found = find(msg_id)
        if found is None:
            return _not_found()
        store.mark_read(found[0]["ID"])
        return jsonify(detail(*found))

    @app.get("/api/v1/message/<msg_id>/raw")
    def api_raw(msg_id: str) -> Response:
        found = find(msg_id)
        if found is None:
            return _not_found()
        return Response(found[1], content_type="text/plain; charset=utf-8")

    @app.delete("/api/v1/messages")
    def api_delete() -> Response:
        body = request.get_json(silent=True)
        ids = body.get("IDs") if isinstance(body, dict) else None
        # Mailpit deletes everything when the body is missing, malformed or lists no ids.
        deleted = store.delete(ids if isinstance(ids, list) and ids else None)
        log.info("deleted %d message(s)", deleted)
        return Response("ok", mimetype="text/plain")

    return app


class _SMTPHandler:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd hook name)
        msg_id = self.store.add(envelope.original_content, envelope.mail_from, envelope.rcpt_tos)
        log.info("stored message %s (%d bytes, %d recipient(s))",
                 msg_id, len(envelope.original_content), len(envelope.rcpt_tos))
        return "250 Message accepted for delivery"


class MailCatcher:
    """The SMTP and HTTP servers over one on-disk store, bound to 127.0.0.1."""

    def __init__(self, store_dir: str | os.PathLike[str], smtp_port: int = 1025, http_port: int = 8025) -> None:
        self.store = Store(store_dir)
        self.smtp_port = smtp_port
        self.http_port = http_port
        self._http = None
        self._smtp = None
        self._thread = None

    @property
    def smtp_url(self) -> str:
        """The SMTP address as a URL."""
        return f"smtp://{HOST}:{self.smtp_port}"

    @property
    def http_url(self) -> str:
        """The web UI and API base URL."""
        return f"http://{HOST}:{self.http_port}"

    def start(self) -> None:
        """Bind both ports and serve in background threads; raises OSError if a port is taken."""
        # Bind the HTTP socket ourselves: werkzeug calls sys.exit() when its own bind fails.
        listener = socket.create_server((HOST, self.http_port))
        try:
            self._http = make_server(HOST, self.http_port, create_app(self.store), threaded=True,
                                     fd=listener.fileno())
        finally:
            listener.close()  # werkzeug serves a duplicate of the descriptor
        # server_hostname avoids aiosmtpd's getfqdn() lookup, which can stall on odd DNS setups.
        self._smtp = Controller(_SMTPHandler(self.store), hostname=HOST, port=self.smtp_port,
                                server_hostname="mailcatcher.localhost", enable_SMTPUTF8=True)
        try:
            self._smtp.start()
        except BaseException:
            self._http.server_close()
            raise
        # A short poll interval keeps stop() (and so test teardown) quick.
        self._thread = threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="mailcatcher-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop both servers and release the ports."""
        self._smtp.stop()
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: serve until SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(prog="python -m devstack.mailcatcher", description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--store", default=".devstack/mail", help="folder holding the messages")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # aiosmtpd logs peers and commands, werkzeug every request: keep the log to our ids and counts.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())

    catcher = MailCatcher(args.store, args.smtp_port, args.http_port)
    try:
        catcher.start()
    except OSError as exc:
        parser.exit(1, f"mailcatcher: {exc}\n")
    log.info("store %s holds %d message(s)", catcher.store.root, len(catcher.store.list()))
    print(f"{READY_PREFIX} {catcher.smtp_url} {catcher.http_url}", flush=True)
    # Wait in short slices: the OS may deliver the signal to a server thread, and then only a
    # timeout gives the main thread the chance to run the Python-level handler.
    while not stopping.wait(0.2):
        pass
    catcher.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
