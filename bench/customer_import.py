"""Time the customer-directory import, `flask --app bridge customers import FILE`, on 100,000 rows (issue 4).

It generates a realistic ERP export (UTF-8 with BOM, `;` delimiter, CRLF line ends, accented
French/German company and place names, a few quoted fields holding `;` or `"`, customer numbers
of 6 to 8 digits, 2 % of customers without a regional manager) and a copy in which 10 % of the rows
changed (company, postal code or manager). Then, on a fresh SQLite database migrated with
`flask --app bridge db upgrade`, it times three runs of the real command, each a new process as an
operator or a scheduler would start it:

1. first import of the file (every row created),
2. the same file again (every row unchanged),
3. the changed file (10 % updated, 90 % unchanged).

Baseline in the same run, on its own fresh database: the same three files through a naive importer
(`python -m bench.customer_import naive FILE DATABASE_URL`): the same CSV parsing and row
validation (bridge.customers.read_rows / validate_row), then one ORM `session.merge()` per row and
a commit every 1,000 rows.

Target (issue 4): 100,000 rows imported in under 60 s on this machine.

Each sequence of three runs starts on its own fresh database; the product's sequence is repeated
(default 3x) and medians reported, because other jobs on a shared machine add noise.

Run from the repo root (no Keycloak needed; about 6 minutes, most of it the baseline):

    .venv/bin/python -m bench.customer_import                       # 3 product sequences, 1 baseline
    .venv/bin/python -m bench.customer_import --repeat 1 --skip-baseline

Wall-clock times include the process start (Python, app factory), as an operator sees them; peak
RSS is measured with GNU time (/usr/bin/time -f %M). Files and databases live in .devstack/bench/import/; the raw numbers go
to .devstack/bench/results/customer_import.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import stack
from bench.stack import BENCH_STATE, say
from devstack.settings import REPO_ROOT

WORK = BENCH_STATE / "import"
TARGET_SECONDS = 60.0

FR_NAMES = ["Lefèvre", "Bénard", "Girard", "Dupré", "Chevalier", "Lemaître", "Fontaine", "Rousseau", "Mercier",
            "Gauthier", "Hébert", "Mathé", "Noël", "Lacôte", "Thériault", "Bérenger", "Ménard", "Faure"]
DE_NAMES = ["Müller", "Schröder", "Weiß", "Jürgens", "Böhm", "Köhler", "Groß", "Schäfer", "Krämer", "Hoffmann",
            "König", "Lößner", "Brückner", "Vogt", "Hübner", "Zöller", "Straßer", "Günther"]
FR_PLACES = ["Hôtel de Ville", "Gare", "Marché", "Église", "Château", "Forêt", "Pont-Neuf", "Cathédrale",
             "Rivière", "Fontaine"]
DE_PLACES = ["Marktplatz", "Dom", "Rathaus", "Schloßberg", "Bahnhof", "Stadtpark", "Brücke", "Mühlbach"]
FR_CITIES = ["Besançon", "Orléans", "Nîmes", "Angoulême", "Périgueux", "Saint-Étienne", "Évry", "Béziers",
             "Châteauroux", "Rennes", "Nantes", "Quimper"]
DE_CITIES = ["München", "Köln", "Düsseldorf", "Lübeck", "Göttingen", "Würzburg", "Nürnberg", "Saarbrücken",
             "Fürth", "Osnabrück"]
SAINTS = ["Sainte-Thérèse", "Saint-Benoît", "Sainte-Hélène", "Saint-Jérôme", "Notre-Dame", "Saint-Joseph"]
COUNTRIES = [  # (country, weight, language, postal code maker, regions)
    ("FR", 55, "fr", lambda r: f"{r.randint(1000, 95999):05d}", ["west", "east", "north", "south", "Île-de-France"]),
    ("DE", 25, "de", lambda r: f"{r.randint(1067, 99998):05d}", ["nord", "süd", "ost", "west"]),
    ("AT", 5, "de", lambda r: f"{r.randint(1010, 9992)}", ["österreich"]),
    ("CH", 6, "fr", lambda r: f"{r.randint(1000, 9658)}", ["suisse romande", "deutschschweiz"]),
    ("BE", 6, "fr", lambda r: f"{r.randint(1000, 9992)}", ["belgique"]),
    ("LU", 2, "fr", lambda r: f"L-{r.randint(1009, 9999)}", ["luxembourg"]),
    ("IE", 1, "en", lambda r: f"D{r.randint(1, 24):02d} X{r.randint(100, 999)}", ["ireland"]),
]
HEADER = ["customer_number", "company", "country", "postal_code", "region", "manager_email", "manager_language"]


def _company(r: random.Random, country: str) -> str:
    if country in ("DE", "AT") or (country == "CH" and r.random() < 0.5):
        name, place, city = r.choice(DE_NAMES), r.choice(DE_PLACES), r.choice(DE_CITIES)
        return r.choice([f"{name} Apotheke", f"Apotheke am {place}", f"Sanitätshaus {name} GmbH",
                         f"Praxis Dr. {name}", f"Klinikum {city}", f"Pflegedienst {name} & Söhne",
                         f'Apotheke "Zur Sonne" {city}', f"Orthopädie-Technik {name} e.K."])
    if country == "IE":
        return r.choice([f"{r.choice(['Murphy', 'Kelly', 'Byrne'])} Pharmacy Ltd", "St Brigid's Clinic"])
    name, place, city = r.choice(FR_NAMES), r.choice(FR_PLACES), r.choice(FR_CITIES)
    return r.choice([f"Pharmacie {name}", f"Pharmacie de l'{place}" if place[0] in "ÉÈÊAEIOUHÎ" else f"Pharmacie du {place}",
                     f"Clinique {r.choice(SAINTS)}", f"Cabinet médical {name} & Associés", f"Centre de santé {city}",
                     f"Matériel médical {name} SARL", f"EHPAD Les Tilleuls — {city}", f"Pharmacie {name}; {city}"])


def generate(rows: int, seed: int = 2026) -> list[list[str]]:
    """`rows` distinct, valid customers (deterministic for a seed)."""
    r = random.Random(seed)
    numbers = r.sample(range(100_000, 99_999_999), rows)
    managers = {lang: [f"manager.{region}{i}@woundwo.example" for region in ("west", "east", "south") for i in range(1, 11)]
                for lang in ("fr", "de", "en")}
    weights = [c[1] for c in COUNTRIES]
    out = []
    for number in numbers:
        country, _, lang, postal, regions = r.choices(COUNTRIES, weights)[0]
        manager = "" if r.random() < 0.02 else r.choice(managers[lang])
        out.append([str(number), _company(r, country), country, postal(r), r.choice(regions), manager,
                    lang if manager or r.random() < 0.5 else ""])
    return out


def changed(rows: list[list[str]], fraction: float = 0.1, seed: int = 7) -> list[list[str]]:
    """A copy in which `fraction` of the rows differ in company, postal code or manager."""
    r = random.Random(seed)
    out = [list(row) for row in rows]
    for index in r.sample(range(len(out)), int(len(out) * fraction)):
        row = out[index]
        what = index % 3
        if what == 0:
            row[1] = row[1] + " (nouvelle adresse)"
        elif what == 1:
            row[3] = row[3][:-1] + str((int(row[3][-1]) + 1) % 10)
        else:
            row[5] = "manager.reassigned@woundwo.example"
            row[6] = row[6] or "fr"
    return out


def write_csv(path: Path, rows: list[list[str]]) -> None:
    """As the ERP writes it: BOM, `;`, CRLF, quotes only where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))


