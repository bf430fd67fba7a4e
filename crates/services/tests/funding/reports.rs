//! Reports to the funder: due, reminded, frozen with their hash and answered; the final report
//! and its settlement; school plans' reports rolled up in the region's.

use rust_decimal::Decimal;
use services::demo::{DEMO_REGION, DEMO_USERS};
use services::{ServiceError, payments};

use super::{actor, app, denied, field};

#[tokio::test]
async fn a_report_is_due_reminded_frozen_with_its_hash_and_answered() {
    use domain::reports::{ReportState, Timeliness};
    use services::reports;
    let app = app().await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let assessor = actor(&app, DEMO_USERS[5].0).await;
    let national = actor(&app, DEMO_USERS[0].0).await;
    let (_, list) = reports::list(&app, &manager, DEMO_REGION).await.unwrap();
    let due = list.iter().find(|o| o.obligation.id == "voortgang-2025").unwrap();
    assert_eq!((due.state, due.timeliness), (ReportState::Open, Timeliness::Overdue), "due 1 April 2026");
    let p = services::portfolio::portfolio(&app, &national).await.unwrap();
    let zf = p.rows.iter().find(|r| r.item.region_slug == DEMO_REGION).unwrap();
    assert_eq!(zf.region.overdue_reports, 1);

    // The reminder after the date goes out once, to the region's managers and lead applicant.
    let new = services::reminders::send_due(&app, &[14, 3]).await.unwrap();
    assert!(new >= 2, "{new}");
    assert_eq!(services::reminders::send_due(&app, &[14, 3]).await.unwrap(), 0, "not twice");
    let mut conn = app.db.conn().await.unwrap();
    let mail = store::notifications::all(&mut conn, None, 1000).await.unwrap();
    let late: Vec<_> =
        mail.iter().filter(|n| n.subject == "Te laat: Voortgangsrapportage 2025 (uiterlijk 1 april 2026)").collect();
    assert!(
        late.iter().any(|n| n.recipient == DEMO_USERS[1].0),
        "{:?}",
        late.iter().map(|n| &n.recipient).collect::<Vec<_>>()
    );
    drop(conn);

    // Submitted: frozen as PDF and workbook with a hash over both and the figures.
    assert!(denied(reports::submit(&app, &assessor, DEMO_REGION, ("voortgang-2025", 0)).await));
    assert_eq!(reports::submit(&app, &manager, DEMO_REGION, ("voortgang-2025", 0)).await.unwrap(), 1);
    let stale = reports::submit(&app, &manager, DEMO_REGION, ("voortgang-2025", 0)).await;
    assert!(matches!(stale, Err(ServiceError::Conflict) | Err(ServiceError::NotAllowed(_))), "{stale:?}");
    let (_, list) = reports::list(&app, &assessor, DEMO_REGION).await.unwrap();
    let o = list.iter().find(|o| o.obligation.id == "voortgang-2025").unwrap();
    assert_eq!((o.state, o.timeliness), (ReportState::Ingediend, Timeliness::InHand));
    let s = &o.submissions[0];
    let key = ("voortgang-2025", 1);
    let (_, pdf) =
        reports::file(&app, &manager, DEMO_REGION, key, services::execution::ReportFormat::Pdf).await.unwrap();
    let (_, xlsx) =
        reports::file(&app, &manager, DEMO_REGION, key, services::execution::ReportFormat::Xlsx).await.unwrap();
    assert!(pdf.starts_with(b"%PDF") && xlsx.starts_with(b"PK"));
    let hex = services::auth::sha256_bytes_hex;
    assert_eq!((hex(&pdf), hex(&xlsx)), (s.pdf_sha256.clone(), s.xlsx_sha256.clone()));
    let expected = services::auth::sha256_hex(&format!("{}\n{}\n{}", s.pdf_sha256, s.xlsx_sha256, s.figures));
    assert_eq!(s.sha256, expected, "the hash covers both files and the figures");
    let figures: serde_json::Value = serde_json::from_str(&s.figures).unwrap();
    assert!(figures["subsidiabel_gerealiseerd"].as_str().unwrap().parse::<Decimal>().unwrap() > Decimal::ZERO);

    // The funder asks for more (a reason is required), the region submits again, it is accepted.
    let bare =
        reports::answer(&app, &assessor, DEMO_REGION, ("voortgang-2025", o.revision), ReportState::MeerGevraagd, "")
            .await;
    assert!(field(&bare, "comment").is_some(), "{bare:?}");
    let more = "Voeg de urenstaten van het voorjaar toe.";
    reports::answer(&app, &assessor, DEMO_REGION, ("voortgang-2025", o.revision), ReportState::MeerGevraagd, more)
        .await
        .unwrap();
    let (_, list) = reports::list(&app, &manager, DEMO_REGION).await.unwrap();
    let o = list.iter().find(|o| o.obligation.id == "voortgang-2025").unwrap();
    assert_eq!((o.state, o.timeliness), (ReportState::MeerGevraagd, Timeliness::Overdue), "owed again");
    assert_eq!(reports::submit(&app, &manager, DEMO_REGION, ("voortgang-2025", o.revision)).await.unwrap(), 2);
    let (_, list) = reports::list(&app, &assessor, DEMO_REGION).await.unwrap();
    let o = list.iter().find(|o| o.obligation.id == "voortgang-2025").unwrap();
    reports::answer(&app, &assessor, DEMO_REGION, ("voortgang-2025", o.revision), ReportState::Geaccepteerd, "")
        .await
        .unwrap();
    let p = services::portfolio::portfolio(&app, &national).await.unwrap();
    assert_eq!(p.rows.iter().find(|r| r.item.region_slug == DEMO_REGION).unwrap().region.overdue_reports, 0);
    // Utrecht's was accepted in the demo; Almere (rejected) owes nothing.
    let (_, utrecht) = reports::list(&app, &assessor, "utrecht").await.unwrap();
    assert_eq!(utrecht[0].state, ReportState::Geaccepteerd);
    assert!(reports::list(&app, &assessor, "almere").await.unwrap().1.is_empty());
}

