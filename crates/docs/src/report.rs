//! The progress report and the final accounts (activity report and financial report) as PDF and
//! XLSX, a change notice as a PDF letter, and reading the first sheet of a workbook as a table
//! (for imports). The figures come from `domain::execution`; this module only lays them out.

use std::collections::BTreeMap;

use domain::execution::{ChangeNotice, Realisation, Records, Settlement};
use domain::fmt::{date_nl, decimal_nl, euro_nl, percent_nl};
use domain::regulation::Regulation;
use domain::regulation::application::Application;
use rust_decimal::Decimal;

use crate::pdf::{PdfError, compile, t};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Progress in one year.
    Progress(i16),
    Final,
}

impl ReportKind {
    pub fn title(self) -> String {
        match self {
            ReportKind::Progress(year) => format!("Voortgangsrapportage {year}"),
            ReportKind::Final => "Eindverantwoording: activiteitenverslag en financieel verslag".into(),
        }
    }
}

/// A milestone as reported.
#[derive(Debug, Clone)]
pub struct MilestoneRow {
    pub activity: String,
    pub title: String,
    pub due: jiff::civil::Date,
    pub state: &'static str,
    pub achieved_on: Option<jiff::civil::Date>,
    pub evidence: String,
}

/// Everything a report shows, computed by the rules engine.
pub struct ReportInput<'a> {
    pub reg: &'a Regulation,
    pub region: &'a str,
    pub kind: ReportKind,
    pub approved: &'a Application,
    pub records: &'a Records,
    pub realisation: &'a Realisation,
    /// The years whose depreciation the realisation counts (those begun), so the lines can be
    /// listed as the realisation made them.
    pub years: &'a [i16],
    /// The settlement (final accounts only).
    pub settlement: Option<&'a Settlement>,
    /// The annual accounts note: per year received (from the payment register), spent and the balance.
    pub annual: &'a [domain::payments::AnnualLine],
    pub milestones: &'a [MilestoneRow],
    /// The region's explanation of the difference per activity id.
    pub explanations: &'a BTreeMap<String, String>,
    /// The day the report was made.
    pub made_on: jiff::civil::Date,
    /// The approved school plans' own reports for this report, rolled up.
    pub plans: &'a [PlanReportRow],
}

/// One school plan's report as the region's report rolls it up: the school's account beside
/// what the region's plan and records hold for the plan's activities.
#[derive(Debug, Clone)]
pub struct PlanReportRow {
    pub title: String,
    pub school: String,
    pub done: String,
    pub results: String,
    /// What the school says it spent.
    pub spent: Decimal,
    /// The plan's lines in the approved budget (eligible).
    pub budgeted: Decimal,
    /// Realised on the plan's activities in the region's records (eligible), already in the totals.
    pub recorded: Decimal,
}

/// The sentence that says the schools' money is not counted again.
pub(crate) const PLANS_COUNTED_ONCE: &str = "De bedragen van de scholen zijn hun eigen verantwoording van kosten die al in de registratie van de regio staan: ze tellen niet nog eens mee in de totalen.";

impl ReportInput<'_> {
    pub(crate) fn activity_title(&self, id: &str) -> String {
        self.approved.activities.iter().find(|a| a.id == id).map_or(id.to_owned(), |a| a.title.clone())
    }

    pub(crate) fn category_label(&self, id: &str) -> String {
        self.reg.category(id).map_or(id.to_owned(), |c| c.label.clone())
    }

    pub(crate) fn funder_label(&self, id: &str) -> String {
        if id == "subsidie" {
            "Subsidie".into()
        } else {
            self.approved.organisation(id).map_or(id.to_owned(), |o| o.name.clone())
        }
    }
}

pub use crate::report_workbook::report_xlsx;

fn table_row(cells: &[String]) -> String {
    let mut s = String::from("  ");
    for c in cells {
        s.push_str(&format!("[{}], ", t(c)));
    }
    s.push('\n');
    s
}

