-- The lists that are filtered and joined on (clauses and controls a process serves, the
-- evidence its runs must leave, the events it emits, task labels) become child tables, so
-- the Statement of Applicability, risks and documents can join them and indexes can serve
-- them. Inputs, outputs and RACI stay JSON: they are only ever read whole. Child rows are
-- part of their parent record, which carries the dates and the audit trail.
create table process_clause (
    process_id text not null references process (id),
    position bigint not null,
    clause text not null,
    primary key (process_id, clause)
);
create index process_clause_clause_idx on process_clause (clause);
create table process_control (
    process_id text not null references process (id),
    position bigint not null,
    control text not null,
    primary key (process_id, control)
);
create index process_control_control_idx on process_control (control);
create table process_evidence (
    process_id text not null references process (id),
    position bigint not null,
    name text not null,
    primary key (process_id, name)
);
-- Each event of another record happens in at most one process.
create table process_event (
    process_id text not null references process (id),
    event text not null constraint process_event_event_key unique,
    primary key (process_id, event)
);
create table task_label (
    task_id text not null references task (id),
    label text not null,
    primary key (task_id, label)
);
create index task_label_label_idx on task_label (label, task_id);
insert into process_clause (process_id, position, clause)
    select p.id, j.ord - 1, j.value from process p, json_array_elements_text(p.clauses_json::json) with ordinality as j(value, ord);
insert into process_control (process_id, position, control)
    select p.id, j.ord - 1, j.value from process p, json_array_elements_text(p.controls_json::json) with ordinality as j(value, ord);
insert into process_evidence (process_id, position, name)
    select p.id, j.ord - 1, j.value from process p, json_array_elements_text(p.evidence_json::json) with ordinality as j(value, ord);
insert into process_event (process_id, event)
    select id, 'person_joined' from process where key = 'joiner-mover-leaver'
    union all select id, 'person_status_changed' from process where key = 'joiner-mover-leaver'
    union all select id, 'person_left' from process where key = 'joiner-mover-leaver'
    union all select id, 'incident_closed' from process where key = 'incident-management'
    union all select id, 'finding_raised' from process where key = 'internal-audit'
    union all select id, 'document_approved' from process where key = 'document-review'
    union all select id, 'risk_accepted' from process where key = 'risk-treatment'
    union all select id, 'nonconformity_raised' from process where key = 'corrective-action';
insert into task_label (task_id, label)
    select distinct t.id, j.value from task t, json_array_elements_text(t.labels_json::json) as j(value);
alter table process drop column clauses_json;
alter table process drop column controls_json;
alter table process drop column evidence_json;
alter table task drop column labels_json;
