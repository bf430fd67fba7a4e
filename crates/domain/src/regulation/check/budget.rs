//! The rules about the money: budget years, purchase costs, hourly rates, co-financing and the
//! region's maximum.

use jiff::civil::Date;
use rust_decimal::Decimal;

use super::{CheckError, Ctx, LineEval, TraceItem, Verdict, is_company_cofinancing, share};
use crate::RegionKind;
use crate::fmt::{decimal_nl, euro_nl, percent_nl};
use crate::regulation::Regulation;
use crate::regulation::application::{Application, FundingSource};

pub(super) fn budget_years(c: &Ctx) -> Verdict {
    let years = &c.phase.years;
    let listed = years.iter().map(i16::to_string).collect::<Vec<_>>().join(", ");
    let mut trace = vec![TraceItem {
        name: format!("jaren van fase {}", c.phase.id),
        value: listed.clone(),
        valid_from: None,
        source: Some(c.phase.source.clone()),
        verified: Some(c.phase.verified),
    }];
    if let Some(l) = c.lines.iter().find(|l| !years.contains(&l.line.year)) {
        trace.push(TraceItem::input(format!("budget[{}].year", l.index), l.line.year.to_string()));
        return Verdict::fail(
            format!(
                "Begrotingsregel {} valt in {}, buiten de jaren van deze fase ({listed}).",
                l.index + 1,
                l.line.year
            ),
            format!("budget[{}].year", l.index),
            trace,
        );
    }
    let empty: Vec<String> =
        years.iter().filter(|y| !c.lines.iter().any(|l| l.line.year == **y)).map(i16::to_string).collect();
    trace
        .push(TraceItem::input("jaren zonder regels", if empty.is_empty() { "geen".into() } else { empty.join(", ") }));
    if c.phase.every_year_required && !empty.is_empty() {
        Verdict::fail(
            format!(
                "De begroting op hoofdlijnen heeft voor elk jaar regels nodig; er ontbreken regels voor {}.",
                empty.join(", ")
            ),
            "budget",
            trace,
        )
    } else {
        Verdict::pass(format!("Alle begrotingsregels vallen in {listed}."), trace)
    }
}

pub(super) fn no_purchase_costs(c: &Ctx) -> Verdict {
    let forbidden: Vec<&LineEval> = c.lines.iter().filter(|l| l.category.forbidden).collect();
    let trace = vec![TraceItem::input("regels met aanschafkosten", forbidden.len().to_string())];
    match forbidden.first() {
        None => Verdict::pass("Geen aanschafkosten: apparatuur telt alleen via afschrijving.", trace),
        Some(l) => Verdict::fail(
            format!(
                "Begrotingsregel {} ({}, {}) is een aanschafprijs. Apparatuur telt alleen via afschrijving over de economische levensduur; begroot de afschrijving (categorie depreciation).",
                l.index + 1,
                l.line.description,
                euro_nl(l.amount)
            ),
            format!("budget[{}].category", l.index),
            trace,
        ),
    }
}

pub(super) fn rate(c: &Ctx, category: &str) -> Verdict {
    let lines: Vec<&LineEval> = c.lines.iter().filter(|l| l.category.id == category).collect();
    let mut trace = Vec::new();
    let mut caps_seen: Vec<(&str, Date)> = Vec::new();
    for l in &lines {
        if let Some((cap, v, id)) = l.cap
            && !caps_seen.contains(&(id, v.valid_from))
        {
            caps_seen.push((id, v.valid_from));
            trace.push(TraceItem::parameter(id, format!("{} per uur", euro_nl(cap)), v));
        }
    }
    let above: Vec<&&LineEval> = lines.iter().filter(|l| l.above_cap()).collect();
    for l in &above {
        trace.push(TraceItem::input(format!("budget[{}].unit_price_eur", l.index), euro_nl(l.line.unit_price_eur.0)));
    }
    let label = c.reg.category(category).map_or(category.to_owned(), |k| k.label.to_lowercase());
    if lines.is_empty() {
        return Verdict::pass(format!("Geen regels voor {label}."), trace);
    }
    match above.first() {
        None => Verdict::pass(
            format!("Alle {} regels voor {label} blijven binnen het maximale uurtarief.", lines.len()),
            trace,
        ),
        Some(_) => {
            let excess: Decimal = above.iter().map(|l| l.amount - l.eligible).sum();
            let details: Vec<String> = above
                .iter()
                .map(|l| {
                    let cap = l.cap.map(|(cap, _, _)| cap).unwrap_or_default();
                    format!(
                        "regel {} ({}, {} uur à {}; maximum {})",
                        l.index + 1,
                        l.line.year,
                        decimal_nl(l.line.quantity.0),
                        euro_nl(l.line.unit_price_eur.0),
                        euro_nl(cap)
                    )
                })
                .collect();
            Verdict::fail(
                format!(
                    "{} boven het maximale uurtarief: {}. Alleen maximum × uren is subsidiabel; {} komt voor eigen rekening van de regio. Een hoger tarief verhoogt de subsidie niet.",
                    if above.len() == 1 { "1 regel ligt".to_owned() } else { format!("{} regels liggen", above.len()) },
                    details.join("; "),
                    euro_nl(excess)
                ),
                format!("budget[{}].unit_price_eur", above.first().map_or(0, |l| l.index)),
                trace,
            )
        }
    }
}

