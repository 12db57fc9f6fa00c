//! Risk pages: the register (filters, search, pages, inherent and residual heatmaps), one
//! risk with its assessments and decisions, and the risk method in force with its versions.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::policy::Action;
use holdfast_core::risk::{MethodVersion, Rating, Subject};

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::path_id;
use crate::api::risks::{AssessmentDto, DecisionDto, RegisterEntryDto};
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};
use crate::service::risks::RiskParams;

pub fn routes(r: Routes) -> Routes {
    let read = Access::Login(Action::ReadRisks);
    r.add(
        route(Method::GET, "/risks", read, Kind::Page, "Risk register"),
        register,
    )
    .add(
        route(
            Method::GET,
            "/risks/method",
            read,
            Kind::Page,
            "The risk method in force and its versions",
        ),
        method_page,
    )
    .add(
        route(Method::GET, "/risks/{id}", read, Kind::Page, "One risk"),
        show,
    )
}

/// A register row with its owner's name and level label.
struct Row {
    risk: RegisterEntryDto,
    owner: String,
    level: String,
}

/// A level for the filter.
struct LevelOption {
    key: String,
    label: String,
}

#[derive(Template)]
#[template(path = "risks.html")]
struct RegisterPage {
    nav: Nav,
    rows: Vec<Row>,
    list: ListView,
    levels: Vec<LevelOption>,
    level: String,
    treatment: String,
    order: String,
    method: Option<String>,
    inherent_svg: String,
    residual_svg: String,
    older: i64,
}

async fn names(st: &AppState, ids: Vec<String>) -> Result<HashMap<String, String>, AppError> {
    let people = st.store.people_by_ids(&ids).await?;
    Ok(people
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect())
}

/// The heatmap of the current method's cells, and how many risks sit under older versions.
async fn heat(
    st: &AppState,
    m: &MethodVersion,
    inherent: bool,
    title: &str,
    id: &str,
) -> Result<(String, i64), AppError> {
    let cells = st.store.risk_heat(inherent).await?;
    let mut counts: HashMap<Rating, i64> = HashMap::new();
    let mut older = 0;
    for c in cells {
        if c.method_version == m.version {
            *counts.entry(c.rating).or_default() += c.risks;
        } else {
            older += c.risks;
        }
    }
    Ok((crate::heatmap::render(&m.method, &counts, title, id), older))
}

