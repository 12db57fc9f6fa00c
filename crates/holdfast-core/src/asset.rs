//! The asset inventory (Annex A 5.9–5.12): what the organisation holds, who owns it, how it
//! is classified and what its confidentiality, integrity and availability are worth.
//!
//! Classification labels come from the organisation's own scheme (the default is the common
//! Public / Internal / Confidential / Restricted), so an asset can only carry a label the
//! scheme defines. Imports are checked row by row here, before anything is stored, so a
//! spreadsheet with broken rows gets one report naming every row and field and imports
//! nothing.

use serde::{Deserialize, Serialize};

use crate::ValidationErrors;
use crate::ids::{AssetId, PersonId};
use crate::text::{self, Lines, NAME_MAX};

keyed! {
    /// What kind of thing an asset is.
    pub enum AssetKind in "kind" {
        /// Data and records.
        Information = "information",
        /// Applications and code.
        Software = "software",
        /// Devices and equipment.
        Hardware = "hardware",
        /// A service used or provided (a SaaS, a network).
        Service = "service",
        /// People and their knowledge.
        People = "people",
        /// A building or room.
        Site = "site",
    }
}

keyed! {
    /// Where an asset is in its life.
    pub enum Lifecycle in "lifecycle" {
        /// Being acquired or built.
        Planned = "planned",
        /// In use.
        InUse = "in_use",
        /// Being retired: data to move, media to wipe.
        Retiring = "retiring",
        /// Disposed of; kept in the inventory as a record.
        Disposed = "disposed",
    }
}

/// The most labels a scheme may have.
pub const MAX_LABELS: usize = 8;

/// The organisation's classification scheme: its labels, least sensitive first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// Labels, least sensitive first.
    pub labels: Vec<String>,
}

impl Default for Scheme {
    fn default() -> Self {
        Self {
            labels: ["Public", "Internal", "Confidential", "Restricted"]
                .map(str::to_owned)
                .to_vec(),
        }
    }
}

impl Scheme {
    /// Checks the labels: two to eight, each a short line, none repeated.
    ///
    /// # Errors
    /// `labels` or `labels[n]` naming the problem.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(2..=MAX_LABELS).contains(&self.labels.len()) {
            e.push(
                "labels",
                format!("a scheme has 2 to {MAX_LABELS} labels, least sensitive first"),
            );
        }
        let mut labels: Vec<String> = Vec::with_capacity(self.labels.len());
        for (n, l) in self.labels.iter().enumerate() {
            let field = format!("labels[{n}]");
            if let Some(l) = e.check(text::required(&field, l, 60, Lines::One)) {
                if labels.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                    e.push(&field, format!("\"{l}\" is already a label of the scheme"));
                } else {
                    labels.push(l);
                }
            }
        }
        e.into_result(|| Self { labels })
    }

    /// The scheme's own spelling of `label`, matched without regard to case.
    #[must_use]
    pub fn label(&self, label: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|l| l.eq_ignore_ascii_case(label.trim()))
            .map(String::as_str)
    }
}

/// How much confidentiality, integrity or availability of an asset matters.
pub const CIA_MAX: u8 = 3;

/// An asset as the inventory keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// Id.
    pub id: AssetId,
    /// Reference people cite: `A-0042`.
    pub reference: String,
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: AssetKind,
    /// Who answers for it (5.9).
    pub owner_id: PersonId,
    /// A label of the scheme (5.12).
    pub classification: String,
    /// Where it is (a site, a cloud region, "staff homes").
    pub location: String,
    /// Confidentiality, 1 (low) to 3 (high).
    pub confidentiality: u8,
    /// Integrity, 1 to 3.
    pub integrity: u8,
    /// Availability, 1 to 3.
    pub availability: u8,
    /// Where it is in its life.
    pub lifecycle: Lifecycle,
    /// Version (ETag).
    pub version: i64,
}

/// The fields of an asset a person writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFields {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: AssetKind,
    /// Owner.
    pub owner_id: PersonId,
    /// Classification label.
    pub classification: String,
    /// Location.
    pub location: String,
    /// Confidentiality.
    pub confidentiality: u8,
    /// Integrity.
    pub integrity: u8,
    /// Availability.
    pub availability: u8,
    /// Lifecycle.
    pub lifecycle: Lifecycle,
}

