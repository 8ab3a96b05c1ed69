"""Weight and load time of the login page: our `woundwo` theme vs Keycloak's stock `keycloak.v2` (issue 3).

Against the bench Keycloak on 127.0.0.1:28080 (reused if `python -m bench.stack` keeps one up,
otherwise started from an empty database and stopped at the end; theme and template caching on,
as in production), it switches realm `woundwo`'s loginTheme through the admin REST API (bootstrap
admin admin/admin on the master realm) and loads the sign-in page of the b2b-portal client
(`/realms/woundwo/protocol/openid-connect/auth?client_id=b2b-portal&...`) in headless Debian
Chromium driven by Playwright, each load in a new browser context (empty cache, no cookies):

* bytes: every response of the page (HTML, CSS, JS, fonts, images) until the network is idle,
  as Chromium counts them: body bytes as transferred (Keycloak gzips static theme resources
  itself, not the HTML) plus response headers; also the decoded sizes, and what would travel if
  every response were gzipped (-6) by a proxy;
* time: the `load` event (navigation start to loadEventEnd), DOMContentLoaded, first contentful paint.

Themes are measured in interleaved rounds (default 3 rounds x 3 loads per theme, after one
discarded load per round), medians reported. The realm's loginTheme is put back to what it was.

Run from the repo root:

    .venv/bin/python -m bench.login_page
    .venv/bin/python -m bench.login_page --rounds 5 --loads 3

Prints Markdown tables; the raw numbers go to .devstack/bench/results/login_page.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

import requests
from playwright.sync_api import sync_playwright

from bench import stack
from bench.stack import BENCH_PORTS, KEYCLOAK_DIRECT, KEYCLOAK_URL, REALM, say

THEMES = ("woundwo", "keycloak.v2")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOGIN_URL = f"{KEYCLOAK_URL}/realms/{REALM}/protocol/openid-connect/auth?" + urlencode({
    "client_id": "b2b-portal", "redirect_uri": f"http://localhost:{BENCH_PORTS.portal}/callback",
    "response_type": "code", "scope": "openid", "state": "bench-state", "nonce": "bench-nonce",
    "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
})
TIMING_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {load_ms: nav.loadEventEnd - nav.startTime, dcl_ms: nav.domContentLoadedEventEnd - nav.startTime,
          ttfb_ms: nav.responseStart - nav.startTime, fcp_ms: fcp ? fcp.startTime : null};
}"""
KINDS = {"document": "HTML", "stylesheet": "CSS", "script": "JS", "font": "fonts", "image": "images"}


@dataclass
class Load:
    theme: str
    load_ms: float
    dcl_ms: float
    ttfb_ms: float
    fcp_ms: float | None
    requests: int
    body_bytes: int
    header_bytes: int
    gzip_body_bytes: int
    decoded_bytes: int
    by_kind: dict = field(default_factory=dict)  # kind -> [count, body bytes, gzip bytes]
    resources: list = field(default_factory=list)


def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.master_admin_token()}"}


def realm_login_theme() -> str:
    response = requests.get(f"{KEYCLOAK_DIRECT}/admin/realms/{REALM}", headers=admin_headers(), timeout=10)
    response.raise_for_status()
    return response.json().get("loginTheme") or ""


def set_login_theme(theme: str) -> None:
    response = requests.put(f"{KEYCLOAK_DIRECT}/admin/realms/{REALM}", headers=admin_headers(), timeout=10,
                            json={"loginTheme": theme})
    response.raise_for_status()
    if realm_login_theme() != theme:
        raise SystemExit(f"loginTheme did not change to {theme}")


def load_once(browser, theme: str) -> Load:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(LOGIN_URL, wait_until="load")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(TIMING_JS)
    if not page.locator("#kc-form-login #username").count():
        raise SystemExit(f"{theme}: no login form at {page.url}")
    html = page.content()
    marker = "woundwo.css" if theme == "woundwo" else "patternfly"
    if marker not in html:
        raise SystemExit(f"{theme}: the page does not look like that theme (no {marker!r})")
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    resources, body_total, header_total, gzip_total, decoded_total = [], 0, 0, 0, 0
    for request in finished:
        response = request.response()
        if response is None:
            continue
        sizes = request.sizes()
        body = response.body()
        encoded = bool(response.headers.get("content-encoding"))
        # What a compressing proxy would send: as is when Keycloak already compressed it, else gzip -6.
        gz = sizes["responseBodySize"] if encoded else (len(gzip.compress(body, 6)) if body else 0)
        kind = KINDS.get(request.resource_type, request.resource_type)
        by_kind[kind][0] += 1
        by_kind[kind][1] += sizes["responseBodySize"]
        by_kind[kind][2] += gz
        decoded_total += len(body)
        body_total += sizes["responseBodySize"]
        header_total += sizes["responseHeadersSize"]
        gzip_total += gz
        resources.append({"url": request.url.split("?")[0].replace(KEYCLOAK_URL, ""), "kind": kind,
                          "status": response.status, "body": sizes["responseBodySize"], "decoded": len(body),
                          "encoding": response.headers.get("content-encoding", ""), "gzip": gz})
    context.close()
    return Load(theme, round(timing["load_ms"], 1), round(timing["dcl_ms"], 1), round(timing["ttfb_ms"], 1),
                round(timing["fcp_ms"], 1) if timing["fcp_ms"] is not None else None,
                len(resources), body_total, header_total, gzip_total, decoded_total, dict(by_kind), resources)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def summary(loads: list[Load]) -> dict:
    by_theme = defaultdict(list)
    for load in loads:
        by_theme[load.theme].append(load)
    out = {}
    for theme, items in by_theme.items():
        kinds = sorted({kind for item in items for kind in item.by_kind})
        out[theme] = {
            "loads": len(items),
            "load_ms": median([i.load_ms for i in items]), "load_ms_min": min(i.load_ms for i in items),
            "load_ms_max": max(i.load_ms for i in items),
            "dcl_ms": median([i.dcl_ms for i in items]), "ttfb_ms": median([i.ttfb_ms for i in items]),
            "fcp_ms": median([i.fcp_ms for i in items]),
            "requests": median([i.requests for i in items]),
            "body_bytes": median([i.body_bytes for i in items]), "header_bytes": median([i.header_bytes for i in items]),
            "gzip_body_bytes": median([i.gzip_body_bytes for i in items]),
            "decoded_bytes": median([i.decoded_bytes for i in items]),
            "by_kind": {kind: [median([i.by_kind.get(kind, [0, 0, 0])[n] for i in items]) for n in range(3)]
                        for kind in kinds},
        }
    return out