pub(super) fn cofinancing_minimum(c: &Ctx) -> Result<Verdict, CheckError> {
    let (min, v) = c.reg.decimal_at("cofinancing-minimum-share", c.reg.start())?;
    let t = c.totals;
    let required = t.eligible_costs.0 * min;
    let other: Decimal = c
        .lines
        .iter()
        .filter(|l| l.line.funding.source == FundingSource::Cofinancing && !is_company_cofinancing(c.app, l.line))
        .map(|l| l.eligible)
        .sum();
    let mut trace = vec![
        TraceItem::parameter("cofinancing-minimum-share", percent_nl(min), v),
        TraceItem::input("subsidiabele kosten (hele begroting)", euro_nl(t.eligible_costs.0)),
        TraceItem::input("cofinanciering door bedrijven", euro_nl(t.cofinancing.0)),
    ];
    if !other.is_zero() {
        trace.push(TraceItem::input("bijdragen van scholen, gemeenten en anderen (tellen niet mee)", euro_nl(other)));
    }
    let actual = share(t.cofinancing.0, t.eligible_costs.0);
    let base = format!(
        "Cofinanciering door bedrijven is {}: {} van de subsidiabele kosten ({}); minimaal {} vereist",
        euro_nl(t.cofinancing.0),
        percent_nl(actual),
        euro_nl(t.eligible_costs.0),
        percent_nl(min)
    );
    Ok(if t.cofinancing.0 >= required && !t.eligible_costs.0.is_zero() {
        Verdict::pass(format!("{base}."), trace)
    } else {
        let note = if other.is_zero() {
            String::new()
        } else {
            format!(" Bijdragen van scholen en gemeenten ({}) tellen niet mee.", euro_nl(other))
        };
        Verdict::fail(
            format!("{base} ({}); er ontbreekt {}.{note}", euro_nl(required), euro_nl(required - t.cofinancing.0)),
            "budget",
            trace,
        )
    })
}

/// The region's maximum and where it comes from.
pub(crate) struct RegionMax {
    pub amount: Decimal,
    pub trace: TraceItem,
}

pub(crate) fn region_maximum(reg: &Regulation, app: &Application) -> Result<Option<RegionMax>, CheckError> {
    let given = app.region.maximum_eur.map(|a| a.0);
    Ok(match app.region.kind {
        RegionKind::LowTech => {
            let (cap, v) = reg.decimal_at("maximum-techniekluwe-regio", reg.start())?;
            let amount = given.map_or(cap, |g| g.min(cap));
            Some(RegionMax { amount, trace: TraceItem::parameter("maximum-techniekluwe-regio", euro_nl(cap), v) })
        }
        RegionKind::Technical => match reg.region_maximum(&app.region.name) {
            Some(row) => Some(RegionMax {
                amount: row.maximum_eur.0,
                trace: TraceItem {
                    name: format!("maximumtabel: {}", row.region),
                    value: euro_nl(row.maximum_eur.0),
                    valid_from: Some(reg.start()),
                    source: Some(row.source.clone()),
                    verified: Some(row.verified),
                },
            }),
            None => given.map(|g| RegionMax { amount: g, trace: TraceItem::input("region.maximum_eur", euro_nl(g)) }),
        },
    })
}

pub(super) fn region_maximum_rule(c: &Ctx) -> Verdict {
    let requested = c.totals.subsidy_requested.0;
    let mut trace =
        vec![TraceItem::input("gevraagde subsidie (subsidiabel deel van de subsidieregels)", euro_nl(requested))];
    let Some(max) = c.maximum else {
        return Verdict::fail(
            format!(
                "Het maximum van {} is onbekend: de regio staat niet in de maximumtabel en de aanvraag noemt geen region.maximum_eur.",
                c.app.region.name
            ),
            "region.maximum_eur",
            trace,
        );
    };
    trace.push(max.trace.clone());
    if requested <= max.amount {
        Verdict::pass(
            format!(
                "Gevraagde subsidie {} blijft binnen het maximum van {}; er is nog {} ruimte.",
                euro_nl(requested),
                euro_nl(max.amount),
                euro_nl(max.amount - requested)
            ),
            trace,
        )
    } else {
        Verdict::fail(
            format!(
                "Gevraagde subsidie {} is {} hoger dan het maximum van {}.",
                euro_nl(requested),
                euro_nl(requested - max.amount),
                euro_nl(max.amount)
            ),
            "budget",
            trace,
        )
    }
}
