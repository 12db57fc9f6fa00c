-- The asset inventory (Annex A 5.9–5.12) and the organisation's classification scheme.
create table asset_scheme (
    organisation_id text primary key references organisation (id),
    labels_json text not null,
    version bigint not null default 1,
    updated_at text not null
);

create table asset (
    id text primary key,
    organisation_id text not null references organisation (id),
    number bigint not null constraint asset_number_key unique,
    name text not null,
    kind text not null check (kind in ('information', 'software', 'hardware', 'service', 'people', 'site')),
    owner_id text not null references person (id),
    classification text not null,
    location text not null,
    confidentiality bigint not null check (confidentiality between 1 and 3),
    integrity bigint not null check (integrity between 1 and 3),
    availability bigint not null check (availability between 1 and 3),
    lifecycle text not null check (lifecycle in ('planned', 'in_use', 'retiring', 'disposed')),
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
-- The inventory pages by number; each filter has an index that keeps that order.
create index asset_by_owner on asset (owner_id, number);
create index asset_by_kind on asset (kind, number);
create index asset_by_classification on asset (classification, number);

-- The inventory's size, kept as assets are added (they are never deleted).
insert into tally (name, n) values ('asset', 0) on conflict (name) do nothing;
create function asset_tally() returns trigger language plpgsql as $$
begin
    perform tally_add('asset', 1);
    return null;
end;
$$;
create trigger asset_tally_insert after insert on asset for each row execute function asset_tally();
