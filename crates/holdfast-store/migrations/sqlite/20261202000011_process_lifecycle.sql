-- no-transaction
-- Processes can be paused (with a reason and an end) as well as retired, and remember the
-- day they became active and how far runs have been planned, so the readiness engine judges
-- only cycles due since activation and notices cycles the scheduler never planned. SQLite
-- cannot change a check constraint in place, so the table is rebuilt, as SQLite documents,
-- with foreign keys off for the copy.
pragma foreign_keys = off;
begin;
create table process_new (
    id text primary key,
    organisation_id text not null references organisation (id),
    key text not null constraint process_key_key unique,
    name text not null,
    objective text not null,
    owner_id text references person (id),
    deputy_id text references person (id),
    raci_json text not null,
    inputs_json text not null,
    outputs_json text not null,
    cadence text not null,
    cadence_start text not null,
    evidence_json text not null,
    clauses_json text not null,
    controls_json text not null,
    status text not null check (status in ('draft', 'active', 'paused', 'retired')),
    active_since text,
    planned_through text,
    paused_since text,
    paused_until text,
    pause_reason text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
insert into process_new (id, organisation_id, key, name, objective, owner_id, deputy_id, raci_json, inputs_json,
    outputs_json, cadence, cadence_start, evidence_json, clauses_json, controls_json, status, active_since,
    planned_through, version, created_at, updated_at)
select id, organisation_id, key, name, objective, owner_id, deputy_id, raci_json, inputs_json,
    outputs_json, cadence, cadence_start, evidence_json, clauses_json, controls_json, status,
    case when status = 'active' then cadence_start end,
    (select max(a.due_date) from activity a where a.process_id = process.id),
    version, created_at, updated_at
from process;
drop table process;
alter table process_new rename to process;
commit;
pragma foreign_keys = on;
