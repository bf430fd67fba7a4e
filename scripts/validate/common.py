"""What the validators share: the list of failures and a browser-like client of the demo."""

import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

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
