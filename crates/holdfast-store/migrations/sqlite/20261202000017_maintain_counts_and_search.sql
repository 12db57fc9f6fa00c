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

create trigger person_tally_insert after insert on person begin
    insert into tally (name, n) values ('person', 1) on conflict (name) do update set n = n + 1;
    insert into tally (name, n) values ('person.status:' || new.employment_status, 1)
        on conflict (name) do update set n = n + 1;
    insert into tally (name, n) values ('person.dept:' || new.department, 1)
        on conflict (name) do update set n = n + 1;
    insert into tally (name, n) values ('person.dept_status:' || new.employment_status || ':' || new.department, 1)
        on conflict (name) do update set n = n + 1;
end;
create trigger person_tally_update after update of employment_status, department on person
when old.employment_status <> new.employment_status or old.department <> new.department begin
    update tally set n = n - 1 where name in (
        'person.status:' || old.employment_status,
        'person.dept:' || old.department,
        'person.dept_status:' || old.employment_status || ':' || old.department);
    insert into tally (name, n) values ('person.status:' || new.employment_status, 1)
        on conflict (name) do update set n = n + 1;
    insert into tally (name, n) values ('person.dept:' || new.department, 1)
        on conflict (name) do update set n = n + 1;
    insert into tally (name, n) values ('person.dept_status:' || new.employment_status || ':' || new.department, 1)
        on conflict (name) do update set n = n + 1;
end;
create trigger person_tally_delete after delete on person begin
    update tally set n = n - 1 where name in (
        'person',
        'person.status:' || old.employment_status,
        'person.dept:' || old.department,
        'person.dept_status:' || old.employment_status || ':' || old.department);
end;

create trigger user_account_tally_insert after insert on user_account when new.disabled_at is null begin
    insert into tally (name, n) values ('user_account.enabled', 1) on conflict (name) do update set n = n + 1;
end;
create trigger user_account_tally_update after update of disabled_at on user_account
when (old.disabled_at is null) <> (new.disabled_at is null) begin
    insert into tally (name, n) values ('user_account.enabled', case when new.disabled_at is null then 1 else -1 end)
        on conflict (name) do update set n = n + excluded.n;
end;
create trigger user_account_tally_delete after delete on user_account when old.disabled_at is null begin
    update tally set n = n - 1 where name = 'user_account.enabled';
end;

create trigger api_token_tally_insert after insert on api_token when new.revoked_at is null begin
    insert into tally (name, n) values ('api_token.live', 1) on conflict (name) do update set n = n + 1;
end;
create trigger api_token_tally_update after update of revoked_at on api_token
when (old.revoked_at is null) <> (new.revoked_at is null) begin
    insert into tally (name, n) values ('api_token.live', case when new.revoked_at is null then 1 else -1 end)
        on conflict (name) do update set n = n + excluded.n;
end;
create trigger api_token_tally_delete after delete on api_token when old.revoked_at is null begin
    update tally set n = n - 1 where name = 'api_token.live';
end;

create trigger location_tally_insert after insert on location begin
    insert into tally (name, n) values ('location', 1) on conflict (name) do update set n = n + 1;
end;
create trigger location_tally_delete after delete on location begin
    update tally set n = n - 1 where name = 'location';
end;

create trigger audit_event_tally_insert after insert on audit_event begin
    insert into tally (name, n) values ('audit_event', 1) on conflict (name) do update set n = n + 1;
end;

-- The full-text index needs a stable integer key; a table without an integer primary key may
-- have its rowids renumbered by VACUUM, so each person gets one here.
create table person_search (
    rowid integer primary key,
    person_id text not null unique
);
create virtual table person_fts using fts5 (name, email, department, tokenize = 'unicode61 remove_diacritics 2');
insert into person_search (person_id) select id from person order by id;
insert into person_fts (rowid, name, email, department)
    select s.rowid, p.name, p.email, p.department from person_search s join person p on p.id = s.person_id;

create trigger person_search_insert after insert on person begin
    insert into person_search (person_id) values (new.id);
    insert into person_fts (rowid, name, email, department)
        values ((select rowid from person_search where person_id = new.id), new.name, new.email, new.department);
end;
create trigger person_search_update after update of name, email, department on person begin
    update person_fts set name = new.name, email = new.email, department = new.department
        where rowid = (select rowid from person_search where person_id = new.id);
end;
create trigger person_search_delete after delete on person begin
    delete from person_fts where rowid = (select rowid from person_search where person_id = old.id);
    delete from person_search where person_id = old.id;
end;

-- The dashboard counts open runs and tasks by due date; these partial indexes hold only the
-- open ones, so the count reads the work in hand rather than the whole history.
create index activity_open_due_idx on activity (due_date) where state in ('planned', 'in_progress');
create index task_open_due_idx on task (due_at) where status in ('open', 'in_progress');
