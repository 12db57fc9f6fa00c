-- A search's page comes straight from the full-text index in name order: each person's key in
-- the index follows the (name, id) order of the people list, with wide gaps between
-- neighbours for people added later. The index hands back matches in key order, so a page of
-- fifty reads fifty matches and stops, however many thousands match. A newcomer takes a key
-- between their neighbours; when no gap is left (or a key would leave the integer range, or is
-- held by a key out of order) the key is taken out of order and the tally
-- 'person_search.disordered' says so: search then sorts as before until the store renumbers
-- the keys. The delete trigger of the earlier migration stays as it was.

drop trigger person_search_insert;
drop trigger person_search_update;
drop table person_fts;
delete from person_search;
-- Prefix indexes: the search box matches word prefixes, which then read one list of matches
-- instead of merging every word that starts with them.
create virtual table person_fts using fts5 (name, email, department, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5 6');
insert into person_search (rowid, person_id)
    select row_number() over (order by name, id) * 1099511627776, id from person;
insert into person_fts (rowid, name, email, department)
    select s.rowid, p.name, p.email, p.department from person_search s join person p on p.id = s.person_id;

-- Placing a person in the order, written once: inserting a person id here gives them a key
-- between their neighbours and their row in the full-text index.
create view person_search_place (person_id) as select person_id from person_search;
create trigger person_search_place_insert instead of insert on person_search_place begin
    insert into person_search (rowid, person_id)
    select case when k is not null and not exists (select 1 from person_search where rowid = k) then k end, new.person_id
    from (select case
            when prev is null and next is null then 4611686018427387904
            when prev is null and next > -9223372032559808512 then next - 4294967296
            when next is null and prev < 9223372032559808511 then prev + 4294967296
            when next - prev > 8589934592 then prev + 4294967296
            when next - prev > 1 then prev + (next - prev) / 2
        end as k
    from (select
        (select s.rowid from person p join person_search s on s.person_id = p.id
          where (p.name, p.id) < ((select name from person where id = new.person_id), new.person_id) order by p.name desc, p.id desc limit 1) as prev,
        (select s.rowid from person p join person_search s on s.person_id = p.id
          where (p.name, p.id) > ((select name from person where id = new.person_id), new.person_id) order by p.name, p.id limit 1) as next));
    insert into person_fts (rowid, name, email, department)
        select s.rowid, p.name, p.email, p.department
        from person p join person_search s on s.person_id = p.id where p.id = new.person_id;
    insert into tally (name, n)
    select 'person_search.disordered', 1
    from (select
        (select rowid from person_search where person_id = new.person_id) as mine,
        (select s.rowid from person p join person_search s on s.person_id = p.id
          where (p.name, p.id) < ((select name from person where id = new.person_id), new.person_id) order by p.name desc, p.id desc limit 1) as prev,
        (select s.rowid from person p join person_search s on s.person_id = p.id
          where (p.name, p.id) > ((select name from person where id = new.person_id), new.person_id) order by p.name, p.id limit 1) as next)
    where (prev is not null and mine <= prev) or (next is not null and mine >= next)
    on conflict (name) do update set n = 1;
end;

create trigger person_search_insert after insert on person begin
    insert into person_search_place (person_id) values (new.id);
end;

-- A new name moves the person to their new place in the order.
create trigger person_search_rename after update of name on person when old.name is not new.name begin
    delete from person_fts where rowid = (select rowid from person_search where person_id = old.id);
    delete from person_search where person_id = old.id;
    insert into person_search_place (person_id) values (new.id);
end;

create trigger person_search_update after update of email, department on person when old.name is new.name begin
    update person_fts set email = new.email, department = new.department
        where rowid = (select rowid from person_search where person_id = new.id);
end;
