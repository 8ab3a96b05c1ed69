"""The dev mail catcher over real sockets: SMTP in, Mailpit-style API and web page out."""

from __future__ import annotations

import datetime as dt
import select
import smtplib
import socket
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests

from devstack.mailcatcher import READY_PREFIX
from devstack.ports import free_ports

START_TIMEOUT = 15.0
SENDER = ("Zoé Brühl", "zoe.bruehl@example.test")
RECIPIENT = ("Jürgen Größ", "juergen.gross@example.test")
SUBJECT = "Bienvenue chez WOUNDWO – Ihr Zugang wartet auf Prüfung"
LINK = "https://auth.example.test/realms/b2b/login-actions/action-token?key=abc&lang=fr"
TEXT = f"Bonjour Zoé,\n\nveuillez vérifier votre adresse : {LINK}\n\nMit freundlichen Grüßen\n"
HTML = f'<p>Bonjour Zoé,</p><p><a href="{LINK}">Adresse vérifier</a></p><p>Grüße</p>'


class Catcher:
    """A mail catcher subprocess on free loopback ports over one store folder."""

    def __init__(self, store: Path, log: Path) -> None:
        self.store = store
        self.log = log
        self.smtp_port, self.http_port = free_ports(2)
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "devstack.mailcatcher", "--smtp-port", str(self.smtp_port),
                 "--http-port", str(self.http_port), "--store", str(self.store)],
                stdout=subprocess.PIPE, stderr=log, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], START_TIMEOUT)
        line = self.proc.stdout.readline() if ready else ""
        if line.split() != [*READY_PREFIX.split(), f"smtp://127.0.0.1:{self.smtp_port}", self.url]:
            self.proc.kill()
            self.proc.wait()
            pytest.fail(f"mail catcher did not start as expected: {line!r}\n{self.log.read_text()}")

    def stop(self) -> int:
        self.proc.terminate()
        try:
            return self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # never leave a stuck catcher holding the ports
            raise
        finally:
            self.proc.stdout.close()

    def send(self, msg: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=10) as smtp:
            smtp.send_message(msg)

    def messages(self, **params) -> dict:
        response = requests.get(f"{self.url}/api/v1/messages", params=params, timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture
def catcher(tmp_path: Path):
    running = Catcher(tmp_path / "mail", tmp_path / "catcher.log")
    running.start()
    yield running
    if running.proc.poll() is None:
        running.stop()


def welcome_mail(subject: str = SUBJECT, cte: str = "quoted-printable", html: str = HTML) -> EmailMessage:
    """Build a Keycloak-like multipart/alternative mail with non-ASCII text."""
    msg = EmailMessage()
    msg["From"] = f"{SENDER[0]} <{SENDER[1]}>"
    msg["To"] = f"{RECIPIENT[0]} <{RECIPIENT[1]}>"
    msg["Subject"] = subject
    msg["Message-ID"] = "<welcome-1@example.test>"
    msg.set_content(TEXT, cte=cte)
    msg.add_alternative(html, subtype="html", cte=cte)
    return msg


def test_received_mail_is_listed_with_decoded_headers(catcher: Catcher) -> None:
    catcher.send(welcome_mail())

    listing = catcher.messages()

    assert (listing["total"], listing["count"], listing["unread"]) == (1, 1, 1)
    [entry] = listing["messages"]
    assert entry["From"] == {"Name": SENDER[0], "Address": SENDER[1]}
    assert entry["To"] == [{"Name": RECIPIENT[0], "Address": RECIPIENT[1]}]
    assert entry["Subject"] == SUBJECT
    assert entry["MessageID"] == "welcome-1@example.test"
    assert entry["Read"] is False
    assert entry["Snippet"].startswith("Bonjour Zoé, veuillez vérifier")
    created = dt.datetime.fromisoformat(entry["Created"])
    assert abs(dt.datetime.now(dt.timezone.utc) - created) < dt.timedelta(minutes=1)
    raw = requests.get(f"{catcher.url}/api/v1/message/{entry['ID']}/raw", timeout=10)
    assert entry["Size"] == len(raw.content)
    # The stored source is the encoded form, so the decoded fields above were really decoded.
    assert b"Content-Transfer-Encoding: quoted-printable" in raw.content
    assert "Größ".encode() not in raw.content


@pytest.mark.parametrize("cte", ["quoted-printable", "base64"])
def test_message_detail_has_decoded_text_and_html(catcher: Catcher, cte: str) -> None:
    catcher.send(welcome_mail(cte=cte))
    msg_id = catcher.messages()["messages"][0]["ID"]

    response = requests.get(f"{catcher.url}/api/v1/message/{msg_id}", timeout=10)

    assert response.status_code == 200
    message = response.json()
    assert message["ID"] == msg_id
    assert message["Subject"] == SUBJECT
    assert message["Text"].replace("\r\n", "\n") == TEXT
    assert message["HTML"].strip() == HTML
    assert message["ReturnPath"] == SENDER[1]
    assert (message["Cc"], message["Bcc"], message["Attachments"]) == ([], [], [])
    # Opening a message marks it read, as in Mailpit.
    assert catcher.messages()["unread"] == 0


def test_envelope_only_recipient_shows_as_bcc(catcher: Catcher) -> None:
    with smtplib.SMTP("127.0.0.1", catcher.smtp_port, timeout=10) as smtp:
        smtp.send_message(welcome_mail(), to_addrs=[RECIPIENT[1], "manager@example.test"])

    [entry] = catcher.messages()["messages"]

    assert entry["Bcc"] == [{"Name": "", "Address": "manager@example.test"}]


def test_unknown_message_is_404(catcher: Catcher) -> None:
    for path in ("/api/v1/message/NoSuchMessageIdAtAll22", "/api/v1/message/latest",
                 "/api/v1/message/NoSuchMessageIdAtAll22/raw", "/view/NoSuchMessageIdAtAll22"):
        assert requests.get(f"{catcher.url}{path}", timeout=10).status_code == 404


def test_list_is_newest_first_and_pages(catcher: Catcher) -> None:
    for n in range(3):
        catcher.send(welcome_mail(subject=f"mail {n}"))

    subjects = [m["Subject"] for m in catcher.messages()["messages"]]
    page = catcher.messages(start=1, limit=1)
    latest = requests.get(f"{catcher.url}/api/v1/message/latest", timeout=10).json()

    assert subjects == ["mail 2", "mail 1", "mail 0"]
    assert [m["Subject"] for m in page["messages"]] == ["mail 1"]
    assert (page["total"], page["count"], page["start"]) == (3, 1, 1)
    assert latest["Subject"] == "mail 2"


def test_messages_survive_a_restart(catcher: Catcher) -> None:
    catcher.send(welcome_mail())
    before = catcher.messages()["messages"]

    assert catcher.stop() == 0  # SIGTERM is a clean shutdown
    catcher.start()

    assert catcher.messages()["messages"] == before


def test_delete_by_ids_then_all(catcher: Catcher) -> None:
    for n in range(3):
        catcher.send(welcome_mail(subject=f"mail {n}"))
    newest, middle, oldest = (m["ID"] for m in catcher.messages()["messages"])

    some = requests.delete(f"{catcher.url}/api/v1/messages", json={"IDs": [middle]}, timeout=10)
    remaining = [m["ID"] for m in catcher.messages()["messages"]]
    everything = requests.delete(f"{catcher.url}/api/v1/messages", timeout=10)

    assert (some.status_code, some.text) == (200, "ok")
    assert remaining == [newest, oldest]
    assert (everything.status_code, everything.text) == (200, "ok")
    assert catcher.messages()["total"] == 0
    assert not list(catcher.store.glob("*.eml"))


def test_web_page_lists_mail_and_escapes_markup(catcher: Catcher) -> None:
    catcher.send(welcome_mail(subject="<script>alert('pwned')</script> Grüße",
                              html=HTML + "<script>alert('body')</script>"))
    msg_id = catcher.messages()["messages"][0]["ID"]

    index = requests.get(f"{catcher.url}/", timeout=10)
    view = requests.get(f"{catcher.url}/view/{msg_id}", timeout=10)

    assert index.status_code == 200
    assert f'href="/view/{msg_id}"' in index.text
    assert "&lt;script&gt;alert(" in index.text
    assert "Grüße" in index.text
    assert view.status_code == 200
    # The only <script in either page would be the mail's own; it must arrive escaped.
    assert "<script" not in index.text.lower() and "<script" not in view.text.lower()
    assert '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="' in view.text
    assert f'<a href="{LINK.replace("&", "&amp;")}" target="_blank" rel="noopener">' in view.text


def _outbound_address() -> str:
    """Return this machine's non-loopback IPv4 address, or skip if there is none."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it only picks a route
        address = probe.getsockname()[0]
    except OSError:
        pytest.skip("no non-loopback IPv4 route")
    finally:
        probe.close()
    if address.startswith("127."):
        pytest.skip("no non-loopback IPv4 address")
    return address


def _connects(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return False
    return True


def test_servers_listen_on_loopback_only(catcher: Catcher) -> None:
    outside = _outbound_address()

    for port in (catcher.smtp_port, catcher.http_port):
        assert _connects("127.0.0.1", port)
        assert not _connects(outside, port)


def test_taken_port_fails_fast(catcher: Catcher, tmp_path: Path) -> None:
    [smtp_port] = free_ports(1)

    proc = subprocess.run(
        [sys.executable, "-m", "devstack.mailcatcher", "--smtp-port", str(smtp_port),
         "--http-port", str(catcher.http_port), "--store", str(tmp_path / "other")],
        capture_output=True, text=True, timeout=START_TIMEOUT)

    assert proc.returncode != 0
    assert READY_PREFIX not in proc.stdout
