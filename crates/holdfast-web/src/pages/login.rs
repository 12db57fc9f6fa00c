//! Login and logout pages. The login form is protected against cross-site posting with a
//! double-submit token (cookie and field must match), since there is no session yet.

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use holdfast_core::policy::Action;
use serde::Deserialize;

use super::{Nav, render};
use crate::AppState;
use crate::auth::{
    Caller, Credential, clear_session_cookie, constant_time_eq, cookie, login, random_secret,
    session_cookie,
};
use crate::error::AppError;
use crate::routes::{Access, Kind, Routes, route};

const LOGIN_CSRF_COOKIE: &str = "holdfast_login_csrf";

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/login",
            Access::Public,
            Kind::Page,
            "Login form",
        ),
        form,
    )
    .add(
        route(Method::POST, "/login", Access::Public, Kind::Page, "Log in"),
        submit,
    )
    .add(
        route(
            Method::POST,
            "/logout",
            Access::Login(Action::ViewDashboard),
            Kind::Page,
            "Log out",
        ),
        logout,
    )
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    nav: Nav,
    error: Option<&'a str>,
    email: &'a str,
    next: &'a str,
    login_csrf: &'a str,
}

#[derive(Deserialize)]
struct NextParam {
    next: Option<String>,
}

/// Only a path on this site is followed after login, so a crafted link cannot send a person
/// elsewhere: `/` followed by neither `/` nor `\\` (which browsers read as another host), no
/// backslash anywhere and no control character (browsers strip tabs and newlines, which would
/// turn `/\t/evil.example` into `//evil.example`, and a newline cannot go in a header).
#[must_use]
pub fn safe_next(next: Option<&str>) -> &str {
    let Some(n) = next else { return "/" };
    let same_origin_path = n.starts_with('/')
        && !n[1..].starts_with(['/', '\\'])
        && !n.contains('\\')
        && !n.chars().any(char::is_control)
        && n.len() <= 2_000;
    if same_origin_path { n } else { "/" }
}

fn login_page(
    status: StatusCode,
    error: Option<&str>,
    email: &str,
    next: &str,
) -> Result<Response, AppError> {
    let token = random_secret()?;
    let mut resp = render(
        status,
        &LoginPage {
            nav: Nav::anonymous(),
            error,
            email,
            next,
            login_csrf: &token,
        },
    );
    let cookie = format!(
        "{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict; Max-Age=3600"
    );
    let value = HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?;
    resp.headers_mut().append(header::SET_COOKIE, value);
    Ok(resp)
}

async fn form(Query(q): Query<NextParam>) -> Result<Response, AppError> {
    login_page(StatusCode::OK, None, "", safe_next(q.next.as_deref()))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_login_csrf")]
    login_csrf: String,
}

async fn submit(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&f.next)).to_owned();
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), f.login_csrf.as_bytes()) {
        return login_page(
            StatusCode::BAD_REQUEST,
            Some("The login form expired. Please try again."),
            &f.email,
            &next,
        );
    }
    match login(&st, &addr.ip().to_string(), &f.email, &f.password).await {
        Ok(done) => {
            let mut resp = Redirect::to(&next).into_response();
            *resp.status_mut() = StatusCode::SEE_OTHER;
            let value = HeaderValue::from_str(&session_cookie(&st, &done.session_secret))
                .map_err(|e| AppError::Internal(e.to_string()))?;
            resp.headers_mut().append(header::SET_COOKIE, value);
            Ok(resp)
        }
        Err(e @ (AppError::BadCredentials | AppError::TooManyRequests(_))) => {
            login_page(e.status(), Some(&e.to_string()), &f.email, &next)
        }
        // An email no address can be (too long, control characters): said once, and the
        // typed text is not echoed back.
        Err(AppError::Invalid(v)) => {
            let message = v
                .errors
                .first()
                .map_or_else(|| v.to_string(), |e| format!("{}: {}", e.field, e.message));
            login_page(StatusCode::UNPROCESSABLE_ENTITY, Some(&message), "", &next)
        }
        Err(e) => Err(e),
    }
}

async fn logout(State(st): State<AppState>, caller: Caller) -> Result<Response, AppError> {
    if let Credential::Session { token_hash, .. } = &caller.credential {
        st.store
            .end_session(&caller.account, token_hash, "logout")
            .await?;
    }
    let mut resp = Redirect::to("/login").into_response();
    *resp.status_mut() = StatusCode::SEE_OTHER;
    let value = HeaderValue::from_str(&clear_session_cookie(&st))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    resp.headers_mut().append(header::SET_COOKIE, value);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_a_path_on_this_site_is_followed() {
        for good in [
            "/",
            "/processes",
            "/people?q=rossi&cursor=abc",
            "/tasks/1#x",
        ] {
            assert_eq!(safe_next(Some(good)), good);
        }
        for bad in [
            "//evil.example/x",
            "/\\evil.example",
            "/\t/evil.example/x",
            "/\n/x",
            "/\r\nSet-Cookie: x=1",
            "/a\\b",
            "https://evil.example/",
            "evil.example",
            "",
            "/\u{0}",
            "/\u{7f}",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