/// The report as a PDF: summary, activity report and financial report.
pub fn report_pdf(input: &ReportInput) -> Result<Vec<u8>, PdfError> {
    let r = input.realisation;
    let mut s = String::new();
    s.push_str("#set document(title: \"Verantwoording Sterk Techniekonderwijs\")\n");
    s.push_str("#set page(paper: \"a4\", margin: 2cm, numbering: \"1\")\n#set text(lang: \"nl\", size: 10pt)\n");
    s.push_str("#show heading: set block(above: 1.2em, below: 0.6em)\n#set table(inset: 4pt, stroke: 0.4pt)\n#show table: set text(size: 8pt)\n");
    s.push_str(&format!("= {}\n", t(&input.kind.title())));
    s.push_str(&format!(
        "{}\n\n",
        t(&format!("{} · {} · opgesteld op {}", input.region, input.reg.title, date_nl(input.made_on)))
    ));

    s.push_str("== Samenvatting\n#table(columns: (60%, 40%), align: (left, right),\n");
    let mut rows = vec![
        ("Begroot (subsidiabel)".to_owned(), euro_nl(r.total.approved)),
        ("Gerealiseerd (subsidiabel)".to_owned(), euro_nl(r.total.realised)),
        ("Niet besteed".to_owned(), euro_nl(r.total.unspent())),
        (
            "Cofinanciering door bedrijven".to_owned(),
            format!(
                "{} ({}; minimaal {})",
                euro_nl(r.cofinancing),
                percent_nl(r.cofinancing_share),
                percent_nl(r.cofinancing_minimum_share)
            ),
        ),
    ];
    if let (false, Some(f)) = (input.kind == ReportKind::Final, r.forecast) {
        rows.push(("Verwachte realisatie aan het eind van de looptijd".into(), euro_nl(f)));
    }
    if let Some(st) = input.settlement {
        rows.extend([
            ("Verleende subsidie".to_owned(), euro_nl(st.granted)),
            ("Gerealiseerd ten laste van de subsidie".to_owned(), euro_nl(st.realised_subsidy)),
            ("Tekort aan cofinanciering (verlaagt de subsidie)".to_owned(), euro_nl(st.shortfall)),
            ("Vast te stellen subsidie".to_owned(), euro_nl(st.settled)),
            ("Ontvangen voorschotten".to_owned(), euro_nl(st.received)),
            (
                if st.to_repay.is_sign_negative() { "Nog te ontvangen" } else { "Terug te betalen" }.to_owned(),
                euro_nl(st.to_repay.abs()),
            ),
        ]);
    }
    for (k, v) in rows {
        s.push_str(&table_row(&[k, v]));
    }
    s.push_str(")\n");

    s.push_str("== Activiteitenverslag\n");
    for a in &input.approved.activities {
        let against = r.per_activity.get(&a.id).cloned().unwrap_or_default();
        s.push_str(&format!("=== {}\n", t(&a.title)));
        if !a.goals.is_empty() {
            s.push_str(&format!("*Doelen:* {}\n\n", t(&a.goals)));
        }
        s.push_str(&format!(
            "{}\n\n",
            t(&format!(
                "Begroot {}, gerealiseerd {}, verschil {}.",
                euro_nl(against.approved),
                euro_nl(against.realised),
                euro_nl(against.unspent())
            ))
        ));
        for m in input.milestones.iter().filter(|m| m.activity == a.id) {
            let when = m.achieved_on.map(|d| format!(", behaald op {}", date_nl(d))).unwrap_or_default();
            s.push_str(&format!(
                "- {}\n",
                t(&format!("{} (gepland {}): {}{when}", m.title, date_nl(m.due), m.state.to_lowercase()))
            ));
        }
        let why = input.explanations.get(&a.id).map_or("Geen toelichting gegeven.", String::as_str);
        s.push_str(&format!("\n*Toelichting op het verschil:* {}\n\n", t(why)));
    }

    if !input.plans.is_empty() {
        s.push_str("== Deelplannen van scholen\n");
        s.push_str(&format!("{}\n\n", t(PLANS_COUNTED_ONCE)));
        for p in input.plans {
            s.push_str(&format!("=== {}\n", t(&format!("{} ({})", p.title, p.school))));
            s.push_str(&format!(
                "{}\n\n",
                t(&format!(
                    "Besteed volgens de school {}; begroot in het plan {}; geregistreerd op de activiteiten van het plan {}.",
                    euro_nl(p.spent),
                    euro_nl(p.budgeted),
                    euro_nl(p.recorded)
                ))
            ));
            s.push_str(&format!("*Gedaan:* {}\n\n", t(&p.done)));
            if !p.results.trim().is_empty() {
                s.push_str(&format!("*Resultaten:* {}\n\n", t(&p.results)));
            }
        }
    }

    s.push_str("== Financieel verslag\n=== Per kostensoort\n#table(columns: (46%, 18%, 18%, 18%), align: (left, right, right, right),\n");
    s.push_str("  table.header([*Kostensoort*], [*Begroot*], [*Gerealiseerd*], [*Verschil*]),\n");
    for (id, a) in &r.per_category {
        s.push_str(&table_row(&[
            input.category_label(id),
            euro_nl(a.approved),
            euro_nl(a.realised),
            euro_nl(a.unspent()),
        ]));
    }
    s.push_str(&table_row(&[
        "Totaal".into(),
        euro_nl(r.total.approved),
        euro_nl(r.total.realised),
        euro_nl(r.total.unspent()),
    ]));
    s.push_str(")\n=== Per jaar\n#table(columns: (46%, 18%, 18%, 18%), align: (left, right, right, right),\n");
    s.push_str("  table.header([*Jaar*], [*Begroot*], [*Gerealiseerd*], [*Verschil*]),\n");
    for (y, a) in &r.per_year {
        s.push_str(&table_row(&[y.to_string(), euro_nl(a.approved), euro_nl(a.realised), euro_nl(a.unspent())]));
    }
    s.push_str(")\n=== Per financier\n#table(columns: (46%, 18%, 18%, 18%), align: (left, right, right, right),\n");
    s.push_str("  table.header([*Financier*], [*Begroot*], [*Gerealiseerd*], [*Verschil*]),\n");
    for (id, a) in &r.per_funder {
        s.push_str(&table_row(&[
            input.funder_label(id),
            euro_nl(a.approved),
            euro_nl(a.realised),
            euro_nl(a.unspent()),
        ]));
    }
    s.push_str(")\n");
    let above: Vec<&str> = r.lines.iter().filter_map(|l| l.explanation.as_deref()).collect();
    if !above.is_empty() {
        let own: Decimal = r.lines.iter().map(|l| l.own_cost).sum();
        s.push_str(&format!(
            "{}\n\n",
            t(&format!(
                "{} regel(s) met een tarief boven het maximum; alleen het maximum telt mee, {} komt voor eigen rekening.",
                above.len(),
                euro_nl(own)
            ))
        ));
    }
    s.push_str("=== Toelichting voor de jaarrekening van de penvoerder\n");
    let received: Decimal = input.annual.iter().map(|l| l.received).sum();
    s.push_str(&format!(
        "{}\n\n",
        t(&format!("Doelsubsidie: ontvangen {} volgens het betaalregister van DUS-I.", euro_nl(received)))
    ));
    s.push_str("#table(columns: (19%, 27%, 27%, 27%), align: (left, right, right, right),\n  table.header([*Jaar*], [*Ontvangen*], [*Besteed*], [*Nog te besteden*]),\n");
    for l in input.annual {
        s.push_str(&table_row(&[l.year.to_string(), euro_nl(l.received), euro_nl(l.spent), euro_nl(l.balance)]));
    }
    s.push_str(")\n");
    s.push_str(&format!(
        "#text(size: 8pt)[{}]\n",
        t(&format!(
            "Aantallen: {} urenregels, {} facturen, {} apparaten, {} bijdragen. Bedragen volgens {}.",
            decimal_nl(Decimal::from(input.records.hours.len())),
            decimal_nl(Decimal::from(input.records.costs.len())),
            decimal_nl(Decimal::from(input.records.assets.len())),
            decimal_nl(Decimal::from(input.records.contributions.len())),
            input.reg.title
        ))
    ));
    compile(s, input.made_on)
}

