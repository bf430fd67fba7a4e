//! Hours and invoice tables take any text without panicking (the workbooks' limits are tested in
//! `sheet` and in `sterk`'s hostile files).

use import::execution::{costs, csv_table, hours};
use proptest::prelude::*;

/// Text a hostile file may hold: any characters, and lookalikes of the real formats.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "\\PC{0,40}", "[0-9€.,;\\-/ \u{202e}\u{0}\"\n\r]{0,24}",]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn tables_of_hours_and_invoices(lines in proptest::collection::vec(hostile(), 0..6)) {
        let text = format!("Datum;Medewerker;Organisatie;Activiteit;Uren;Uurtarief\n{}", lines.join("\n"));
        if let Ok(table) = csv_table(&text) {
            let _ = hours(&table, |s| Some(s.to_owned()));
            let _ = costs(&table, |s| Some(s.to_owned()), |s| Some(s.to_owned()));
        }
        let _ = csv_table(&lines.join("\n"));
    }
}
