"""The OpenAPI document, the GET operations it describes, and a client generated from it."""

import json
import subprocess
import sys
import urllib.parse
from pathlib import Path

import jsonschema
from openapi_spec_validator import OpenAPIV31SpecValidator

from common import HERE, Client, fail


def example(param: dict) -> str:
    schema = param.get("schema", {})
    for source in (param.get("example"), *(schema.get("examples") or [None]), *(schema.get("enum") or [None])):
        if source is not None:
            return str(source)
    return ""


def listed_id(client: Client, spec: dict, path: str) -> str | None:
    """A real id for `{id}` in `path`, found as a client finds one: the first item of the collection
    of the same name (`/school-plans/{id}` from `/regions/{slug}/school-plans`). The example in the
    document is only a UUID's shape: ids are made when records are."""
    collection = path.split("/{id}")[0].rsplit("/", 1)[1]
    for other, item in spec["paths"].items():
        if not other.endswith("/" + collection) or "get" not in item:
            continue
        url = other
        for p in item["get"].get("parameters", []):
            if p["in"] == "path":
                url = url.replace("{" + p["name"] + "}", urllib.parse.quote(example(p), safe=""))
        status, _, body = client.get(url, bearer=True)
        try:
            items = json.loads(body) if status == 200 else []
            if items:
                return str(items[0]["id"])
        except (ValueError, TypeError, LookupError) as e:
            fail(f"GET {url}: geen lijst met ids ({e!r})")
            return None
    fail(f"GET {path}: geen lijst {collection} die een id geeft")
    return None


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
        who = "funder" if "beoordeling" in op.get("tags", []) else "region"
        client = clients[who] if op.get("security") else clients["public"]
        url = path
        query = {}
        unresolved = False
        for p in params:
            value = listed_id(client, spec, path) if p["in"] == "path" and p["name"] == "id" else example(p)
            if value is None:
                unresolved = True  # listed_id said why
                break
            if p["in"] == "path":
                if not value:
                    fail(f"GET {path}: padparameter {p['name']} heeft geen voorbeeld of toegestane waarden")
                if "enum" not in p.get("schema", {}) and not p.get("schema", {}).get("examples"):
                    fail(f"GET {path}: padparameter {p['name']} noemt geen toegestane waarden of voorbeelden")
                url = url.replace("{" + p["name"] + "}", urllib.parse.quote(value, safe=""))
            elif p["in"] == "query" and p.get("required"):
                query[p["name"]] = value
        if unresolved:
            continue
        if query:
            url += "?" + urllib.parse.urlencode(query)
        status, ctype, body = client.get(url, bearer=True)
        called += 1
        declared = op.get("responses", {})
        response = declared.get(str(status))
        if response is None:
            fail(f"GET {url}: status {status}, niet in de beschreven antwoorden {sorted(declared)}")
            continue
        if not 200 <= status < 300:
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
