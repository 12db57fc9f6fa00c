//! The background worker that `serve` runs beside the web server: plans runs from cadences,
//! turns overdue runs into events, dispatches domain events through the interaction rules,
//! and sends reminders and escalations. Several instances may run against one PostgreSQL database: jobs are claimed
//! with leases, and every notification is claimed by its unique key before it is sent, so
//! each goes out exactly once.

use std::sync::Arc;
use std::time::Duration;

use holdfast_core::clock::AsOf;
use holdfast_core::reminder::{REMIND_AHEAD_DAYS, notices};
use holdfast_store::{Actor, NewNotification, Store};
use holdfast_web::Heartbeat;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

const ACTOR: Actor = Actor::System("worker");

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Time between ticks.
    pub interval: Duration,
    /// Days ahead to plan.
    pub horizon_days: i64,
    /// Mail server, if any.
    pub smtp: Option<Smtp>,
    /// This instance's name in leases.
    pub instance: String,
    /// The key that signs audit-trail checkpoints, if one was found.
    pub signing: Option<holdfast_core::checkpoint::Key>,
}

/// How often the worker signs a checkpoint of a trail that grew.
pub const CHECKPOINT_EVERY: chrono::Duration = chrono::Duration::hours(1);

/// A mail server and the sender address.
#[derive(Debug, Clone)]
pub struct Smtp {
    host: String,
    port: u16,
    from: String,
}

impl Smtp {
    /// Parses `smtp://HOST:PORT`.
    pub fn parse(url: &str, from: &str) -> anyhow::Result<Self> {
        let rest = url.strip_prefix("smtp://").ok_or_else(|| {
            anyhow::anyhow!("HOLDFAST_SMTP_URL must look like smtp://HOST:PORT, not {url:?}")
        })?;
        let (host, port) = rest
            .trim_end_matches('/')
            .rsplit_once(':')
            .unwrap_or((rest, "25"));
        let port = port
            .parse()
            .map_err(|_| anyhow::anyhow!("the SMTP port in {url:?} is not a number"))?;
        from.parse::<lettre::message::Mailbox>()
            .map_err(|e| anyhow::anyhow!("HOLDFAST_SMTP_FROM {from:?} is not an address: {e}"))?;
        Ok(Self {
            host: host.to_owned(),
            port,
            from: from.to_owned(),
        })
    }
}

/// Runs ticks until the task is dropped, recording each successful one on `heartbeat` for
/// `/healthz`.
pub async fn run(store: Store, config: WorkerConfig, heartbeat: Arc<Heartbeat>) {
    loop {
        match tick(&store, &config).await {
            Ok(()) => heartbeat.beat(holdfast_store::clock::now()),
            Err(e) => tracing::warn!(error = %e, "worker tick failed; trying again next time"),
        }
        tokio::time::sleep(config.interval).await;
    }
}

/// One round of the worker's jobs, all judged on one clock.
pub async fn tick(store: &Store, config: &WorkerConfig) -> anyhow::Result<()> {
    let as_of = store.as_of().await?;
    let now = as_of.now;
    let lease =
        chrono::Duration::from_std(config.interval * 2).unwrap_or(chrono::Duration::minutes(2));
    if store
        .claim_lease("plan", &config.instance, now, now + lease)
        .await?
    {
        let planned = store
            .plan_activities(&ACTOR, as_of, config.horizon_days)
            .await?;
        if planned > 0 {
            tracing::info!(planned, "planned runs");
        }
        let overdue = store.emit_overdue_events(&ACTOR, now).await?;
        if overdue > 0 {
            tracing::info!(overdue, "runs reached an overdue milestone");
        }
    }
    // One instance signs per hour: the lease is the hour.
    if let Some(key) = &config.signing
        && store
            .claim_lease("checkpoint", &config.instance, now, now + CHECKPOINT_EVERY)
            .await?
        && let Some(c) = store.sign_checkpoint(key, now).await?
    {
        tracing::info!(
            number = c.number,
            events = c.seq,
            "audit trail checkpoint signed"
        );
    }
    if store.renumber_search_keys(&ACTOR).await? {
        tracing::info!("search keys put back in name order");
    }
    let mut dispatched = 0;
    loop {
        let n = store.dispatch_events(&ACTOR, 200).await?;
        dispatched += n;
        if n == 0 || store.pending_event_count().await? == 0 {
            break;
        }
    }
    if dispatched > 0 {
        tracing::info!(tasks = dispatched, "dispatched events");
    }
    if store
        .claim_lease("notify", &config.instance, now, now + lease)
        .await?
    {
        notify(store, config, &as_of).await?;
    }
    Ok(())
}

/// Sends what the core's reminder rules call for, each notice once.
async fn notify(store: &Store, config: &WorkerConfig, as_of: &AsOf) -> anyhow::Result<()> {
    let managers = store.isms_manager_emails().await?;
    let ahead = as_of.now + chrono::Duration::days(REMIND_AHEAD_DAYS);
    for work in store.reminders_due(ahead).await? {
        for notice in notices(&work, as_of, &managers) {
            let n = NewNotification {
                dedupe_key: notice.dedupe_key,
                kind: notice.kind.as_str().to_owned(),
                recipient: notice.recipient,
                subject: notice.subject,
                body: notice.body,
                record: (work.kind.as_str().to_owned(), work.id.clone()),
            };
            // Only the instance whose insert created the notification sends it.
            let Some(queued) = store.queue_notification(&ACTOR, &n).await? else {
                continue;
            };
            match &config.smtp {
                None => {
                    store
                        .mark_notification(&ACTOR, &queued.id, "recorded", None)
                        .await?;
                }
                Some(smtp) => match send(
                    smtp,
                    &queued.recipient,
                    &queued.subject,
                    &queued.body,
                    &queued.dedupe_key,
                )
                .await
                {
                    Ok(()) => {
                        store
                            .mark_notification(&ACTOR, &queued.id, "sent", None)
                            .await?;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, recipient = %queued.recipient, "could not send a notification");
                        store
                            .mark_notification(&ACTOR, &queued.id, "failed", Some(&e.to_string()))
                            .await?;
                    }
                },
            }
        }
    }
    Ok(())
}

async fn send(smtp: &Smtp, to: &str, subject: &str, body: &str, key: &str) -> anyhow::Result<()> {
    let message = Message::builder()
        .from(smtp.from.parse()?)
        .to(to.parse()?)
        .subject(subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .message_id(Some(format!(
            "<{}@holdfast>",
            key.replace(['@', ':', ' '], ".")
        )))
        .body(body.to_owned())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .build();
    transport.send(message).await?;
    Ok(())
}
