//! Security headers on every answer, pages, API, static files and errors alike, so that no
//! route can forget them: a page may not be framed (clickjacking), may run only Holdfast's
//! own script file (an injected inline script does nothing), is never sniffed into another
//! type, and does not leak its address to other sites. Behind HTTPS (`--secure-cookies`)
//! browsers are told to use HTTPS only.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

use crate::AppState;

/// Holdfast's pages load styles, scripts and images from Holdfast only; nothing inline.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A year, as browsers expect of a site committed to HTTPS.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Adds the security headers a handler did not set itself (a download sets a stricter policy).
pub async fn add(State(st): State<AppState>, mut resp: Response) -> Response {
    let h = resp.headers_mut();
    let fixed: [(HeaderName, &'static str); 4] = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        h.entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    if st.config.secure_cookies {
        h.entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert_with(|| HeaderValue::from_static(STRICT_TRANSPORT_SECURITY));
    }
    resp
}

/// A `Content-Disposition` that downloads `name` under a safe name (RFC 6266): the name
/// without paths, control characters or direction marks, an ASCII `filename` for old clients
/// and the exact name as UTF-8 in `filename*`.
#[must_use]
pub fn attachment(name: &str) -> String {
    let safe = holdfast_core::text::file_name("file", name).unwrap_or_else(|_| {
        // A name stored before names were limited: keep its end, where the extension is.
        let chars: Vec<char> = name.chars().collect();
        let tail: String = chars[chars
            .len()
            .saturating_sub(holdfast_core::text::FILE_NAME_MAX)..]
            .iter()
            .collect();
        holdfast_core::text::file_name("file", &tail).unwrap_or_else(|_| "evidence".into())
    });
    let ascii: String = safe
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !matches!(c, '"' | '\\' | '%' | ';') || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::with_capacity(safe.len() * 3);
    for b in safe.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// Refuses a NUL character anywhere in the address or in a JSON or form body, before any
/// handler sees it: no database stores it (PostgreSQL refuses it outright), no text field
/// means it, and a search for it must not match everything. Field rules in
/// [`holdfast_core::text`] refuse the other control characters with a message per field;
/// this is the backstop that no route can miss.
pub async fn refuse_nul(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    use axum::response::IntoResponse;
    let nul = crate::AppError::BadRequest(
        "the request contains a NUL character (%00 or \\u0000), which no text may hold; remove it"
            .into(),
    );
    let query_has_nul = req.uri().query().is_some_and(|q| {
        q.as_bytes()
            .windows(3)
            .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
    });
    if query_has_nul || req.uri().path().contains("%00") {
        return nul.into_response();
    }
    let kind = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let json = kind.starts_with("application/json") || kind.contains("+json");
    let form = kind.starts_with("application/x-www-form-urlencoded");
    if !(json || form) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, st.config.body_limit).await {
        Ok(b) => b,
        Err(_) => return crate::AppError::TooLarge(st.config.body_limit).into_response(),
    };
    let has_nul = bytes.contains(&0)
        || if json {
            json_escapes_nul(&bytes)
        } else {
            bytes
                .windows(3)
                .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
        };
    if has_nul {
        return nul.into_response();
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

/// Whether a JSON text holds the escape `\u0000` (not an escaped backslash before `u0000`).
fn json_escapes_nul(json: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, &b) in json.iter().enumerate() {
        if b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1 && b == b'u' && json.get(i + 1..i + 5).is_some_and(|h| h == b"0000")
        {
            return true;
        }
        backslashes = 0;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn only_a_real_json_escape_counts_as_nul() {
        use super::json_escapes_nul;
        assert!(!json_escapes_nul(br#"{"name":"a\\u0000"}"#));
        assert!(json_escapes_nul(br#"{"name":"a\u0000"}"#));
        assert!(json_escapes_nul(br#"{"name":"a\\\u0000"}"#));
        assert!(!json_escapes_nul(br#"{"name":"a\u0001"}"#));
    }

    #[test]
    fn a_download_name_is_safe_and_exact() {
        assert_eq!(
            attachment("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            attachment("Prüfbericht \"Q1\".pdf"),
            "attachment; filename=\"Pr_fbericht _Q1_.pdf\"; filename*=UTF-8''Pr%C3%BCfbericht%20%22Q1%22.pdf"
        );
        let spoof = attachment("invoice\u{202E}fdp.exe");
        assert!(spoof.contains("filename=\"invoicefdp.exe\""), "{spoof}");
        assert!(!spoof.contains("%E2%80%AE"), "{spoof}");
        let long = attachment(&format!("{}.pdf", "a".repeat(100_000)));
        assert!(
            long.len() < 1_000 && long.ends_with(".pdf"),
            "{}",
            long.len()
        );
        assert!(attachment("a\r\nSet-Cookie: x").is_ascii());
    }
}