fn check_cia(e: &mut ValidationErrors, field: &str, v: u8) {
    if !(1..=CIA_MAX).contains(&v) {
        e.push(
            field,
            format!("{field} is 1 (low), 2 (medium) or 3 (high); {v} was given"),
        );
    }
}

impl AssetFields {
    /// Trims and checks the text, the label against `scheme`, and the C/I/A values. The
    /// owner is checked by the store, which knows who is employed.
    ///
    /// # Errors
    /// Each bad field.
    pub fn validate(self, scheme: &Scheme) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let name = e.check(text::required("name", &self.name, NAME_MAX, Lines::One));
        let location = e.check(text::optional(
            "location",
            &self.location,
            NAME_MAX,
            Lines::One,
        ));
        let classification = match scheme.label(&self.classification) {
            Some(l) => Some(l.to_owned()),
            None => {
                e.push(
                    "classification",
                    format!(
                        "classification is one of the scheme's labels: {}",
                        scheme.labels.join(", ")
                    ),
                );
                None
            }
        };
        check_cia(&mut e, "confidentiality", self.confidentiality);
        check_cia(&mut e, "integrity", self.integrity);
        check_cia(&mut e, "availability", self.availability);
        e.into_result(|| Self {
            name: name.unwrap_or_default(),
            location: location.flatten().unwrap_or_default(),
            classification: classification.unwrap_or_default(),
            ..self
        })
    }
}

/// The columns an import reads, by header (case and surrounding spaces ignored).
pub const IMPORT_COLUMNS: [&str; 9] = [
    "name",
    "kind",
    "owner_email",
    "classification",
    "location",
    "confidentiality",
    "integrity",
    "availability",
    "lifecycle",
];

/// One row of an import as read from the file, its cells as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    /// Cells by column of [`IMPORT_COLUMNS`]; a missing cell is empty.
    pub cells: [String; 9],
}

/// A problem with one cell of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The line in the file.
    pub line: usize,
    /// The column.
    pub field: String,
    /// What is wrong and how to put it right.
    pub message: String,
}

/// A row checked against the scheme, its owner still an email for the store to resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRow {
    /// The line in the file.
    pub line: usize,
    /// The owner's email, lower-case.
    pub owner_email: String,
    /// Everything but the owner.
    pub name: String,
    /// Kind.
    pub kind: AssetKind,
    /// Label.
    pub classification: String,
    /// Location.
    pub location: String,
    /// C, I, A.
    pub cia: [u8; 3],
    /// Lifecycle.
    pub lifecycle: Lifecycle,
}

impl CheckedRow {
    /// The asset's fields once its owner is known.
    #[must_use]
    pub fn with_owner(&self, owner_id: PersonId) -> AssetFields {
        AssetFields {
            name: self.name.clone(),
            kind: self.kind,
            owner_id,
            classification: self.classification.clone(),
            location: self.location.clone(),
            confidentiality: self.cia[0],
            integrity: self.cia[1],
            availability: self.cia[2],
            lifecycle: self.lifecycle,
        }
    }
}

/// Maps a header row to the columns of [`IMPORT_COLUMNS`]: the index of each in the file.
///
/// # Errors
/// One [`RowError`] on line 1 for each required column that is missing or repeated.
pub fn header_map(header: &[String]) -> Result<[Option<usize>; 9], Vec<RowError>> {
    let mut map = [None; 9];
    let mut errors = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let h = h
            .trim()
            .trim_start_matches('\u{feff}')
            .to_lowercase()
            .replace(' ', "_");
        if let Some(c) = IMPORT_COLUMNS.iter().position(|k| *k == h) {
            if map[c].is_some() {
                errors.push(RowError {
                    line: 1,
                    field: h.clone(),
                    message: format!("the column \"{h}\" appears twice"),
                });
            }
            map[c] = Some(i);
        }
    }
    for (c, name) in IMPORT_COLUMNS.iter().enumerate() {
        // Location is optional; every other column must be there.
        if map[c].is_none() && *name != "location" {
            errors.push(RowError {
                line: 1,
                field: (*name).to_owned(),
                message: format!(
                    "the header has no \"{name}\" column; the columns are {}",
                    IMPORT_COLUMNS.join(", ")
                ),
            });
        }
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(errors)
    }
}

