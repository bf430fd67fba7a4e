"""The files people download: PDFs, workbooks and CSVs."""

import csv
import io
import os
import re
import signal
import subprocess
from pathlib import Path

import pikepdf

from common import Client, fail

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
