"""The Atom feeds and the calendars, against the pages that list what they carry."""

import re
import subprocess
import urllib.parse
from pathlib import Path

import feedparser
import icalendar

from common import HERE, Client, fail


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
