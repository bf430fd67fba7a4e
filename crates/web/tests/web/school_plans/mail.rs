//! Mail about school plans: over SMTP to the right people, the outbox without SMTP, deadline
//! reminders, two instances sharing one outbox, and a teacher's account request and invitation.

use axum::http::StatusCode;
use services::mail::Mailer;

use super::{move_to, signed_in, submitted_plan};
use crate::common::{ADMIN, Client, MANAGER, SCHOOL, state};
use crate::smtp::SmtpSink;

fn decoded(raw: &str) -> (String, String) {
    let message = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("a mail message");
    (message.subject().unwrap_or_default().to_owned(), message.body_text(0).unwrap_or_default().into_owned())
}

#[tokio::test]
async fn mail_goes_over_smtp_to_the_right_people_with_a_link() {
    let sink = SmtpSink::start().await;
    let mut st = state().await;
    st.app.mailer = std::sync::Arc::new(Mailer::smtp(&sink.url(), "Sterk <noreply@sterk.example>").unwrap());
    st.app.base_url = "https://sterk.example".into();
    let (mut school, id) = submitted_plan(&st).await;
    let mut pm = signed_in(&st, MANAGER).await;
    move_to(&mut pm, &id, "teruggestuurd", "Voeg een mijlpaal toe.").await;

    let mail = sink.received();
    assert_eq!(mail.len(), 3, "{mail:?}");
    assert_eq!(mail[0].to, ["penvoerder@sterk.example"], "the school's management first");
    assert_eq!(decoded(&mail[0].data).0, "Deelplan ter goedkeuring: Technieklab Heerenveen");
    assert_eq!(mail[1].to, ["programmamanager@sterk.example"]);
    assert_eq!(mail[1].from, "noreply@sterk.example");
    let (subject, body) = decoded(&mail[1].data);
    assert_eq!(subject, "Deelplan ingediend: Technieklab Heerenveen");
    assert!(body.contains(&format!("https://sterk.example/regio/zuid-friesland/deelplannen/{id}")), "{body}");
    assert_eq!(mail[2].to, ["school@sterk.example"]);
    let (subject, body) = decoded(&mail[2].data);
    assert_eq!(subject, "Deelplan teruggestuurd: Technieklab Heerenveen");
    assert!(body.contains("Voeg een mijlpaal toe."), "{body}");

    // The recipient sees it in the app as sent.
    let own = school.get("/meldingen").await;
    own.assert_contains("Deelplan teruggestuurd: Technieklab Heerenveen");
    own.assert_contains("verzonden");
}

#[tokio::test]
async fn without_smtp_mail_waits_in_the_outbox_for_administrators() {
    let st = state().await;
    let (mut school, _) = submitted_plan(&st).await;
    let mut admin = signed_in(&st, ADMIN).await;
    let outbox = admin.get("/beheer/uitbak").await;
    assert_eq!(outbox.status, StatusCode::OK);
    outbox.assert_contains("Deelplan ingediend: Technieklab Heerenveen");
    outbox.assert_contains("aan programmamanager@sterk.example");
    outbox.assert_contains("in de uitbak");
    let mut pm = signed_in(&st, MANAGER).await;
    assert_eq!(pm.get("/beheer/uitbak").await.status, StatusCode::FORBIDDEN);
    pm.get("/meldingen").await.assert_contains("Deelplan ingediend: Technieklab Heerenveen");
    // Not someone else's: the school contact did not get this one.
    assert!(!school.get("/meldingen").await.body.contains("Deelplan ingediend: Technieklab"));
}

#[tokio::test]
async fn reminders_go_out_once_per_lead_time_before_a_deadline() {
    let sink = SmtpSink::start().await;
    let mut st = state().await;
    st.app.mailer = std::sync::Arc::new(Mailer::smtp(&sink.url(), "Sterk <noreply@sterk.example>").unwrap());
    // Six days before the main-lines deadline of 1 October 2024 16:00.
    st.app.clock = Some("2024-09-25T12:00:00+02:00".parse().unwrap());
    let days = [14, 3];
    // The managers and lead applicants of Zuid-Friesland and of the demo's three other regions.
    assert_eq!(services::reminders::send_due(&st.app, &days).await.unwrap(), 8, "managers and lead applicants");
    assert_eq!(services::reminders::send_due(&st.app, &days).await.unwrap(), 0, "not twice");
    let mut to: Vec<String> = sink.received().iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "penvoerder-almere@sterk.example",
            "penvoerder-utrecht@sterk.example",
            "penvoerder-zuidoost-brabant@sterk.example",
            "penvoerder@sterk.example",
            "programmamanager-almere@sterk.example",
            "programmamanager-utrecht@sterk.example",
            "programmamanager-zuidoost-brabant@sterk.example",
            "programmamanager@sterk.example"
        ]
    );
    let to_manager = sink.received().into_iter().find(|m| m.to == ["programmamanager@sterk.example"]).unwrap();
    let (subject, body) = decoded(&to_manager.data);
    assert_eq!(subject, "Herinnering: Aanvraag op hoofdlijnen sluit 1 oktober 2024 om 16:00");
    assert!(body.contains("/regio/zuid-friesland/aanvragen/hoofdlijnen"), "{body}");
    // Closer to the deadline the next lead time starts: one more each.
    st.app.clock = Some("2024-09-29T12:00:00+02:00".parse().unwrap());
    assert_eq!(services::reminders::send_due(&st.app, &days).await.unwrap(), 8);
    // After the deadline nothing more for that phase.
    st.app.clock = Some("2024-10-02T12:00:00+02:00".parse().unwrap());
    assert_eq!(services::reminders::send_due(&st.app, &days).await.unwrap(), 0);
}

