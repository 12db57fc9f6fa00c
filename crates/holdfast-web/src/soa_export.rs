//! Files of a published Statement of Applicability: XLSX for the people who open it in a
//! spreadsheet (one row per control, the header frozen, filters on), CSV for tools. Both are
//! made from the frozen version, never from the live SoA, and carry its number and SHA-256.

use holdfast_core::soa::{Row, Version};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

const HEADERS: [&str; 11] = [
    "Control",
    "Theme",
    "Title",
    "Applicable",
    "Justification",
    "Risks treated",
    "Obligations",
    "Best practice",
    "Implementation",
    "Owner",
    "Implementing processes",
];

fn cells(r: &Row) -> [String; 11] {
    let yes_no = |b: bool| if b { "Yes" } else { "No" }.to_owned();
    [
        r.control.clone(),
        r.theme.clone(),
        r.title.clone(),
        r.applicable.map_or_else(|| "Undecided".to_owned(), yes_no),
        r.justification.clone(),
        r.risks.join(", "),
        r.obligations.join("; "),
        yes_no(r.best_practice),
        r.status
            .map_or_else(String::new, |s| holdfast_core::words::label(s.as_str())),
        r.owner.clone().unwrap_or_default(),
        r.processes.join(", "),
    ]
}

/// The file name for `v` in `extension`: `statement-of-applicability-v3-1a2b3c4d5e6f.xlsx`.
#[must_use]
pub fn file_name(v: &Version, extension: &str) -> String {
    format!(
        "statement-of-applicability-v{}-{}.{extension}",
        v.number,
        &v.sha256[..12.min(v.sha256.len())]
    )
}

/// The version as an XLSX workbook: the SoA sheet and an "About" sheet naming the version,
/// its approval and its SHA-256.
///
/// # Errors
/// When the workbook cannot be written (a defect).
pub fn xlsx(v: &Version, approved_by: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    let sheet = book.add_worksheet();
    sheet.set_name("Statement of Applicability")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, col(c), *h, &bold)?;
    }
    for (n, r) in v.rows.iter().enumerate() {
        let row = u32::try_from(n + 1).unwrap_or(u32::MAX);
        for (c, text) in cells(r).iter().enumerate() {
            if c == 4 {
                sheet.write_string_with_format(row, col(c), text, &wrap)?;
            } else {
                sheet.write_string(row, col(c), text)?;
            }
        }
    }
    let last = u32::try_from(v.rows.len()).unwrap_or(u32::MAX);
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last, col(HEADERS.len() - 1))?;
    for (c, width) in [8, 14, 40, 11, 70, 18, 36, 13, 15, 22, 30]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(col(c), *width)?;
    }
    let about = book.add_worksheet();
    about.set_name("About")?;
    let facts = [
        (
            "Statement of Applicability",
            format!("version {}", v.number),
        ),
        ("Standard", "ISO/IEC 27001:2022 Annex A".to_owned()),
        (
            "Approved and published",
            v.published_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        ("Approved by", approved_by.to_owned()),
        ("Controls", v.rows.len().to_string()),
        ("SHA-256 of the version", v.sha256.clone()),
    ];
    for (n, (k, value)) in facts.iter().enumerate() {
        let row = u32::try_from(n).unwrap_or(u32::MAX);
        about.write_string_with_format(row, 0, *k, &bold)?;
        about.write_string(row, 1, value)?;
    }
    about.set_column_width(0, 28)?;
    about.set_column_width(1, 70)?;
    book.save_to_buffer()
}

fn col(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// One CSV field, quoted per RFC 4180; text a spreadsheet would run as a formula is prefixed
/// with an apostrophe, so opening an export never executes what someone typed.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The version as CSV: a header, one line per control, each line ending with the version and
/// its SHA-256 so a line taken alone still says where it came from.
#[must_use]
pub fn csv(v: &Version) -> String {
    let mut out = String::new();
    let header: Vec<String> = HEADERS
        .iter()
        .map(|h| field(h))
        .chain(["SoA version".to_owned(), "SoA SHA-256".to_owned()])
        .collect();
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for r in &v.rows {
        let mut line: Vec<String> = cells(r).iter().map(|c| field(c)).collect();
        line.push(v.number.to_string());
        line.push(v.sha256.clone());
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
