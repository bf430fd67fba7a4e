//! What changed between two versions of an application: activities, budget lines, amounts.

use rust_decimal::Decimal;
use serde::Serialize;

use super::application::{Application, BudgetLine};
use crate::fmt::{decimal_nl, euro_nl};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// `vision`, `activity`, `budget`, `organisations`, `agreement` or `total`.
    pub part: &'static str,
    /// `added`, `removed` or `changed`.
    pub kind: &'static str,
    /// In Dutch, with the numbers.
    pub text: String,
}

fn change(part: &'static str, kind: &'static str, text: String) -> Change {
    Change { part, kind, text }
}

/// A budget line's identity across versions.
fn line_key(l: &BudgetLine) -> (String, i16, String, String) {
    (l.activity.clone(), l.year, l.category.clone(), l.description.clone())
}

fn line_label(l: &BudgetLine) -> String {
    let what = if l.description.is_empty() { l.category.clone() } else { l.description.clone() };
    format!("{what} ({}, {}, activiteit {})", l.year, l.category, l.activity)
}

pub fn diff(old: &Application, new: &Application) -> Vec<Change> {
    let mut out = Vec::new();
    if old.vision != new.vision {
        let len = |a: &Application| a.vision.as_deref().map_or(0, |v| v.chars().count());
        out.push(change("vision", "changed", format!("Regiovisie gewijzigd ({} → {} tekens).", len(old), len(new))));
    }
    for a in &new.activities {
        match old.activities.iter().find(|o| o.id == a.id) {
            None => out.push(change("activity", "added", format!("Activiteit toegevoegd: {}.", a.title))),
            Some(o) if o != a => {
                let mut what = Vec::new();
                if o.title != a.title {
                    what.push(format!("titel „{}” → „{}”", o.title, a.title));
                }
                if o.themes != a.themes {
                    what.push(format!("thema's {} → {}", o.themes.join(", "), a.themes.join(", ")));
                }
                if o.milestones != a.milestones {
                    what.push(format!("mijlpalen {} → {}", o.milestones.len(), a.milestones.len()));
                }
                if o.description != a.description || o.goals != a.goals || o.target_groups != a.target_groups {
                    what.push("beschrijving, doelen of doelgroepen".into());
                }
                if o.lead != a.lead || o.partners != a.partners {
                    what.push("trekker of partners".into());
                }
                out.push(change(
                    "activity",
                    "changed",
                    format!("Activiteit {} gewijzigd: {}.", a.title, what.join("; ")),
                ));
            }
            Some(_) => {}
        }
    }
    for o in old.activities.iter().filter(|o| !new.activities.iter().any(|a| a.id == o.id)) {
        out.push(change("activity", "removed", format!("Activiteit verwijderd: {}.", o.title)));
    }
    let mut unmatched_old: Vec<&BudgetLine> = old.budget.iter().collect();
    for l in &new.budget {
        match unmatched_old.iter().position(|o| line_key(o) == line_key(l)) {
            Some(i) => {
                let o = unmatched_old.remove(i);
                if o.amount() != l.amount() || o.funding != l.funding {
                    out.push(change(
                        "budget",
                        "changed",
                        format!(
                            "Begrotingsregel {}: {} × {} = {} → {} × {} = {}.",
                            line_label(l),
                            decimal_nl(o.quantity.0),
                            euro_nl(o.unit_price_eur.0),
                            euro_nl(o.amount()),
                            decimal_nl(l.quantity.0),
                            euro_nl(l.unit_price_eur.0),
                            euro_nl(l.amount())
                        ),
                    ));
                }
            }
            None => out.push(change(
                "budget",
                "added",
                format!("Begrotingsregel toegevoegd: {}, {}.", line_label(l), euro_nl(l.amount())),
            )),
        }
    }
    for o in unmatched_old {
        out.push(change(
            "budget",
            "removed",
            format!("Begrotingsregel verwijderd: {}, {}.", line_label(o), euro_nl(o.amount())),
        ));
    }
    if old.organisations != new.organisations {
        out.push(change(
            "organisations",
            "changed",
            format!("Organisaties: {} → {}.", old.organisations.len(), new.organisations.len()),
        ));
    }
    if old.agreement != new.agreement {
        let n = |a: &Application| a.agreement.as_ref().map_or(0, |g| g.signed_by.len());
        out.push(change("agreement", "changed", format!("Ondertekend door {} → {} organisaties.", n(old), n(new))));
    }
    let total = |a: &Application| a.budget.iter().map(BudgetLine::amount).sum::<Decimal>();
    if total(old) != total(new) {
        out.push(change(
            "total",
            "changed",
            format!("Begroting totaal {} → {}.", euro_nl(total(old)), euro_nl(total(new))),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_added_removed_and_changed_parts() {
        let old = Application::from_json(include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        assert!(diff(&old, &old).is_empty());
        let mut new = old.clone();
        new.activities[0].title = "Docenten in bedrijven".into();
        new.activities.remove(1);
        new.budget.retain(|l| l.activity != "a2");
        new.budget[0].unit_price_eur.0 = Decimal::from(55);
        let changes = diff(&old, &new);
        let texts: Vec<&str> = changes.iter().map(|c| c.text.as_str()).collect();
        assert!(
            texts.contains(&"Activiteit verwijderd: Meiden maken techniek: technieklessen op de basisschool."),
            "{texts:#?}"
        );
        assert!(texts.iter().any(|t| t.starts_with("Activiteit Docenten in bedrijven gewijzigd: titel")));
        assert!(texts.iter().any(|t| t.contains("400 × € 60,00 = € 24.000,00 → 400 × € 55,00 = € 22.000,00")));
        assert_eq!(changes.iter().filter(|c| c.part == "budget" && c.kind == "removed").count(), 4);
        assert_eq!(changes.last().unwrap().text, "Begroting totaal € 181.000,00 → € 159.000,00.");
    }

    #[test]
    fn canonical_json_is_stable_and_sorted() {
        let app = Application::from_json(include_str!("../../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        let json = app.canonical_json();
        assert!(json.starts_with("{\"activities\":"), "keys are sorted");
        assert!(!json.contains('\n'));
        assert_eq!(Application::from_json(&json).unwrap(), app, "the canonical form reads back the same");
    }
}
