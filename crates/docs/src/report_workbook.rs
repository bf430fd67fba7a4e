//! The report as a workbook: summary, per category, year and funder, per activity, milestones,
//! school plans and every realised line. Differences, totals and the co-financing share are
//! formulas (their cached results exact), dates are dates, so the workbook stays right when a
//! reader edits it and a spreadsheet that recomputes shows the same.

use domain::execution::Against;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Formula, Workbook, Worksheet, XlsxError};

use crate::report::{PLANS_COUNTED_ONCE, ReportInput};
use crate::table::{DATE_NL, EURO, column_sum, excel_date, f64_of};

struct Formats {
    bold: Format,
    euro: Format,
    euro_bold: Format,
    date: Format,
}

/// A formula with its exact result cached.
fn formula(text: String, result: Decimal) -> Formula {
    Formula::new(text).set_result(result.to_string())
}

/// Rows of approved against realised from `row` on: a label, the two amounts and their difference
/// as a formula, then a totals row of SUMs. Returns the row after the totals.
fn against_rows(ws: &mut Worksheet, mut row: u32, rows: &[(String, &Against)], f: &Formats) -> Result<u32, XlsxError> {
    let first = row + 1;
    for (label, a) in rows {
        let r = row + 1;
        ws.write_string(row, 0, label)?;
        ws.write_number_with_format(row, 1, f64_of(a.approved), &f.euro)?;
        ws.write_number_with_format(row, 2, f64_of(a.realised), &f.euro)?;
        ws.write_formula_with_format(row, 3, formula(format!("=B{r}-C{r}"), a.unspent()), &f.euro)?;
        row += 1;
    }
    let (approved, realised): (Decimal, Decimal) =
        rows.iter().fold((Decimal::ZERO, Decimal::ZERO), |(x, y), (_, a)| (x + a.approved, y + a.realised));
    // Excel's row of the last line; before `first` when the table is empty.
    let last = row;
    ws.write_string_with_format(row, 0, "Totaal", &f.bold)?;
    for (c, col, value) in [(1, 'B', approved), (2, 'C', realised), (3, 'D', approved - realised)] {
        ws.write_formula_with_format(row, c, column_sum(&col.to_string(), first, last, value), &f.euro_bold)?;
    }
    Ok(row + 1)
}

fn heads(ws: &mut Worksheet, row: u32, titles: &[(&str, f64)], f: &Formats) -> Result<(), XlsxError> {
    for (c, (h, w)) in titles.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.bold)?;
        if *w > 0.0 {
            ws.set_column_width(c as u16, *w)?;
        }
    }
    Ok(())
}

/// The report as a workbook.
pub fn report_xlsx(input: &ReportInput) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats {
        bold: Format::new().set_bold(),
        euro: Format::new().set_num_format(EURO),
        euro_bold: Format::new().set_num_format(EURO).set_bold(),
        date: Format::new().set_num_format(DATE_NL),
    };
    summary(wb.add_worksheet().set_name("Samenvatting")?, input, &f)?;
    per_category(wb.add_worksheet().set_name("Per kostensoort en jaar")?, input, &f)?;
    activities(wb.add_worksheet().set_name("Activiteiten")?, input, &f)?;
    milestones(wb.add_worksheet().set_name("Mijlpalen")?, input, &f)?;
    plans(wb.add_worksheet().set_name("Deelplannen")?, input, &f)?;
    lines(wb.add_worksheet().set_name("Regels")?, input, &f)?;
    let cash: Vec<_> =
        input.records.contributions.iter().filter(|c| c.kind == domain::execution::ContributionKind::Cash).collect();
    if !cash.is_empty() {
        let ws = wb.add_worksheet().set_name("Bijdragen in geld")?;
        heads(
            ws,
            0,
            &[("Datum", 16.0), ("Bedrijf", 30.0), ("Activiteit", 30.0), ("Bedrag", 14.0), ("Bewijs", 40.0)],
            &f,
        )?;
        for (i, c) in cash.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_datetime_with_format(row, 0, excel_date(c.date)?, &f.date)?;
            ws.write_string(row, 1, input.funder_label(&c.company))?;
            ws.write_string(row, 2, input.activity_title(&c.activity))?;
            ws.write_number_with_format(row, 3, f64_of(c.amount_eur), &f.euro)?;
            ws.write_string(row, 4, &c.evidence)?;
        }
        let row = cash.len() as u32 + 1;
        let total: Decimal = cash.iter().map(|c| c.amount_eur).sum();
        ws.write_string_with_format(row, 0, "Totaal", &f.bold)?;
        ws.write_formula_with_format(row, 3, column_sum("D", 2, row, total), &f.euro_bold)?;
    }
    wb.save_to_buffer()
}

