-- Processes can be paused (with a reason and an end) as well as retired, and remember the
-- day they became active and how far runs have been planned, so the readiness engine judges
-- only cycles due since activation and notices cycles the scheduler never planned.
alter table process drop constraint process_status_check;
alter table process add constraint process_status_check
    check (status in ('draft', 'active', 'paused', 'retired'));
alter table process add column active_since text;
alter table process add column planned_through text;
alter table process add column paused_since text;
alter table process add column paused_until text;
alter table process add column pause_reason text;
update process set active_since = cadence_start where status = 'active';
update process set planned_through = (select max(a.due_date) from activity a where a.process_id = process.id);
