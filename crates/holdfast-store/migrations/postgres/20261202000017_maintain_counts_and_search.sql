-- Totals that lists and the dashboard show are kept by triggers in the writing transaction,
-- so reading one costs a single indexed row whatever the size of the organisation; and people
-- are found through a full-text index (prefix search on name, email and department) rather
-- than by scanning every row. Both are derived from the records and rebuilt by these triggers
-- whichever path writes (the store, an import), so they are not exported.
create table tally (
    name text primary key,
    n bigint not null default 0
);
insert into tally (name, n) select 'person', count(*) from person;
insert into tally (name, n)
    select 'person.status:' || employment_status, count(*) from person group by employment_status;
insert into tally (name, n)
    select 'person.dept:' || department, count(*) from person group by department;
insert into tally (name, n)
    select 'person.dept_status:' || employment_status || ':' || department, count(*)
    from person group by employment_status, department;
insert into tally (name, n) select 'user_account.enabled', count(*) from user_account where disabled_at is null;
insert into tally (name, n) select 'api_token.live', count(*) from api_token where revoked_at is null;
insert into tally (name, n) select 'location', count(*) from location;
insert into tally (name, n) select 'audit_event', count(*) from audit_event;

create function tally_add(key text, delta bigint) returns void language sql as $$
    insert into tally (name, n) values (key, delta) on conflict (name) do update set n = tally.n + delta;
$$;

create function person_tally() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        perform tally_add('person', -1);
        perform tally_add('person.status:' || old.employment_status, -1);
        perform tally_add('person.dept:' || old.department, -1);
        perform tally_add('person.dept_status:' || old.employment_status || ':' || old.department, -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform tally_add('person', 1);
        perform tally_add('person.status:' || new.employment_status, 1);
        perform tally_add('person.dept:' || new.department, 1);
        perform tally_add('person.dept_status:' || new.employment_status || ':' || new.department, 1);
    end if;
    return null;
end $$;
create trigger person_tally_insert_delete after insert or delete on person
    for each row execute function person_tally();
create trigger person_tally_update after update of employment_status, department on person
    for each row when (old.employment_status <> new.employment_status or old.department <> new.department)
    execute function person_tally();

create function user_account_tally() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.disabled_at is null then
        perform tally_add('user_account.enabled', -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.disabled_at is null then
        perform tally_add('user_account.enabled', 1);
    end if;
    return null;
end $$;
create trigger user_account_tally after insert or delete or update of disabled_at on user_account
    for each row execute function user_account_tally();

create function api_token_tally() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.revoked_at is null then
        perform tally_add('api_token.live', -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.revoked_at is null then
        perform tally_add('api_token.live', 1);
    end if;
    return null;
end $$;
create trigger api_token_tally after insert or delete or update of revoked_at on api_token
    for each row execute function api_token_tally();

create function count_row_tally() returns trigger language plpgsql as $$
begin
    perform tally_add(tg_table_name, case when tg_op = 'DELETE' then -1 else 1 end);
    return null;
end $$;
create trigger location_tally after insert or delete on location
    for each row execute function count_row_tally();
create trigger audit_event_tally after insert on audit_event
    for each row execute function count_row_tally();

-- Prefix search on words of the name, the email (split at its punctuation) and the department.
alter table person add column search tsvector generated always as (
    to_tsvector('simple', name || ' ' || translate(email, '@.-_+', '     ') || ' ' || department)
) stored;
create index person_search_idx on person using gin (search);

-- The dashboard counts open runs and tasks by due date; these partial indexes hold only the
-- open ones, so the count reads the work in hand rather than the whole history.
create index activity_open_due_idx on activity (due_date) where state in ('planned', 'in_progress');
create index task_open_due_idx on task (due_at) where status in ('open', 'in_progress');
