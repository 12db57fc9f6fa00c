-- A risk concerns assets: the link, indexed both ways so an asset lists its risks.
create table risk_asset (
    risk_id text not null references risk (id),
    asset_id text not null references asset (id),
    primary key (risk_id, asset_id)
);
create index risk_asset_by_asset on risk_asset (asset_id, risk_id);
