//! Two `sterk serve` processes on one PostgreSQL behind nginx, with the very configuration in
//! `deploy/nginx.conf` (ports rewritten): migrations applied once when two processes migrate
//! together, a session started through one instance works on the other, a file uploaded through
//! one is served by the other, and a change made through one shows on the other's public pages
//! (page cache) within two seconds. Runs when `TEST_DATABASE_URL` names a PostgreSQL server (the
//! test command's PostgreSQL run); nginx is Debian's package.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Stopped, add_invoice, api_token, csrf, data_dir, fresh_postgres, get, request, serve_with, sign_in};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// nginx with `deploy/nginx.conf` in front of `upstreams`, on a free port; returns it and its address.
fn nginx(dir: &Path, upstreams: [&str; 2]) -> (Child, String) {
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/nginx.conf")).unwrap();
    let port = free_port();
    let site = shipped
        .replace("127.0.0.1:8081", upstreams[0])
        .replace("127.0.0.1:8082", upstreams[1])
        .replace("listen 127.0.0.1:8080;", &format!("listen 127.0.0.1:{port};"));
    assert_ne!(site, shipped, "the shipped configuration names the ports this test rewrites");
    let d = dir.display();
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{ worker_connections 256; }}\n\
         http {{\n access_log off;\n client_body_temp_path {d}; proxy_temp_path {d}; fastcgi_temp_path {d};\n \
         uwsgi_temp_path {d}; scgi_temp_path {d};\n{site}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let child = Command::new("/usr/sbin/nginx")
        .args(["-g", "daemon off;", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start nginx (Debian package)");
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(&addr).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (child, addr)
}

#[test]
fn two_instances_behind_nginx_on_one_postgresql_behave_as_one() {
    let Some(url) = fresh_postgres("instances") else {
        println!("TEST_DATABASE_URL names no PostgreSQL server: the multi-instance test runs in the PostgreSQL run");
        return;
    };
    // Two processes migrate the empty database at the same moment: each migration is applied once.
    let migrate = || {
        Command::new(env!("CARGO_BIN_EXE_sterk"))
            .args(["--data-dir"])
            .arg(data_dir("instance-migrate"))
            .arg("migrate")
            .env("STERK_DATABASE_URL", &url)
            .output()
            .expect("run sterk migrate")
    };
    let (first, second) = std::thread::scope(|s| {
        let (a, b) = (s.spawn(migrate), s.spawn(migrate));
        (a.join().unwrap(), b.join().unwrap())
    });
    for out in [first, second] {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let migrations = Command::new("psql")
        .arg(&url)
        .args(["-Atc", "SELECT COUNT(*), COUNT(DISTINCT version) FROM _sqlx_migrations"])
        .output()
        .unwrap();
    let shipped = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations")).unwrap().count();
    assert_eq!(String::from_utf8_lossy(&migrations.stdout).trim(), format!("{shipped}|{shipped}"));

    // Two instances with the demo on that database (the demo is loaded once, the second finds it).
    // Reminders due for every deadline within a year, and the metrics open to the test.
    let env = [
        ("STERK_DATABASE_URL", url.as_str()),
        ("STERK_TRUSTED_PROXIES", "127.0.0.1"),
        ("STERK_REMINDER_DAYS", "365"),
        ("STERK_METRICS_TOKEN", "meet"),
    ];
    let (dir_a, dir_b): (PathBuf, PathBuf) = (data_dir("instance-a"), data_dir("instance-b"));
    let (child_a, addr_a) = serve_with(&dir_a, &env);
    let _a = Stopped(child_a);
    let (child_b, addr_b) = serve_with(&dir_b, &env);
    let _b = Stopped(child_b);

    // Both ran the reminder job when they started; each reminder was queued once.
    for at in [&addr_a, &addr_b] {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (_, metrics) = request(at, "GET /metrics HTTP/1.1\r\nAuthorization: Bearer meet\r\n", b"");
            let metrics = String::from_utf8_lossy(&metrics);
            if metrics.contains("sterk_job_runs_total{job=\"reminders\",outcome=\"ok\"} 1") {
                break;
            }
            assert!(Instant::now() < deadline, "{at}: the reminder job did not run: {metrics}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let reminders = Command::new("psql")
        .arg(&url)
        .args([
            "-Atc",
            "SELECT COUNT(*), COUNT(DISTINCT dedup_key) FROM notifications WHERE kind = 'deadline.reminder'",
        ])
        .output()
        .unwrap();
    let reminders = String::from_utf8_lossy(&reminders.stdout).trim().to_owned();
    let (all, distinct) = reminders.split_once('|').unwrap();
    assert!(all.parse::<u32>().unwrap() > 0 && all == distinct, "each reminder once across instances: {reminders}");

    let proxy_dir = data_dir("nginx");
    std::fs::create_dir_all(&proxy_dir).unwrap();
    let (proxy, addr) = nginx(&proxy_dir, [&addr_a, &addr_b]);
    let _proxy = Stopped(proxy);

    // nginx's request id reaches the instance and comes back; the metrics are not public.
    let (head, _) = request(&addr, "GET /regios HTTP/1.1\r\n", b"");
    let id = head.lines().find_map(|l| l.strip_prefix("x-request-id: ")).expect("a request id");
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "nginx's $request_id: {id}");
    assert!(get(&addr, "/metrics").starts_with("HTTP/1.1 404"));

    // A session started through the proxy (one instance) works on each instance.
    let session = sign_in(&addr);
    for at in [&addr_a, &addr_b, &addr] {
        let (head, body) = request(at, &format!("GET /beheer HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n"), b"");
        assert!(head.starts_with("HTTP/1.1 200"), "{at}: {head}");
        assert!(String::from_utf8_lossy(&body).contains("Uitloggen"), "{at}: signed in");
    }

    // A file uploaded through the proxy (to one instance) is served by each, byte for byte.
    let pdf = b"%PDF-1.4 een factuur, opgeslagen via de ene en gelezen via de andere server";
    let document = add_invoice(&addr, &session, pdf);
    for at in [&addr_a, &addr_b] {
        let (head, body) = request(at, &format!("GET {document} HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n"), b"");
        assert!(head.starts_with("HTTP/1.1 200"), "{at}: {head}");
        assert_eq!(body, pdf, "{at}: the same bytes");
    }

    // A news item published through one instance is found by the other's search within 2 s.
    let token = api_token(&addr_a, &session);
    let item = r#"{"region": "zuid-friesland", "title": "Kwartelkoning in het technieklab",
        "body": "Leerlingen bouwen een nestkast.", "details": { "kind": "nieuws" }, "status": "gepubliceerd"}"#;
    let head =
        format!("POST /api/v1/content HTTP/1.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n");
    let (head, body) = request(&addr_a, &head, item.as_bytes());
    assert!(head.starts_with("HTTP/1.1 201"), "{head}{}", String::from_utf8_lossy(&body));
    let published = Instant::now();
    while !get(&addr_b, "/api/v1/search?q=kwartelkoning").contains("/nieuws/kwartelkoning-in-het-technieklab") {
        assert!(published.elapsed() < Duration::from_secs(2), "the other instance's search still misses it after 2 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    println!("found by the other instance's search after {} ms", published.elapsed().as_millis());

    // The sign-in limits are shared: five wrong passwords spread over both instances, and the
    // sixth attempt (the right password) is refused on either.
    let attempt = |at: &str, password: &str| {
        let (head, body) = request(at, "GET /inloggen HTTP/1.1\r\n", b"");
        let anonymous = common::set_cookie(&head, "sterk_anoniem").unwrap();
        let form = format!("csrf={}&email=school%40sterk.example&password={password}", csrf(&body));
        let head = format!(
            "POST /inloggen HTTP/1.1\r\nCookie: sterk_anoniem={anonymous}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        );
        request(at, &head, form.as_bytes()).0
    };
    for i in 0..5 {
        let head = attempt(if i % 2 == 0 { &addr_a } else { &addr_b }, "fout");
        assert!(!head.starts_with("HTTP/1.1 429") && !head.starts_with("HTTP/1.1 303"), "attempt {i}: {head}");
    }
    for at in [&addr_a, &addr_b] {
        assert!(attempt(at, "sterk-demo-2025").starts_with("HTTP/1.1 429"), "{at}: the shared limit holds");
    }

    // Both instances keep the public region page; a change through the proxy shows on both.
    for at in [&addr_a, &addr_b] {
        assert!(!get(at, "/regios/zuid-friesland").contains("Gewijzigd achter de proxy."));
    }
    let form_head = format!("GET /beheer/regios/zuid-friesland HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n");
    let (_, form) = request(&addr, &form_head, b"");
    let form = String::from_utf8_lossy(&form).into_owned();
    let version = form.split("name=\"version\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
    let body = format!("csrf={}&version={version}&description=Gewijzigd+achter+de+proxy.", csrf(form.as_bytes()));
    let post = format!(
        "POST /beheer/regios/zuid-friesland HTTP/1.1\r\nCookie: sterk_sessie={session}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\n"
    );
    let (head, _) = request(&addr, &post, body.as_bytes());
    assert!(head.starts_with("HTTP/1.1 303"), "{head}");
    let deadline = Instant::now() + Duration::from_secs(2);
    for at in [&addr_a, &addr_b] {
        while !get(at, "/regios/zuid-friesland").contains("Gewijzigd achter de proxy.") {
            assert!(Instant::now() < deadline, "{at} still shows the old page after 2 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
