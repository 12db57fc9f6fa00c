-- no-transaction
-- A rule makes one task per event, not per source record: a person who is rehired and
-- leaves again, or a run that reaches its week-overdue milestone after its day-one one,
-- each set off new work. An event whose dispatch fails is marked with the reason and
-- passed over, so it can never block the events behind it. SQLite cannot drop a unique
-- constraint, so the task table is rebuilt with foreign keys off for the copy.
pragma foreign_keys = off;
begin;
create table task_new (
    id text primary key,
    title text not null,
    description text not null,
    process_id text references process (id),
    owner_id text references person (id),
    due_at text not null,
    priority text not null check (priority in ('low', 'normal', 'high')),
    status text not null check (status in ('open', 'in_progress', 'done', 'cancelled')),
    source_type text not null,
    source_id text not null,
    rule_id text references interaction_rule (id),
    event_id text,
    completed_at text,
    external_key text,
    external_url text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null,
    constraint task_rule_event_key unique (rule_id, event_id)
);
insert into task_new (id, title, description, process_id, owner_id, due_at, priority, status, source_type,
    source_id, rule_id, completed_at, external_key, external_url, version, created_at, updated_at)
select id, title, description, process_id, owner_id, due_at, priority, status, source_type,
    source_id, rule_id, completed_at, external_key, external_url, version, created_at, updated_at
from task;
drop table task;
alter table task_new rename to task;
create index task_owner_idx on task (owner_id, status);
create index task_process_idx on task (process_id, status);
create index task_due_id_idx on task (due_at, id);
create index task_rule_idx on task (rule_id, due_at);
alter table domain_event add column failed_at text;
alter table domain_event add column failure text;
commit;
pragma foreign_keys = on;
