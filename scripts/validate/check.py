#!/usr/bin/env python3
"""Checks what Sterk hands out with the tools its readers use, against `sterk serve --demo` at BASE:

- the OpenAPI document with openapi-spec-validator, and every GET operation called with the example
  values of its parameters, answering with a status and body its responses declare;
- a Python client generated from that document (openapi-python-client) reading the indicators;
- the Atom feeds with feedparser and the RFC 4287 RELAX NG schema (jing), each carrying what its page
  lists, and every page's feed links (`<link rel="alternate">`) leading to a feed;
- the calendars with two independent parsers (Python's icalendar, JavaScript's ical.js);
- every PDF with qpdf --check and the PDF/A-2a and PDF/UA-1 marks a validator looks for first:
  XMP identification, an sRGB output intent, a tagged structure, the title shown, fonts embedded;
- every workbook recomputed by LibreOffice to the values it carries, dates read as dates, and the
  budget in Dutch labels rather than internal codes;
- the CSV downloads as Dutch Excel reads them (byte order mark, `;`, CRLF).

Usage: check.py BASE OUTPUT_DIR [EXTRA_PDF...]. Exits 1 with every failure listed.
"""

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pikepdf
from openapi_spec_validator import OpenAPIV31SpecValidator

HERE = Path(__file__).resolve().parent
PASSWORD = "sterk-demo-2025"
FAILURES: list[str] = []


def fail(what: str) -> None:
    FAILURES.append(what)
    print(f"  FOUT: {what}")


