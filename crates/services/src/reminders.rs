//! Reminders before each deadline of the regulation, to every region's managers and lead
//! applicants, a configurable number of days ahead; and the reminders of reports still owed
//! (see `reports::remind`). Each goes out once (a dedup key per
//! phase, lead time and person), however often the check runs.

use domain::Role;
use domain::fmt::instant_nl_exact;
use jiff::{SignedDuration, Timestamp};
use store::{regions, users};

use crate::mail::{self, Mail};
use crate::{App, Result};

/// Lead times when `STERK_REMINDER_DAYS` is not set.
pub const DEFAULT_DAYS: [i64; 2] = [14, 3];

/// `STERK_REMINDER_DAYS`, e.g. `30,14,3`; the default when unset, an error when malformed.
pub fn days_from_env() -> Result<Vec<i64>, String> {
    match std::env::var("STERK_REMINDER_DAYS") {
        Ok(text) if !text.trim().is_empty() => {
            text.split(',')
                .map(|d| {
                    d.trim().parse::<i64>().ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| {
                        format!("STERK_REMINDER_DAYS: \"{}\" is geen aantal dagen (1 tot 365)", d.trim())
                    })
                })
                .collect()
        }
        _ => Ok(DEFAULT_DAYS.to_vec()),
    }
}

/// Queues the reminders that are due at the app's clock and sends them; returns how many were new.
pub async fn send_due(app: &App, days: &[i64]) -> Result<usize> {
    let reg = app.current_regulation()?;
    let now = app.now();
    let tz = reg.time_zone();
    let mut queued = 0;
    let mut tx = app.db.begin().await?;
    for phase in &reg.phases {
        let Ok(closes) = phase.closes.to_zoned_datetime(tz.clone()) else { continue };
        let deadline: Timestamp = closes.timestamp();
        // The shortest lead time that has started: one reminder per step, not all at once.
        let Some(lead) = days
            .iter()
            .copied()
            .filter(|d| now < deadline && now >= deadline - SignedDuration::from_hours(24 * d))
            .min()
        else {
            continue;
        };
        for region in regions::list(&mut tx, false).await? {
            let mut people = users::holding(&mut tx, &region.id, Role::RegionManager).await?;
            people.extend(users::holding(&mut tx, &region.id, Role::LeadApplicant).await?);
            people.dedup_by(|a, b| a.0 == b.0);
            for (user_id, email, _) in &people {
                let mail = Mail {
                    user_id: Some(user_id),
                    to: email,
                    kind: "deadline.reminder",
                    subject: format!("Herinnering: {} sluit {}", phase.label, instant_nl_exact(deadline)),
                    body: format!(
                        "De termijn \"{}\" van de regeling sluit {} (nog {lead} dagen of minder). \
                         Controleer of de aanvraag van {} klaar is om in te dienen.\n\nBron: {}",
                        phase.label,
                        instant_nl_exact(deadline),
                        region.name,
                        phase.source
                    ),
                    path: format!("/regio/{}/aanvragen/{}", region.slug, phase.id),
                    dedup_key: Some(format!("reminder:{}:{}:{lead}:{}:{user_id}", reg.id, phase.id, region.id)),
                };
                if mail::queue(app, &mut tx, &mail).await? {
                    queued += 1;
                }
            }
        }
    }
    queued += crate::reports::remind(app, &mut tx).await?;
    tx.commit().await?;
    mail::deliver(app).await?;
    Ok(queued)
}
