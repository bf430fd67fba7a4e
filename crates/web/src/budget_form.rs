//! Reading an activity or a budget line from a posted form, for applications and school plans alike.

use crate::form::Pairs;
use domain::FieldErrors;
use domain::fmt::parse_decimal_nl;
use domain::regulation::application::{Activity, Amount, BudgetLine, Budgeted, Funding, FundingSource, Milestone};

/// The target groups an activity can name.
/// The activity a form describes: `milestones` are kept and a filled-in new milestone is added.
pub(crate) fn activity_from_form(
    f: &Pairs,
    id: String,
    mut milestones: Vec<Milestone>,
    e: &mut FieldErrors,
) -> Activity {
    let title = domain::validation::required(e, "title", "de titel van de activiteit", &f.get("title"), 200);
    let milestone_title = f.get("milestone_title");
    if !milestone_title.is_empty() {
        match f.get("milestone_due").parse::<jiff::civil::Date>() {
            Ok(due) => milestones.push(Milestone { title: milestone_title, due }),
            Err(_) => e.add("milestone_due", "Geef de datum van de mijlpaal (dag, maand en jaar)."),
        }
    }
    Activity {
        id,
        title,
        description: f.get("description"),
        goals: f.get("goals"),
        target_groups: f.all("target_groups"),
        themes: f.all("themes"),
        lead: Some(f.get("lead")).filter(|l| !l.is_empty()),
        partners: f.all("partners"),
        milestones,
        results: f.all("results"),
        indicators: f.all("indicators"),
        school_plan: None,
    }
}

fn amount(e: &mut FieldErrors, field: &str, label: &str, raw: &str) -> Amount {
    match parse_decimal_nl(raw) {
        Some(d) if d >= rust_decimal::Decimal::ZERO => Amount(d),
        Some(_) => {
            e.add(field, format!("{label} is niet negatief."));
            Amount::default()
        }
        None => {
            e.add(field, format!("Vul {} in als getal, bijvoorbeeld 1.234,56.", label.to_lowercase()));
            Amount::default()
        }
    }
}

/// The budget line a form describes.
pub(crate) fn line_from_form(f: &Pairs, e: &mut FieldErrors) -> BudgetLine {
    let quantity = amount(e, "quantity", "Het aantal", &f.get("quantity"));
    let unit_price_eur = amount(e, "unit_price_eur", "De prijs per eenheid", &f.get("unit_price_eur"));
    let year = f.get("year").parse::<i16>().unwrap_or_else(|_| {
        e.add("year", "Kies een jaar.");
        0
    });
    let funding = match f.get("funding").as_str() {
        "subsidie" | "" => Funding { source: FundingSource::Subsidy, by: None, in_kind: false },
        by => Funding { source: FundingSource::Cofinancing, by: Some(by.to_owned()), in_kind: f.get("in_kind") == "1" },
    };
    BudgetLine {
        activity: f.get("activity"),
        year,
        category: f.get("category"),
        description: f.get("description"),
        quantity,
        unit: f.get("unit"),
        unit_price_eur,
        funding,
        school_plan: None,
        date: None,
    }
}

/// The edit that adds the activity a form describes, to an application or a school plan.
pub(crate) fn adding_activity<T: Budgeted>(f: &Pairs) -> impl FnOnce(&mut T) -> Result<(), FieldErrors> + '_ {
    move |t| {
        let mut e = FieldErrors::default();
        t.add_activity(activity_from_form(f, String::new(), Vec::new(), &mut e));
        e.into_result(())
    }
}

/// The edit that adds the budget line a form describes.
pub(crate) fn adding_line<T: Budgeted>(f: &Pairs) -> impl FnOnce(&mut T) -> Result<(), FieldErrors> + '_ {
    move |t| {
        let mut e = FieldErrors::default();
        let line = line_from_form(f, &mut e);
        t.parts().1.push(line);
        e.into_result(())
    }
}

/// A new budget line's form as it was typed, with each message at its field: after a refusal the
/// form is shown again, open, with nothing lost.
#[derive(Debug, Clone, Default)]
pub struct LineForm {
    pub open: bool,
    pub activity: String,
    pub year: String,
    pub category: String,
    pub description: String,
    pub quantity: String,
    pub unit: String,
    pub price: String,
    pub funding: String,
    pub in_kind: bool,
    errors: Vec<(String, String)>,
}

impl LineForm {
    /// What the person typed; shown only when the save is refused.
    pub fn typed(f: &Pairs) -> LineForm {
        LineForm {
            open: true,
            activity: f.get("activity"),
            year: f.get("year"),
            category: f.get("category"),
            description: f.get("description"),
            quantity: f.get("quantity"),
            unit: f.get("unit"),
            price: f.get("unit_price_eur"),
            funding: f.get("funding"),
            in_kind: f.get("in_kind") == "1",
            errors: Vec::new(),
        }
    }

    /// The refusal's messages, each at its field (`budget[3].quantity` is the new line's `quantity`).
    pub fn with_errors(mut self, errors: &[(String, String)]) -> LineForm {
        if self.open {
            self.errors =
                errors.iter().map(|(k, m)| (k.rsplit('.').next().unwrap_or(k).to_owned(), m.clone())).collect();
        }
        self
    }

    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(k, _)| k == field).map(|(_, m)| m.as_str())
    }
}

/// Who pays a budget line, as a table shows it: "Subsidie", or the co-financing company and
/// whether it pays in money or in kind.
pub(crate) fn funder(line: &BudgetLine, org_name: impl Fn(&str) -> String) -> String {
    match (&line.funding.source, &line.funding.by) {
        (FundingSource::Cofinancing, Some(by)) => {
            format!("{} ({})", org_name(by), if line.funding.in_kind { "in natura" } else { "geld" })
        }
        _ => "Subsidie".into(),
    }
}
