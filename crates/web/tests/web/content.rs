//! The knowledge base: what the public sees (published, from their date, not members-only),
//! who edits what, hostile markup, lost updates, uploads, and the feeds read back by parsers.

use axum::http::{Method, StatusCode};

use crate::common::{ADMIN, Client, MANAGER, SCHOOL, state, upload_form};

async fn signed_in(st: &web::AppState, email: &str) -> Client {
    let mut c = Client::new(st.clone());
    c.login(email).await;
    c
}

/// Posts the editor's form for a new item of `kind`; returns the response (a redirect to the
/// item's edit page when saved).
async fn write(c: &mut Client, kind: &str, scope: &str, fields: &[(&str, &str)]) -> crate::common::Response {
    c.get(&format!("/beheer/inhoud/nieuw?soort={kind}")).await;
    let mut all = vec![("scope", scope)];
    all.extend_from_slice(fields);
    c.post(&format!("/beheer/inhoud/nieuw?soort={kind}"), &all).await
}

fn edit_path(res: &crate::common::Response) -> String {
    let location = res.headers["location"].to_str().unwrap();
    location.split('?').next().unwrap().to_owned()
}

#[tokio::test]
async fn the_public_sees_published_items_from_their_date_and_members_see_members_only_documents() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let faq = visitor.get("/veelgestelde-vragen").await;
    faq.assert_contains("Voor hoeveel jaar begroot een regio in de aanvraag op hoofdlijnen?");
    faq.assert_contains("6 resultaten");
    let filtered = visitor.get("/veelgestelde-vragen?onderwerp=kosten&fase=").await;
    filtered.assert_contains("1 resultaat");
    filtered.assert_contains("Mogen we hogere uurtarieven rekenen");
    let searched = visitor.get("/veelgestelde-vragen?q=personeelslast").await;
    searched.assert_contains("1 resultaat");

    let news = visitor.get("/nieuws").await;
    news.assert_contains("Handreiking: Sterk Techniekonderwijs blijvend borgen");
    assert!(!news.body.contains("concept van het nieuwe regiobericht"), "a draft is not public");
    // Published from 8 September 2025; the test clock is 30 September 2024.
    assert!(!news.body.contains("Leerwerkplaats duurzame installatietechniek"), "not before its date");
    assert_eq!(
        visitor.get("/nieuws/leerwerkplaats-duurzame-installatietechniek-open-in-heerenveen").await.status,
        StatusCode::NOT_FOUND
    );

    let docs = visitor.get("/documenten").await;
    assert!(!docs.body.contains("Format voortgangsrapportage"), "members only");
    let mut school = signed_in(&st, SCHOOL).await;
    school.get("/documenten").await.assert_contains("Format voortgangsrapportage (voor deelnemers)");
    assert!(!school.get("/nieuws").await.body.contains("concept van het nieuwe"), "drafts stay with editors");
    let mut admin = signed_in(&st, ADMIN).await;
    admin.get("/nieuws").await.assert_contains("concept van het nieuwe regiobericht");

    let inspiration = visitor.get("/inspiratie?provincie=Friesland").await;
    inspiration.assert_contains("Techlab Heerenveen");
    assert!(!inspiration.body.contains("Meidenmiddag"));
    // The agenda holds the regulation's deadlines next to the events.
    let agenda = visitor.get("/agenda").await;
    agenda.assert_contains("Uiterste indiening: Aanvraag op hoofdlijnen");
    agenda.assert_contains("1 oktober 2024, 16:00");
    agenda.assert_contains("Landelijke STO-dag: van plan naar praktijk");
    agenda.assert_contains("Regiobijeenkomst Zuid-Friesland");
}

