//! Edits to the draft application from the workspace's forms.

use crate::AppState;
use crate::applications::views::Outcome;
use crate::applications::views::Pending;
use crate::applications::views::render;
use crate::budget_form::activity_from_form;
use crate::budget_form::adding_activity;
use crate::budget_form::adding_line;
use crate::budget_form::line_from_form;
use crate::form::{Pairs, Typed};
use crate::page::Page;
use crate::session::Ctx;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::FieldErrors;
use domain::regulation::application::{Activity, Application, BudgetLine, Budgeted, Milestone};
use services::ServiceError;
use services::applications::{self as apps};

/// Runs an edit and shows the workspace again: saved, refused with the field errors, or a conflict.
pub(crate) async fn edit(
    st: &AppState,
    ctx: &Ctx,
    (slug, phase): (&str, &str),
    version: i64,
    pending: Pending,
    notice: &str,
    change: impl FnOnce(&mut Application) -> Result<(), FieldErrors>,
) -> Page {
    let outcome = match apps::update(&st.app, &ctx.actor, slug, phase, version, change).await {
        Ok(_) => {
            return crate::flash::redirect(st, &format!("/regio/{slug}/aanvragen/{phase}"), notice).await;
        }
        Err(ServiceError::Invalid(e)) => Outcome {
            errors: crate::form::error_pairs(&e),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            pending,
            ..Outcome::ok()
        },
        Err(ServiceError::Conflict) => {
            Outcome { conflict: true, status: StatusCode::CONFLICT, pending, ..Outcome::ok() }
        }
        Err(e) => return Err(e.into()),
    };
    render(st, ctx, slug, phase, outcome).await
}

pub async fn save_vision(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let vision = f.get("vision");
    let pending = Pending { typed: Typed::new("visie", "f", &f), ..Pending::default() };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De regiovisie is opgeslagen.", |a| {
        let mut e = FieldErrors::default();
        if vision.chars().count() > 50_000 {
            e.add("vision", "De regiovisie is te lang: hoogstens 50.000 tekens.");
        }
        a.vision = Some(vision).filter(|v| !v.is_empty());
        e.into_result(())
    })
    .await
}

pub async fn add_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let pending = Pending { typed: Typed::new("activiteit-nieuw", "f", &f), ..Pending::default() };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De activiteit is toegevoegd.", adding_activity(&f)).await
}

pub async fn update_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let pending =
        Pending { typed: Typed::new(format!("activiteit-{id}"), format!("e-{id}"), &f), ..Pending::default() };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De activiteit is bijgewerkt.", |a| {
        let mut e = FieldErrors::default();
        let Some(slot) = a.activities.iter_mut().find(|x| x.id == id) else {
            e.add("activities", "Deze activiteit bestaat niet meer.");
            return Err(e);
        };
        let kept: Vec<Milestone> = slot
            .milestones
            .iter()
            .enumerate()
            .filter(|(i, _)| !f.all("remove_milestone").contains(&i.to_string()))
            .map(|(_, m)| m.clone())
            .collect();
        let origin = slot.school_plan.take();
        *slot = Activity { school_plan: origin, ..activity_from_form(&f, id.clone(), kept, &mut e) };
        e.into_result(())
    })
    .await
}

pub async fn remove_activity(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, id)): Path<(String, String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(
        &st,
        &ctx,
        (&slug, &phase),
        f.version(),
        Pending::default(),
        "De activiteit en haar begrotingsregels zijn verwijderd.",
        |a| {
            a.remove_activity(&id);
            Ok(())
        },
    )
    .await
}

pub async fn add_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let pending = Pending { line: crate::budget_form::LineForm::typed(&f), ..Pending::default() };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De begrotingsregel is toegevoegd.", adding_line(&f)).await
}

pub async fn update_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, index)): Path<(String, String, usize)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &phase), f.version(), Pending::default(), "De begrotingsregel is bijgewerkt.", |a| {
        let mut e = FieldErrors::default();
        let line = line_from_form(&f, &mut e);
        match a.budget.get_mut(index) {
            Some(slot) => *slot = BudgetLine { school_plan: slot.school_plan.take(), ..line },
            None => e.add("budget", "Deze begrotingsregel bestaat niet meer."),
        }
        e.into_result(())
    })
    .await
}