/// A change notice as a letter to the funder.
pub fn change_notice_pdf(
    reg: &Regulation,
    region: &str,
    approved: &Application,
    notice: &ChangeNotice,
    substantial: &[String],
) -> Result<Vec<u8>, PdfError> {
    let Some(dated) = notice.date else {
        return Err(PdfError::Typeset("een melding zonder datum kan geen brief worden".into()));
    };
    let title = |id: &str| approved.activities.iter().find(|a| a.id == id).map_or(id.to_owned(), |a| a.title.clone());
    let mut s = String::new();
    s.push_str("#set document(title: \"Melding van een wijziging\")\n#set page(paper: \"a4\", margin: 2.5cm)\n#set text(lang: \"nl\", size: 11pt)\n");
    s.push_str(&format!("{}\n\n", t(&format!("{region}, {}", date_nl(dated)))));
    s.push_str(&format!(
        "*Betreft:* {}\n\n",
        t(&format!("melding van een wijziging in het activiteitenplan ({})", reg.title))
    ));
    s.push_str("Geachte heer, mevrouw,\n\n");
    s.push_str(&format!("{}\n\n", t(&format!("Hierbij meldt de regio {region} de volgende wijziging.",))));
    for para in notice.description.split("\n\n") {
        s.push_str(&format!("{}\n\n", t(para.trim())));
    }
    let mut list = |label: &str, items: Vec<String>| {
        if !items.is_empty() {
            s.push_str(&format!("*{}*\n", t(label)));
            for i in items {
                s.push_str(&format!("- {}\n", t(&i)));
            }
            s.push('\n');
        }
    };
    list("Vervallen doelen", notice.goals_dropped.clone());
    list("Nieuwe doelen", notice.goals_added.clone());
    list("Activiteiten die niet worden uitgevoerd", notice.activities_dropped.iter().map(|a| title(a)).collect());
    list("Activiteiten met vertraging", notice.activities_late.iter().map(|a| title(a)).collect());
    list(
        "Verschuivingen in de begroting",
        notice
            .moves
            .iter()
            .map(|m| {
                let label = |id: &str| reg.category(id).map_or(id.to_owned(), |c| c.label.clone());
                format!("{} van {} naar {}", euro_nl(m.amount_eur), label(&m.from_category), label(&m.to_category))
            })
            .collect(),
    );
    if substantial.is_empty() {
        s.push_str(&format!(
            "{}\n\n",
            t("Naar ons oordeel is deze wijziging niet wezenlijk; wij melden haar ter informatie.")
        ));
    } else {
        s.push_str(&format!("{}\n", t("Deze wijziging is wezenlijk en daarom meldplichtig:")));
        for w in substantial {
            s.push_str(&format!("- {}\n", t(w)));
        }
        s.push('\n');
    }
    s.push_str(&format!("{}\n\n{}\n", t("Met vriendelijke groet,"), t(&format!("namens de regio {region}"))));
    compile(s, dated)
}
