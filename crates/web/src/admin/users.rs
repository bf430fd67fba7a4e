//! Users and invitations.

use crate::AppState;
use crate::admin::views::UsersPage;
use crate::admin::views::{SigningView, UserView};
use crate::error::WebError;
use crate::layout::grant_views;
use crate::layout::{Choice, Layout};
use crate::page::{Page, html};
use crate::session::Ctx;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use domain::FieldErrors;
use services::ServiceError;
use services::users::{InviteInput, InviteOutcome};

async fn users_page(
    st: &AppState,
    ctx: &Ctx,
    input: InviteInput,
    errors: FieldErrors,
    (outcome, notice): (Option<InviteOutcome>, Option<String>),
) -> Page {
    let invitable = ctx.actor.invitable_roles();
    if invitable.is_empty() {
        return Err(WebError::Forbidden);
    }
    let users = services::users::list(&st.app, &ctx.actor).await?;
    let all = services::regions::all(&st.app).await?;
    let roles: Vec<(&str, &str)> = invitable.iter().map(|r| (r.code(), r.label())).collect();
    let mut region_items = vec![("", "Landelijk (geen regio)")];
    region_items.extend(
        all.iter()
            .filter(|r| !r.archived && ctx.actor.may_invite_in(&r.id))
            .map(|r| (r.slug.as_str(), r.name.as_str())),
    );
    let mut organisation_items = vec![(String::new(), "Geen (niet voor één organisatie)".to_owned())];
    let mut names = std::collections::HashMap::new();
    for r in all.iter().filter(|r| !r.archived && ctx.actor.may_invite_in(&r.id)) {
        let page = services::regions::page(&st.app, &ctx.actor, &r.slug).await?;
        for m in page.members {
            let label = format!("{} ({})", m.name, r.name);
            names.insert((r.id.clone(), m.id.clone()), label.clone());
            organisation_items.push((m.id, label));
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let with_two_factor = match ctx.actor.permits(domain::Action::ManageSecurity) {
        true => services::two_factor::enabled_accounts(&st.app, &ctx.actor).await?,
        false => Vec::new(),
    };
    let page = UsersPage {
        l: Layout::new("Gebruikers", ctx, "beheer"),
        users: users
            .iter()
            .map(|u| UserView {
                name: u.name.clone(),
                email: u.email.clone(),
                grants: grant_views(&u.grants, &all),
                signing: signing_views(ctx, &u.grants, &names),
                two_factor: with_two_factor.contains(&u.id),
            })
            .collect(),
        roles: Choice::list(roles, &input.role),
        regions: Choice::list(region_items, &input.region),
        organisations: organisation_items
            .into_iter()
            .map(|(value, label)| Choice { selected: value == input.organisation, value, label })
            .collect(),
        invited: matches!(outcome, Some(InviteOutcome::Invited { .. })).then(|| input.email.trim().to_lowercase()),
        granted: outcome == Some(InviteOutcome::Granted),
        outbox: matches!(*st.app.mailer, services::mail::Mailer::Outbox),
        notice,
        two_factor_required: match ctx.actor.permits(domain::Action::ManageSecurity) {
            true => Some(services::security::required_by_setting(&st.app).await?),
            false => None,
        },
        input: if outcome.is_some() { InviteInput::default() } else { input },
        errors,
    };
    Ok((status, html(page)?).into_response())
}

/// The roles held for an organisation whose signatory mark the actor may set.
fn signing_views(
    ctx: &Ctx,
    grants: &[domain::Grant],
    names: &std::collections::HashMap<(String, String), String>,
) -> Vec<SigningView> {
    grants
        .iter()
        .filter_map(|g| {
            let (region_id, organisation_id) = (g.region_id.as_deref()?, g.organisation_id.as_deref()?);
            let organisation = names.get(&(region_id.to_owned(), organisation_id.to_owned()))?;
            ctx.actor.permits(domain::Action::InviteUser { role: g.role, region_id: Some(region_id) }).then(|| {
                SigningView {
                    role: g.role.code(),
                    role_label: g.role.label(),
                    region_id: region_id.to_owned(),
                    organisation_id: organisation_id.to_owned(),
                    organisation: organisation.clone(),
                    signatory: g.signatory,
                }
            })
        })
        .collect()
}

pub async fn users(State(st): State<AppState>, ctx: Ctx, flash: crate::flash::Flash) -> Page {
    users_page(&st, &ctx, InviteInput::default(), FieldErrors::default(), (None, flash.notice)).await
}

pub async fn invite(State(st): State<AppState>, ctx: Ctx, Form(input): Form<InviteInput>) -> Page {
    match services::users::invite(&st.app, &ctx.actor, &input).await {
        Ok(outcome) => users_page(&st, &ctx, input, FieldErrors::default(), (Some(outcome), None)).await,
        Err(ServiceError::Invalid(errors)) => users_page(&st, &ctx, input, errors, (None, None)).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(serde::Deserialize)]
pub struct TwoFactorSetting {
    #[serde(default)]
    required: String,
}

/// The national team turns the two-factor requirement on or off.
pub async fn two_factor_setting(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(input): Form<TwoFactorSetting>,
) -> crate::page::Page {
    let required = input.required == "ja";
    services::security::set_required(&st.app, &ctx.actor, required).await?;
    let notice = if required {
        "Inloggen in twee stappen is nu verplicht voor landelijk beheerders en DUS-I; wie het nog niet heeft, stelt het in bij de volgende keer inloggen."
    } else {
        "Inloggen in twee stappen is niet meer verplicht."
    };
    crate::flash::redirect(&st, "/beheer/gebruikers", notice).await
}

#[derive(serde::Deserialize)]
pub struct ResetInput {
    #[serde(default)]
    email: String,
}

/// The national team clears someone's two-factor sign-in (phone and recovery codes lost).
pub async fn reset_two_factor(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(input): Form<ResetInput>,
) -> crate::page::Page {
    services::two_factor::reset(&st.app, &ctx.actor, &input.email).await?;
    let notice = format!(
        "Inloggen in twee stappen van {} is gewist; die persoon is overal afgemeld en stelt het opnieuw in bij de volgende keer inloggen.",
        input.email.trim().to_lowercase()
    );
    crate::flash::redirect(&st, "/beheer/gebruikers", &notice).await
}

/// Marks a role held for an organisation as one that may sign for it, or no longer.
pub async fn set_signatory(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(input): Form<services::users::SignatoryInput>,
) -> crate::page::Page {
    let name = services::users::set_signatory(&st.app, &ctx.actor, &input).await?;
    let notice = match input.signatory.as_str() {
        "ja" => format!("{name} is nu tekenbevoegd en is per e-mail op de hoogte gebracht."),
        _ => format!("{name} is niet meer tekenbevoegd en is per e-mail op de hoogte gebracht."),
    };
    crate::flash::redirect(&st, "/beheer/gebruikers", &notice).await
}
