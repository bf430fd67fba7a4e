//! What waits for a person, the first thing they see after signing in: each task says what to do,
//! how much and until when, and links to the place where it is done. The tasks come from the use
//! cases that own them, with the person's own rights, so nobody is shown work that is not theirs.

use std::collections::BTreeSet;

use domain::assessment::AssessmentState;
use domain::regulation::Window;
use domain::school_plan::PlanState;
use domain::{Action, Actor, Role};

use crate::{App, Result, ServiceError};

/// One thing to do: the sentence, and the address where it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub text: String,
    pub href: String,
    /// A deadline within two weeks, or something already late.
    pub urgent: bool,
}

/// How many days before a phase closes its submission becomes a task.
const DEADLINE_HORIZON_DAYS: i64 = 60;

pub async fn for_actor(app: &App, actor: &Actor) -> Result<Vec<Task>> {
    actor.require(Action::UseAccount)?;
    let mut tasks = Vec::new();
    let region_ids: BTreeSet<&str> = actor.grants.iter().filter_map(|g| g.region_id.as_deref()).collect();
    for region_id in region_ids {
        let Some(region) = store::regions::by_id(&mut *app.db.conn().await?, region_id).await? else { continue };
        if region.archived {
            continue;
        }
        plans(app, actor, &region, &mut tasks).await?;
        account_requests(app, actor, &region, &mut tasks).await?;
        join_requests(app, actor, &region, &mut tasks).await?;
        deadlines(app, actor, &region, &mut tasks).await?;
        milestones(app, actor, &region, &mut tasks).await?;
        repair_requests(app, actor, &region, &mut tasks).await?;
        agreements(app, actor, &region, &mut tasks).await?;
    }
    funder_queue(app, actor, &mut tasks).await?;
    let questions = crate::contact::waiting(app, actor).await?;
    if questions > 0 {
        let text = format!("{} via het contactformulier", count(questions, "vraag wacht", "vragen wachten"));
        tasks.push(Task { text, href: "/beheer/berichten".into(), urgent: false });
    }
    if actor.is_national_admin() {
        let waiting = store::notifications::pending(&mut *app.db.conn().await?, 1000).await?.len();
        if waiting > 0 {
            let text = format!("{} in de wachtrij om te verzenden", count(waiting, "bericht", "berichten"));
            tasks.push(Task { text, href: "/beheer/uitbak".into(), urgent: false });
        }
    }
    tasks.sort_by_key(|t| !t.urgent);
    Ok(tasks)
}

/// For the funder's staff: applications to take and to move on; for the ministry: where to look.
async fn funder_queue(app: &App, actor: &Actor, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.permits(Action::ViewAssessment) {
        return Ok(());
    }
    let queue = crate::assessments::queue(app, actor).await?;
    if !actor.permits(Action::Assess) {
        let text =
            format!("{} bij DUS-I: bekijk waar elke aanvraag staat", count(queue.len(), "aanvraag", "aanvragen"));
        tasks.push(Task { text, href: "/beoordeling".into(), urgent: false });
        return Ok(());
    }
    let today = crate::assessments::today(app)?;
    for (state, what) in [
        (AssessmentState::Ingediend, "in behandeling te nemen"),
        (AssessmentState::InBehandeling, "te beoordelen"),
        (AssessmentState::Beoordeeld, "wachten op een besluit"),
        (AssessmentState::Bezwaar, "met een bezwaar"),
    ] {
        let n = queue.iter().filter(|i| i.state == state).count();
        if n > 0 {
            let text = format!("{} {what}", count(n, "aanvraag", "aanvragen"));
            tasks.push(Task { text, href: format!("/beoordeling?status={}", state.code()), urgent: false });
        }
    }
    let overdue = queue.iter().filter(|i| i.request_due.is_some_and(|d| d < today)).count();
    if overdue > 0 {
        let text = format!("{} met een verlopen termijn voor aanvulling", count(overdue, "aanvraag", "aanvragen"));
        tasks.push(Task { text, href: "/beoordeling?status=aanvulling-gevraagd".into(), urgent: true });
    }
    Ok(())
}

/// For the region's editors: what the funder asks them to supplement, and by when.
async fn repair_requests(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.permits(Action::EditApplication { region_id: &region.id }) {
        return Ok(());
    }
    let open = store::assessments::open_requests(&mut *app.db.conn().await?, &region.id).await?;
    let reg = app.current_regulation()?;
    for (phase, _, due) in open {
        let (Some(phase), Ok(due)) = (reg.phase(&phase), due.parse::<jiff::civil::Date>()) else { continue };
        let text = format!(
            "DUS-I vraagt een aanvulling op de {} van {}: uiterlijk {}",
            phase.label.to_lowercase(),
            region.name,
            domain::fmt::date_nl(due)
        );
        tasks.push(Task {
            text,
            href: format!("/regio/{}/aanvragen/{}#beoordeling", region.slug, phase.id),
            urgent: true,
        });
    }
    Ok(())
}

