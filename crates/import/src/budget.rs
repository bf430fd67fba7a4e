//! The budget read back from a workbook made by `docs::xlsx::write_budget` (and edited in Excel).
//! A workbook is refused as a whole when any row is wrong, with the sheet, row, column and what is
//! wrong, in Dutch.

use calamine::Data;
use domain::regulation::Regulation;
use domain::regulation::application::{Amount, Application, BudgetLine, Funding, FundingSource, SUBSIDY_LABEL};
use rust_decimal::Decimal;

/// One thing wrong in an uploaded workbook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blad {sheet}, rij {row}, kolom \"{column}\": {message}")]
pub struct CellError {
    pub sheet: String,
    pub row: usize,
    pub column: String,
    pub message: String,
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.trim().to_owned(),
        Some(Data::Float(f)) => f.to_string(),
        Some(Data::Int(i)) => i.to_string(),
        Some(Data::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A number cell as an exact decimal (a float's shortest form; text in Dutch or English notation).
fn number(cell: Option<&Data>) -> Option<Decimal> {
    match cell {
        Some(Data::Float(f)) => f.to_string().parse().ok(),
        Some(Data::Int(i)) => Some(Decimal::from(*i)),
        Some(Data::String(s)) => domain::fmt::parse_decimal_nl(s),
        _ => None,
    }
}

/// What a cell names among the application's activities, organisations or the cost types.
enum Found<'a, T> {
    One(&'a T),
    None,
    Several,
}

impl<T> Found<'_, T> {
    /// The id of the one item named; `Err(true)` when several are, `Err(false)` when none is.
    fn id(self, id: impl Fn(&T) -> &String) -> Result<String, bool> {
        match self {
            Found::One(item) => Ok(id(item).clone()),
            Found::Several => Err(true),
            Found::None => Err(false),
        }
    }
}

/// The item whose id or (case aside) name the cell holds: workbooks show names, and older ones ids.
fn find<'a, T>(items: &'a [T], cell: &str, keys: impl Fn(&T) -> (&String, &String)) -> Found<'a, T> {
    if let Some(by_id) = items.iter().find(|i| keys(i).0 == cell) {
        return Found::One(by_id);
    }
    let mut named = items.iter().filter(|i| keys(i).1.trim().eq_ignore_ascii_case(cell));
    match (named.next(), named.next()) {
        (Some(one), None) => Found::One(one),
        (None, _) => Found::None,
        _ => Found::Several,
    }
}

