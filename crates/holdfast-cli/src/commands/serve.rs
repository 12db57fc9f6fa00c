//! `holdfast serve`: the web application and API.

use holdfast_store::OpenMode;

use crate::Outcome;
use crate::cli::ServeArgs;

pub async fn run(db: &str, args: ServeArgs) -> anyhow::Result<Outcome> {
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.listen))?;
    holdfast_web::serve(store, listener).await?;
    Ok(Outcome::Success)
}
