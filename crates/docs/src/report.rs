//! The progress report and the final accounts (activity report and financial report) as PDF and
//! XLSX, a change notice as a PDF letter, and reading the first sheet of a workbook as a table
//! (for imports). The figures come from `domain::execution`; this module only lays them out.

use std::collections::BTreeMap;

use domain::execution::{ChangeNotice, Realisation, Records, Settlement};
use domain::fmt::{date_nl, decimal_nl, euro_nl, percent_nl};
use domain::regulation::Regulation;
use domain::regulation::application::Application;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

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
    /// The settlement (final accounts only).
    pub settlement: Option<&'a Settlement>,
    /// The annual accounts note: per year received (from the payment register), spent and the balance.
    pub annual: &'a [domain::payments::AnnualLine],
    pub milestones: &'a [MilestoneRow],
    /// The region's explanation of the difference per activity id.
    pub explanations: &'a BTreeMap<String, String>,
    /// "1 oktober 2028": the day the report was made.
    pub made_on: String,
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
const PLANS_COUNTED_ONCE: &str = "De bedragen van de scholen zijn hun eigen verantwoording van kosten die al in de registratie van de regio staan: ze tellen niet nog eens mee in de totalen.";

impl ReportInput<'_> {
    fn activity_title(&self, id: &str) -> String {
        self.approved.activities.iter().find(|a| a.id == id).map_or(id.to_owned(), |a| a.title.clone())
    }

    fn category_label(&self, id: &str) -> String {
        self.reg.category(id).map_or(id.to_owned(), |c| c.label.clone())
    }

    fn funder_label(&self, id: &str) -> String {
        if id == "subsidie" {
            "Subsidie".into()
        } else {
            self.approved.organisation(id).map_or(id.to_owned(), |o| o.name.clone())
        }
    }
}

fn f64_of(d: Decimal) -> f64 {
    d.try_into().unwrap_or(0.0)
}

