//! The standard as data: the clauses 4–10 of ISO/IEC 27001:2022 and the 93 controls of its
//! Annex A. The tables live in the repository's `catalog/` folder and are compiled into the
//! binary, so an installation never depends on files next to it.

use std::fmt;
use std::sync::LazyLock;

const ANNEX_A_TSV: &str = include_str!("../../../catalog/annex-a-2022.tsv");
const CLAUSES_TSV: &str = include_str!("../../../catalog/clauses.tsv");

/// The four themes Annex A 2022 groups its controls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlTheme {
    /// Clause 5 controls.
    Organizational,
    /// Clause 6 controls.
    People,
    /// Clause 7 controls.
    Physical,
    /// Clause 8 controls.
    Technological,
}

impl ControlTheme {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "Organizational" => Some(Self::Organizational),
            "People" => Some(Self::People),
            "Physical" => Some(Self::Physical),
            "Technological" => Some(Self::Technological),
            _ => None,
        }
    }
}

impl fmt::Display for ControlTheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Organizational => "Organizational",
            Self::People => "People",
            Self::Physical => "Physical",
            Self::Technological => "Technological",
        })
    }
}

/// One Annex A control, e.g. `5.15 Access control`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Control {
    /// The control's number, e.g. `5.15`.
    pub id: &'static str,
    /// Its theme.
    pub theme: ControlTheme,
    /// Its title.
    pub title: &'static str,
    /// Whether the control first appeared in the 2022 edition.
    pub new_in_2022: bool,
}

/// One requirement clause of the standard, e.g. `9.3 Management review`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Clause {
    /// The clause number, e.g. `6.1.3`.
    pub id: &'static str,
    /// The clause title.
    pub title: &'static str,
    /// What the clause asks, paraphrased.
    pub asks: &'static str,
    /// The live evidence a certification auditor samples for it.
    pub evidence: &'static str,
}

static CONTROLS: LazyLock<Vec<Control>> = LazyLock::new(|| {
    data_lines(ANNEX_A_TSV)
        .map(|line| {
            let f: Vec<&'static str> = line.split('\t').collect();
            // The file is part of the source tree and checked by the tests below; a
            // malformed line is a build defect, not user input.
            assert!(f.len() == 4, "catalog/annex-a-2022.tsv: bad line {line:?}");
            Control {
                id: f[0],
                theme: ControlTheme::parse(f[1]).unwrap_or_else(|| {
                    panic!("catalog/annex-a-2022.tsv: unknown theme in {line:?}")
                }),
                title: f[2],
                new_in_2022: f[3] == "yes",
            }
        })
        .collect()
});

static CLAUSES: LazyLock<Vec<Clause>> = LazyLock::new(|| {
    data_lines(CLAUSES_TSV)
        .map(|line| {
            let f: Vec<&'static str> = line.split('\t').collect();
            assert!(f.len() == 4, "catalog/clauses.tsv: bad line {line:?}");
            Clause {
                id: f[0],
                title: f[1],
                asks: f[2],
                evidence: f[3],
            }
        })
        .collect()
});

fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

/// The 93 controls of ISO/IEC 27001:2022 Annex A, in the standard's order.
#[must_use]
pub fn annex_a() -> &'static [Control] {
    &CONTROLS
}

/// The requirement clauses 4.1 to 10.2, in the standard's order.
#[must_use]
pub fn clauses() -> &'static [Clause] {
    &CLAUSES
}

/// Looks up an Annex A control by its number (`"8.24"`).
#[must_use]
pub fn control(id: &str) -> Option<&'static Control> {
    annex_a().iter().find(|c| c.id == id)
}

/// Looks up a clause by its number (`"9.3"`).
#[must_use]
pub fn clause(id: &str) -> Option<&'static Clause> {
    clauses().iter().find(|c| c.id == id)
}

/// The Annex A order of a control id: `5.9` before `5.10`.
#[must_use]
pub fn control_order(id: &str) -> (u32, u32) {
    let mut parts = id.split('.').map(|p| p.parse::<u32>().unwrap_or(u32::MAX));
    (
        parts.next().unwrap_or(u32::MAX),
        parts.next().unwrap_or(u32::MAX),
    )
}

/// Checks control ids against Annex A, without duplicates, in Annex A order.
///
/// # Errors
/// `controls[n]` for each id that is not an Annex A control.
pub fn checked_controls(ids: &[String]) -> Result<Vec<String>, crate::ValidationErrors> {
    let mut e = crate::ValidationErrors::default();
    let mut out: Vec<String> = Vec::with_capacity(ids.len());
    for (n, c) in ids.iter().enumerate() {
        let c = c.trim();
        if crate::catalog::control(c).is_none() {
            e.push(
                &format!("controls[{n}]"),
                format!("\"{c}\" is not an Annex A control of ISO/IEC 27001:2022 (5.1 to 8.34)"),
            );
        } else if !out.iter().any(|k| k == c) {
            out.push(c.to_owned());
        }
    }
    out.sort_by_key(|c| control_order(c));
    e.into_result(|| out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annex_a_has_the_93_controls_of_2022_by_theme() {
        let count = |t| annex_a().iter().filter(|c| c.theme == t).count();
        assert_eq!(annex_a().len(), 93);
        assert_eq!(count(ControlTheme::Organizational), 37);
        assert_eq!(count(ControlTheme::People), 8);
        assert_eq!(count(ControlTheme::Physical), 14);
        assert_eq!(count(ControlTheme::Technological), 34);
        assert_eq!(annex_a().iter().filter(|c| c.new_in_2022).count(), 11);
    }

    #[test]
    fn control_ids_are_unique_and_titles_with_commas_survive() {
        let mut ids: Vec<_> = annex_a().iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 93);
        let c = control("5.10").expect("5.10 exists");
        assert_eq!(
            c.title,
            "Acceptable use of information and other associated assets"
        );
        assert!(annex_a().iter().any(|c| c.title.contains(',')));
    }

    #[test]
    fn clauses_cover_4_1_to_10_2() {
        let ids: Vec<_> = clauses().iter().map(|c| c.id).collect();
        assert_eq!(ids.first(), Some(&"4.1"));
        assert_eq!(ids.last(), Some(&"10.2"));
        assert_eq!(ids.len(), 25);
        assert_eq!(clause("9.3").map(|c| c.title), Some("Management review"));
        assert!(
            clauses()
                .iter()
                .all(|c| !c.asks.is_empty() && !c.evidence.is_empty())
        );
    }
}