#[tokio::test]
async fn the_final_report_asks_to_settle_and_the_settlement_puts_the_repayment_in_the_register() {
    use domain::payments::PaymentKind;
    use domain::reports::ReportState;
    use domain::settlement::{Adjustment, SettlementInput};
    use services::settlements;
    let app = app().await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let assessor = actor(&app, DEMO_USERS[5].0).await;
    let input = |reason: &str| SettlementInput {
        reference: "DUS-I/STO/V/2026/0107".into(),
        decided_on: jiff::civil::date(2026, 9, 15),
        adjustments: vec![Adjustment {
            description: "Ingehuurde coach zonder offerte".into(),
            amount: Decimal::from(-500),
            reason: reason.into(),
        }],
    };
    let seen = settlements::settling(&app, &assessor, DEMO_REGION).await.unwrap().fingerprint;
    let early = settlements::decide(&app, &assessor, DEMO_REGION, &input("Geen offerte."), &seen).await;
    assert!(matches!(&early, Err(ServiceError::NotAllowed(m)) if m.contains("nog niet ingediend")), "{early:?}");

    // The final report is the request to settle.
    services::reports::submit(&app, &manager, DEMO_REGION, ("eindverantwoording", 0)).await.unwrap();
    let s = settlements::settling(&app, &assessor, DEMO_REGION).await.unwrap();
    assert!(s.can_decide && s.decided.is_none());
    assert!(!settlements::settling(&app, &manager, DEMO_REGION).await.unwrap().can_decide);
    let seen = s.fingerprint.clone();
    assert!(denied(settlements::decide(&app, &manager, DEMO_REGION, &input("Geen offerte."), &seen).await));
    let bare = settlements::decide(&app, &assessor, DEMO_REGION, &input(" "), &seen).await;
    assert!(field(&bare, "adjustments[0].reason").is_some(), "{bare:?}");
    let stale = settlements::decide(&app, &assessor, DEMO_REGION, &input("Geen offerte."), "een oudere uitkomst").await;
    assert!(matches!(stale, Err(ServiceError::Conflict)), "figures changed since: {stale:?}");

    let final_amount = settlements::decide(&app, &assessor, DEMO_REGION, &input("Geen offerte."), &seen).await.unwrap();
    assert_eq!(final_amount, s.verdict.settled - Decimal::from(500));
    let again = settlements::decide(&app, &assessor, DEMO_REGION, &input("Nog eens."), &seen).await;
    assert!(matches!(again, Err(ServiceError::NotAllowed(m)) if m.contains("al vastgesteld")));

    // The register holds the repayment of what was received above the final amount.
    let register = payments::register(&app, &manager, DEMO_REGION).await.unwrap();
    let repayment =
        register.payments.iter().find(|p| p.kind == PaymentKind::Terugvordering.code()).expect("a repayment");
    assert_eq!(Decimal::new(repayment.amount_cents, 2), s.verdict.received - final_amount);
    assert!(repayment.paid_on.is_none() && repayment.note.contains("DUS-I/STO/V/2026/0107"));
    assert!(register.payments.iter().all(|p| p.kind != "voorschot" || p.paid_on.is_some()), "unpaid advances lapse");
    let (_, list) = services::reports::list(&app, &manager, DEMO_REGION).await.unwrap();
    let last = list.iter().find(|o| o.obligation.is_final()).unwrap();
    assert_eq!(last.state, ReportState::Geaccepteerd, "the settlement answers the request");

    // The letter, read back.
    let (name, pdf) = settlements::letter(&app, &manager, DEMO_REGION).await.unwrap();
    assert_eq!(name, "vaststelling-zuid-friesland.pdf");
    let path = std::env::temp_dir().join(format!("{}-{name}", store::new_id()));
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("DUS-I/STO/V/2026/0107") && text.contains("Geen offerte."), "{text}");
    assert!(text.contains(&domain::fmt::euro_nl(final_amount)), "{text}");
    assert!(text.contains("terug te betalen"), "{text}");
}

