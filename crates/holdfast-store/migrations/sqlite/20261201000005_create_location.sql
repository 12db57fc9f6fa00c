-- Where the organisation works: offices, home working, cloud platforms. The ISMS scope
-- (clause 4.3) names them.
create table location (
    id text primary key,
    organisation_id text not null references organisation (id),
    name text not null,
    kind text not null check (kind in ('office', 'home_working', 'cloud')),
    created_at text not null,
    updated_at text not null
);
