//! `/api/v1/notifications`: the reminders and escalations the worker sent, or recorded when no
//! mail server is configured, to the caller.

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use holdfast_core::policy::Action;
use holdfast_store::Notification;
use schemars::JsonSchema;
use serde::Serialize;

use super::Page;
use crate::AppState;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/api/v1/notifications",
            Access::Login(Action::ManageOwnProfile),
            Kind::Api,
            "Reminders and escalations sent to me, newest first",
        )
        .gives::<Page<NotificationDto>>(),
        list,
    )
}

/// A reminder or escalation.
#[derive(Debug, Serialize, JsonSchema)]
pub struct NotificationDto {
    /// Id.
    pub id: String,
    /// `before`, `due`, `overdue`, `escalation` or `sla_breached`.
    pub kind: String,
    /// Email address it went to.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
    /// `sent`, `recorded` (no mail server: shown in the app only), `pending` or `failed`.
    pub status: String,
    /// When it was sent.
    pub sent_at: Option<String>,
    /// When it was made.
    pub created_at: String,
}

impl From<Notification> for NotificationDto {
    fn from(n: Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            recipient: n.recipient,
            subject: n.subject,
            body: n.body,
            status: n.status,
            sent_at: n.sent_at,
            created_at: n.created_at,
        }
    }
}

/// The caller's notifications, newest first: those to their person's email, or to their
/// login's when it is not linked to a person.
pub(crate) async fn notifications_of(
    st: &AppState,
    caller: &Caller,
    p: &ListParams<FixedOrder>,
) -> Result<Page<NotificationDto>, AppError> {
    let email = match caller.account.person_id {
        Some(id) => st.store.person(id).await?.email.to_string(),
        None => caller.account.email.to_string(),
    };
    let before: Option<(String, String)> = p.after_pair()?;
    let rows = st
        .store
        .list_notifications(
            Some(&email),
            before.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            i64::from(p.fetch()),
        )
        .await?;
    let total = st.store.count_notifications(&email).await?;
    Ok(p.page(
        rows,
        total,
        |n| vec![n.created_at.clone(), n.id.clone()],
        NotificationDto::from,
    ))
}

async fn list(
    State(st): State<AppState>,
    caller: Caller,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<NotificationDto>>, AppError> {
    Ok(Json(notifications_of(&st, &caller, &p).await?))
}