#[tokio::test]
async fn a_school_plans_report_is_rolled_up_in_the_regions_report_and_fixed_once_that_is_submitted() {
    use domain::reports::plan::PlanReport;
    use services::plan_reports;
    let app = app().await;
    let manager = actor(&app, DEMO_USERS[1].0).await;
    let school = actor(&app, DEMO_USERS[3].0).await;
    let partner = actor(&app, DEMO_USERS[4].0).await;
    let plan = {
        let mut conn = app.db.conn().await.unwrap();
        let region = store::regions::by_slug(&mut conn, DEMO_REGION).await.unwrap().unwrap();
        let plans = store::school_plans::for_region(&mut conn, &region.id).await.unwrap();
        plans.into_iter().find(|p| p.state == "goedgekeurd").unwrap().id
    };
    // The demo school wrote its report on 2025; it may still change it.
    let list = plan_reports::of_plan(&app, &school, &plan).await.unwrap();
    let on_2025 = list.iter().find(|r| r.obligation.id == "voortgang-2025").unwrap();
    assert!(on_2025.can_edit && on_2025.report.as_ref().is_some_and(|r| r.spent == Decimal::new(1_295_000, 2)));
    let key = (plan.as_str(), "voortgang-2025", on_2025.revision);
    let negative = PlanReport { done: "Lessen.".into(), results: String::new(), spent: Decimal::from(-5) };
    assert!(field(&plan_reports::save(&app, &school, key, &negative).await, "spent").is_some());
    let report = PlanReport {
        done: "Acht lessen techniekroute gegeven.".into(),
        results: "52 leerlingen.".into(),
        spent: Decimal::from(13_400),
    };
    assert!(plan_reports::save(&app, &partner, key, &report).await.is_err(), "not the partner's plan");
    plan_reports::save(&app, &school, key, &report).await.unwrap();
    let stale = plan_reports::save(&app, &school, key, &report).await;
    assert!(matches!(stale, Err(ServiceError::Conflict)), "{stale:?}");

    // The region's report on 2025 rolls it up, saying the money is not counted twice.
    let kind = docs::report::ReportKind::Progress(2025);
    let (name, pdf) =
        services::execution::report(&app, &manager, DEMO_REGION, kind, services::execution::ReportFormat::Pdf)
            .await
            .unwrap();
    let path = std::env::temp_dir().join(format!("{}-{name}", store::new_id()));
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg(&path).arg("-").output().expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    assert!(text.contains("Deelplannen van scholen") && text.contains("Acht lessen techniekroute gegeven."), "{text}");
    assert!(text.contains("€ 13.400,00") && text.contains("niet nog eens mee"), "{text}");

    // Once the region submitted that report, the plan's report is fixed.
    services::reports::submit(&app, &manager, DEMO_REGION, ("voortgang-2025", 0)).await.unwrap();
    let list = plan_reports::of_plan(&app, &school, &plan).await.unwrap();
    let on_2025 = list.iter().find(|r| r.obligation.id == "voortgang-2025").unwrap();
    assert!(!on_2025.can_edit && on_2025.closed.as_deref().is_some_and(|c| c.contains("ligt vast")));
    let late = plan_reports::save(&app, &school, (&plan, "voortgang-2025", on_2025.revision), &report).await;
    assert!(matches!(late, Err(ServiceError::NotAllowed(_))), "{late:?}");
}