fn summary(ws: &mut Worksheet, input: &ReportInput, f: &Formats) -> Result<(), XlsxError> {
    let r = input.realisation;
    ws.set_column_width(0, 46.0)?;
    for c in 1..4 {
        ws.set_column_width(c, 20.0)?;
    }
    ws.write_string_with_format(0, 0, input.kind.title(), &f.bold)?;
    ws.write_string(1, 0, "Regio")?;
    ws.write_string(1, 1, input.region)?;
    ws.write_string(2, 0, "Opgesteld op")?;
    ws.write_datetime_with_format(2, 1, excel_date(input.made_on)?, &f.date)?;
    // Rows 5 to 8 (Excel's numbering): approved, realised, unspent, co-financing.
    let figure = |ws: &mut Worksheet, row: u32, label: &str, value: Decimal| -> Result<(), XlsxError> {
        ws.write_string(row, 0, label)?;
        ws.write_number_with_format(row, 1, f64_of(value), &f.euro)?;
        Ok(())
    };
    figure(ws, 4, "Begroot (subsidiabel)", r.total.approved)?;
    figure(ws, 5, "Gerealiseerd (subsidiabel)", r.total.realised)?;
    ws.write_string(6, 0, "Niet besteed")?;
    ws.write_formula_with_format(6, 1, formula("=B5-B6".into(), r.total.unspent()), &f.euro)?;
    figure(ws, 7, "Cofinanciering door bedrijven", r.cofinancing)?;
    let mut row = 8;
    if let Some(s) = input.settlement {
        // Rows 9 to 15: the settlement's figures; what is to be repaid follows from two of them.
        let figures = [
            ("Verleende subsidie", s.granted),
            ("Gerealiseerd ten laste van de subsidie", s.realised_subsidy),
            ("Vereiste cofinanciering", s.cofinancing_required),
            ("Tekort aan cofinanciering", s.shortfall),
            ("Vast te stellen subsidie", s.settled),
            ("Ontvangen voorschotten", s.received),
        ];
        for (label, value) in figures {
            figure(ws, row, label, value)?;
            row += 1;
        }
        ws.write_string(row, 0, "Terug te betalen (negatief: nog te ontvangen)")?;
        let (settled, received) = (row - 1, row);
        ws.write_formula_with_format(row, 1, formula(format!("=B{received}-B{settled}"), s.to_repay), &f.euro)?;
        row += 1;
    }
    let share = if r.total.realised.is_zero() { Decimal::ZERO } else { r.cofinancing / r.total.realised };
    ws.write_string(row, 0, "Aandeel cofinanciering")?;
    let percent = Format::new().set_num_format("0.0%");
    ws.write_formula_with_format(row, 1, formula("=IF(B6=0,0,B8/B6)".into(), share), &percent)?;
    row += 2;
    ws.write_string_with_format(row, 0, "Toelichting jaarrekening penvoerder (doelsubsidie)", &f.bold)?;
    row += 1;
    heads(ws, row, &[("Jaar", 0.0), ("Ontvangen", 0.0), ("Besteed", 0.0), ("Nog te besteden", 0.0)], f)?;
    for l in input.annual {
        row += 1;
        ws.write_number(row, 0, f64::from(l.year))?;
        ws.write_number_with_format(row, 1, f64_of(l.received), &f.euro)?;
        ws.write_number_with_format(row, 2, f64_of(l.spent), &f.euro)?;
        ws.write_number_with_format(row, 3, f64_of(l.balance), &f.euro)?;
    }
    Ok(())
}

fn per_category(ws: &mut Worksheet, input: &ReportInput, f: &Formats) -> Result<(), XlsxError> {
    let r = input.realisation;
    ws.set_column_width(0, 40.0)?;
    for c in 1..4 {
        ws.set_column_width(c, 16.0)?;
    }
    heads(ws, 0, &[("Kostensoort", 0.0), ("Begroot", 0.0), ("Gerealiseerd", 0.0), ("Verschil", 0.0)], f)?;
    let rows: Vec<(String, &Against)> = r.per_category.iter().map(|(id, a)| (input.category_label(id), a)).collect();
    let row = against_rows(ws, 1, &rows, f)? + 1;
    heads(ws, row, &[("Jaar", 0.0), ("Begroot", 0.0), ("Gerealiseerd", 0.0), ("Verschil", 0.0)], f)?;
    let rows: Vec<(String, &Against)> = r.per_year.iter().map(|(y, a)| (y.to_string(), a)).collect();
    let row = against_rows(ws, row + 1, &rows, f)? + 1;
    heads(ws, row, &[("Financier", 0.0), ("Begroot", 0.0), ("Gerealiseerd", 0.0), ("Verschil", 0.0)], f)?;
    let rows: Vec<(String, &Against)> = r.per_funder.iter().map(|(id, a)| (input.funder_label(id), a)).collect();
    against_rows(ws, row + 1, &rows, f)?;
    Ok(())
}

