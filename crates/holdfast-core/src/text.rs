//! The one rule for typed text, checked before anything is stored or logged: every text
//! field has a length limit and carries no control characters. A NUL byte cannot be stored
//! in PostgreSQL at all and would silently truncate text elsewhere; other control characters
//! break headers, logs, SVG and CSV; an unbounded field lets anyone fill the audit trail.
//! Multi-line fields (comments, reasons, descriptions) keep their newlines and tabs.

use crate::ValidationErrors;

/// Names and titles: a person, a process, a rule, a token.
pub const NAME_MAX: usize = 200;
/// An email address (RFC 5321's limit on a path).
pub const EMAIL_MAX: usize = 254;
/// Descriptions, comments and reasons.
pub const LONG_MAX: usize = 10_000;
/// A file name, as most file systems allow.
pub const FILE_NAME_MAX: usize = 255;

/// Whether a field is a single line or may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// A name, title, key or address: no control character at all.
    One,
    /// A comment, reason or description: newlines and tabs allowed.
    Many,
}

/// Checks `raw` as it is (not trimmed): at most `max` characters and no forbidden control
/// character.
///
/// # Errors
/// A message for `field` naming the limit or the character.
pub fn check(field: &str, raw: &str, max: usize, lines: Lines) -> Result<(), ValidationErrors> {
    if let Some(c) = raw.chars().find(|&c| forbidden(c, lines)) {
        let what = if c == '\0' {
            "a NUL character".to_owned()
        } else {
            format!("the control character U+{:04X}", u32::from(c))
        };
        let hint = match lines {
            Lines::One => "; write it on one line",
            Lines::Many => "",
        };
        return Err(ValidationErrors::one(field, format!("remove {what}{hint}")));
    }
    let n = raw.chars().count();
    if n > max {
        return Err(ValidationErrors::one(
            field,
            format!("at most {max} characters are allowed ({n} were given)"),
        ));
    }
    Ok(())
}

/// A required text, trimmed, checked by [`check`].
///
/// # Errors
/// A message for `field` when it is blank, too long or holds a control character.
pub fn required(
    field: &str,
    raw: &str,
    max: usize,
    lines: Lines,
) -> Result<String, ValidationErrors> {
    let s = raw.trim();
    check(field, s, max, lines)?;
    if s.is_empty() {
        return Err(ValidationErrors::one(field, "this field is required"));
    }
    Ok(s.to_owned())
}

/// A required multi-line text (a comment, reason or description) of at most [`LONG_MAX`]
/// characters, trimmed; `blank` says what to write when it is empty.
///
/// # Errors
/// `blank` for `field` when it is empty; otherwise as [`check`].
pub fn long(field: &str, raw: &str, blank: &str) -> Result<String, ValidationErrors> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(ValidationErrors::one(field, blank));
    }
    check(field, s, LONG_MAX, Lines::Many)?;
    Ok(s.to_owned())
}

