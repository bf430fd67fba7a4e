//! The payment register: a region's page (`/regio/{slug}/betalingen`: planned against received,
//! every payment; the funder's staff add and record payments there) and the import of the
//! funder's bookkeeping (`/beoordeling/betalingen`).

pub mod api;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse};
use domain::fmt::{amount_nl, date_nl, decimal_nl, euro_nl};
use domain::payments::{ADVANCE_SHARE, INSTALMENTS, PaymentKind, PaymentText};
use rust_decimal::Decimal;
use services::ServiceError;
use services::payments::{self as register, PaymentRow};

use crate::AppState;
use crate::form::{Pairs, Typed, error_pairs};
use crate::guard::KeepsPayments;
use crate::layout::{Choice, Layout};
use crate::page::Page;
use crate::session::Ctx;

pub struct PaymentView {
    pub id: String,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub year: String,
    pub planned_on: String,
    pub paid_on: Option<String>,
    pub amount: String,
    /// The amount as a form field holds it (Dutch notation).
    pub amount_raw: String,
    pub reference: String,
    pub decision: String,
    pub note: String,
    pub revision: i64,
    pub planned_raw: String,
}

#[derive(Template)]
#[template(path = "betalingen/register.html")]
pub struct RegisterPage {
    pub l: Layout,
    pub slug: String,
    pub region: String,
    /// (year, decided, planned, received).
    pub years: Vec<(String, String, String, String)>,
    pub decided: String,
    pub received: String,
    pub payments: Vec<PaymentView>,
    pub schedule: String,
    pub can_edit: bool,
    pub kinds: Vec<Choice>,
    pub budget_years: Vec<Choice>,
    pub today: String,
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
    pub typed: Typed,
}

fn view(p: PaymentRow) -> PaymentView {
    let kind = PaymentKind::parse(&p.kind);
    let date = |d: &Option<String>| d.as_deref().and_then(|d| d.parse().ok()).map(date_nl);
    PaymentView {
        kind: kind.map_or("onbekend", PaymentKind::label),
        kind_code: kind.map_or("", PaymentKind::code),
        year: p.year.map(|y| y.to_string()).unwrap_or_default(),
        planned_on: date(&p.planned_on).unwrap_or_else(|| "—".into()),
        paid_on: date(&p.paid_on),
        amount: euro_nl(Decimal::new(p.amount_cents, 2)),
        amount_raw: amount_nl(Decimal::new(p.amount_cents, 2)),
        reference: p.reference.unwrap_or_default(),
        decision: p.decision_reference.unwrap_or_default(),
        note: p.note,
        revision: p.revision,
        planned_raw: p.planned_on.unwrap_or_default(),
        id: p.id,
    }
}

/// How advances are planned, in words, with the parameters' status.
fn schedule_text(st: &AppState) -> Result<String, crate::error::WebError> {
    let reg = st.app.current_regulation()?;
    let today = st.app.today()?;
    let (n, v) = reg.decimal_at(INSTALMENTS, today).map_err(|e| crate::error::WebError::Internal(e.to_string()))?;
    let (share, w) =
        reg.decimal_at(ADVANCE_SHARE, today).map_err(|e| crate::error::WebError::Internal(e.to_string()))?;
    let unverified = if v.verified && w.verified {
        ""
    } else {
        " (niet geverifieerd: het betaalschema van de regeling staat niet in onze bronnen)"
    };
    Ok(format!(
        "Bij een besluit plant Sterk de voorschotten: {}% van het besloten bedrag per begrotingsjaar, in {} termijn(en) vanaf 1 januari van dat jaar, niet vóór de besluitdatum{unverified}.",
        decimal_nl((share * Decimal::ONE_HUNDRED).normalize()),
        decimal_nl(n.normalize()),
    ))
}