/// Checks one row against `scheme`.
///
/// # Errors
/// Every bad cell of the row.
pub fn check_row(row: &ImportRow, scheme: &Scheme) -> Result<CheckedRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let err = |errors: &mut Vec<RowError>, field: &str, message: String| {
        errors.push(RowError {
            line: row.line,
            field: field.to_owned(),
            message,
        });
    };
    let cell = |c: usize| row.cells[c].trim();
    let kind: Option<AssetKind> = cell(1)
        .to_lowercase()
        .parse()
        .map_err(|m| err(&mut errors, "kind", m))
        .ok();
    let owner_email = cell(2).to_lowercase();
    if owner_email.is_empty() {
        err(
            &mut errors,
            "owner_email",
            "name the owner by their work email".to_owned(),
        );
    }
    let lifecycle: Option<Lifecycle> = match cell(8) {
        "" => Some(Lifecycle::InUse),
        l => l
            .to_lowercase()
            .replace(' ', "_")
            .parse()
            .map_err(|m| err(&mut errors, "lifecycle", m))
            .ok(),
    };
    let mut cia = [0u8; 3];
    for (k, c) in [5, 6, 7].into_iter().enumerate() {
        let field = IMPORT_COLUMNS[c];
        match cell(c).parse::<u8>() {
            Ok(v) => cia[k] = v,
            Err(_) => err(
                &mut errors,
                field,
                format!(
                    "{field} is 1 (low), 2 (medium) or 3 (high); \"{}\" was given",
                    cell(c)
                ),
            ),
        }
    }
    // Every other cell is checked even when the kind or lifecycle is wrong, so one report
    // names every problem of the row.
    let fields = AssetFields {
        name: cell(0).to_owned(),
        kind: kind.unwrap_or(AssetKind::Information),
        owner_id: PersonId::from_uuid(uuid::Uuid::nil()),
        classification: cell(3).to_owned(),
        location: cell(4).to_owned(),
        confidentiality: cia[0],
        integrity: cia[1],
        availability: cia[2],
        lifecycle: lifecycle.unwrap_or(Lifecycle::InUse),
    };
    let checked = match fields.validate(scheme) {
        Ok(f) if kind.is_some() && lifecycle.is_some() => Some(f),
        Ok(_) => None,
        Err(v) => {
            for fe in v.errors {
                // A value that did not parse is reported once, by its own message.
                if !errors.iter().any(|x| x.field == fe.field) {
                    err(&mut errors, &fe.field, fe.message);
                }
            }
            None
        }
    };
    match checked {
        Some(f) if errors.is_empty() => Ok(CheckedRow {
            line: row.line,
            owner_email,
            name: f.name,
            kind: f.kind,
            classification: f.classification,
            location: f.location,
            cia: [f.confidentiality, f.integrity, f.availability],
            lifecycle: f.lifecycle,
        }),
        _ => {
            errors.sort_by_key(|e| IMPORT_COLUMNS.iter().position(|c| *c == e.field));
            Err(errors)
        }
    }
}