/// An optional text, trimmed: `None` when blank, otherwise checked by [`check`].
///
/// # Errors
/// A message for `field` when it is too long or holds a control character.
pub fn optional(
    field: &str,
    raw: &str,
    max: usize,
    lines: Lines,
) -> Result<Option<String>, ValidationErrors> {
    let s = raw.trim();
    check(field, s, max, lines)?;
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// An uploaded file's name made safe to store and to send back: the last path segment only,
/// without control characters or the invisible direction marks that make `invoice<U+202E>fdp.exe`
/// read as `invoiceexe.pdf`; `evidence` when nothing is left.
///
/// # Errors
/// A message for `field` when the name is longer than [`FILE_NAME_MAX`].
pub fn file_name(field: &str, raw: &str) -> Result<String, ValidationErrors> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|&c| !c.is_control() && !is_direction_mark(c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let name = if cleaned.is_empty() {
        "evidence"
    } else {
        cleaned
    };
    check(field, name, FILE_NAME_MAX, Lines::One)?;
    Ok(name.to_owned())
}

/// The earliest year a date may be in: nothing an ISMS records happened before.
pub const YEAR_MIN: i32 = 1900;
/// The latest year a date may be in: far enough for any review cycle, near enough that a
/// typo (year 20260) is caught.
pub const YEAR_MAX: i32 = 2200;

/// Checks that a typed date lies between [`YEAR_MIN`] and [`YEAR_MAX`].
///
/// # Errors
/// A message for `field` naming the range.
pub fn check_date(field: &str, date: chrono::NaiveDate) -> Result<(), ValidationErrors> {
    use chrono::Datelike;
    if (YEAR_MIN..=YEAR_MAX).contains(&date.year()) {
        Ok(())
    } else {
        Err(ValidationErrors::one(
            field,
            format!("give a date between {YEAR_MIN} and {YEAR_MAX}, as YYYY-MM-DD"),
        ))
    }
}

fn forbidden(c: char, lines: Lines) -> bool {
    c.is_control() && !(lines == Lines::Many && matches!(c, '\n' | '\r' | '\t'))
}

/// Unicode's bidirectional formatting characters and zero-width marks.
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_line_refuses_every_control_character_and_names_it() {
        assert!(check("name", "Ada Lovelace", NAME_MAX, Lines::One).is_ok());
        let e = check("name", "Ada\0", NAME_MAX, Lines::One).expect_err("refused");
        assert_eq!(e.errors[0].field, "name");
        assert!(e.errors[0].message.contains("NUL"), "{e}");
        for bad in ["a\nb", "a\tb", "a\u{1b}[31m", "a\u{7f}", "a\u{85}"] {
            assert!(check("name", bad, NAME_MAX, Lines::One).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn many_lines_keep_newlines_and_tabs_but_not_nul() {
        assert!(check("comment", "done\r\n\tall of it", LONG_MAX, Lines::Many).is_ok());
        assert!(check("comment", "done\0", LONG_MAX, Lines::Many).is_err());
        assert!(check("comment", "bell\u{7}", LONG_MAX, Lines::Many).is_err());
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let at = "é".repeat(NAME_MAX);
        assert!(check("name", &at, NAME_MAX, Lines::One).is_ok());
        let over = "a".repeat(NAME_MAX + 1);
        let e = check("name", &over, NAME_MAX, Lines::One).expect_err("refused");
        assert!(e.errors[0].message.contains("at most 200"), "{e}");
        assert!(check("c", &"x".repeat(1_000_000), LONG_MAX, Lines::Many).is_err());
    }

    #[test]
    fn required_and_optional_trim_first() {
        assert_eq!(
            required("t", "  x  ", 5, Lines::One).expect("accepted"),
            "x"
        );
        assert!(required("t", "   ", 5, Lines::One).is_err());
        assert_eq!(optional("t", "  ", 5, Lines::One).expect("accepted"), None);
        assert_eq!(
            optional("t", " y ", 5, Lines::One).expect("accepted"),
            Some("y".into())
        );
    }

    #[test]
    fn dates_lie_between_1900_and_2200() {
        let d = |y| chrono::NaiveDate::from_ymd_opt(y, 1, 1).expect("accepted");
        assert!(check_date("d", d(1900)).is_ok());
        assert!(check_date("d", d(2200)).is_ok());
        for y in [0, -1, 1899, 2201, 10_000] {
            assert!(check_date("d", d(y)).is_err(), "{y}");
        }
    }

    #[test]
    fn file_names_lose_paths_controls_and_direction_marks() {
        assert_eq!(
            file_name("f", "report.pdf").expect("accepted"),
            "report.pdf"
        );
        assert_eq!(
            file_name("f", "C:\\Users\\ada\\report.pdf").expect("accepted"),
            "report.pdf"
        );
        assert_eq!(
            file_name("f", "../../etc/passwd").expect("accepted"),
            "passwd"
        );
        assert_eq!(
            file_name("f", "invoice\u{202E}fdp.exe").expect("accepted"),
            "invoicefdp.exe"
        );
        assert_eq!(file_name("f", "a\r\nb.txt").expect("accepted"), "ab.txt");
        assert_eq!(file_name("f", "").expect("accepted"), "evidence");
        assert_eq!(file_name("f", "..").expect("accepted"), "evidence");
        assert!(file_name("f", &"a".repeat(100_000)).is_err());
    }
}
