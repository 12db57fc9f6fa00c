//! `holdfast serve`: the web application and API.

use holdfast_store::{OpenMode, Store};
use holdfast_web::WebConfig;

use crate::Outcome;
use crate::cli::ServeArgs;

pub async fn run(db: &str, args: ServeArgs) -> anyhow::Result<Outcome> {
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let listener = bind(&args.listen).await?;
    serve(store, &args, listener).await
}

/// Binds the listen address, with an error that names it.
pub async fn bind(listen: &str) -> anyhow::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))
}

/// Serves until a shutdown signal.
pub async fn serve(
    store: Store,
    args: &ServeArgs,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<Outcome> {
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        ..WebConfig::default()
    };
    holdfast_web::serve(store, config, listener).await?;
    Ok(Outcome::Success)
}