#[tokio::test]
async fn two_instances_sending_the_outbox_send_each_message_once() {
    let sink = SmtpSink::start().await;
    let mut st = state().await;
    st.app.mailer = std::sync::Arc::new(Mailer::smtp(&sink.url(), "Sterk <noreply@sterk.example>").unwrap());
    let mut tx = st.app.db.begin().await.unwrap();
    for n in 0..6 {
        let mail = services::mail::Mail {
            user_id: None,
            to: "iemand@sterk.example",
            kind: "test",
            subject: format!("Bericht {n}"),
            body: "Tekst.".into(),
            path: "/".into(),
            dedup_key: None,
        };
        services::mail::queue(&st.app, &mut tx, &mail).await.unwrap();
    }
    tx.commit().await.unwrap();
    // Two instances on one database: both read the same outbox at the same moment.
    let (a, b) = (st.app.clone(), st.app.clone());
    let (sent_a, sent_b) = tokio::join!(services::mail::deliver(&a), services::mail::deliver(&b));
    assert_eq!(sent_a.unwrap() + sent_b.unwrap(), 6);
    let mut subjects: Vec<String> = sink.received().iter().map(|m| decoded(&m.data).0).collect();
    subjects.sort();
    assert_eq!(subjects, (0..6).map(|n| format!("Bericht {n}")).collect::<Vec<_>>(), "each once");
    // The claim itself: the first instance to ask gets a message, the second does not.
    let mut conn = st.app.db.conn().await.unwrap();
    let id: String =
        store::sqlx::query_scalar("SELECT id FROM notifications LIMIT 1").fetch_one(&mut *conn).await.unwrap();
    store::sqlx::query("UPDATE notifications SET status = 'pending'").execute(&mut *conn).await.unwrap();
    assert!(store::notifications::claim(&mut conn, &id).await.unwrap());
    assert!(!store::notifications::claim(&mut conn, &id).await.unwrap());
}

#[tokio::test]
async fn a_teacher_asks_for_an_account_and_the_manager_invites_them() {
    let st = state().await;
    let mut teacher = Client::new(st.clone());
    let form = teacher.get("/regios/zuid-friesland/account-aanvragen").await;
    assert_eq!(form.status, StatusCode::OK);
    let org = form.body.split("<option value=\"").nth(2).unwrap().split('"').next().unwrap().to_owned();
    let refused = teacher
        .post(
            "/regios/zuid-friesland/account-aanvragen",
            &[("name", "Jan"), ("email", "geen-adres"), ("organisation", &org)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let res = teacher
        .post(
            "/regios/zuid-friesland/account-aanvragen",
            &[("name", "Jan Docent"), ("email", "jan@school.example"), ("organisation", &org)],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    res.assert_contains("Uw aanvraag is verstuurd");

    let mut pm = Client::new(st.clone());
    pm.login(MANAGER).await;
    let list = pm.get("/regio/zuid-friesland/deelplannen/accounts").await;
    list.assert_contains("Jan Docent");
    let jan = list.body.find("Jan Docent").unwrap();
    let request_id =
        list.body[jan..].split("/deelplannen/accounts/").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let mut school = Client::new(st.clone());
    school.login(SCHOOL).await;
    assert_eq!(school.get("/regio/zuid-friesland/deelplannen/accounts").await.status, StatusCode::FORBIDDEN);
    let res =
        pm.post(&format!("/regio/zuid-friesland/deelplannen/accounts/{request_id}"), &[("decision", "accept")]).await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(!pm.get("/regio/zuid-friesland/deelplannen/accounts").await.body.contains("Jan Docent"));

    // The invitation mail (in the outbox here) carries a link that opens the invitation.
    let mut admin = Client::new(st.clone());
    admin.login(ADMIN).await;
    let outbox = admin.get("/beheer/uitbak").await;
    outbox.assert_contains("aan jan@school.example");
    let link = outbox.body.split("/uitnodiging/").nth(1).unwrap().split(['"', '\n', '<']).next().unwrap().to_owned();
    let invitation = Client::new(st.clone()).get(&format!("/uitnodiging/{link}")).await;
    assert_eq!(invitation.status, StatusCode::OK);
    invitation.assert_contains("Contactpersoon school");
}
