-- Clauses 4.1–4.3: the internal and external issues, the interested parties and their
-- requirements (with what addresses them), and the scope as frozen, approved versions.
-- Every change to the registers is in the audit trail, which is their history.
create table context_issue (
    id text primary key,
    organisation_id text not null references organisation (id),
    number bigint not null unique,
    kind text not null check (kind in ('internal', 'external')),
    category text not null,
    title text not null,
    effect text not null,
    owner_id text references person (id),
    review_due text not null,
    active bigint not null default 1 check (active in (0, 1)),
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
create index context_issue_by_review on context_issue (active, review_due);

create table interested_party (
    id text primary key,
    organisation_id text not null references organisation (id),
    name text not null,
    kind text not null,
    expectations text not null,
    owner_id text references person (id),
    review_due text not null,
    active bigint not null default 1 check (active in (0, 1)),
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
create index interested_party_by_name on interested_party (name, id);

create table requirement (
    id text primary key,
    party_id text not null references interested_party (id),
    kind text not null check (kind in ('legal', 'regulatory', 'contractual', 'other')),
    citation text not null,
    text text not null,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
create index requirement_by_party on requirement (party_id, created_at);

create table requirement_control (
    requirement_id text not null references requirement (id),
    control text not null,
    primary key (requirement_id, control)
);
create index requirement_control_by_control on requirement_control (control, requirement_id);

create table requirement_process (
    requirement_id text not null references requirement (id),
    process_id text not null references process (id),
    primary key (requirement_id, process_id)
);

-- A proposed scope: frozen with its SHA-256 when proposed; in force once approved.
create table scope_version (
    number bigint primary key,
    organisation_id text not null references organisation (id),
    scope_json text not null,
    sha256 text not null,
    proposed_by text references person (id),
    proposed_at text not null
);
create trigger scope_version_refuse_update before update on scope_version begin
    select raise(abort, 'a proposed scope is never changed; propose a new version');
end;
create trigger scope_version_refuse_delete before delete on scope_version begin
    select raise(abort, 'a scope version is never removed');
end;

-- Top management's approval of one version, of the content it saw (its SHA-256).
create table scope_approval (
    number bigint primary key references scope_version (number),
    sha256 text not null,
    approved_by text not null references person (id),
    approved_at text not null
);
create trigger scope_approval_refuse_update before update on scope_approval begin
    select raise(abort, 'an approval is never changed');
end;
create trigger scope_approval_refuse_delete before delete on scope_approval begin
    select raise(abort, 'an approval is never removed');
end;