@dataclass
class Run:
    importer: str
    repetition: int
    step: str
    rows: int
    seconds: float
    rows_per_s: float
    peak_rss_mib: float
    output: str


def env_for(database: Path) -> dict[str, str]:
    env = stack.bench_env()
    env["BRIDGE_DATABASE_URL"] = f"sqlite:///{database}"
    return env


def timed(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float, str]:
    """Run a command, return (wall seconds, peak RSS MiB, stdout); fail loudly on a non-zero exit.

    Peak RSS comes from GNU time (`/usr/bin/time -f %M`): a child forked from this process would
    report this process's own (large) high-water mark, because Linux carries it over at exec.
    """
    rss_file = log.with_suffix(".maxrss")
    wrapper = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file)] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    with log.open("ab") as err:
        process = subprocess.run([*wrapper, *command], cwd=REPO_ROOT, env={**os.environ, **env},
                                 stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    stdout = process.stdout.decode()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited with {process.returncode}: {stdout}; see {log}")
    rss = int(rss_file.read_text().split()[-1]) / 1024 if wrapper else float("nan")
    return seconds, rss, stdout.strip()


def fresh_database(name: str) -> Path:
    database = WORK / f"{name}.sqlite"
    for leftover in WORK.glob(f"{name}.sqlite*"):
        leftover.unlink()
    timed([sys.executable, "-m", "flask", "--app", "bridge", "db", "upgrade"], env_for(database), WORK / f"{name}.log")
    return database


def count_rows(database: Path) -> int:
    import sqlite3

    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM customer").fetchone()[0]


def expect(output: str, **counts: int) -> None:
    for key, value in counts.items():
        if not re.search(rf"\b{value} {key}\b", output):
            raise SystemExit(f"expected {value} {key}: {output}")


def run_steps(importer: str, repetition: int, files: dict[str, Path], rows: int, build_command) -> list[Run]:
    database = fresh_database(importer)
    env = env_for(database)
    runs = []
    for step, path in files.items():
        seconds, rss, output = timed(build_command(path, database), env, WORK / f"{importer}.log")
        stored = count_rows(database)
        if stored != rows:
            raise SystemExit(f"{importer} {step}: {stored} customers stored, expected {rows}")
        runs.append(Run(importer, repetition, step, rows, round(seconds, 2), round(rows / seconds), round(rss), output))
        say(f"{importer:8} #{repetition} {step:24} {seconds:7.2f} s  {rows / seconds:9,.0f} rows/s  peak RSS {rss:5.0f} MiB  | {output.splitlines()[0] if output else ''}")
    return runs


def naive_import(path: Path, url: str) -> None:
    """The baseline importer: same parsing and validation, then session.merge() per row, commit per 1,000."""
    from sqlalchemy.orm import Session

    from bridge.core.settings import DEFAULTS
    from bridge.directory.customers import read_rows, validate_row
    from bridge.core.db import make_engine
    from bridge.core.models import Customer

    pattern = DEFAULTS["CUSTOMER_NUMBER_PATTERN"]
    seen, merged, rejected = set(), 0, 0
    _, rows = read_rows(path.read_bytes())
    with Session(make_engine(url)) as session:
        for _, row in rows:
            record, reason = validate_row(row, pattern)
            if reason or record["customer_number"] in seen:
                rejected += 1
                continue
            seen.add(record["customer_number"])
            session.merge(Customer(**record))
            merged += 1
            if merged % 1000 == 0:
                session.commit()
        session.commit()
    print(f"{merged} rows merged, {rejected} rejected")


def medians(runs: list[Run]) -> dict[tuple[str, str], dict]:
    grouped: dict[tuple[str, str], list[Run]] = {}
    for run in runs:
        grouped.setdefault((run.importer, run.step), []).append(run)
    return {key: {"n": len(items), "seconds": statistics.median(r.seconds for r in items),
                  "min": min(r.seconds for r in items), "max": max(r.seconds for r in items),
                  "rows": items[0].rows, "rss": max(r.peak_rss_mib for r in items), "output": items[0].output}
            for key, items in grouped.items()}


def table(runs: list[Run]) -> str:
    lines = ["| importer | run | rows | repetitions | seconds, median (min–max) | rows/s (median) | peak RSS MiB | command output |",
             "|---|---|--:|--:|--:|--:|--:|---|"]
    for (importer, step), m in medians(runs).items():
        spread = f" ({m['min']:.2f}–{m['max']:.2f})" if m["n"] > 1 else ""
        lines.append(f"| {importer} | {step} | {m['rows']:,} | {m['n']} | {m['seconds']:.2f}{spread} | "
                     f"{m['rows'] / m['seconds']:,.0f} | {m['rss']:.0f} | {m['output'].splitlines()[0] if m['output'] else ''} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["naive"]:
        naive_import(Path(argv[1]), argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="sequences of the three runs, each on a fresh database (default 3)")
    parser.add_argument("--baseline-repeat", type=int, default=1, help="the same for the naive baseline (default 1: it is slow)")
    parser.add_argument("--skip-baseline", action="store_true", help="time only the product's command")
    args = parser.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    env_info = stack.machine()
    base = generate(args.rows)
    files = {"1 first (all new)": WORK / "customers.csv", "2 again (all unchanged)": WORK / "customers.csv",
             "3 10% changed": WORK / "customers-changed.csv"}
    write_csv(files["1 first (all new)"], base)
    write_csv(files["3 10% changed"], changed(base))
    size = files["1 first (all new)"].stat().st_size
    say(f"generated {args.rows:,} rows ({size / 1e6:.1f} MB) in {WORK}")

    flask = [sys.executable, "-m", "flask", "--app", "bridge", "customers", "import"]
    changed_rows = int(args.rows * 0.1)
    runs: list[Run] = []
    for repetition in range(1, args.repeat + 1):
        sequence = run_steps("bridge", repetition, files, args.rows, lambda path, _db: [*flask, str(path)])
        expect(sequence[0].output, created=args.rows)
        expect(sequence[1].output, unchanged=args.rows)
        expect(sequence[2].output, updated=changed_rows, unchanged=args.rows - changed_rows)
        runs += sequence
    # The fixed cost of one command (interpreter, imports, app factory, an empty file), for reference.
    header_only = WORK / "header-only.csv"
    write_csv(header_only, [])
    startup_db = fresh_database("startup")
    startup = statistics.median(timed([*flask, str(header_only)], env_for(startup_db), WORK / "startup.log")[0]
                                for _ in range(3))
    say(f"start-up cost of the command (header-only file): {startup:.2f} s")
    naive = [sys.executable, "-m", "bench.customer_import", "naive"]
    for repetition in range(1, 0 if args.skip_baseline else args.baseline_repeat + 1):
        runs += run_steps("naive", repetition, files, args.rows, lambda path, db: [*naive, str(path), f"sqlite:///{db}"])
    env_info["loadavg_end"] = stack.loadavg()
    command = "python -m bench.customer_import " + " ".join(argv)
    path = stack.save_results("customer_import", {"machine": env_info, "command": command.strip(),
                                                  "file_bytes": size, "startup_seconds": startup,
                                                  "runs": [asdict(run) for run in runs]})
    print()
    print(table(runs))
    print()
    print(f"- fixed start-up cost of one command (header-only file, median of 3): {startup:.2f} s")
    summary = medians(runs)
    slowest = max(run.seconds for run in runs if run.importer == "bridge")
    print(f"- slowest of the {args.repeat * 3} product runs of {args.rows:,} rows: {slowest:.1f} s — "
          f"target < {TARGET_SECONDS:g} s: {'met' if slowest < TARGET_SECONDS else 'MISSED'}")
    for step in files:
        if ("naive", step) in summary:
            ratio = summary[("naive", step)]["seconds"] / summary[("bridge", step)]["seconds"]
            print(f"- {step}: the product's command is {ratio:.1f}x faster than the naive baseline (medians)")
    say(f"raw results: {path}")


if __name__ == "__main__":
    main()
