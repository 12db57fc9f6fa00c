-- Clause 4.4: the ISMS processes, their dated runs, the evidence runs leave, the tasks
-- processes send each other through interaction rules, and the events that set them off.
-- Lists (inputs, outputs, evidence names, clauses, controls, RACI, labels) are JSON text:
-- they are read and written whole with their record.
create table process (
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
    status text not null check (status in ('draft', 'active', 'retired')),
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);

-- One row per scheduled run; the unique due date per process makes planning idempotent.
create table activity (
    id text primary key,
    process_id text not null references process (id),
    due_date text not null,
    due_at text not null,
    assignee_id text references person (id),
    state text not null check (state in ('planned', 'in_progress', 'done', 'skipped')),
    closed_at text,
    comment text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    constraint activity_process_due_key unique (process_id, due_date)
);
create index activity_due_idx on activity (due_date, state);
create index activity_assignee_idx on activity (assignee_id, state);

-- Uploaded files are stored once per content, addressed by their SHA-256.
create table evidence_blob (
    sha256 text primary key,
    content blob not null,
    size bigint not null,
    created_at text not null,
    updated_at text not null
);

create table evidence (
    id text primary key,
    kind text not null check (kind in ('file', 'link')),
    sha256 text references evidence_blob (sha256),
    url text,
    filename text,
    content_type text,
    size bigint,
    description text not null,
    created_by text not null,
    created_at text not null,
    updated_at text not null
);

-- Evidence attached to a record (an activity, a task, later any record), under the name of
-- the requirement it meets.
create table evidence_attachment (
    id text primary key,
    evidence_id text not null references evidence (id),
    record_type text not null,
    record_id text not null,
    requirement text not null,
    created_at text not null,
    updated_at text not null
);
create index evidence_attachment_record_idx on evidence_attachment (record_type, record_id);

create table interaction_rule (
    id text primary key,
    from_process text not null references process (id),
    event text not null,
    condition_json text,
    to_process text not null references process (id),
    task_title text not null,
    priority text not null check (priority in ('low', 'normal', 'high')),
    sla_hours bigint not null check (sla_hours > 0),
    disabled_at text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);

-- A rule creates at most one task per source record: dispatching twice changes nothing.
create table task (
    id text primary key,
    title text not null,
    description text not null,
    process_id text references process (id),
    owner_id text references person (id),
    due_at text not null,
    priority text not null check (priority in ('low', 'normal', 'high')),
    status text not null check (status in ('open', 'in_progress', 'done', 'cancelled')),
    labels_json text not null,
    source_type text not null,
    source_id text not null,
    rule_id text references interaction_rule (id),
    completed_at text,
    external_key text,
    external_url text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    constraint task_rule_source_key unique (rule_id, source_type, source_id)
);
create index task_owner_idx on task (owner_id, status);
create index task_process_idx on task (process_id, status);

-- Domain events, written in the same transaction as the change that caused them; the
-- dispatcher turns each into tasks once and marks it dispatched.
create table domain_event (
    id text primary key,
    kind text not null,
    process_id text references process (id),
    subject_type text not null,
    subject_id text not null,
    subject_name text not null,
    facts_json text not null,
    occurred_at text not null,
    dispatched_at text,
    created_at text not null,
    updated_at text not null,
    constraint domain_event_once_key unique (kind, subject_type, subject_id, occurred_at)
);
create index domain_event_pending_idx on domain_event (dispatched_at);
