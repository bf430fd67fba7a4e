//! What each kind of record's table shows: its heading, introduction and columns.

use domain::execution::RecordKind;

/// Columns of amounts and numbers, aligned at the end.
pub(crate) const NUMERIC: [&str; 7] =
    ["Uren", "Tarief", "Bedrag", "Subsidiabel", "Kosten", "Aanschafprijs", "Projectdeel"];

pub(crate) struct KindInfo {
    pub(crate) heading: &'static str,
    pub(crate) intro: &'static str,
    pub(crate) columns: Vec<&'static str>,
    /// The column whose amounts count (the total row sums it).
    pub(crate) counted: usize,
}

pub(crate) fn kind_info(kind: RecordKind) -> KindInfo {
    match kind {
        RecordKind::Hours => KindInfo {
            heading: "Uren",
            intro: "Gewerkte uren per persoon, organisatie, activiteit en dag. Sterk toetst elk uurtarief aan het maximum dat op die dag gold: daarboven telt alleen het maximum, het verschil is eigen rekening.",
            columns: vec![
                "Datum",
                "Medewerker",
                "Organisatie",
                "Activiteit",
                "Uren",
                "Tarief",
                "Bedrag",
                "Subsidiabel",
            ],
            counted: 7,
        },
        RecordKind::Costs => KindInfo {
            heading: "Facturen",
            intro: "Betaalde facturen met de factuur als bijlage. Btw die de organisatie terugvraagt telt niet als kosten.",
            columns: vec![
                "Factuurdatum",
                "Factuur",
                "Leverancier",
                "Omschrijving",
                "Kostensoort",
                "Activiteit",
                "Kosten",
                "Subsidiabel",
            ],
            counted: 7,
        },
        RecordKind::Assets => KindInfo {
            heading: "Apparatuur",
            intro: "Apparatuur telt alleen via afschrijving over de economische levensduur, voor het deel dat het project gebruikt; nooit de aanschafprijs. Het totaal telt de afschrijving van de jaren die begonnen zijn.",
            columns: vec![
                "Aangeschaft",
                "Omschrijving",
                "Activiteit",
                "Aanschafprijs",
                "Levensduur",
                "Projectdeel",
                "Afschrijving per jaar",
            ],
            counted: 6,
        },
        RecordKind::Contributions => KindInfo {
            heading: "Cofinanciering",
            intro: "Bijdragen van bedrijven, in geld of in natura (met de waardering). Samen minstens {minimum} van de subsidiabele kosten; een tekort verlaagt de subsidie bij de vaststelling.",
            columns: vec!["Datum", "Bedrijf", "Activiteit", "Soort", "Bedrag", "Waardering", "Bewijs"],
            counted: 4,
        },
    }
}
