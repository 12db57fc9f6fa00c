-- A rule makes one task per event, not per source record: a person who is rehired and
-- leaves again, or a run that reaches its week-overdue milestone after its day-one one,
-- each set off new work. An event whose dispatch fails is marked with the reason and
-- passed over, so it can never block the events behind it.
alter table task drop constraint task_rule_source_key;
alter table task add column event_id text;
alter table task add constraint task_rule_event_key unique (rule_id, event_id);
create index task_rule_idx on task (rule_id, due_at);
alter table domain_event add column failed_at text;
alter table domain_event add column failure text;