/// Reads the budget back from a workbook made by `docs::xlsx::write_budget`.
/// All rows are checked; any error refuses the whole workbook.
pub fn read(bytes: &[u8], reg: &Regulation, app: &Application) -> Result<Vec<BudgetLine>, Vec<CellError>> {
    let fail = |message: String| vec![CellError { sheet: String::new(), row: 0, column: String::new(), message }];
    let mut wb = crate::sheet::open(bytes).map_err(|e| fail(e.to_string()))?;
    let years: Vec<i16> = reg.phase(&app.phase).map(|p| p.years.clone()).unwrap_or_default();
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for year in years {
        let sheet = year.to_string();
        let range = match wb.range(&sheet) {
            Ok(range) => range,
            Err(crate::sheet::SheetError::Missing(_)) => {
                errors.push(CellError {
                    sheet: sheet.clone(),
                    row: 0,
                    column: String::new(),
                    message: "dit blad ontbreekt".into(),
                });
                continue;
            }
            Err(e) => return Err(fail(e.to_string())),
        };
        let mut rows = range.rows();
        let head: Vec<String> = rows.next().map(|r| r.iter().map(|c| text(Some(c))).collect()).unwrap_or_default();
        let col = |name: &str| head.iter().position(|h| h == name);
        let needed = [
            "Activiteit",
            "Kostensoort",
            "Omschrijving",
            "Aantal",
            "Eenheid",
            "Prijs per eenheid",
            "Financiering",
            "In natura",
        ];
        let missing: Vec<&str> = needed.iter().copied().filter(|n| col(n).is_none()).collect();
        if !missing.is_empty() {
            errors.push(CellError {
                sheet,
                row: 1,
                column: missing.join(", "),
                message: "deze kolom ontbreekt in de kopregel".into(),
            });
            continue;
        }
        let c = |name: &str| col(name).expect("checked above");
        for (i, row) in rows.enumerate() {
            let row_no = i + 2;
            let activity = text(row.get(c("Activiteit")));
            // The totals row says "Totaal" and has no cost type (an activity may be called so).
            let totals = activity == "Totaal" && text(row.get(c("Kostensoort"))).is_empty();
            if activity.is_empty() || totals {
                continue;
            }
            let mut err = |column: &str, message: String| {
                errors.push(CellError { sheet: sheet.clone(), row: row_no, column: column.into(), message })
            };
            let activity = match find(&app.activities, &activity, |a| (&a.id, &a.title)).id(|a| &a.id) {
                Ok(id) => id,
                Err(several) => {
                    err(
                        "Activiteit",
                        match several {
                            true => format!("meer activiteiten heten \"{activity}\"; geef ze verschillende titels"),
                            false => format!("onbekende activiteit \"{activity}\""),
                        },
                    );
                    activity
                }
            };
            let category = text(row.get(c("Kostensoort")));
            let category = match find(&reg.categories, &category, |k| (&k.id, &k.label)).id(|k| &k.id) {
                Ok(id) => id,
                Err(several) => {
                    err(
                        "Kostensoort",
                        match several {
                            true => format!("meer kostensoorten heten \"{category}\"; schrijf de code"),
                            false => format!("onbekende kostensoort \"{category}\""),
                        },
                    );
                    category
                }
            };
            let quantity = number(row.get(c("Aantal")));
            if quantity.is_none_or(|q| q < Decimal::ZERO) {
                err("Aantal", format!("\"{}\" is geen aantal van nul of meer", text(row.get(c("Aantal")))));
            }
            let price = number(row.get(c("Prijs per eenheid")));
            if price.is_none_or(|p| p < Decimal::ZERO) {
                err(
                    "Prijs per eenheid",
                    format!("\"{}\" is geen bedrag van nul of meer", text(row.get(c("Prijs per eenheid")))),
                );
            }
            let funder = text(row.get(c("Financiering")));
            // "Subsidie" is the subsidy; an organisation of that name is written by its id.
            let organisation = if funder.is_empty() || funder.eq_ignore_ascii_case(SUBSIDY_LABEL) {
                app.organisations.iter().find(|o| o.id == funder).map_or(Found::None, Found::One)
            } else {
                find(&app.organisations, &funder, |o| (&o.id, &o.name))
            };
            let funding = if let Found::One(o) = organisation {
                let in_kind = text(row.get(c("In natura"))).eq_ignore_ascii_case("ja");
                Funding { source: FundingSource::Cofinancing, by: Some(o.id.clone()), in_kind }
            } else if funder.is_empty() || funder.eq_ignore_ascii_case(SUBSIDY_LABEL) {
                Funding { source: FundingSource::Subsidy, by: None, in_kind: false }
            } else if let Found::Several = organisation {
                err("Financiering", format!("meer organisaties heten \"{funder}\"; schrijf het id van de organisatie"));
                continue;
            } else {
                err(
                    "Financiering",
                    format!(
                        "\"{funder}\" is geen organisatie van de aanvraag; schrijf Subsidie of de naam van een organisatie"
                    ),
                );
                continue;
            };
            lines.push(BudgetLine {
                activity,
                year,
                category,
                description: text(row.get(c("Omschrijving"))),
                quantity: Amount(quantity.unwrap_or_default()),
                unit: text(row.get(c("Eenheid"))),
                unit_price_eur: Amount(price.unwrap_or_default()),
                funding,
                school_plan: None,
                date: None,
            });
        }
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_activities_with_one_title_are_named_not_guessed() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app =
            Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        let title = app.activities[0].title.clone();
        app.activities[1].title = title.clone();
        let bytes = docs::xlsx::write_budget(&reg, &app).unwrap();
        let errors = read(&bytes, &reg, &app).unwrap_err();
        assert!(
            errors
                .iter()
                .all(|e| e.message == format!("meer activiteiten heten \"{title}\"; geef ze verschillende titels"))
        );
    }

    #[test]
    fn an_activity_called_totaal_and_an_organisation_called_subsidie_read_back_as_themselves() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let mut app =
            Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        app.activities[0].title = "Totaal".into();
        let funder = app.budget.iter().find_map(|l| l.funding.by.clone()).expect("a co-financed line");
        app.organisations.iter_mut().find(|o| o.id == funder).unwrap().name = "Subsidie".into();
        let bytes = docs::xlsx::write_budget(&reg, &app).unwrap();
        let lines = read(&bytes, &reg, &app).unwrap();
        assert_eq!(lines.len(), app.budget.len(), "no line of the activity \"Totaal\" is skipped");
        let co = |ls: &[BudgetLine]| ls.iter().filter(|l| l.funding.by.as_deref() == Some(funder.as_str())).count();
        assert_eq!(co(&lines), co(&app.budget), "the organisation \"Subsidie\" stays the funder");
    }

    #[test]
    fn the_workbook_reads_back_as_the_same_budget() {
        let reg = Regulation::builtin("sto-2025-2028").unwrap();
        let app = Application::from_json(include_str!("../../../examples/hoofdlijnen-voorbeeldregio.json")).unwrap();
        let bytes = docs::xlsx::write_budget(&reg, &app).unwrap();
        let lines = read(&bytes, &reg, &app).unwrap();
        let mut expected = app.budget.clone();
        expected.sort_by_key(|l| l.year);
        let mut got = lines.clone();
        got.sort_by_key(|l| l.year);
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_eq!(
                (g.quantity.0.normalize(), g.unit_price_eur.0.normalize()),
                (e.quantity.0.normalize(), e.unit_price_eur.0.normalize())
            );
            assert_eq!(
                (&g.activity, &g.category, &g.description, &g.funding),
                (&e.activity, &e.category, &e.description, &e.funding)
            );
        }
    }
}
