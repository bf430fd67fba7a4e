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

import sys
from pathlib import Path

from api import check_client, check_openapi
from common import FAILURES, Client
from feeds import check_feeds
from files import check_csv, check_pdfs, check_workbooks

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
