//! Holdfast over HTTP: the JSON API under `/api/v1`, its OpenAPI document, the server-rendered
//! web UI, authentication and authorisation.
//!
//! Handlers parse, call the store or core, and render. Every route is registered through
//! [`routes::Routes`] with the [`holdfast_core::policy::Action`] it performs, so the
//! authorisation check, the OpenAPI document and the authorisation test all come from the
//! same table.

mod api;
pub mod auth;
mod error;
pub mod form;
pub mod headers;
pub mod heatmap;
mod import_file;
pub mod list;
mod openapi;
mod pages;
pub mod routes;
mod service;
pub mod soa_export;
mod svg;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use holdfast_store::Store;
use tower_http::LatencyUnit;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use error::AppError;

/// The background worker's pulse, which `/healthz` reports: a server whose worker stopped
/// ticking sends no reminders and dispatches no events, and should be restarted.
#[derive(Debug)]
pub struct Heartbeat {
    interval: Duration,
    last_ok: std::sync::atomic::AtomicI64,
}

impl Heartbeat {
    /// A heartbeat for a worker ticking every `interval`, counted as fresh from `started`.
    #[must_use]
    pub fn new(interval: Duration, started: chrono::DateTime<chrono::Utc>) -> Self {
        Self {
            interval,
            last_ok: std::sync::atomic::AtomicI64::new(started.timestamp()),
        }
    }

    /// Records a successful tick at `at`.
    pub fn beat(&self, at: chrono::DateTime<chrono::Utc>) {
        self.last_ok
            .store(at.timestamp(), std::sync::atomic::Ordering::Relaxed);
    }

    /// The last successful tick.
    #[must_use]
    pub fn last_ok(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(self.last_ok.load(std::sync::atomic::Ordering::Relaxed), 0)
            .unwrap_or_default()
    }

    /// Whether the last successful tick is older than five intervals at `now`.
    #[must_use]
    pub fn stalled(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        let allowed =
            chrono::Duration::from_std(self.interval * 5).unwrap_or(chrono::Duration::MAX);
        now - self.last_ok() > allowed
    }
}

/// How the web layer behaves; the defaults suit a server behind HTTPS termination only if
/// `secure_cookies` is turned on.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` and send HSTS (set when Holdfast is served over HTTPS).
    pub secure_cookies: bool,
    /// Where people reach Holdfast (`https://isms.example.com`): the base of every address
    /// Holdfast hands out, such as a calendar feed's.
    pub public_url: String,
    /// A session unused this long ends.
    pub session_idle: Duration,
    /// A session ends this long after login, however used.
    pub session_absolute: Duration,
    /// Largest accepted request body.
    pub body_limit: usize,
    /// The worker serving beside this server, if any, for `/healthz`.
    pub heartbeat: Option<Arc<Heartbeat>>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            public_url: "http://127.0.0.1:8080".into(),
            session_idle: Duration::from_secs(60 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            body_limit: 1024 * 1024,
            heartbeat: None,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Web settings.
    pub config: Arc<WebConfig>,
}

/// The application: every route, with request ids, request logs and the body limit.
pub fn app(store: Store, config: WebConfig) -> Router {
    let limit = config.body_limit;
    let state = AppState {
        store,
        config: Arc::new(config),
    };
    let request_id = HeaderName::from_static("x-request-id");
    routes::build(state.clone())
        .into_router()
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::refuse_nul,
        ))
        .layer(axum::middleware::map_response_with_state(
            state,
            headers::add,
        ))
        .layer(DefaultBodyLimit::max(limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The path only: query strings may carry search text, never secrets, but
                    // there is no need to log them.
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Serves until Ctrl-C or SIGTERM, then lets in-flight requests finish.
///
/// # Errors
/// When the listener fails.
pub async fn serve(
    store: Store,
    config: WebConfig,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let app = app(store.clone(), config);
    tracing::info!(address = %listener.local_addr()?, "serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // The caller closes the database: it may still have work to finish (a last checkpoint).
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down; letting open requests finish");
}
