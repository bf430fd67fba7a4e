//! The settlement decision (vaststelling): once the region submitted its final report (the
//! request to settle), the assessor starts from the rules engine's verdict on the realised
//! figures, adjusts it with a reason per adjustment, and decides the final amount. The decision
//! has its letter; the payment register gets the final payment or the repayment.

use domain::execution::Settlement;
use domain::reports::ReportState;
use domain::settlement::{self as rules, Adjustment, SettlementInput};
use domain::{Action, Actor, Region};
use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::json;
use store::settlements::{self as repo, NewSettlement, SettlementRow};
use store::{AnyConnection, StoreError, audit};

use crate::{App, Result, ServiceError, corrupt, mail};

/// A decided settlement as pages show it.
#[derive(Debug, Clone)]
pub struct SettlementView {
    pub reference: String,
    pub decided_on: Date,
    pub verdict: Settlement,
    pub adjustments: Vec<Adjustment>,
    pub final_amount: Decimal,
    pub received: Decimal,
    pub decided_by: String,
}

impl SettlementView {
    /// The final payment or the repayment it set.
    pub fn difference(&self) -> Option<(domain::payments::PaymentKind, Decimal)> {
        rules::difference(self.final_amount, self.received)
    }
}

fn view(row: SettlementRow) -> Result<SettlementView> {
    Ok(SettlementView {
        decided_on: row.decided_on.parse().map_err(corrupt)?,
        verdict: serde_json::from_str(&row.verdict).map_err(corrupt)?,
        adjustments: serde_json::from_str(&row.adjustments).map_err(corrupt)?,
        final_amount: Decimal::new(row.final_cents, 2),
        received: Decimal::new(row.received_cents, 2),
        reference: row.reference,
        decided_by: row.decided_by_name,
    })
}

/// What the settlement page shows: the decision once made, else the request and the verdict.
#[derive(Debug, Clone)]
pub struct Settling {
    pub region: Region,
    pub decided: Option<SettlementView>,
    /// Where the final report (the request to settle) stands.
    pub request: ReportState,
    /// The rules engine's verdict on what is recorded now.
    pub verdict: Settlement,
    /// The actor may decide it (the funder's staff, once the request is in).
    pub can_decide: bool,
    /// The verdict's fingerprint: a decision names the one it was made on, so figures changed
    /// meanwhile (a record added after the final report) are not settled unseen.
    pub fingerprint: String,
}

fn fingerprint(verdict: &Settlement) -> Result<String> {
    Ok(crate::auth::sha256_hex(&serde_json::to_string(verdict).map_err(corrupt)?))
}

/// The final report's id and its state in the region.
async fn request(app: &App, conn: &mut AnyConnection, region_id: &str) -> Result<(String, ReportState)> {
    let o = app.current_regulation()?.reports.iter().find(|r| r.is_final()).ok_or(ServiceError::NotFound)?;
    let state = match store::reports::get(conn, region_id, &o.id).await? {
        Some(r) => ReportState::parse(&r.state).ok_or_else(|| corrupt(&r.state))?,
        None => ReportState::Open,
    };
    Ok((o.id.clone(), state))
}

pub async fn settling(app: &App, actor: &Actor, slug: &str) -> Result<Settling> {
    let (ledger, verdict) = crate::execution::settlement(app, actor, slug).await?;
    let mut conn = app.db.conn().await?;
    let decided = repo::of_region(&mut conn, &ledger.region.id).await?.map(view).transpose()?;
    let (_, state) = request(app, &mut conn, &ledger.region.id).await?;
    let submitted = matches!(state, ReportState::Ingediend | ReportState::Geaccepteerd);
    let can_decide = decided.is_none() && submitted && actor.assesses(&ledger.region.id);
    let fingerprint = fingerprint(&verdict)?;
    Ok(Settling { region: ledger.region, decided, request: state, verdict, can_decide, fingerprint })
}

fn cents(d: Decimal) -> Result<i64> {
    (d * Decimal::ONE_HUNDRED).round().to_i64().ok_or_else(|| corrupt("amount out of range"))
}

