-- The audit trail, stored evidence and the trail's signed checkpoints are append-only in the
-- database itself: Holdfast never changes or removes them, and these triggers refuse anyone
-- who tries through SQL. `holdfast verify` reports a missing or disabled trigger.
create function refuse_change() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: its rows are never changed or removed', tg_table_name;
end $$;
create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function refuse_change();
create trigger evidence_append_only before update or delete on evidence
    for each row execute function refuse_change();
create trigger evidence_blob_append_only before update or delete on evidence_blob
    for each row execute function refuse_change();

-- The key that signs checkpoints: its public half (the secret half lives in a file outside
-- the database).
create table signing_key (
    public_key text primary key,
    created_at text not null
);

-- Signed statements of the trail's length and head; see holdfast_core::checkpoint.
create table audit_checkpoint (
    number bigint primary key,
    seq bigint not null,
    head text not null,
    signed_at text not null,
    prev text not null,
    signature text not null
);
create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
    for each row execute function refuse_change();

-- Events about login accounts, counted apart, so a reader who may not see them gets a
-- trail total without them at the cost of one row.
insert into tally (name, n) select 'audit_event.accounts', count(*) from audit_event
    where entity_type in ('user_account', 'api_token', 'login', 'session');
create function audit_event_accounts_tally() returns trigger language plpgsql as $$
begin
    perform tally_add('audit_event.accounts', 1);
    return null;
end $$;
create trigger audit_event_accounts_tally after insert on audit_event
    for each row when (new.entity_type in ('user_account', 'api_token', 'login', 'session'))
    execute function audit_event_accounts_tally();
