//! `holdfast serve`: the web application and API, with the background worker beside it.

use holdfast_store::{OpenMode, Store};
use holdfast_web::WebConfig;

use crate::Outcome;
use crate::cli::ServeArgs;

pub async fn run(db: &str, key_path: &std::path::Path, args: ServeArgs) -> anyhow::Result<Outcome> {
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let key = crate::commands::key::load(key_path)?;
    if key.is_none() {
        tracing::warn!(
            path = %key_path.display(),
            "no checkpoint signing key: the audit trail is not checkpointed; run holdfast init to create one"
        );
    }
    let listener = bind(&args.listen).await?;
    serve(store, &args, listener, key).await
}

/// Binds the listen address, with an error that names it.
pub async fn bind(listen: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))
}

/// Serves until a shutdown signal, with the background worker beside the web server.
pub async fn serve(
    store: Store,
    args: &ServeArgs,
    listener: tokio::net::TcpListener,
    signing: Option<holdfast_core::checkpoint::Key>,
) -> anyhow::Result<Outcome> {
    let smtp = args
        .smtp_url
        .as_deref()
        .map(|u| crate::worker::Smtp::parse(u, &args.smtp_from))
        .transpose()?;
    if smtp.is_none() {
        tracing::info!(
            "no HOLDFAST_SMTP_URL: notifications are recorded and shown in the app only"
        );
    }
    let worker_config = crate::worker::WorkerConfig {
        interval: std::time::Duration::from_secs(args.worker_interval),
        horizon_days: args.planning_horizon,
        smtp,
        instance: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        signing: signing.clone(),
    };
    let heartbeat = std::sync::Arc::new(holdfast_web::Heartbeat::new(
        worker_config.interval,
        holdfast_store::clock::now(),
    ));
    let worker = tokio::spawn(crate::worker::run(
        store.clone(),
        worker_config,
        heartbeat.clone(),
    ));
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        public_url: args.public_url.clone().unwrap_or_else(|| {
            let scheme = if args.secure_cookies { "https" } else { "http" };
            listener.local_addr().map_or_else(
                |_| format!("{scheme}://{}", args.listen),
                |a| format!("{scheme}://{a}"),
            )
        }),
        heartbeat: Some(heartbeat),
        ..WebConfig::default()
    };
    let served = holdfast_web::serve(store.clone(), config, listener).await;
    worker.abort();
    // A last checkpoint on the way out, so the newest events are signed too.
    if let Some(key) = &signing {
        match store
            .sign_checkpoint(key, holdfast_store::clock::now())
            .await
        {
            Ok(Some(c)) => tracing::info!(
                number = c.number,
                events = c.seq,
                "checkpoint signed at shutdown"
            ),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "no checkpoint at shutdown"),
        }
    }
    store.close().await;
    served?;
    Ok(Outcome::Success)
}
