-- 6.1.3 d): the Statement of Applicability. One decision per Annex A control (applicable or
-- not, why, how far implemented, who answers for it) and its published, frozen versions.
create table soa_decision (
    control text primary key,
    organisation_id text not null references organisation (id),
    applicable bigint not null check (applicable in (0, 1)),
    status text check (status in ('not_started', 'planned', 'partial', 'implemented')),
    best_practice bigint not null default 0,
    justification text not null,
    owner_id text references person (id),
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    check ((applicable = 1 and status is not null) or (applicable = 0 and status is null and best_practice = 0))
);

-- A published version: the rows as they were, and their SHA-256. Never changed.
create table soa_version (
    number bigint primary key,
    organisation_id text not null references organisation (id),
    rows_json text not null,
    sha256 text not null,
    published_by text references person (id),
    published_at text not null
);
create trigger soa_version_append_only before update or delete on soa_version
    for each row execute function refuse_change();
