//! The asset inventory page: search, filters by kind and classification, pages by
//! reference, and how to import a table.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use holdfast_core::asset::{Asset, AssetKind};
use holdfast_core::policy::Action;

use super::{Nav, error_page, render};
use crate::AppState;
use crate::api::assets::AssetParams;
use crate::auth::Caller;
use crate::error::AppError;
use crate::list::ListView;
use crate::routes::{Access, Kind, Routes, route};

pub fn routes(r: Routes) -> Routes {
    r.add(
        route(
            Method::GET,
            "/assets",
            Access::Login(Action::ReadAssets),
            Kind::Page,
            "Asset inventory",
        ),
        inventory,
    )
}

#[derive(Template)]
#[template(path = "assets.html")]
struct InventoryPage {
    nav: Nav,
    rows: Vec<Asset>,
    owners: HashMap<String, String>,
    list: ListView,
    kinds: Vec<&'static str>,
    labels: Vec<String>,
    kind: String,
    classification: String,
    may_import: bool,
}

impl InventoryPage {
    fn owner(&self, a: &Asset) -> String {
        self.owners
            .get(&a.owner_id.to_string())
            .cloned()
            .unwrap_or_else(|| "—".to_owned())
    }
}

async fn inventory_page(
    st: &AppState,
    caller: &Caller,
    p: &AssetParams,
) -> Result<InventoryPage, AppError> {
    let (page, rows) = crate::api::assets::page(st, p).await?;
    let ids: Vec<String> = rows.iter().map(|a| a.owner_id.to_string()).collect();
    let owners = st
        .store
        .people_by_ids(&ids)
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    Ok(InventoryPage {
        nav: Nav::of(caller, "assets"),
        list: p.view("/assets", &page),
        rows,
        owners,
        kinds: AssetKind::ALL.iter().map(|k| k.as_str()).collect(),
        labels: st.store.asset_scheme().await?.labels,
        kind: p.filters.kind.clone().unwrap_or_default(),
        classification: p.filters.classification.clone().unwrap_or_default(),
        may_import: caller.may(Action::ManageAssets),
    })
}

async fn inventory(State(st): State<AppState>, caller: Caller, p: AssetParams) -> Response {
    match inventory_page(&st, &caller, &p).await {
        Ok(page) => render(StatusCode::OK, &page),
        Err(e) => error_page(&caller, &e),
    }
}