async fn render(st: &AppState, ctx: &Ctx, slug: &str, (notice, status, typed, errors): Outcome) -> Page {
    let r = register::register(&st.app, &ctx.actor, slug).await?;
    let reg = st.app.current_regulation()?;
    let today = st.app.today()?;
    let page = RegisterPage {
        l: Layout::new(format!("Betalingen {}", r.region.name), ctx, "beheer"),
        slug: r.region.slug.clone(),
        region: r.region.name.clone(),
        years: r
            .years
            .iter()
            .map(|y| {
                let year = y.year.map_or("zonder jaar".to_owned(), |y| y.to_string());
                (year, euro_nl(y.decided), euro_nl(y.planned), euro_nl(y.received))
            })
            .collect(),
        decided: euro_nl(r.decided),
        received: euro_nl(r.received),
        payments: r.payments.into_iter().map(view).collect(),
        schedule: schedule_text(st)?,
        can_edit: r.can_edit,
        kinds: PaymentKind::ALL
            .iter()
            .map(|k| Choice { value: k.code().into(), label: k.label().into(), selected: false })
            .collect(),
        budget_years: std::iter::once(Choice { value: String::new(), label: "geen".into(), selected: false })
            .chain(reg.years.iter().map(|y| Choice { value: y.to_string(), label: y.to_string(), selected: false }))
            .collect(),
        today: today.to_string(),
        notice,
        typed: typed.with_errors(&errors),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

type Outcome = (Option<String>, StatusCode, Typed, Vec<(String, String)>);

pub async fn page(State(st): State<AppState>, ctx: Ctx, Path(slug): Path<String>, flash: crate::flash::Flash) -> Page {
    render(&st, &ctx, &slug, (flash.notice, StatusCode::OK, Typed::default(), Vec::new())).await
}

fn text(f: &Pairs) -> PaymentText {
    PaymentText {
        kind: f.get("kind"),
        year: f.get("year"),
        planned_on: f.get("planned_on"),
        paid_on: f.get("paid_on"),
        amount: f.get("amount"),
        reference: f.get("reference"),
        note: f.get("note"),
    }
}

/// The answer to a posted form: back to the register with a notice, or the page with the form as typed.
async fn answer(st: &AppState, ctx: &Ctx, slug: &str, (form, f): (&str, &Pairs), done: services::Result<&str>) -> Page {
    match done {
        Ok(notice) => crate::flash::redirect(st, &format!("/regio/{slug}/betalingen"), notice).await,
        Err(ServiceError::Invalid(e)) => {
            let typed = Typed::new(form, form, f);
            render(st, ctx, slug, (None, StatusCode::UNPROCESSABLE_ENTITY, typed, error_pairs(&e))).await
        }
        Err(ServiceError::Conflict) => {
            let typed = Typed::new(form, form, f);
            let message = "Iemand anders heeft deze betaling intussen gewijzigd; hierboven staat hoe zij nu is. Uw invoer is bewaard.";
            render(st, ctx, slug, (None, StatusCode::CONFLICT, typed, vec![("paid_on".into(), message.into())])).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn add(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    _may: KeepsPayments,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let done = register::add(&st.app, &ctx.actor, &slug, &text(&f)).await.map(|_| "De betaling is vastgelegd.");
    answer(&st, &ctx, &slug, ("nieuw", &f), done).await
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    _may: KeepsPayments,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let done = register::update(&st.app, &ctx.actor, (&slug, &id, f.get("revision").parse().unwrap_or(-1)), &text(&f))
        .await
        .map(|()| "De betaling is bijgewerkt.");
    answer(&st, &ctx, &slug, (&format!("p-{id}"), &f), done).await
}

#[derive(Template)]
#[template(path = "betalingen/import.html")]
pub struct ImportPage {
    pub l: Layout,
    pub columns: &'static [&'static str],
    pub notice: Option<String>,
    pub errors: Vec<(String, String)>,
}

async fn render_import(ctx: &Ctx, notice: Option<String>, errors: Vec<(String, String)>) -> Page {
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ImportPage {
        l: Layout::new("Betalingen inlezen", ctx, "beheer"),
        columns: &register::IMPORT_COLUMNS,
        notice,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

pub async fn import_form(ctx: Ctx, _may: KeepsPayments, flash: crate::flash::Flash) -> Page {
    render_import(&ctx, flash.notice, Vec::new()).await
}

pub async fn import(
    State(st): State<AppState>,
    ctx: Ctx,
    _may: KeepsPayments,
    mut multipart: axum::extract::Multipart,
) -> Page {
    let (_, file) = crate::form::read_upload(&mut multipart).await?;
    let Some((_, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return render_import(&ctx, None, vec![("bestand".into(), "Kies een CSV- of Excel-bestand.".into())]).await;
    };
    match register::import(&st.app, &ctx.actor, &bytes).await {
        Ok(s) => {
            let notice = format!(
                "Ingelezen: {} nieuwe betaling(en), {} geplande voorschot(ten) als betaald vastgelegd, {} al bekend.",
                s.added, s.settled, s.unchanged
            );
            crate::flash::redirect(&st, "/beoordeling/betalingen", &notice).await
        }
        Err(ServiceError::Invalid(e)) => {
            let mut errors = error_pairs(&e);
            errors.insert(
                0,
                ("bestand".into(), "Er is niets ingelezen: het bestand wordt alleen in zijn geheel ingelezen.".into()),
            );
            render_import(&ctx, None, errors).await
        }
        Err(e) => Err(e.into()),
    }
}