/// For a signatory: an agreement in an open phase that waits for their organisation's confirmation.
async fn agreements(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.grants.iter().any(|g| g.signatory && g.region_id.as_deref() == Some(region.id.as_str())) {
        return Ok(());
    }
    for phase in &app.current_regulation()?.phases {
        let page = match crate::cosigning::page(app, actor, &region.slug, &phase.id).await {
            Ok(page) if page.open && page.state.has_terms => page,
            Ok(_) | Err(ServiceError::NotFound) => continue,
            Err(e) => return Err(e),
        };
        for party in page.state.parties.iter().filter(|p| p.mine && !p.standing.agreed()) {
            let text = format!(
                "Bevestig namens {} de samenwerkingsovereenkomst van {} ({})",
                party.name,
                region.name,
                phase.label.to_lowercase()
            );
            let href = format!("/regio/{}/aanvragen/{}/overeenkomst", region.slug, phase.id);
            tasks.push(Task { text, href, urgent: false });
        }
    }
    Ok(())
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// Plans waiting for the region's review; for a school, its own plans that wait for it.
async fn plans(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    let reviews = actor.has_role_in(Role::RegionManager, &region.id);
    let writes = actor.has_role_in(Role::SchoolContact, &region.id);
    let base = format!("/regio/{}/deelplannen", region.slug);
    for (id, title) in crate::school_plans::awaiting(app, actor, &region.id).await? {
        let text = format!("Deelplan ‘{title}’ wacht op uw akkoord als schoolleiding");
        tasks.push(Task { text, href: format!("{base}/{id}"), urgent: true });
    }
    if !reviews && !writes {
        return Ok(());
    }
    let plans = crate::school_plans::plans(app, actor, &region.slug).await?;
    if reviews {
        let waiting = plans.iter().filter(|p| matches!(p.state, PlanState::Ingediend | PlanState::InBehandeling));
        let n = waiting.count();
        if n > 0 {
            let text = format!(
                "{} van scholen in {} {} op uw beoordeling",
                count(n, "deelplan", "deelplannen"),
                region.name,
                if n == 1 { "wacht" } else { "wachten" }
            );
            tasks.push(Task { text, href: format!("{base}?status=ingediend"), urgent: false });
        }
    }
    // A school's own plans (the board shows others' approved titles too, not readable).
    for p in plans.iter().filter(|p| writes && p.readable) {
        let (text, urgent) = match p.state {
            PlanState::Teruggestuurd => {
                (format!("Uw deelplan ‘{}’ is teruggestuurd: pas het aan en dien het opnieuw in", p.title), true)
            }
            PlanState::Concept => (format!("Uw deelplan ‘{}’ is nog niet ingediend", p.title), false),
            PlanState::BijSchoolleiding => (format!("Uw deelplan ‘{}’ wacht op de schoolleiding", p.title), false),
            _ => continue,
        };
        tasks.push(Task { text, href: format!("{base}/{}", p.id), urgent });
    }
    Ok(())
}

async fn account_requests(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.permits(Action::InviteUser { role: Role::SchoolContact, region_id: Some(&region.id) })
        || !actor.has_role_in(Role::RegionManager, &region.id)
    {
        return Ok(());
    }
    let (_, open) = crate::account_requests::open(app, actor, &region.slug).await?;
    if !open.is_empty() {
        let text =
            format!("{} van docenten in {}", count(open.len(), "accountaanvraag", "accountaanvragen"), region.name);
        tasks.push(Task { text, href: format!("/regio/{}/deelplannen/accounts", region.slug), urgent: false });
    }
    Ok(())
}

/// Schools and companies that asked to join the region.
async fn join_requests(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.permits(Action::ManageMemberships { region_id: &region.id })
        || !actor.has_role_in(Role::RegionManager, &region.id)
    {
        return Ok(());
    }
    let open = store::join_requests::open(&mut *app.db.conn().await?, &region.id).await?;
    if !open.is_empty() {
        let text = format!("{} om mee te doen in {}", count(open.len(), "aanmelding", "aanmeldingen"), region.name);
        tasks.push(Task { text, href: format!("/regio/{}/aanmeldingen", region.slug), urgent: false });
    }
    Ok(())
}

/// Open phases the region has not submitted yet, when their deadline is near.
async fn deadlines(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.permits(Action::EditApplication { region_id: &region.id }) {
        return Ok(());
    }
    let (_, phases) = crate::applications::overview(app, actor, &region.slug).await?;
    for p in phases {
        let Window::Open { closes, days_left } = p.window else { continue };
        if p.versions > 0 || days_left > DEADLINE_HORIZON_DAYS {
            continue;
        }
        let left = match days_left {
            0 => "vandaag".to_owned(),
            1 => "nog 1 dag".to_owned(),
            n => format!("nog {n} dagen"),
        };
        let text =
            format!("{} van {} indienen: {left}, tot {}", p.label, region.name, domain::fmt::datetime_nl(closes));
        let href = format!("/regio/{}/aanvragen/{}", region.slug, p.id);
        tasks.push(Task { text, href, urgent: days_left <= 14 });
    }
    Ok(())
}

/// Milestones of the approved plan past their date and not reached.
async fn milestones(app: &App, actor: &Actor, region: &domain::Region, tasks: &mut Vec<Task>) -> Result<()> {
    if !actor.permits(Action::ViewAllRecords { region_id: &region.id }) {
        return Ok(());
    }
    let late = match crate::execution::overdue_milestones(app, actor, &region.slug).await {
        Ok(late) => late,
        // No approved plan yet: nothing to reach.
        Err(ServiceError::NotFound) => return Ok(()),
        Err(e) => return Err(e),
    };
    if late > 0 {
        let text =
            format!("{} in {} over de datum en nog niet bereikt", count(late, "mijlpaal", "mijlpalen"), region.name);
        tasks.push(Task { text, href: format!("/regio/{}/uitvoering/mijlpalen", region.slug), urgent: true });
    }
    Ok(())
}