pub async fn remove_line(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase, index)): Path<(String, String, usize)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    edit(&st, &ctx, (&slug, &phase), f.version(), Pending::default(), "De begrotingsregel is verwijderd.", |a| {
        a.remove_line(index);
        Ok(())
    })
    .await
}

pub async fn save_agreement(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let signed = f.all("signed");
    let lead = f.get("lead_applicant");
    // A form without the text field (an older page, a script) leaves the text as it is.
    let text = f.has("text").then(|| f.get("text"));
    let pending = Pending { typed: Typed::new("overeenkomst", "f", &f), ..Pending::default() };
    edit(&st, &ctx, (&slug, &phase), f.version(), pending, "De samenwerkingsovereenkomst is bijgewerkt.", |a| {
        let mut e = FieldErrors::default();
        let agreement = a.agreement.get_or_insert_with(Default::default);
        if let Some(text) = text {
            if text.chars().count() > domain::regulation::agreement::MAX_TEXT_CHARS {
                e.add("text", "De tekst van de overeenkomst is te lang: hoogstens 50.000 tekens.");
            }
            agreement.text = Some(text.replace("\r\n", "\n")).filter(|t| !t.trim().is_empty());
        }
        agreement.signed_by = signed;
        if !lead.is_empty() {
            a.lead_applicant = lead;
        }
        e.into_result(())
    })
    .await
}

pub async fn submit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let outcome = match apps::submit(&st.app, &ctx.actor, &slug, &phase, f.version()).await {
        Ok(v) => {
            let notice = format!(
                "Versie {} is ingediend. Die verandert niet meer; u werkt verder aan een nieuw concept.",
                v.number
            );
            return crate::flash::redirect(&st, &format!("/regio/{slug}/aanvragen/{phase}"), &notice).await;
        }
        Err(ServiceError::SubmitRefused(findings)) => Outcome {
            errors: findings
                .iter()
                .map(|f| (f.field.clone().unwrap_or_else(|| f.rule.clone()), format!("{}: {}", f.title, f.message)))
                .collect(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Outcome::ok()
        },
        Err(ServiceError::Conflict) => Outcome { conflict: true, status: StatusCode::CONFLICT, ..Outcome::ok() },
        Err(e) => return Err(e.into()),
    };
    render(&st, &ctx, &slug, &phase, outcome).await
}

/// A step the region takes at the funder (an objection against the decision).
pub async fn funder_step(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
    _may: crate::guard::StepsAssessment,
    body: Bytes,
) -> Page {
    let f = Pairs::parse(&body);
    let result = match crate::assessment_view::posted_step(&f) {
        Ok((to, input)) => services::assessments::step(&st.app, &ctx.actor, (&slug, &phase), to, input, None).await,
        Err(e) => Err(e),
    };
    let outcome = match result {
        Ok(to) => {
            let notice = format!("De aanvraag is nu: {}.", to.label().to_lowercase());
            return crate::flash::redirect(&st, &format!("/regio/{slug}/aanvragen/{phase}"), &notice).await;
        }
        Err(ServiceError::Invalid(e)) => Outcome {
            errors: crate::form::error_pairs(&e),
            pending: Pending { typed: crate::assessment_view::typed_step(&f), ..Pending::default() },
            status: StatusCode::UNPROCESSABLE_ENTITY,
            ..Outcome::ok()
        },
        Err(ServiceError::NotAllowed(m)) => {
            Outcome { errors: vec![("state".into(), m)], status: StatusCode::CONFLICT, ..Outcome::ok() }
        }
        Err(e) => return Err(e.into()),
    };
    render(&st, &ctx, &slug, &phase, outcome).await
}

/// The decision letter.
pub async fn decision_letter(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((slug, phase)): Path<(String, String)>,
) -> Page {
    let (name, pdf) = services::assessments::decisions::letter(&st.app, &ctx.actor, &slug, &phase).await?;
    Ok(crate::download::file("application/pdf", &name, pdf))
}
