//! Running the real binary in tests: a data folder of its own, `serve --demo` on a free port,
//! and plain HTTP/1.1 over a socket.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub fn data_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sterk-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Starts `sterk serve --demo` on SQLite on a free port; returns the process and its address.
pub fn serve(dir: &PathBuf) -> (Child, String) {
    serve_with(dir, &[])
}

/// Starts `sterk serve --demo` on a free port with these settings (`STERK_DATABASE_URL`, …).
pub fn serve_with(dir: &PathBuf, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sterk"))
        .arg("--data-dir")
        .arg(dir)
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .env_remove("STERK_DATABASE_URL")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start sterk");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if let Some(rest) = line.strip_prefix("Sterk draait op http://") {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            assert!(printed.contains("beheerder@sterk.example"), "demo accounts are printed: {printed}");
            return (child, addr);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("sterk did not start: {printed}");
}

pub fn get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// One request: the response's head and body. `head` holds the request line and headers.
pub fn request(addr: &str, head: &str, body: &[u8]) -> (String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "{head}Host: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).unwrap();
    // The server may answer before the whole body is sent (a refused upload): that is fine.
    let _ = stream.write_all(body);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").map_or(response.len(), |p| p + 4);
    let (h, b) = response.split_at(split);
    (String::from_utf8_lossy(h).into_owned(), b.to_vec())
}

/// The value of the first `Set-Cookie` for `name` in a response head.
pub fn set_cookie(head: &str, name: &str) -> Option<String> {
    head.lines()
        .filter_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .filter_map(|c| c.split(';').next()?.strip_prefix(&format!("{name}=")).map(str::to_owned))
        .find(|v| !v.is_empty())
}

/// Signs in the demo's region manager through `addr` (the sign-in form, then its post); returns
/// the session cookie.
pub fn sign_in(addr: &str) -> String {
    sign_in_as(addr, "programmamanager@sterk.example")
}

/// Signs in to the demo as `email` (with the demo password); returns the session cookie's value.
pub fn sign_in_as(addr: &str, email: &str) -> String {
    let (head, body) = request(addr, "GET /inloggen HTTP/1.1\r\n", b"");
    let anonymous = set_cookie(&head, "sterk_anoniem").expect("an anonymous cookie");
    let email = email.replace('@', "%40");
    let form = format!("csrf={}&email={email}&password=sterk-demo-2025", csrf(&body));
    let head = format!(
        "POST /inloggen HTTP/1.1\r\nCookie: sterk_anoniem={anonymous}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    );
    let (head, _) = request(addr, &head, form.as_bytes());
    set_cookie(&head, "sterk_sessie").unwrap_or_else(|| panic!("signed in: {head}"))
}

/// The CSRF token a page's form carries.
pub fn csrf(body: &[u8]) -> String {
    let html = String::from_utf8_lossy(body);
    html.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_owned()
}

/// Resident memory of a process in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A fresh database on the test PostgreSQL server, or `None` when the tests run on SQLite.
pub fn fresh_postgres(test: &str) -> Option<String> {
    let base = std::env::var("TEST_DATABASE_URL").ok().filter(|u| u.starts_with("postgres"))?;
    let name = format!("sterk_t_{}_{}", test.replace('-', "_"), std::process::id());
    for sql in [format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"), format!("CREATE DATABASE {name}")] {
        let out = Command::new("psql").arg(&base).args(["-qc", &sql]).output().expect("psql");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let (server, _) = base.rsplit_once('/').expect("a database in the URL");
    Some(format!("{server}/{name}"))
}

/// A process stopped with SIGTERM when the test ends, however it ends (nginx's master then ends
/// its workers; a SIGKILL would leave them holding the port).
pub struct Stopped(pub Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let _ = self.0.wait();
    }
}

/// The values of a `<select name=…>`'s options in a page.
pub fn options(html: &str, name: &str) -> Vec<String> {
    let Some(select) = html.split(&format!("name=\"{name}\"")).nth(1).and_then(|s| s.split("</select>").next()) else {
        return Vec::new();
    };
    select.split("<option value=\"").skip(1).filter_map(|o| o.split('"').next()).map(str::to_owned).collect()
}

/// Records an invoice with a PDF through `addr` as the signed-in manager; returns the document's address.
pub fn add_invoice(addr: &str, session: &str, pdf: &[u8]) -> String {
    let list = "/regio/zuid-friesland/uitvoering/kosten";
    let (_, page) = request(addr, &format!("GET {list} HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n"), b"");
    let page = String::from_utf8_lossy(&page).into_owned();
    let organisation = options(&page, "organisation").into_iter().next().expect("an organisation");
    let fields = [
        ("csrf", csrf(page.as_bytes())),
        ("invoice_number", "F-2026-017".into()),
        ("invoice_date", "2026-09-01".into()),
        ("supplier", "Gereedschap BV".into()),
        ("description", "Gereedschap voor het technieklab".into()),
        ("category", "materials".into()),
        ("activity", "a1".into()),
        ("organisation", organisation),
        ("amount_eur", "100".into()),
        ("vat_eur", "0".into()),
    ];
    let boundary = "sterkgrens";
    let mut body = Vec::new();
    for (name, value) in &fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"factuur.pdf\"\r\n\
             Content-Type: application/pdf\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(pdf);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let head = format!(
        "POST {list}/factuur HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n"
    );
    let (head, _) = request(addr, &head, &body);
    assert!(head.starts_with("HTTP/1.1 303"), "the invoice is recorded: {head}");
    let (_, page) = request(addr, &format!("GET {list} HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n"), b"");
    let page = String::from_utf8_lossy(&page).into_owned();
    let link = page.split("href=\"").filter_map(|s| s.split('"').next()).find(|h| h.ends_with("/document"));
    link.expect("a link to the invoice's document").to_owned()
}

/// An API token for the signed-in account, made on the account page.
pub fn api_token(addr: &str, session: &str) -> String {
    let cookie = format!("Cookie: sterk_sessie={session}\r\n");
    let (_, page) = request(addr, &format!("GET /beheer HTTP/1.1\r\n{cookie}"), b"");
    let body = format!("csrf={}&name=back-up-test", csrf(&page));
    let head =
        format!("POST /account/sleutels HTTP/1.1\r\n{cookie}Content-Type: application/x-www-form-urlencoded\r\n");
    let (_, page) = request(addr, &head, body.as_bytes());
    let page = String::from_utf8_lossy(&page).into_owned();
    let token = page.split("<code class=\"sterk-token\">").nth(1).and_then(|s| s.split('<').next());
    token.expect("a new API token is shown once").to_owned()
}
