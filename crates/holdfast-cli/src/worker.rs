//! The background worker that `serve` runs beside the web server: plans runs from cadences,
//! turns overdue runs into events, dispatches domain events through the interaction rules,
//! and sends reminders and escalations. Several instances may run against one PostgreSQL database: jobs are claimed
//! with leases, and every notification is claimed by its unique key before it is sent, so
//! each goes out exactly once.

use std::time::Duration;

use chrono::Utc;
use holdfast_store::{Actor, NewNotification, Store};
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
}

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

/// Runs ticks until the task is dropped.
pub async fn run(store: Store, config: WorkerConfig) {
    loop {
        if let Err(e) = tick(&store, &config).await {
            tracing::warn!(error = %e, "worker tick failed; trying again next time");
        }
        tokio::time::sleep(config.interval).await;
    }
}

/// One round of the worker's jobs.
pub async fn tick(store: &Store, config: &WorkerConfig) -> anyhow::Result<()> {
    let now = Utc::now();
    let lease =
        chrono::Duration::from_std(config.interval * 2).unwrap_or(chrono::Duration::minutes(2));
    if store
        .claim_lease("plan", &config.instance, now, now + lease)
        .await?
    {
        let today = now.date_naive();
        let planned = store
            .plan_activities(
                &ACTOR,
                today,
                today + chrono::Duration::days(config.horizon_days),
            )
            .await?;
        if planned > 0 {
            tracing::info!(planned, "planned runs");
        }
        let overdue = store.emit_overdue_events(&ACTOR, now).await?;
        if overdue > 0 {
            tracing::info!(overdue, "runs reached an overdue milestone");
        }
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
        notify(store, config, now).await?;
    }
    Ok(())
}

async fn notify(
    store: &Store,
    config: &WorkerConfig,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<()> {
    let managers = store.isms_manager_emails().await?;
    for r in store.reminders_due(now + chrono::Duration::days(3)).await? {
        let (kind, subject) = if r.due_at > now {
            if r.due_at.date_naive() == now.date_naive() {
                ("due", format!("Due today: {}", r.title))
            } else {
                ("before", format!("Coming up: {}", r.title))
            }
        } else {
            ("overdue", format!("Overdue: {}", r.title))
        };
        let mut recipients: Vec<(String, &str)> =
            r.email.iter().map(|e| (e.clone(), kind)).collect();
        if kind == "overdue" {
            // A task past its deadline breached its SLA: the owner's manager and the ISMS
            // managers hear of it. A run overdue by a week goes to the owner's manager.
            let escalate = r.record_type == "task" || now - r.due_at >= chrono::Duration::days(7);
            if escalate {
                recipients.extend(r.manager_email.iter().map(|m| (m.clone(), "escalation")));
                if r.record_type == "task" {
                    recipients.extend(managers.iter().map(|m| (m.clone(), "sla_breached")));
                }
            }
        }
        recipients.sort();
        recipients.dedup_by(|a, b| a.0 == b.0);
        for (to, kind) in recipients {
            let n = NewNotification {
                dedupe_key: format!("{}:{}:{kind}:{to}", r.record_type, r.record_id),
                kind: kind.to_owned(),
                recipient: to.clone(),
                subject: subject.clone(),
                body: format!(
                    "{}\n\nDue: {}\n\nOpen Holdfast to see it: it is in the {} list of {}.\n",
                    r.title,
                    r.due_at.format("%Y-%m-%d %H:%M UTC"),
                    if r.record_type == "task" {
                        "tasks"
                    } else {
                        "runs"
                    },
                    if kind == "escalation" || kind == "sla_breached" {
                        "the person you are told about"
                    } else {
                        "your work"
                    }
                ),
                record: (r.record_type.clone(), r.record_id.clone()),
            };
            // Only the instance whose insert created the notification sends it.
            let Some(queued) = store.queue_notification(&ACTOR, &n).await? else {
                continue;
            };
            match &config.smtp {
                None => {
                    store
                        .mark_notification(&ACTOR, &queued.id, "recorded", None)
                        .await?
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
                            .await?
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