/// The report as a workbook: summary, per category and year, per activity, milestones, and every
/// realised line (hours, invoices, depreciation, contributions) with its eligible amount.
pub fn report_xlsx(input: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format("€ #,##0.00");
    let percent = Format::new().set_num_format("0.0%");
    let r = input.realisation;

    let ws = wb.add_worksheet().set_name("Samenvatting")?;
    ws.set_column_width(0, 46.0)?;
    ws.set_column_width(1, 20.0)?;
    ws.write_string_with_format(0, 0, input.kind.title(), &bold)?;
    ws.write_string(1, 0, "Regio")?;
    ws.write_string(1, 1, input.region)?;
    ws.write_string(2, 0, "Opgesteld op")?;
    ws.write_string(2, 1, &input.made_on)?;
    let mut row = 4;
    let mut figure = |label: &str, value: Decimal| -> Result<(), XlsxError> {
        ws.write_string(row, 0, label)?;
        ws.write_number_with_format(row, 1, f64_of(value), &euro)?;
        row += 1;
        Ok(())
    };
    figure("Begroot (subsidiabel)", r.total.approved)?;
    figure("Gerealiseerd (subsidiabel)", r.total.realised)?;
    figure("Niet besteed", r.total.unspent())?;
    figure("Cofinanciering door bedrijven", r.cofinancing)?;
    if let Some(s) = input.settlement {
        figure("Verleende subsidie", s.granted)?;
        figure("Gerealiseerd ten laste van de subsidie", s.realised_subsidy)?;
        figure("Vereiste cofinanciering", s.cofinancing_required)?;
        figure("Tekort aan cofinanciering", s.shortfall)?;
        figure("Vast te stellen subsidie", s.settled)?;
        figure("Ontvangen voorschotten", s.received)?;
        figure("Terug te betalen (negatief: nog te ontvangen)", s.to_repay)?;
    }
    ws.write_string(row, 0, "Aandeel cofinanciering")?;
    ws.write_number_with_format(row, 1, f64_of(r.cofinancing_share), &percent)?;
    row += 2;
    ws.write_string_with_format(row, 0, "Toelichting jaarrekening penvoerder (doelsubsidie)", &bold)?;
    row += 1;
    for (c, h) in ["Jaar", "Ontvangen", "Besteed", "Nog te besteden"].iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &bold)?;
    }
    for l in input.annual {
        row += 1;
        ws.write_number(row, 0, f64::from(l.year))?;
        ws.write_number_with_format(row, 1, f64_of(l.received), &euro)?;
        ws.write_number_with_format(row, 2, f64_of(l.spent), &euro)?;
        ws.write_number_with_format(row, 3, f64_of(l.balance), &euro)?;
    }

    let ws = wb.add_worksheet().set_name("Per kostensoort en jaar")?;
    let years: Vec<i16> = r.per_year.keys().copied().collect();
    ws.set_column_width(0, 40.0)?;
    ws.write_string_with_format(0, 0, "Kostensoort", &bold)?;
    ws.write_string_with_format(0, 1, "Begroot", &bold)?;
    ws.write_string_with_format(0, 2, "Gerealiseerd", &bold)?;
    ws.write_string_with_format(0, 3, "Verschil", &bold)?;
    let mut row = 1;
    for (id, a) in &r.per_category {
        ws.write_string(row, 0, input.category_label(id))?;
        ws.write_number_with_format(row, 1, f64_of(a.approved), &euro)?;
        ws.write_number_with_format(row, 2, f64_of(a.realised), &euro)?;
        ws.write_number_with_format(row, 3, f64_of(a.unspent()), &euro)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Jaar", &bold)?;
    for y in &years {
        row += 1;
        let Some(a) = r.per_year.get(y) else { continue };
        ws.write_number(row, 0, f64::from(*y))?;
        ws.write_number_with_format(row, 1, f64_of(a.approved), &euro)?;
        ws.write_number_with_format(row, 2, f64_of(a.realised), &euro)?;
        ws.write_number_with_format(row, 3, f64_of(a.unspent()), &euro)?;
    }
    row += 2;
    ws.write_string_with_format(row, 0, "Financier", &bold)?;
    for (id, a) in &r.per_funder {
        row += 1;
        ws.write_string(row, 0, input.funder_label(id))?;
        ws.write_number_with_format(row, 1, f64_of(a.approved), &euro)?;
        ws.write_number_with_format(row, 2, f64_of(a.realised), &euro)?;
        ws.write_number_with_format(row, 3, f64_of(a.unspent()), &euro)?;
    }

    let ws = wb.add_worksheet().set_name("Activiteiten")?;
    for (c, (h, w)) in
        [("Activiteit", 40.0), ("Begroot", 16.0), ("Gerealiseerd", 16.0), ("Verschil", 16.0), ("Toelichting", 60.0)]
            .iter()
            .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, *w)?;
    }
    for (i, (id, a)) in r.per_activity.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, input.activity_title(id))?;
        ws.write_number_with_format(row, 1, f64_of(a.approved), &euro)?;
        ws.write_number_with_format(row, 2, f64_of(a.realised), &euro)?;
        ws.write_number_with_format(row, 3, f64_of(a.unspent()), &euro)?;
        ws.write_string(row, 4, input.explanations.get(id).map_or("", String::as_str))?;
    }

    let ws = wb.add_worksheet().set_name("Mijlpalen")?;
    for (c, h) in ["Activiteit", "Mijlpaal", "Gepland", "Status", "Behaald op", "Bewijs"].iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, m) in input.milestones.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, input.activity_title(&m.activity))?;
        ws.write_string(row, 1, &m.title)?;
        ws.write_string(row, 2, date_nl(m.due))?;
        ws.write_string(row, 3, m.state)?;
        ws.write_string(row, 4, m.achieved_on.map(date_nl).unwrap_or_default())?;
        ws.write_string(row, 5, &m.evidence)?;
    }

    let ws = wb.add_worksheet().set_name("Deelplannen")?;
    for (c, h) in [
        "Deelplan",
        "School",
        "Gedaan",
        "Resultaten",
        "Besteed volgens de school",
        "Begroot in het plan",
        "Geregistreerd",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, p) in input.plans.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &p.title)?;
        ws.write_string(row, 1, &p.school)?;
        ws.write_string(row, 2, &p.done)?;
        ws.write_string(row, 3, &p.results)?;
        ws.write_number_with_format(row, 4, f64_of(p.spent), &euro)?;
        ws.write_number_with_format(row, 5, f64_of(p.budgeted), &euro)?;
        ws.write_number_with_format(row, 6, f64_of(p.recorded), &euro)?;
    }
    ws.write_string(input.plans.len() as u32 + 2, 0, PLANS_COUNTED_ONCE)?;

    // Every realised line with what the regulation makes of it, in the order of `realised()`:
    // hours, invoices, depreciation, in-kind contributions.
    let ws = wb.add_worksheet().set_name("Regels")?;
    for (c, (h, w)) in [
        ("Datum", 12.0),
        ("Activiteit", 30.0),
        ("Kostensoort", 26.0),
        ("Omschrijving", 40.0),
        ("Aantal", 10.0),
        ("Prijs", 14.0),
        ("Bedrag", 14.0),
        ("Maximum tarief", 14.0),
        ("Subsidiabel", 14.0),
        ("Eigen rekening", 14.0),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
        ws.set_column_width(c as u16, *w)?;
    }
    let realised = domain::execution::realised(input.approved, input.records, &years);
    for (i, (line, outcome)) in realised.budget.iter().zip(&r.lines).enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, line.date.map(|d| d.to_string()).unwrap_or_default())?;
        ws.write_string(row, 1, input.activity_title(&line.activity))?;
        ws.write_string(row, 2, input.category_label(&line.category))?;
        ws.write_string(row, 3, &line.description)?;
        ws.write_number(row, 4, f64_of(line.quantity.0))?;
        ws.write_number_with_format(row, 5, f64_of(line.unit_price_eur.0), &euro)?;
        ws.write_number_with_format(row, 6, f64_of(outcome.amount), &euro)?;
        if let Some(cap) = outcome.cap {
            ws.write_number_with_format(row, 7, f64_of(cap), &euro)?;
        }
        ws.write_number_with_format(row, 8, f64_of(outcome.eligible), &euro)?;
        ws.write_number_with_format(row, 9, f64_of(outcome.own_cost), &euro)?;
    }
    let cash: Vec<_> =
        input.records.contributions.iter().filter(|c| c.kind == domain::execution::ContributionKind::Cash).collect();
    if !cash.is_empty() {
        let ws = wb.add_worksheet().set_name("Bijdragen in geld")?;
        for (c, h) in ["Datum", "Bedrijf", "Activiteit", "Bedrag", "Bewijs"].iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, c) in cash.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, c.date.to_string())?;
            ws.write_string(row, 1, input.funder_label(&c.company))?;
            ws.write_string(row, 2, input.activity_title(&c.activity))?;
            ws.write_number_with_format(row, 3, f64_of(c.amount_eur), &euro)?;
            ws.write_string(row, 4, &c.evidence)?;
        }
    }
    wb.save_to_buffer()
}

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
        t(&format!("{} · {} · opgesteld op {}", input.region, input.reg.title, input.made_on))
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
    compile(s)
}

/// A change notice as a letter to the funder.
pub fn change_notice_pdf(
    reg: &Regulation,
    region: &str,
    approved: &Application,
    notice: &ChangeNotice,
    substantial: &[String],
) -> Result<Vec<u8>, PdfError> {
    let title = |id: &str| approved.activities.iter().find(|a| a.id == id).map_or(id.to_owned(), |a| a.title.clone());
    let mut s = String::new();
    s.push_str("#set document(title: \"Melding van een wijziging\")\n#set page(paper: \"a4\", margin: 2.5cm)\n#set text(lang: \"nl\", size: 11pt)\n");
    s.push_str(&format!("{}\n\n", t(&format!("{region}, {}", notice.date.map(date_nl).unwrap_or_default()))));
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
    compile(s)
}