/// Decides the settlement on the verdict with fingerprint `seen`; returns the final amount. The
/// request must be in, the input valid, the verdict still the one seen (else `Conflict`).
pub async fn decide(app: &App, actor: &Actor, slug: &str, input: &SettlementInput, seen: &str) -> Result<Decimal> {
    actor.require(Action::Assess)?;
    let s = settling(app, actor, slug).await?;
    if !actor.assesses(&s.region.id) {
        return Err(ServiceError::Denied(domain::Denied::Forbidden));
    }
    if s.decided.is_some() {
        return Err(ServiceError::NotAllowed("De subsidie van deze regio is al vastgesteld.".into()));
    }
    if !s.can_decide {
        return Err(ServiceError::NotAllowed(
            "De regio heeft de eindverantwoording met de aanvraag tot vaststelling nog niet ingediend.".into(),
        ));
    }
    input.validate(app.today()?).into_result(())?;
    if s.fingerprint != seen {
        return Err(ServiceError::Conflict);
    }
    let final_amount =
        rules::final_amount(&s.verdict, &input.adjustments).map_err(|m| crate::invalid("adjustments", m))?;
    let user = actor.user_id.as_deref().ok_or(ServiceError::Denied(domain::Denied::NotSignedIn))?;
    let decided_on = input.decided_on.to_string();
    let mut tx = app.db.begin().await?;
    crate::assessments::require_no_conflict_in_region(&mut tx, &s.region.id, actor).await?;
    // Advances planned and not yet paid lapse: the settlement settles with what was paid.
    for year in &app.current_regulation()?.years {
        store::payments::drop_unpaid_planned(&mut tx, &s.region.id, i64::from(*year)).await?;
    }
    let decision = crate::assessments::decisions::latest_grant(&mut tx, &s.region.id).await?;
    let payment = match rules::difference(final_amount, s.verdict.received) {
        Some((kind, amount)) => {
            let note = format!("Vaststelling {}: {}", input.reference, kind.label().to_lowercase());
            let fields = store::payments::Fields {
                kind: kind.code(),
                year: None,
                planned_on: Some(&decided_on),
                paid_on: None,
                amount_cents: cents(amount)?,
                reference: None,
                note: &note,
            };
            let keys = (s.region.id.as_str(), decision.as_deref());
            Some(store::payments::insert(&mut tx, keys, &fields, Some(user)).await?)
        }
        None => None,
    };
    let new = NewSettlement {
        region_id: &s.region.id,
        reference: input.reference.trim(),
        decided_on: &decided_on,
        verdict: &serde_json::to_string(&s.verdict).map_err(corrupt)?,
        adjustments: &serde_json::to_string(&input.adjustments).map_err(corrupt)?,
        final_cents: cents(final_amount)?,
        received_cents: cents(s.verdict.received)?,
        payment_id: payment.as_deref(),
        by: user,
    };
    repo::insert(&mut tx, &new).await.map_err(|e| match e {
        StoreError::Duplicate => {
            crate::invalid("reference", "Dit kenmerk is al gebruikt, of de regio is al vastgesteld.")
        }
        e => e.into(),
    })?;
    // The settlement answers the request: the final report is accepted with it.
    let (report, state) = request(app, &mut tx, &s.region.id).await?;
    if state == ReportState::Ingediend {
        let row = store::reports::get(&mut tx, &s.region.id, &report).await?.ok_or(ServiceError::NotFound)?;
        let comment = format!("Geaccepteerd met de vaststelling {}.", input.reference.trim());
        let states = (ReportState::Ingediend.code(), ReportState::Geaccepteerd.code());
        store::reports::step(&mut tx, (&row.id, row.revision), states, (&comment, Some(user))).await?;
    }
    let detail = json!({ "reference": input.reference, "final": final_amount.to_string(), "payment": payment });
    audit::append(&mut tx, Some(user), "settlement.decide", "region", &s.region.id, &detail).await?;
    let what = match rules::difference(final_amount, s.verdict.received) {
        Some((domain::payments::PaymentKind::Terugvordering, d)) => {
            format!("U betaalt {} terug.", domain::fmt::euro_nl(d))
        }
        Some((_, d)) => format!("DUS-I betaalt u nog {}.", domain::fmt::euro_nl(d)),
        None => "De voorschotten zijn gelijk aan het vastgestelde bedrag.".to_owned(),
    };
    let letter = mail::Letter {
        kind: "settlement.decided",
        subject: format!("Subsidie vastgesteld: {}", s.region.name),
        body: format!(
            "DUS-I heeft de subsidie van {} vastgesteld op {} (kenmerk {}). {what} De brief staat in Sterk.",
            s.region.name,
            domain::fmt::euro_nl(final_amount),
            input.reference.trim()
        ),
        path: format!("/regio/{}/vaststelling", s.region.slug),
    };
    let recipients = crate::assessments::region_recipients(&mut tx, &s.region.id).await?;
    mail::queue_to(app, &mut tx, &recipients, &letter).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(final_amount)
}

/// The settlement letter: (file name, PDF).
pub async fn letter(app: &App, actor: &Actor, slug: &str) -> Result<(String, Vec<u8>)> {
    let s = settling(app, actor, slug).await?;
    let d = s.decided.ok_or(ServiceError::NotFound)?;
    let reg = app.current_regulation()?.clone();
    let lead = {
        let mut conn = app.db.conn().await?;
        let members = store::regions::members(&mut conn, &s.region.id).await?;
        s.region.lead_applicant_id.as_deref().and_then(|id| members.into_iter().find(|m| m.id == id)).map(|m| m.name)
    };
    let region = s.region.name.clone();
    let name = format!("vaststelling-{}.pdf", s.region.slug);
    let bytes = crate::cpu::run(move || {
        let to = docs::letter::SettlementLetter {
            region: &region,
            lead_applicant: lead.as_deref().unwrap_or(&region),
            reference: &d.reference,
            decided_on: d.decided_on,
            verdict: &d.verdict,
            adjustments: &d.adjustments,
            final_amount: d.final_amount,
            received: d.received,
        };
        docs::letter::settlement_pdf(&reg, &to).map_err(corrupt)
    })
    .await??;
    Ok((name, bytes))
}