class Client:
    """A browser-like client: cookies, and a bearer token once one is made."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token = None

    def get(self, path: str, bearer: bool = False):
        req = urllib.request.Request(self.base + path)
        if bearer and self.token and path.startswith("/api/"):
            req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with self.opener.open(req) as r:
                return r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type", ""), e.read()

    def post(self, path: str, form: dict):
        data = urllib.parse.urlencode(form).encode()
        req = urllib.request.Request(self.base + path, data=data)
        with self.opener.open(req) as r:
            return r.status, r.read()

    def sign_in(self, email: str) -> None:
        _, _, page = self.get("/inloggen")
        self.post("/inloggen", {"csrf": csrf(page), "email": email, "password": PASSWORD})

    def make_token(self) -> None:
        _, _, page = self.get("/beheer")
        _, body = self.post("/account/sleutels", {"csrf": csrf(page), "name": "validators"})
        m = re.search(rb'<code class="sterk-token">([^<]+)<', body)
        self.token = m.group(1).decode() if m else None


def csrf(page: bytes) -> str:
    m = re.search(rb'name="csrf" value="([^"]+)"', page)
    return m.group(1).decode() if m else ""


# --- OpenAPI -------------------------------------------------------------------------------------


def example(param: dict) -> str:
    schema = param.get("schema", {})
    for source in (param.get("example"), *(schema.get("examples") or [None]), *(schema.get("enum") or [None])):
        if source is not None:
            return str(source)
    return ""


def empty_schemas(node, path: str) -> set[str]:
    found = set()
    if isinstance(node, dict):
        if node == {} and path.endswith(("schema", "items")):
            found.add(path)
        for key, value in node.items():
            found |= empty_schemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found |= empty_schemas(value, f"{path}[{i}]")
    return found


def check_openapi(clients: dict[str, Client]) -> None:
    print("OpenAPI")
    status, _, body = clients["public"].get("/api/v1/openapi.json")
    spec = json.loads(body)
    errors = list(OpenAPIV31SpecValidator(spec).iter_errors())
    for e in errors:
        fail(f"openapi-spec-validator: {e.message}")
    ids = [op.get("operationId") for item in spec["paths"].values() for op in item.values() if isinstance(op, dict)]
    for op_id in {i for i in ids if ids.count(i) > 1}:
        fail(f"operationId {op_id} komt meer dan eens voor")
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for status, response in op.get("responses", {}).items():
                content = response.get("content") or {}
                if status != "204" and (not content or any("schema" not in c for c in content.values())):
                    fail(f"{method.upper()} {path} {status}: antwoord zonder schema")
    # A schema that allows anything describes nothing, except where a body is free-form on purpose.
    free_form = {"/paths//api/v1/regions/{slug}/{kind}/post/requestBody/content/application/json/schema"}
    for where in empty_schemas(spec, "") - free_form:
        fail(f"een leeg schema (alles mag) op {where}")
    components = spec.get("components", {})
    called = 0
    for path, item in spec["paths"].items():
        op = item.get("get")
        if not op:
            continue
        params = op.get("parameters", [])
        url = path
        query = {}
        for p in params:
            value = example(p)
            if p["in"] == "path":
                if not value:
                    fail(f"GET {path}: padparameter {p['name']} heeft geen voorbeeld of toegestane waarden")
                if "enum" not in p.get("schema", {}) and not p.get("schema", {}).get("examples"):
                    fail(f"GET {path}: padparameter {p['name']} noemt geen toegestane waarden of voorbeelden")
                url = url.replace("{" + p["name"] + "}", urllib.parse.quote(value, safe=""))
            elif p["in"] == "query" and p.get("required"):
                query[p["name"]] = value
        if query:
            url += "?" + urllib.parse.urlencode(query)
        who = "funder" if "beoordeling" in op.get("tags", []) else "region"
        client = clients[who] if op.get("security") else clients["public"]
        status, ctype, body = client.get(url, bearer=True)
        called += 1
        declared = op.get("responses", {})
        response = declared.get(str(status))
        if response is None:
            fail(f"GET {url}: status {status}, niet in de beschreven antwoorden {sorted(declared)}")
            continue
        if not 200 <= status < 300 and "{id}" not in path:
            fail(f"GET {url}: status {status} met de voorbeeldwaarden ({body[:200]!r})")
        media = ctype.split(";")[0].strip()
        content = response.get("content", {})
        if not content:
            fail(f"GET {path} {status}: geen inhoud met schema beschreven")
            continue
        if media not in content:
            fail(f"GET {url}: Content-Type {media}, beschreven zijn {sorted(content)}")
            continue
        schema = content[media].get("schema")
        if schema is None:
            fail(f"GET {path} {status} {media}: geen schema")
        elif "json" in media:
            try:
                jsonschema.validate(json.loads(body), {**schema, "components": components},
                                    cls=jsonschema.Draft202012Validator)
            except jsonschema.ValidationError as e:
                fail(f"GET {url}: antwoord past niet in het schema: {e.message[:300]} (bij {list(e.absolute_path)})")
    print(f"  {len(spec['paths'])} paden, {called} GET-operaties aangeroepen")


def check_client(base: str, out: Path) -> None:
    """The README's way to a client: openapi-python-client generates one from the served document
    without a warning, and the generated code reads the indicators."""
    target = out / "client"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "openapi-python-client"), "generate", "--url", f"{base}/api/v1/openapi.json",
         "--config", str(HERE / "openapi-python-client.yaml"), "--output-path", str(target), "--overwrite"],
        capture_output=True, text=True)
    if result.returncode != 0 or "WARNING" in result.stdout + result.stderr:
        fail(f"openapi-python-client: {result.stdout.strip()[-600:]} {result.stderr.strip()[-600:]}")
        return
    probe = ("from sterk_api_client import Client\nfrom sterk_api_client.api.monitoring import indicators\n"
             f"r = indicators.sync(client=Client(base_url={base!r}))\nprint(r.scope, len(r.indicators))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=target)
    if run.returncode != 0 or not run.stdout.startswith("national "):
        fail(f"de gegenereerde client leest de indicatoren niet: {run.stdout} {run.stderr[-600:]}")
    else:
        print(f"  openapi-python-client: client gemaakt; indicators.sync() geeft {run.stdout.split()[1]} indicatoren")


# --- Feeds -----------------------------------------------------------------------------------------


def feed_links(page: bytes) -> list[tuple[str, str]]:
    return [(m.group(1).decode(), m.group(2).decode())
            for m in re.finditer(rb'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)"', page)]


def check_atom(client: Client, out: Path, path: str, listed: set[str]) -> None:
    status, ctype, body = client.get(path)
    if status != 200 or not ctype.startswith("application/atom+xml"):
        fail(f"{path}: status {status}, {ctype}")
        return
    name = out / (path.strip("/").replace("/", "_") or "feed")
    name.write_bytes(body)
    parsed = feedparser.parse(body)
    if parsed.bozo:
        fail(f"{path}: feedparser: {parsed.bozo_exception}")
    result = subprocess.run(["jing", "-c", str(HERE / "atom.rnc"), str(name)], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{path}: RELAX NG (RFC 4287): {result.stdout.strip()} {result.stderr.strip()}")
    in_feed = {urllib.parse.urlparse(e.link).path for e in parsed.entries}
    if in_feed != listed:
        fail(f"{path}: de feed heeft {sorted(in_feed)}, de pagina toont {sorted(listed)}")
    print(f"  {path}: {len(parsed.entries)} berichten, geldig volgens feedparser en RFC 4287")


def check_calendar(client: Client, out: Path, path: str, titles: set[str]) -> None:
    status, ctype, body = client.get(path)
    if status != 200 or not ctype.startswith("text/calendar"):
        fail(f"{path}: status {status}, {ctype}")
        return
    name = out / path.strip("/").replace("/", "_")
    name.write_bytes(body)
    try:
        cal = icalendar.Calendar.from_ical(body)
        events = [str(e.get("SUMMARY")) for e in cal.walk("VEVENT")]
    except ValueError as e:
        fail(f"{path}: icalendar: {e}")
        return
    missing = titles - set(events)
    if missing:
        fail(f"{path}: de pagina toont {sorted(missing)}, de agenda niet")
    script = Path(__file__).resolve().parents[2] / "e2e" / "tools" / "ical-check.mjs"
    result = subprocess.run(["node", str(script), str(name)], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{path}: ical.js: {result.stdout.strip()} {result.stderr.strip()}")
    elif int(result.stdout.strip() or -1) != len(events):
        fail(f"{path}: ical.js leest {result.stdout.strip()} afspraken, icalendar {len(events)}")
    print(f"  {path}: {len(events)} afspraken, gelezen door icalendar en ical.js")


def listed_links(page: bytes, prefix: str) -> set[str]:
    return {m.decode() for m in re.findall(rb'href="(' + prefix.encode() + rb'[a-z0-9-]+)"', page)}


def check_feeds(client: Client, out: Path) -> None:
    print("Feeds")
    for page_path, atom, calendar in [("/nieuws", "/nieuws.atom", None), ("/agenda", None, "/agenda.ics"),
                                      ("/regios/zuid-friesland", "/regios/zuid-friesland/nieuws.atom",
                                       "/regios/zuid-friesland/agenda.ics")]:
        _, _, page = client.get(page_path)
        links = feed_links(page)
        for mime, href in [("application/atom+xml", atom), ("text/calendar", calendar)]:
            if href and (mime, href) not in links:
                fail(f"{page_path}: geen <link rel=\"alternate\" type=\"{mime}\" href=\"{href}\"> (wel: {links})")
        if atom:
            check_atom(client, out, atom, listed_links(page, "/nieuws/"))
        if calendar:
            titles = set()
            for slug in listed_links(page, "/agenda/"):
                _, _, item = client.get(slug)
                m = re.search(rb"<h1[^>]*>([^<]+)</h1>", item)
                if m:
                    titles.add(m.group(1).decode().strip().replace("&#39;", "'").replace("&amp;", "&"))
            check_calendar(client, out, calendar, titles)


# --- PDF -------------------------------------------------------------------------------------------


def check_pdf(name: str, data: bytes, out: Path) -> None:
    path = out / name
    path.write_bytes(data)
    if not data.startswith(b"%PDF-"):
        fail(f"{name}: geen PDF ({data[:80]!r})")
        return
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{name}: qpdf --check: {result.stdout.strip()[-300:]} {result.stderr.strip()[-300:]}")
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        marks = {k: meta.get(k) for k in ("pdfaid:part", "pdfaid:conformance", "pdfuaid:part", "dc:title")}
        if marks["pdfaid:part"] != "2" or marks["pdfaid:conformance"] not in ("A", "a"):
            fail(f"{name}: XMP zegt geen PDF/A-2a: {marks}")
        if marks["pdfuaid:part"] != "1":
            fail(f"{name}: XMP zegt geen PDF/UA-1: {marks}")
        if not marks["dc:title"]:
            fail(f"{name}: geen titel in de XMP-metadata")
        root = pdf.Root
        intents = root.get("/OutputIntents") or []
        if not any(i.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i for i in intents):
            fail(f"{name}: geen PDF/A-output intent met ICC-profiel")
        prefs = root.get("/ViewerPreferences") or {}
        if not prefs.get("/DisplayDocTitle"):
            fail(f"{name}: DisplayDocTitle staat niet aan")
        if not (root.get("/MarkInfo") or {}).get("/Marked") or "/StructTreeRoot" not in root:
            fail(f"{name}: niet getagd (MarkInfo/StructTreeRoot)")
        if not str(root.get("/Lang", "")).startswith("nl"):
            fail(f"{name}: taal is niet nl ({root.get('/Lang')})")
        if pdf.is_encrypted:
            fail(f"{name}: versleuteld")
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                fonts = [font] + list(font.get("/DescendantFonts") or [])
                embedded = any(
                    any(k in (f.get("/FontDescriptor") or {}) for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                    for f in fonts)
                if not embedded and font.get("/Subtype") != "/Type3":
                    fail(f"{name}: lettertype {font.get('/BaseFont')} niet ingesloten")
    print(f"  {name}: qpdf in orde, PDF/A-2a en PDF/UA-1 gemarkeerd, getagd, lettertypen ingesloten")


def check_pdfs(clients: dict[str, Client], out: Path, extra: list[str]) -> None:
    print("PDF")
    region = clients["region"]
    _, _, board = region.get("/regio/zuid-friesland/uitvoering/wijzigingen")
    notices = re.findall(rb'href="(/regio/zuid-friesland/uitvoering/meldingen/[^"/]+/brief\.pdf)"', board)
    requests = re.findall(rb'href="(/regio/zuid-friesland/uitvoering/wijzigingen/[0-9a-f-]+)"', board)
    letters = sorted({m.decode() for m in notices} | {m.decode() + "/brief.pdf" for m in requests})
    if not letters:
        fail("de demo heeft geen melding en geen wijzigingsverzoek met een brief om te controleren")
    downloads = [
        (region, "/regio/zuid-friesland/aanvragen/hoofdlijnen/export.pdf", "aanvraag.pdf"),
        (region, "/regio/zuid-friesland/aanvragen/hoofdlijnen/besluit.pdf", "besluit.pdf"),
        (region, "/api/v1/regions/zuid-friesland/reports/progress-2025.pdf", "voortgang-2025.pdf"),
        (region, "/api/v1/regions/zuid-friesland/reports/final.pdf", "eindverantwoording.pdf"),
    ] + [(region, href, f"wijziging-{i}.pdf") for i, href in enumerate(letters)]
    for client, path, name in downloads:
        status, ctype, body = client.get(path, bearer=True)
        if status != 200:
            fail(f"{path}: status {status} ({body[:200]!r})")
            continue
        check_pdf(name, body, out)
    for path in extra:
        check_pdf(Path(path).name, Path(path).read_bytes(), out)


# --- Workbooks ------------------------------------------------------------------------------------

LO_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""
DUTCH_DATE = re.compile(r"^\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}$|^\d{4}-\d{2}-\d{2}$")
CODE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(:\S+)?$|^[a-z]+(-[a-z]+)+$")


def recompute(paths: list[Path], out: Path) -> Path | None:
    """LibreOffice opens each workbook, recomputes every formula (the setting "always recalculate
    on load") and saves it again; returns the folder of the recomputed copies."""
    profile = out / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(LO_SETTINGS)
    target = out / "recomputed"
    target.mkdir(exist_ok=True)
    # In a process group of its own, so a LibreOffice that hangs is stopped whole (soffice.bin too).
    run = subprocess.Popen(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                            "xlsx", "--outdir", str(target), *map(str, paths)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = run.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(run.pid, signal.SIGKILL)
        run.communicate()
        fail("LibreOffice rekende niet binnen 5 minuten")
        return None
    if run.returncode != 0:
        fail(f"LibreOffice: {err.strip()[-400:]}")
        return None
    return target


def tampered(path: Path, out: Path) -> Path:
    """A copy whose first cached formula result is wrong: a recompute must put it right."""
    import zipfile
    copy = out / f"fout-{path.name}"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as dst:
        done = False
        for item in src.infolist():
            data = src.read(item)
            if not done and item.filename.startswith("xl/worksheets/sheet") and b"</f><v>" in data:
                data = re.sub(rb"</f><v>[^<]*</v>", b"</f><v>987654321</v>", data, count=1)
                done = True
            dst.writestr(item, data)
    return copy


def formula_cells(path: Path):
    import openpyxl
    formulas = openpyxl.load_workbook(path, data_only=False)
    values = openpyxl.load_workbook(path, data_only=True)
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    yield ws.title, cell.coordinate, values[ws.title][cell.coordinate].value


def check_workbooks(clients: dict[str, Client], out: Path) -> None:
    import openpyxl
    print("Werkmappen")
    region = clients["region"]
    downloads = [
        (region, "/regio/zuid-friesland/aanvragen/hoofdlijnen/export.xlsx", "begroting.xlsx", True),
        (region, "/api/v1/regions/zuid-friesland/reports/progress-2025.xlsx", "voortgang-2025.xlsx", False),
        (region, "/api/v1/regions/zuid-friesland/reports/final.xlsx", "eindverantwoording.xlsx", False),
        (clients["funder"], "/portefeuille.xlsx", "portefeuille.xlsx", False),
    ]
    files = []
    for client, path, name, labels in downloads:
        status, _, body = client.get(path, bearer=True)
        if status != 200 or not body.startswith(b"PK"):
            fail(f"{path}: status {status}, geen werkmap")
            continue
        (out / name).write_bytes(body)
        files.append((out / name, labels))
    probe = tampered(files[0][0], out)
    target = recompute([f for f, _ in files] + [probe], out)
    if target is None:
        return
    wrong = [v for _, _, v in formula_cells(target / probe.name) if v == 987654321]
    if wrong:
        fail("LibreOffice rekende niet opnieuw: een fout bewaard resultaat bleef staan")
    for path, labels in files:
        again = {(sheet, cell): value for sheet, cell, value in formula_cells(target / path.name)}
        cached = list(formula_cells(path))
        if not cached:
            fail(f"{path.name}: geen enkele formule (totalen horen formules te zijn)")
        for sheet, cell, value in cached:
            new = again.get((sheet, cell))
            if not isinstance(value, (int, float)) or not isinstance(new, (int, float)) or abs(value - new) > 1e-6:
                fail(f"{path.name} {sheet}!{cell}: bewaard {value!r}, LibreOffice rekent {new!r}")
        dates = 0
        for ws in openpyxl.load_workbook(target / path.name).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if cell.is_date and cell.value is not None:
                        dates += 1
                    if isinstance(cell.value, str) and DUTCH_DATE.match(cell.value.strip()):
                        fail(f"{path.name} {ws.title}!{cell.coordinate}: datum als tekst ({cell.value!r})")
                    if labels and isinstance(cell.value, str) and CODE.match(cell.value.strip()):
                        fail(f"{path.name} {ws.title}!{cell.coordinate}: een interne code ({cell.value!r}) waar een Nederlandse naam hoort")
        print(f"  {path.name}: {len(cached)} formules door LibreOffice herberekend tot dezelfde waarden, {dates} datums als datum")


# --- CSV -------------------------------------------------------------------------------------------


def check_csv(client: Client) -> None:
    print("CSV")
    for path in ["/monitor.csv?formaat=excel", "/regios/zuid-friesland/indicatoren.csv?formaat=excel",
                 "/portefeuille.csv", "/api/v1/open-data/decisions.csv"]:
        status, ctype, body = client.get(path)
        if status != 200:
            fail(f"{path}: status {status}")
            continue
        if not body.startswith(b"\xef\xbb\xbf"):
            fail(f"{path}: geen byte order mark: Excel leest het niet als UTF-8")
        text = body.decode("utf-8-sig")
        if "\n" in text.replace("\r\n", ""):
            fail(f"{path}: regels eindigen niet alle op CRLF")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        widths = {len(r) for r in rows}
        if len(widths) != 1 or rows and len(rows[0]) < 2:
            fail(f"{path}: met ; gesplitst geen tabel (kolommen per regel: {sorted(widths)})")
        print(f"  {path}: {len(rows) - 1} regels, {len(rows[0])} kolommen: {', '.join(rows[0])}")


def main() -> int:
    base, out, extra = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    out.mkdir(parents=True, exist_ok=True)
    clients = {"public": Client(base), "region": Client(base), "funder": Client(base)}
    clients["region"].sign_in("programmamanager@sterk.example")
    clients["region"].make_token()
    clients["funder"].sign_in("beoordelaar@sterk.example")
    clients["funder"].make_token()
    check_openapi(clients)
    check_client(base, out)
    check_feeds(clients["public"], out)
    check_pdfs(clients, out, extra)
    check_workbooks(clients, out)
    check_csv(clients["funder"])
    if FAILURES:
        print(f"\n{len(FAILURES)} fout(en):")
        for f in FAILURES:
            print(f"- {f}")
        return 1
    print("\nAlles geldig.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
