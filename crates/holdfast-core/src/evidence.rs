//! What an uploaded evidence file may be: a bounded size, a content type people open with
//! ordinary programs, and content that matches the type it claims.

use crate::validation::ValidationErrors;

/// Largest evidence file accepted (10 MiB): screenshots, reports, exports.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// Content types accepted, with the leading bytes their content must start with (if any).
const ACCEPTED: &[(&str, &[u8])] = &[
    ("application/pdf", b"%PDF"),
    ("image/png", b"\x89PNG"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("text/plain", b""),
    ("text/csv", b""),
    ("text/markdown", b""),
    ("application/json", b""),
    ("application/zip", b"PK"),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK",
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK",
    ),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        b"PK",
    ),
];

/// Checks an upload.
///
/// # Errors
/// A message for `file`: empty, too large, a type not accepted, or content that is not what
/// its type says.
pub fn check_upload(content_type: &str, content: &[u8]) -> Result<String, ValidationErrors> {
    let ct = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_lowercase();
    if content.is_empty() {
        return Err(ValidationErrors::one("file", "the file is empty"));
    }
    if content.len() > MAX_EVIDENCE_BYTES {
        return Err(ValidationErrors::one(
            "file",
            format!(
                "the file is larger than {} MiB",
                MAX_EVIDENCE_BYTES / 1024 / 1024
            ),
        ));
    }
    let Some((_, magic)) = ACCEPTED.iter().find(|(t, _)| *t == ct) else {
        return Err(ValidationErrors::one(
            "file",
            format!(
                "files of type {ct:?} are not accepted; use PDF, PNG, JPEG, text, CSV, JSON, ZIP or Office documents"
            ),
        ));
    };
    let text = ct.starts_with("text/") || ct == "application/json";
    if !content.starts_with(magic) || (text && std::str::from_utf8(content).is_err()) {
        return Err(ValidationErrors::one(
            "file",
            format!("the content of the file is not {ct}"),
        ));
    }
    Ok(ct)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_matching_content() {
        assert_eq!(
            check_upload("application/pdf", b"%PDF-1.7 ...").as_deref(),
            Ok("application/pdf")
        );
        assert!(check_upload("text/plain; charset=utf-8", b"restore ok").is_ok());
    }

    #[test]
    fn refuses_empty_oversized_unknown_and_disguised_files() {
        assert!(check_upload("text/plain", b"").is_err());
        assert!(check_upload("text/plain", &vec![b'a'; MAX_EVIDENCE_BYTES + 1]).is_err());
        assert!(check_upload("application/x-msdownload", b"MZ").is_err());
        assert!(check_upload("application/pdf", b"MZ\x90\x00").is_err());
        assert!(check_upload("text/plain", b"\xff\xfe\x00").is_err());
    }
}
