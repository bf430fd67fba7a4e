//! The decision letter (beschikking) to the lead applicant: outcome, amounts per year,
//! conditions, obligations and the objection clause.

use domain::assessment::decision::{Decision, Outcome};
use domain::fmt::{date_nl, euro_nl};
use domain::regulation::Regulation;
use domain::regulation::application::Application;

use crate::pdf::{PdfError, compile, t};

/// Who the letter is about and for.
pub struct Addressee<'a> {
    pub region: &'a str,
    pub phase: &'a str,
    /// The lead applicant's organisation name.
    pub lead_applicant: &'a str,
}

/// The obligations every grant carries, in the letter's words.
const OBLIGATIONS: [&str; 4] = [
    "U voert de activiteiten uit zoals beschreven in de aanvraag waarop dit besluit berust.",
    "U meldt wezenlijke wijzigingen (doelen die vervallen of erbij komen, geld dat naar overhead gaat) direct bij DUS-I (meldplicht).",
    "U rapporteert over de voortgang op de data die DUS-I u meedeelt, en verantwoordt de subsidie na afloop met een activiteitenverslag en een financieel verslag.",
    "U houdt een administratie bij waaruit de kosten en de cofinanciering van de activiteiten blijken.",
];

/// The letter as a PDF.
pub fn decision_pdf(
    reg: &Regulation,
    to: &Addressee<'_>,
    decided: &Application,
    d: &Decision,
) -> Result<Vec<u8>, PdfError> {
    let i = &d.input;
    let mut s = String::new();
    s.push_str("#set document(title: \"Besluit op uw aanvraag\")\n#set page(paper: \"a4\", margin: 2.5cm)\n#set text(lang: \"nl\", size: 11pt)\n#show heading: set text(size: 12pt)\n");
    s.push_str(&format!("{}\\\n{}\n\n", t(to.lead_applicant), t(&format!("penvoerder van de regio {}", to.region))));
    s.push_str(&format!("{}\n\n", t(&format!("Den Haag, {}", date_nl(i.decided_on)))));
    s.push_str(&format!("*Kenmerk:* {}\\\n", t(&i.reference)));
    s.push_str(&format!(
        "*Betreft:* {}\n\n",
        t(&format!("besluit op uw aanvraag ({}), {}", to.phase.to_lowercase(), reg.title))
    ));
    s.push_str("Geachte heer, mevrouw,\n\n");
    s.push_str(&format!(
        "{}\n\n",
        t(&format!(
            "U hebt namens de regio {} subsidie aangevraagd op grond van de {} ({}). Dit besluit gaat over versie {} van uw aanvraag ({} regels in de begroting, {} activiteiten).",
            to.region,
            reg.title,
            reg.citation,
            d.version,
            decided.budget.len(),
            decided.activities.len()
        ))
    ));
    let outcome = match i.outcome {
        Outcome::Toegekend => format!("Ik verleen u de gevraagde subsidie van in totaal {}.", euro_nl(d.total())),
        Outcome::DeelsToegekend => {
            format!("Ik verleen u een deel van de gevraagde subsidie: in totaal {}.", euro_nl(d.total()))
        }
        Outcome::Afgewezen => "Ik wijs uw aanvraag af.".to_owned(),
    };
    s.push_str(&format!("= {}\n\n{}\n\n", t("Besluit"), t(&outcome)));
    if i.outcome.grants() {
        s.push_str("#table(columns: (auto, auto), align: (left, right), stroke: 0.5pt,\n");
        s.push_str(&format!("[*{}*], [*{}*],\n", t("Jaar"), t("Subsidie")));
        for (year, amount) in &i.amounts {
            s.push_str(&format!("[{year}], [{}],\n", t(&euro_nl(amount.0))));
        }
        s.push_str(&format!("[*{}*], [*{}*],\n)\n\n", t("Totaal"), t(&euro_nl(d.total()))));
        if let Some(max) = &d.maximum {
            s.push_str(&format!(
                "{}\n\n",
                t(&format!(
                    "Het bedrag blijft binnen het maximum voor uw regio van {} ({}).",
                    max.value,
                    max.source.as_deref().unwrap_or(&max.name)
                ))
            ));
        }
    }
    if !i.conditions.trim().is_empty() {
        s.push_str(&format!("= {}\n\n", t("Voorwaarden")));
        for para in i.conditions.split("\n\n") {
            s.push_str(&format!("{}\n\n", t(para.trim())));
        }
    }
    if i.outcome.grants() {
        s.push_str(&format!("= {}\n\n", t("Verplichtingen")));
        for o in OBLIGATIONS {
            s.push_str(&format!("- {}\n", t(o)));
        }
        s.push('\n');
    }
    s.push_str(&format!("= {}\n\n", t("Bezwaar")));
    s.push_str(&format!(
        "{}\n\n",
        t(&format!(
            "Bent u het niet eens met dit besluit, dan kunt u binnen {} weken na de datum van dit besluit bezwaar maken, dus uiterlijk op {}. Stuur uw bezwaarschrift met uw naam, adres, de datum, het kenmerk van dit besluit en de reden van uw bezwaar, ondertekend, aan DUS-I. U kunt het bezwaar ook in Sterk indienen.",
            i.decided_on.until(d.objection_until).map_or(6, |span| span.get_days() / 7),
            date_nl(d.objection_until)
        ))
    ));
    s.push_str(&format!(
        "{}\n\n{}\n",
        t("Hoogachtend,"),
        t("de minister van Onderwijs, Cultuur en Wetenschap, namens deze: DUS-I (Dienst Uitvoering Subsidies aan Instellingen)")
    ));
    compile(s, i.decided_on)
}

