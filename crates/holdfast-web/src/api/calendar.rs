//! Calendar feeds: `/api/v1/calendar-feeds` to make, list and revoke them, and the public
//! `/calendar/{secret}.ics` a calendar program subscribes to. The secret in the URL is the
//! only credential a calendar program can carry, so it is long, random, stored hashed and
//! revocable.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use holdfast_core::ical::{self, CalendarFeed, FeedSubject};
use holdfast_core::ids::ProcessId;
use holdfast_core::policy::Action;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Page;
use super::{ApiJson, path_id};
use crate::AppState;
use crate::auth::{Caller, random_secret, secret_hash};
use crate::error::AppError;
use crate::list::{FixedOrder, ListParams};
use crate::routes::{Access, Kind, Routes, route};

/// Feed secrets start with this, so one found in a log or a paste is recognisable.
const FEED_PREFIX: &str = "hfcal_";

pub fn routes(r: Routes) -> Routes {
    let own = Access::Login(Action::ManageOwnProfile);
    r.add(
        route(
            Method::GET,
            "/api/v1/calendar-feeds",
            own,
            Kind::Api,
            "List my calendar feeds",
        )
        .gives::<Page<FeedDto>>(),
        list,
    )
    .add(
        route(
            Method::POST,
            "/api/v1/calendar-feeds",
            own,
            Kind::Api,
            "Make a calendar feed of my work or of a process; its URL is shown once",
        )
        .takes::<NewFeedDto>()
        .gives::<CreatedFeedDto>(),
        create,
    )
    .add(
        route(
            Method::DELETE,
            "/api/v1/calendar-feeds/{id}",
            own,
            Kind::Api,
            "Revoke a calendar feed: its URL stops working",
        ),
        revoke,
    )
    .add(
        route(
            Method::GET,
            "/calendar/{secret}",
            Access::Public,
            Kind::Page,
            "An iCalendar (RFC 5545) feed; the secret in the URL is the credential",
        ),
        feed,
    )
}

/// A calendar feed as listed (without its secret, which only its maker saw once).
#[derive(Debug, Serialize, JsonSchema)]
pub struct FeedDto {
    /// Id.
    pub id: String,
    /// `person` or `process`.
    pub kind: String,
    /// The person's or process's id.
    pub subject_id: String,
    /// Made then.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Revoked then.
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&CalendarFeed> for FeedDto {
    fn from(f: &CalendarFeed) -> Self {
        Self {
            id: f.id.to_string(),
            kind: f.subject.kind().to_owned(),
            subject_id: f.subject.subject_id(),
            created_at: f.created_at,
            revoked_at: f.revoked_at,
        }
    }
}

/// What to follow: a process, or (without `process_id`) my own work.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedDto {
    /// The process to follow; my own runs and tasks when absent.
    #[serde(default)]
    pub process_id: Option<String>,
}

/// A new feed with its URL, shown this once.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CreatedFeedDto {
    /// Subscribe to this URL in a calendar program. Holdfast keeps only a hash of it.
    pub url: String,
    /// The feed.
    pub feed: FeedDto,
}

async fn list(
    State(st): State<AppState>,
    caller: Caller,
    p: ListParams<FixedOrder>,
) -> Result<Json<Page<FeedDto>>, AppError> {
    let feeds = st
        .store
        .list_calendar_feeds(Some(&caller.actor().to_string()))
        .await?;
    Ok(Json(p.page_in_memory(
        feeds.iter().map(FeedDto::from).collect(),
        |f| vec![f.created_at.to_rfc3339(), f.id.clone()],
        |f| f,
    )))
}

/// Makes a feed for the caller; shared with the profile page. Returns the URL path (with
/// the secret) and the feed.
pub(crate) async fn create_feed(
    st: &AppState,
    caller: &Caller,
    process_id: Option<&str>,
) -> Result<(String, CalendarFeed), AppError> {
    let subject = match process_id.filter(|p| !p.is_empty()) {
        Some(raw) => {
            // A process's work is for those who may read processes.
            if !caller.may(Action::ReadProcesses) {
                return Err(AppError::Forbidden);
            }
            let id: ProcessId = raw.parse().map_err(|_| {
                AppError::invalid("process_id", "process_id must be a process's id")
            })?;
            FeedSubject::Process(id)
        }
        None => FeedSubject::Person(caller.account.person_id.ok_or_else(|| {
            AppError::invalid(
                "process_id",
                "your login is not linked to a person, so it has no work of its own; \
                 name a process to follow instead",
            )
        })?),
    };
    let secret = format!("{FEED_PREFIX}{}", random_secret()?);
    let feed = st
        .store
        .create_calendar_feed(
            &caller.actor(),
            subject,
            &secret_hash(&secret),
            holdfast_store::clock::now(),
        )
        .await
        .map_err(|e| match e {
            holdfast_store::StoreError::NotFound(_) => {
                AppError::invalid("process_id", "no process with this id exists")
            }
            other => other.into(),
        })?;
    Ok((format!("/calendar/{secret}.ics"), feed))
}

/// The absolute URL of `path` as the caller reached this server.
/// The address people reach Holdfast at, from configuration: never from the request's
/// `Host` header, which whoever sends the request chooses.
pub(crate) fn absolute_url(st: &AppState, path: &str) -> String {
    format!("{}{path}", st.config.public_url.trim_end_matches('/'))
}

async fn create(
    State(st): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewFeedDto>,
) -> Result<(StatusCode, Json<CreatedFeedDto>), AppError> {
    let (path, feed) = create_feed(&st, &caller, body.process_id.as_deref()).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedFeedDto {
            url: absolute_url(&st, &path),
            feed: FeedDto::from(&feed),
        }),
    ))
}

/// Revokes one of the caller's feeds; others' feeds are "not found".
pub(crate) async fn revoke_feed(st: &AppState, caller: &Caller, id: &str) -> Result<(), AppError> {
    let actor = caller.actor();
    st.store
        .revoke_calendar_feed(
            &actor,
            path_id(id, "calendar feed")?,
            Some(&actor.to_string()),
            holdfast_store::clock::now(),
        )
        .await?;
    Ok(())
}

async fn revoke(
    State(st): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    revoke_feed(&st, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn feed(
    State(st): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    let secret = secret.strip_suffix(".ics").unwrap_or(&secret);
    // Anything that is not a live feed's secret is simply not found: a guesser learns
    // nothing about which feeds exist or were revoked.
    let feed = match secret.starts_with(FEED_PREFIX) {
        true => st.store.calendar_feed_by_hash(&secret_hash(secret)).await?,
        false => None,
    }
    .ok_or(AppError::NotFound("calendar feed"))?;
    let maker = match feed.maker() {
        Some(id) => st.store.user_account(id).await.ok(),
        None => None,
    };
    if !maker.is_some_and(|m| feed.still_allowed(&m)) {
        return Err(AppError::NotFound("calendar feed"));
    }
    let name = match feed.subject {
        FeedSubject::Person(id) => format!("Holdfast: work of {}", st.store.person(id).await?.name),
        FeedSubject::Process(id) => format!("Holdfast: {}", st.store.process(id).await?.name),
    };
    let items = st.store.calendar_items(feed.subject).await?;
    let body = ical::feed(&name, &items, holdfast_store::clock::now());
    let mut resp = body.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
