-- The foundation every later capability builds on: the organisation, its people, login
-- accounts and the append-only audit trail. Times are RFC 3339 UTC text in both dialects so
-- that exports are identical whichever database they come from and the audit hash covers
-- exactly what is stored.
create table organisation (
    id text primary key,
    name text not null,
    time_zone text not null,
    created_at text not null,
    updated_at text not null
);

create table person (
    id text primary key,
    organisation_id text not null references organisation (id),
    name text not null,
    email text not null constraint person_email_key unique,
    department text not null,
    manager_id text references person (id) deferrable initially deferred,
    employment_status text not null
        check (employment_status in ('active', 'leaving', 'left')),
    start_date text not null,
    end_date text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
create index person_organisation_name_idx on person (organisation_id, name, id);
create index person_department_idx on person (department);
create index person_manager_idx on person (manager_id);

create table user_account (
    id text primary key,
    email text not null constraint user_account_email_key unique,
    person_id text references person (id),
    password_hash text not null,
    role text not null check (role in ('admin', 'manager', 'owner', 'auditor', 'member')),
    -- When the account was disabled; null while it may log in. A date says more than a flag.
    disabled_at text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);

-- One line of events: a unique sequence and a unique previous hash mean two writers can
-- never both extend the same event, so the chain cannot fork even if locking failed.
create table audit_event (
    seq bigint primary key,
    occurred_at text not null,
    actor text not null,
    entity_type text not null,
    entity_id text not null,
    action text not null,
    before_json text not null,
    after_json text not null,
    prev_hash text not null constraint audit_event_prev_hash_key unique,
    hash text not null constraint audit_event_hash_key unique
);
create index audit_event_entity_idx on audit_event (entity_type, entity_id);
create index audit_event_actor_idx on audit_event (actor);