/// What the settlement letter states.
pub struct SettlementLetter<'a> {
    pub region: &'a str,
    pub lead_applicant: &'a str,
    pub reference: &'a str,
    pub decided_on: jiff::civil::Date,
    pub verdict: &'a domain::execution::Settlement,
    pub adjustments: &'a [domain::settlement::Adjustment],
    pub final_amount: rust_decimal::Decimal,
    pub received: rust_decimal::Decimal,
}

/// The settlement letter (vaststelling) as a PDF: the verdict on the realised figures, each
/// adjustment with its reason, the final amount, and the final payment or the repayment.
pub fn settlement_pdf(reg: &Regulation, l: &SettlementLetter<'_>) -> Result<Vec<u8>, PdfError> {
    let v = l.verdict;
    let mut s = String::new();
    s.push_str("#set document(title: \"Vaststelling van uw subsidie\")\n#set page(paper: \"a4\", margin: 2.5cm)\n#set text(lang: \"nl\", size: 11pt)\n#show heading: set text(size: 12pt)\n");
    s.push_str(&format!("{}\\\n{}\n\n", t(l.lead_applicant), t(&format!("penvoerder van de regio {}", l.region))));
    s.push_str(&format!("{}\n\n", t(&format!("Den Haag, {}", date_nl(l.decided_on)))));
    s.push_str(&format!("*Kenmerk:* {}\\\n", t(l.reference)));
    s.push_str(&format!("*Betreft:* {}\n\n", t(&format!("vaststelling van de subsidie, {}", reg.title))));
    s.push_str("Geachte heer, mevrouw,\n\n");
    s.push_str(&format!(
        "{}\n\n",
        t(&format!(
            "U hebt namens de regio {} de eindverantwoording ingediend met het verzoek de subsidie vast te stellen. Ik stel de subsidie vast op {}.",
            l.region,
            euro_nl(l.final_amount)
        ))
    ));
    s.push_str(&format!("= {}\n\n", t("Berekening")));
    s.push_str("#table(columns: (auto, auto), align: (left, right), stroke: 0.5pt,\n");
    for (label, amount) in [
        ("Verleende subsidie", v.granted),
        ("Subsidiabele kosten gerealiseerd", v.realised_eligible),
        ("Daarvan ten laste van de subsidie", v.realised_subsidy),
        ("Cofinanciering door bedrijven", v.cofinancing),
        ("Tekort aan cofinanciering", v.shortfall),
        ("Uitkomst van de regels", v.settled),
    ] {
        s.push_str(&format!("[{}], [{}],\n", t(label), t(&euro_nl(amount))));
    }
    for a in l.adjustments {
        s.push_str(&format!("[{}], [{}],\n", t(&format!("Correctie: {}", a.description)), t(&euro_nl(a.amount))));
    }
    s.push_str(&format!("[*{}*], [*{}*],\n", t("Vastgestelde subsidie"), t(&euro_nl(l.final_amount))));
    s.push_str(&format!("[{}], [{}],\n)\n\n", t("Ontvangen voorschotten"), t(&euro_nl(l.received))));
    if !l.adjustments.is_empty() {
        s.push_str(&format!("= {}\n\n", t("Correcties en hun reden")));
        for a in l.adjustments {
            s.push_str(&format!("- {}\n", t(&format!("{} ({}): {}", a.description, euro_nl(a.amount), a.reason))));
        }
        s.push('\n');
    }
    let difference = l.final_amount - l.received;
    let payment = if difference > rust_decimal::Decimal::ZERO {
        format!("Ik betaal u het verschil van {} binnen zes weken na de datum van deze brief.", euro_nl(difference))
    } else if difference < rust_decimal::Decimal::ZERO {
        format!(
            "U hebt {} te veel ontvangen. Ik verzoek u dit bedrag binnen zes weken na de datum van deze brief terug te betalen onder vermelding van het kenmerk.",
            euro_nl(-difference)
        )
    } else {
        "De ontvangen voorschotten zijn gelijk aan het vastgestelde bedrag: er volgt geen betaling.".to_owned()
    };
    s.push_str(&format!("= {}\n\n{}\n\n", t("Betaling"), t(&payment)));
    s.push_str(&format!("= {}\n\n", t("Bezwaar")));
    s.push_str(&format!(
        "{}\n\n",
        t("Bent u het niet eens met deze vaststelling, dan kunt u binnen zes weken na de datum van deze brief bezwaar maken bij DUS-I, met uw naam, adres, de datum, het kenmerk en de reden van uw bezwaar.")
    ));
    s.push_str(&format!(
        "{}\n\n{}\n",
        t("Hoogachtend,"),
        t("de minister van Onderwijs, Cultuur en Wetenschap, namens deze: DUS-I (Dienst Uitvoering Subsidies aan Instellingen)")
    ));
    compile(s, l.decided_on)
}