def tables(result: dict) -> str:
    a, b = result["woundwo"], result["keycloak.v2"]
    kb = lambda n: f"{n / 1024:,.1f} KiB"  # noqa: E731
    lines = [
        "| | woundwo | keycloak.v2 | woundwo / keycloak.v2 |", "|---|--:|--:|--:|",
        f"| `load` event, median ms (min–max) | {a['load_ms']:.0f} ({a['load_ms_min']:.0f}–{a['load_ms_max']:.0f}) | "
        f"{b['load_ms']:.0f} ({b['load_ms_min']:.0f}–{b['load_ms_max']:.0f}) | {a['load_ms'] / b['load_ms']:.2f} |",
        f"| DOMContentLoaded, median ms | {a['dcl_ms']:.0f} | {b['dcl_ms']:.0f} | {a['dcl_ms'] / b['dcl_ms']:.2f} |",
        f"| first contentful paint, median ms | {a['fcp_ms']:.0f} | {b['fcp_ms']:.0f} | {a['fcp_ms'] / b['fcp_ms']:.2f} |",
        f"| time to first byte (HTML), median ms | {a['ttfb_ms']:.0f} | {b['ttfb_ms']:.0f} | {a['ttfb_ms'] / b['ttfb_ms']:.2f} |",
        f"| requests | {a['requests']:.0f} | {b['requests']:.0f} | |",
        f"| bytes transferred (bodies + headers) | {kb(a['body_bytes'] + a['header_bytes'])} | "
        f"{kb(b['body_bytes'] + b['header_bytes'])} | {(a['body_bytes'] + a['header_bytes']) / (b['body_bytes'] + b['header_bytes']):.3f} |",
        f"| of which bodies | {kb(a['body_bytes'])} | {kb(b['body_bytes'])} | {a['body_bytes'] / b['body_bytes']:.3f} |",
        f"| bodies decoded (uncompressed size) | {kb(a['decoded_bytes'])} | {kb(b['decoded_bytes'])} | "
        f"{a['decoded_bytes'] / b['decoded_bytes']:.3f} |",
        f"| bodies if every response were gzipped (-6) | {kb(a['gzip_body_bytes'])} | {kb(b['gzip_body_bytes'])} | "
        f"{a['gzip_body_bytes'] / b['gzip_body_bytes']:.3f} |",
        "",
        "| kind | woundwo: requests, body bytes transferred (all gzipped) | keycloak.v2: requests, body bytes transferred (all gzipped) |",
        "|---|--:|--:|",
    ]
    for kind in sorted(set(a["by_kind"]) | set(b["by_kind"])):
        cells = []
        for side in (a, b):
            count, body, gz = side["by_kind"].get(kind, [0, 0, 0])
            cells.append(f"{count:.0f}, {kb(body)} ({kb(gz)})" if count else "–")
        lines.append(f"| {kind} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per theme (default 3)")
    parser.add_argument("--loads", type=int, default=3, help="measured loads per theme and round (default 3)")
    args = parser.parse_args(argv)
    executable = shutil.which("chromium")
    if not executable:
        raise SystemExit("Debian's chromium is needed: apt-get install chromium")
    env_info = stack.machine()
    loads: list[Load] = []
    with stack.running_keycloak():
        env_info.update(stack.server_info())
        original = realm_login_theme()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
                env_info["chromium_playwright"] = browser.version
                for round_number in range(args.rounds):
                    for theme in THEMES:
                        set_login_theme(theme)
                        load_once(browser, theme)  # discarded: first render after the switch
                        for _ in range(args.loads):
                            load = load_once(browser, theme)
                            loads.append(load)
                            say(f"round {round_number + 1} {theme:12} load {load.load_ms:6.0f} ms  "
                                f"{load.requests} requests  {(load.body_bytes + load.header_bytes) / 1024:8.1f} KiB")
                browser.close()
        finally:
            set_login_theme(original or "woundwo")
    result = summary(loads)
    env_info["loadavg_end"] = stack.loadavg()
    command = "python -m bench.login_page " + " ".join(argv if argv is not None else sys.argv[1:])
    path = stack.save_results("login_page", {"machine": env_info, "command": command.strip(), "url": LOGIN_URL,
                                             "summary": result, "loads": [asdict(load) for load in loads]})
    print(json.dumps(env_info, indent=2))
    print()
    print(tables(result))
    print()
    for theme in THEMES:
        first = next(load for load in loads if load.theme == theme)
        print(f"\n{theme}, first measured load:")
        for r in first.resources:
            print(f"    {r['status']} {r['kind']:7} {r['body']:>9,} B sent {r['encoding'] or 'identity':8} "
                  f"{r['decoded']:>9,} B decoded  {r['url']}")
    say(f"raw results: {path}")


if __name__ == "__main__":
    main()
