//! Hostile workbooks against the real binary: `serve --demo`, a region manager signed in over
//! HTTP, and the hours import given a far-cell sheet, a sheet that inflates past 1 GiB and one
//! of 1,000,000 rows. Each is refused with a Dutch message, the server goes on answering, and
//! its resident memory never grows by 200 MiB (sampled every few milliseconds meanwhile).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use common::{csrf, data_dir, get, request, rss_kib, serve, sign_in};
use import::sheet::fixtures;

/// Signs in as the demo's region manager; returns the session cookie and its CSRF token.
fn signed_in(addr: &str) -> (String, String) {
    let session = sign_in(addr);
    let page = format!("GET /regio/zuid-friesland/uitvoering/uren HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n");
    let (_, body) = request(addr, &page, b"");
    (session, csrf(&body))
}

fn upload(addr: &str, (session, token): (&str, &str), bytes: &[u8]) -> (String, String) {
    let boundary = "sterkgrens";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"uren.xlsx\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head = format!(
        "POST /regio/zuid-friesland/uitvoering/uren/import HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n"
    );
    let (head, body) = request(addr, &head, &body);
    (head, String::from_utf8_lossy(&body).into_owned())
}

#[test]
fn hostile_workbooks_are_refused_within_200_mib() {
    let files = [
        ("far cell", fixtures::far_cell(), "hoogstens 100.000 regels"),
        ("inflates past 1 GiB", fixtures::inflating(1025), "hoogstens 64 MiB aan uitgepakte gegevens"),
        ("1,000,000 rows", fixtures::rows(1_000_000), "hoogstens 100.000 regels"),
    ];
    let dir = data_dir("hostile");
    let (mut child, addr) = serve(&dir);
    let session = signed_in(&addr);
    let pid = child.id();
    for (what, bytes, message) in &files {
        let baseline = rss_kib(pid);
        let (peak, done) = (Arc::new(AtomicU64::new(baseline)), Arc::new(AtomicBool::new(false)));
        let sampler = {
            let (peak, done) = (peak.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
            })
        };
        let (head, body) = upload(&addr, (&session.0, &session.1), bytes);
        done.store(true, Ordering::Relaxed);
        sampler.join().unwrap();
        let grown_mib = peak.load(Ordering::Relaxed).saturating_sub(baseline) / 1024;
        println!("{what}: {} bytes sent, resident memory grew by {grown_mib} MiB", bytes.len());
        assert!(head.starts_with("HTTP/1.1 422"), "{what}: {head}");
        assert!(body.contains(message), "{what}: {body}");
        assert!(grown_mib < 200, "{what}: resident memory grew by {grown_mib} MiB");
        assert!(get(&addr, "/healthz").starts_with("HTTP/1.1 200"), "{what}: the server goes on");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