#[tokio::test]
async fn editors_write_their_own_scope_and_stored_markup_cannot_inject_script() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    assert_ne!(visitor.get("/beheer/inhoud").await.status, StatusCode::OK);
    let mut school = signed_in(&st, SCHOOL).await;
    assert_eq!(school.get("/beheer/inhoud").await.status, StatusCode::FORBIDDEN);
    let refused =
        write(&mut school, "nieuws", "zuid-friesland", &[("title", "Mag niet"), ("status", "gepubliceerd")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // A region manager writes for their region, not nationally and not for another region.
    let mut pm = signed_in(&st, MANAGER).await;
    let national = write(&mut pm, "nieuws", "", &[("title", "Landelijk?"), ("status", "gepubliceerd")]).await;
    assert_eq!(national.status, StatusCode::FORBIDDEN);
    let other = write(&mut pm, "nieuws", "utrecht", &[("title", "Utrecht?"), ("status", "gepubliceerd")]).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let hostile = "Kijk <script>alert('x')</script> en <img src=x onerror=alert(1)> [klik](javascript:alert(1))";
    let saved = write(
        &mut pm,
        "nieuws",
        "zuid-friesland",
        &[
            ("title", "Open dag <b>techniek</b>"),
            ("summary", "Samen \"sterk\""),
            ("body", hostile),
            ("status", "gepubliceerd"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = visitor.get("/nieuws/open-dag-b-techniek-b").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(!page.body.contains("<img src=x"));
    assert!(!page.body.contains("javascript:"));
    page.assert_contains("Open dag &#60;b&#62;techniek&#60;/b&#62;");
    // It appears on the region's page and in its feed.
    visitor.get("/regios/zuid-friesland").await.assert_contains("Open dag &#60;b&#62;techniek&#60;/b&#62;");

    // Every edit is in the audit log.
    let mut conn = st.app.db.conn().await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'content.create'")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert!(n >= 1);

    // Refused input keeps what was typed and names the field.
    let bad = write(
        &mut pm,
        "agenda",
        "zuid-friesland",
        &[("title", "Bijeenkomst"), ("body", "Mijn lange tekst"), ("starts", "morgen"), ("status", "concept")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    bad.assert_contains("Vul een datum en tijd in als 2024-06-19 15:00.");
    bad.assert_contains("Mijn lange tekst</textarea>");
}

#[tokio::test]
async fn a_second_editor_cannot_silently_overwrite_the_first() {
    let st = state().await;
    let mut a = signed_in(&st, ADMIN).await;
    let res = write(
        &mut a,
        "vraag",
        "",
        &[("title", "Eerste vraag"), ("topic", "regeling"), ("phase", "aanvraag"), ("status", "gepubliceerd")],
    )
    .await;
    let path = edit_path(&res);
    let mut b = signed_in(&st, ADMIN).await;
    b.get(&path).await;
    a.get(&path).await;
    let fields = |title: &'static str| {
        [("version", "1"), ("title", title), ("topic", "regeling"), ("phase", "aanvraag"), ("status", "gepubliceerd")]
    };
    assert_eq!(a.post(&path, &fields("Versie van A")).await.status, StatusCode::SEE_OTHER);
    let late = b.post(&path, &fields("Versie van B")).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    late.assert_contains("Iemand anders heeft dit item intussen opgeslagen");
    late.assert_contains("Versie van B");
    Client::new(st.clone()).get("/veelgestelde-vragen").await.assert_contains("Versie van A");
    // The preview shows the text rendered without saving it.
    let preview = a
        .post(
            &path,
            &[
                ("version", "2"),
                ("title", "Voorbeeldtitel"),
                ("body", "# Kop\n\n*nadruk*"),
                ("topic", "regeling"),
                ("phase", "aanvraag"),
                ("status", "gepubliceerd"),
                ("preview", "1"),
            ],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK);
    preview.assert_contains("<h4>Kop</h4>");
    preview.assert_contains("<em>nadruk</em>");
    assert!(!Client::new(st.clone()).get("/veelgestelde-vragen").await.body.contains("Voorbeeldtitel"));
}

#[tokio::test]
async fn documents_keep_their_file_versions_and_uploads_are_checked() {
    let st = state().await;
    let mut admin = signed_in(&st, ADMIN).await;
    let res = write(
        &mut admin,
        "document",
        "",
        &[("title", "Regiovisie-format"), ("category", "sto"), ("status", "gepubliceerd")],
    )
    .await;
    let path = edit_path(&res);
    for (n, text) in [(1, "eerste"), (2, "tweede")] {
        admin.get(&path).await;
        let pdf = format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes();
        let (body, ct) = upload_form("1", "../format.pdf", &pdf);
        let up = admin.send(Method::POST, &format!("{path}/bestand"), Some(&ct), body).await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "version {n}: {}", up.body);
    }
    let mut visitor = Client::new(st.clone());
    let page = visitor.get("/documenten/regiovisie-format").await;
    page.assert_contains("/documenten/regiovisie-format/versies/2");
    let first = visitor.get("/documenten/regiovisie-format/versies/1").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("eerste"));
    assert_eq!(first.headers["content-type"], "application/pdf");
    assert!(first.headers["content-disposition"].to_str().unwrap().contains("format.pdf"));
    // A script named as a PDF is refused and changes nothing.
    admin.get(&path).await;
    let (body, ct) = upload_form("1", "virus.pdf", b"<script>alert(1)</script>");
    let refused = admin.send(Method::POST, &format!("{path}/bestand"), Some(&ct), body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(visitor.get("/documenten/regiovisie-format/versies/3").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_calendar_and_news_feeds_parse_with_amsterdam_times() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let ics = visitor.get("/agenda.ics").await;
    assert_eq!(ics.headers["content-type"], "text/calendar; charset=utf-8");
    let calendar: icalendar::Calendar = ics.body.parse().expect("valid iCalendar");
    use icalendar::{Component, EventLike};
    let events: Vec<&icalendar::Event> = calendar.components.iter().filter_map(|c| c.as_event()).collect();
    let day = events
        .iter()
        .find(|e| e.get_summary() == Some("Landelijke STO-dag: van plan naar praktijk"))
        .expect("the event");
    match day.get_start() {
        Some(icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone { date_time, tzid })) => {
            assert_eq!(tzid, "Europe/Amsterdam");
            assert_eq!(date_time.to_string(), "2026-11-12 10:00:00");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(day.get_location(), Some("Jaarbeurs, Utrecht"));
    assert!(events.iter().any(|e| e.get_summary() == Some("Uiterste indiening: Aanvraag op hoofdlijnen")));
    // The national calendar carries what /agenda lists, regional events too.
    let page = visitor.get("/agenda").await;
    page.assert_contains("Regiobijeenkomst Zuid-Friesland");
    page.assert_contains(
        r#"<link rel="alternate" type="text/calendar" title="Agenda Sterk Techniekonderwijs" href="/agenda.ics">"#,
    );
    assert!(
        events.iter().any(|e| e.get_summary() == Some("Regiobijeenkomst Zuid-Friesland: uitgewerkt plan 2027-2028"))
    );
    let region: icalendar::Calendar = visitor.get("/regios/zuid-friesland/agenda.ics").await.body.parse().unwrap();
    assert!(
        region
            .components
            .iter()
            .filter_map(|c| c.as_event())
            .any(|e| e.get_summary() == Some("Regiobijeenkomst Zuid-Friesland: uitgewerkt plan 2027-2028"))
    );

    let atom = visitor.get("/nieuws.atom").await;
    let feed = atom_syndication::Feed::read_from(atom.body.as_bytes()).expect("valid Atom");
    assert!(
        feed.entries().iter().any(|e| e.title().as_str() == "Handreiking: Sterk Techniekonderwijs blijvend borgen")
    );
    assert!(!feed.entries().iter().any(|e| e.title().contains("concept")));
    // The national feed carries every item /nieuws lists, regional news too, and the page says where it is.
    let news = visitor.get("/nieuws").await;
    news.assert_contains(r#"<link rel="alternate" type="application/atom+xml" title="Nieuws Sterk Techniekonderwijs" href="/nieuws.atom">"#);
    let listed: std::collections::BTreeSet<String> = news
        .body
        .split("href=\"/nieuws/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|slug| format!("/nieuws/{slug}"))
        .collect();
    let in_feed: std::collections::BTreeSet<String> = feed
        .entries()
        .iter()
        .filter_map(|e| e.links().first())
        .filter_map(|l| l.href().split_once("/nieuws/").map(|(_, slug)| format!("/nieuws/{slug}")))
        .collect();
    assert!(!listed.is_empty(), "{listed:?}");
    assert_eq!(in_feed, listed);
    let region = visitor.get("/regios/zuid-friesland").await;
    region.assert_contains(
        r#"type="application/atom+xml" title="Nieuws: Zuid-Friesland" href="/regios/zuid-friesland/nieuws.atom""#,
    );
    region.assert_contains(
        r#"type="text/calendar" title="Agenda: Zuid-Friesland" href="/regios/zuid-friesland/agenda.ics""#,
    );
    assert_eq!(visitor.get("/regios/nergens/nieuws.atom").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_search_finds_items_regions_and_schools_ranked_and_marked() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let page = visitor.get("/zoeken?q=uurtarieven").await;
    page.assert_contains("Mogen we hogere <mark>uurtarieven</mark> rekenen");
    // Inflected words are found ("regio's" and "regio"), every word must occur, drafts are not.
    let region = visitor.get("/api/v1/search?q=Zuid-Friesland").await.json();
    assert_eq!(region[0]["url"], "/regios/zuid-friesland", "{region}");
    let school = visitor.get("/api/v1/search?q=Kei%20College").await.json();
    assert!(school.as_array().unwrap().iter().any(|h| h["label"] == "School"), "{school}");
    let draft = visitor.get("/api/v1/search?q=concept%20regiobericht").await.json();
    assert_eq!(draft, serde_json::json!([]));
    let hostile = visitor.get("/zoeken?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E").await;
    assert_eq!(hostile.status, StatusCode::OK);
    assert!(!hostile.body.contains("<script>alert"));
    // A newly published item is found at once.
    let mut admin = signed_in(&st, ADMIN).await;
    write(&mut admin, "nieuws", "", &[("title", "Waterstoflab geopend"), ("status", "gepubliceerd")]).await;
    let found = visitor.get("/api/v1/search?q=waterstoflab").await.json();
    assert_eq!(found[0]["url"], "/nieuws/waterstoflab-geopend");
}

#[tokio::test]
async fn the_content_api_reads_what_the_caller_may_see_and_writes_with_if_match() {
    let st = state().await;
    let mut visitor = Client::new(st.clone());
    let faq = visitor.get("/api/v1/content?kind=vraag").await.json();
    assert_eq!(faq.as_array().unwrap().len(), 6);
    assert_eq!(visitor.get("/api/v1/content?kind=blog").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    let one = visitor.get("/api/v1/content/vraag/wat-is-de-tijdlijn-van-de-regeling-2025-2028").await;
    assert_eq!(one.headers["etag"], "\"1\"");
    assert!(one.json()["body_html"].as_str().unwrap().contains("<li>"));

    let mut pm = signed_in(&st, MANAGER).await;
    let body = serde_json::json!({
        "region": "zuid-friesland",
        "title": "Open huis techniek",
        "details": { "kind": "agenda", "starts": "2026-10-02T14:00:00", "place": "Heerenveen" },
        "status": "gepubliceerd"
    });
    let created =
        pm.send(Method::POST, "/api/v1/content", Some("application/json"), body.to_string().into_bytes()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let national = serde_json::json!({ "title": "Landelijk", "details": { "kind": "nieuws" }, "status": "concept" });
    let refused =
        pm.send(Method::POST, "/api/v1/content", Some("application/json"), national.to_string().into_bytes()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // A write naming an old version is refused with 409.
    let mut changed = body.clone();
    changed["title"] = "Open huis techniek (nieuwe tijd)".into();
    let put = |c: &mut Client, version: &'static str| {
        let path = format!("/api/v1/content/{id}");
        let bytes = changed.to_string().into_bytes();
        let csrf = c.csrf.clone().unwrap();
        let cookie = c.cookie.clone().unwrap();
        let router = c.router.clone();
        async move {
            let req = axum::http::Request::builder()
                .method(Method::PUT)
                .uri(path)
                .header("host", "localhost")
                .header("content-type", "application/json")
                .header("if-match", version)
                .header("x-csrf-token", csrf)
                .header("cookie", format!("sterk_sessie={cookie}"))
                .body(axum::body::Body::from(bytes))
                .unwrap();
            tower::ServiceExt::oneshot(router, req).await.unwrap().status()
        }
    };
    assert_eq!(put(&mut pm, "\"1\"").await, StatusCode::OK);
    assert_eq!(put(&mut pm, "\"1\"").await, StatusCode::CONFLICT);
    let agenda = visitor.get("/api/v1/content?kind=agenda&region=zuid-friesland").await.json();
    assert!(agenda.as_array().unwrap().iter().any(|i| i["title"] == "Open huis techniek (nieuwe tijd)"));
}