fn activities(ws: &mut Worksheet, input: &ReportInput, f: &Formats) -> Result<(), XlsxError> {
    let titles =
        [("Activiteit", 40.0), ("Begroot", 16.0), ("Gerealiseerd", 16.0), ("Verschil", 16.0), ("Toelichting", 60.0)];
    heads(ws, 0, &titles, f)?;
    let rows: Vec<(String, &Against)> =
        input.realisation.per_activity.iter().map(|(id, a)| (input.activity_title(id), a)).collect();
    for (i, (id, _)) in input.realisation.per_activity.iter().enumerate() {
        ws.write_string(i as u32 + 1, 4, input.explanations.get(id).map_or("", String::as_str))?;
    }
    against_rows(ws, 1, &rows, f)?;
    Ok(())
}

fn milestones(ws: &mut Worksheet, input: &ReportInput, f: &Formats) -> Result<(), XlsxError> {
    let titles = [
        ("Activiteit", 30.0),
        ("Mijlpaal", 40.0),
        ("Gepland", 16.0),
        ("Status", 14.0),
        ("Behaald op", 16.0),
        ("Bewijs", 40.0),
    ];
    heads(ws, 0, &titles, f)?;
    for (i, m) in input.milestones.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, input.activity_title(&m.activity))?;
        ws.write_string(row, 1, &m.title)?;
        ws.write_datetime_with_format(row, 2, excel_date(m.due)?, &f.date)?;
        ws.write_string(row, 3, m.state)?;
        if let Some(on) = m.achieved_on {
            ws.write_datetime_with_format(row, 4, excel_date(on)?, &f.date)?;
        }
        ws.write_string(row, 5, &m.evidence)?;
    }
    Ok(())
}

fn plans(ws: &mut Worksheet, input: &ReportInput, f: &Formats) -> Result<(), XlsxError> {
    let titles = [
        ("Deelplan", 30.0),
        ("School", 30.0),
        ("Gedaan", 40.0),
        ("Resultaten", 40.0),
        ("Besteed volgens de school", 16.0),
        ("Begroot in het plan", 16.0),
        ("Geregistreerd", 16.0),
    ];
    heads(ws, 0, &titles, f)?;
    for (i, p) in input.plans.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &p.title)?;
        ws.write_string(row, 1, &p.school)?;
        ws.write_string(row, 2, &p.done)?;
        ws.write_string(row, 3, &p.results)?;
        ws.write_number_with_format(row, 4, f64_of(p.spent), &f.euro)?;
        ws.write_number_with_format(row, 5, f64_of(p.budgeted), &f.euro)?;
        ws.write_number_with_format(row, 6, f64_of(p.recorded), &f.euro)?;
    }
    ws.write_string(input.plans.len() as u32 + 2, 0, PLANS_COUNTED_ONCE)?;
    Ok(())
}

/// Every realised line with what the regulation makes of it, in the order of `realised()`:
/// hours, invoices, depreciation, in-kind contributions; totals as formulas.
fn lines(ws: &mut Worksheet, input: &ReportInput, f: &Formats) -> Result<(), XlsxError> {
    let titles = [
        ("Datum", 16.0),
        ("Activiteit", 30.0),
        ("Kostensoort", 26.0),
        ("Omschrijving", 40.0),
        ("Aantal", 10.0),
        ("Prijs", 14.0),
        ("Bedrag", 14.0),
        ("Maximum tarief", 14.0),
        ("Subsidiabel", 14.0),
        ("Eigen rekening", 14.0),
    ];
    heads(ws, 0, &titles, f)?;
    let realised = domain::execution::realised(input.approved, input.records, input.years);
    let outcomes = &input.realisation.lines;
    for (i, (line, outcome)) in realised.budget.iter().zip(outcomes).enumerate() {
        let row = i as u32 + 1;
        if let Some(on) = line.date {
            ws.write_datetime_with_format(row, 0, excel_date(on)?, &f.date)?;
        }
        ws.write_string(row, 1, input.activity_title(&line.activity))?;
        ws.write_string(row, 2, input.category_label(&line.category))?;
        ws.write_string(row, 3, &line.description)?;
        ws.write_number(row, 4, f64_of(line.quantity.0))?;
        ws.write_number_with_format(row, 5, f64_of(line.unit_price_eur.0), &f.euro)?;
        ws.write_number_with_format(row, 6, f64_of(outcome.amount), &f.euro)?;
        if let Some(cap) = outcome.cap {
            ws.write_number_with_format(row, 7, f64_of(cap), &f.euro)?;
        }
        ws.write_number_with_format(row, 8, f64_of(outcome.eligible), &f.euro)?;
        ws.write_number_with_format(row, 9, f64_of(outcome.own_cost), &f.euro)?;
    }
    let count = realised.budget.len().min(outcomes.len()) as u32;
    let row = count + 1;
    ws.write_string_with_format(row, 0, "Totaal", &f.bold)?;
    let used = || outcomes.iter().take(count as usize);
    let sums = [
        (6, 'G', used().map(|o| o.amount).sum::<Decimal>()),
        (8, 'I', used().map(|o| o.eligible).sum()),
        (9, 'J', used().map(|o| o.own_cost).sum()),
    ];
    for (c, col, value) in sums {
        ws.write_formula_with_format(row, c, column_sum(&col.to_string(), 2, row, value), &f.euro_bold)?;
    }
    Ok(())
}
