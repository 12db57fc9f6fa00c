//! `holdfast verify`: recompute the audit trail.

use holdfast_store::OpenMode;

use crate::Outcome;

pub async fn run(db: &str) -> anyhow::Result<Outcome> {
    let store = crate::commands::open(db, OpenMode::MustExist).await?;
    let report = store.verify_chain().await?;
    store.close().await;
    match report.broken {
        None => {
            println!("{} events verified, chain intact", report.verified);
            println!("head {}", report.head);
            Ok(Outcome::Success)
        }
        Some(b) => {
            println!("chain broken: {b}");
            println!(
                "{} earlier {} verified",
                report.verified,
                if report.verified == 1 {
                    "event"
                } else {
                    "events"
                }
            );
            Ok(Outcome::CheckFailed)
        }
    }
}