/// Reads the rows of a table (header first) into checked rows, or every error found.
///
/// # Errors
/// Each bad header column, or each bad cell of every row; an empty table is an error too.
pub fn check_table(
    table: &[Vec<String>],
    scheme: &Scheme,
) -> Result<Vec<CheckedRow>, Vec<RowError>> {
    let Some((header, body)) = table.split_first() else {
        return Err(vec![RowError {
            line: 1,
            field: "file".to_owned(),
            message: format!(
                "the file is empty; its first row names the columns {}",
                IMPORT_COLUMNS.join(", ")
            ),
        }]);
    };
    let map = header_map(header)?;
    let mut ok = Vec::with_capacity(body.len());
    let mut errors = Vec::new();
    for (n, cells) in body.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut row = ImportRow {
            line: n + 2,
            ..ImportRow::default()
        };
        for (c, at) in map.iter().enumerate() {
            if let Some(i) = at {
                row.cells[c] = cells.get(*i).cloned().unwrap_or_default();
            }
        }
        match check_row(&row, scheme) {
            Ok(r) => ok.push(r),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if ok.is_empty() && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            field: "file".to_owned(),
            message: "the file has a header but no asset rows".to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(ok)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
            .collect()
    }

    const HEADER: &[&str] = &[
        "Name",
        "Kind",
        "Owner email",
        "Classification",
        "Location",
        "Confidentiality",
        "Integrity",
        "Availability",
        "Lifecycle",
    ];

    #[test]
    fn a_good_table_reads_with_the_schemes_own_spelling() {
        let rows = check_table(
            &table(&[
                HEADER,
                &[
                    "CRM",
                    "Service",
                    "Ada@Example.com",
                    "confidential",
                    "EU",
                    "3",
                    "2",
                    "2",
                    "",
                ],
                &["", "", "", "", "", "", "", "", ""],
                &[
                    "Laptops",
                    "hardware",
                    "max@example.com",
                    "Internal",
                    "",
                    "2",
                    "2",
                    "1",
                    "in use",
                ],
            ]),
            &Scheme::default(),
        )
        .expect("valid");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].classification, "Confidential");
        assert_eq!(rows[0].owner_email, "ada@example.com");
        assert_eq!(rows[0].lifecycle, Lifecycle::InUse);
        assert_eq!(rows[1].line, 4, "lines count from the header");
    }

    #[test]
    fn every_bad_row_and_field_is_reported_once() {
        let e = check_table(
            &table(&[
                HEADER,
                &["CRM", "cloud", "", "Secret", "EU", "4", "x", "2", "gone"],
                &[
                    "",
                    "software",
                    "ada@example.com",
                    "Internal",
                    "",
                    "1",
                    "1",
                    "1",
                    "",
                ],
                &[
                    "Fine",
                    "software",
                    "ada@example.com",
                    "Internal",
                    "",
                    "1",
                    "1",
                    "1",
                    "",
                ],
            ]),
            &Scheme::default(),
        )
        .expect_err("broken rows");
        let got: Vec<(usize, &str)> = e.iter().map(|x| (x.line, x.field.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "kind"),
                (2, "owner_email"),
                (2, "classification"),
                (2, "confidentiality"),
                (2, "integrity"),
                (2, "lifecycle"),
                (3, "name"),
            ],
            "{e:#?}"
        );
        // With a valid kind, the label and the out-of-range value are named too.
        let e = check_table(
            &table(&[
                HEADER,
                &["CRM", "service", "a@b.c", "Secret", "", "4", "1", "1", ""],
            ]),
            &Scheme::default(),
        )
        .expect_err("bad label and value");
        let got: Vec<&str> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(got, ["classification", "confidentiality"]);
        assert!(
            e[0].message
                .contains("Public, Internal, Confidential, Restricted")
        );
    }

    #[test]
    fn a_header_without_a_required_column_is_refused_before_any_row() {
        let e = check_table(
            &table(&[
                &["name", "kind", "classification"],
                &["CRM", "service", "Internal"],
            ]),
            &Scheme::default(),
        )
        .expect_err("columns missing");
        assert!(e.iter().all(|x| x.line == 1));
        assert_eq!(e[0].field, "owner_email");
        assert!(check_table(&[], &Scheme::default()).is_err());
        assert!(check_table(&table(&[HEADER]), &Scheme::default()).is_err());
    }

    #[test]
    fn a_scheme_has_two_to_eight_distinct_labels() {
        let s = |l: &[&str]| {
            Scheme {
                labels: l.iter().map(|x| (*x).to_owned()).collect(),
            }
            .validate()
        };
        assert!(s(&["Open", "Closed"]).is_ok());
        assert_eq!(s(&["Only"]).expect_err("one").errors[0].field, "labels");
        assert_eq!(
            s(&["Open", "open"]).expect_err("repeated").errors[0].field,
            "labels[1]"
        );
    }
}