async fn register_page(
    st: &AppState,
    caller: &Caller,
    p: &RiskParams,
) -> Result<RegisterPage, AppError> {
    let page = crate::service::risks::list(st, p).await?;
    let current = st.store.current_risk_method().await?;
    let ids: Vec<String> = page
        .items
        .iter()
        .filter_map(|r| r.owner_id.clone())
        .collect();
    let owners = names(st, ids).await?;
    let label = |key: &Option<String>| -> String {
        match (key, &current) {
            (Some(k), Some(m)) => m
                .method
                .level_by_key(k)
                .map_or_else(|| k.clone(), |l| l.label.clone()),
            (Some(k), None) => k.clone(),
            (None, _) => "Not assessed".to_owned(),
        }
    };
    let (inherent_svg, residual_svg, older) = match &current {
        Some(m) => {
            let (i, _) = heat(st, m, true, "Inherent risk", "inherent").await?;
            let (r, older) = heat(st, m, false, "Residual risk", "residual").await?;
            (i, r, older)
        }
        None => (String::new(), String::new(), 0),
    };
    Ok(RegisterPage {
        nav: Nav::of(caller, "risks"),
        list: p.view("/risks", &page),
        rows: page
            .items
            .into_iter()
            .map(|r| Row {
                owner: r
                    .owner_id
                    .as_ref()
                    .and_then(|id| owners.get(id).cloned())
                    .unwrap_or_else(|| "No owner".to_owned()),
                level: label(&r.current_level),
                risk: r,
            })
            .collect(),
        levels: current
            .as_ref()
            .map(|m| {
                m.method
                    .levels()
                    .iter()
                    .rev()
                    .map(|l| LevelOption {
                        key: l.key.clone(),
                        label: l.label.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        level: p.filters.level.clone().unwrap_or_default(),
        treatment: p.filters.treatment.clone().unwrap_or_default(),
        order: p.sort_param(),
        method: current
            .as_ref()
            .map(|m| format!("{} (version {})", m.method.draft().name, m.version)),
        inherent_svg,
        residual_svg,
        older,
    })
}

async fn register(State(st): State<AppState>, caller: Caller, p: RiskParams) -> Response {
    match register_page(&st, &caller, &p).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => error_page(&caller, &e),
    }
}

#[derive(Template)]
#[template(path = "risk.html")]
struct RiskPage {
    nav: Nav,
    risk: RegisterEntryDto,
    owner: String,
    assessments: Vec<AssessmentDto>,
    decisions: Vec<DecisionDto>,
    names: HashMap<String, String>,
    /// The assets it concerns, as "A-0001 Customer database".
    assets: Vec<String>,
}

impl RiskPage {
    fn name(&self, id: &Option<String>) -> String {
        id.as_ref()
            .and_then(|i| self.names.get(i).cloned())
            .unwrap_or_else(|| "—".to_owned())
    }

    fn name_of(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }
}

async fn risk_page(st: &AppState, caller: &Caller, id: &str) -> Result<RiskPage, AppError> {
    let id = path_id(id, "risk")?;
    let now = st.store.as_of().await?;
    let entry = st.store.risk(id).await?;
    let assessments = st.store.risk_assessments(id).await?;
    let decisions = st.store.risk_decisions(id).await?;
    let subject = assessments.first().map(|a| Subject::of(&entry.risk, a));
    let mut ids: Vec<String> = entry
        .risk
        .owner_id
        .iter()
        .map(ToString::to_string)
        .collect();
    ids.extend(
        assessments
            .iter()
            .filter_map(|a| a.assessor_id.map(|p| p.to_string())),
    );
    ids.extend(decisions.iter().map(|d| d.decided_by.to_string()));
    let names = names(st, ids).await?;
    let mut assets = Vec::with_capacity(entry.risk.assets.len());
    for a in &entry.risk.assets {
        let a = st.store.asset(*a).await?;
        assets.push(format!("{} {}", a.reference, a.name));
    }
    let risk = RegisterEntryDto::from(&entry);
    Ok(RiskPage {
        assets,
        nav: Nav::of(caller, "risks"),
        owner: risk
            .owner_id
            .as_ref()
            .and_then(|i| names.get(i).cloned())
            .unwrap_or_else(|| "No owner".to_owned()),
        risk,
        assessments: assessments.iter().map(AssessmentDto::from).collect(),
        decisions: decisions
            .iter()
            .map(|d| crate::api::risks::decision_dto(d, subject.as_ref(), now.today))
            .collect(),
        names,
    })
}

async fn show(State(st): State<AppState>, caller: Caller, Path(id): Path<String>) -> Response {
    match risk_page(&st, &caller, &id).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => error_page(&caller, &e),
    }
}

/// One row of the grid: the likelihood point and the level of each impact point.
struct GridRow {
    likelihood: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "risk_method.html")]
struct MethodPage {
    nav: Nav,
    current: Option<MethodVersion>,
    grid: Vec<GridRow>,
    versions: Vec<MethodVersion>,
}

async fn method_page(State(st): State<AppState>, caller: Caller) -> Response {
    let versions = match st.store.risk_methods().await {
        Ok(v) => v,
        Err(e) => return error_page(&caller, &AppError::from(e)),
    };
    let current = versions.first().cloned();
    let grid = current
        .as_ref()
        .map(|m| {
            m.method
                .likelihood()
                .iter()
                .rev()
                .map(|l| GridRow {
                    likelihood: format!("{} ({})", l.label, l.value),
                    cells: m
                        .method
                        .impact()
                        .iter()
                        .map(|i| {
                            m.method
                                .level(Rating {
                                    likelihood: l.value,
                                    impact: i.value,
                                })
                                .map(|lv| lv.label.clone())
                                .unwrap_or_default()
                        })
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    render(
        StatusCode::OK,
        &MethodPage {
            nav: Nav::of(&caller, "risks"),
            current,
            grid,
            versions,
        },
    )
}
