-- The audit trail, stored evidence and the trail's signed checkpoints are append-only in the
-- database itself: Holdfast never changes or removes them, and these triggers refuse anyone
-- who tries through SQL. `holdfast verify` reports a missing trigger.
create trigger audit_event_refuse_update before update on audit_event begin
    select raise(abort, 'the audit trail is append-only: an event is never changed');
end;
create trigger audit_event_refuse_delete before delete on audit_event begin
    select raise(abort, 'the audit trail is append-only: an event is never removed');
end;
create trigger evidence_refuse_update before update on evidence begin
    select raise(abort, 'stored evidence is never changed');
end;
create trigger evidence_refuse_delete before delete on evidence begin
    select raise(abort, 'stored evidence is never removed');
end;
create trigger evidence_blob_refuse_update before update on evidence_blob begin
    select raise(abort, 'stored evidence is never changed');
end;
create trigger evidence_blob_refuse_delete before delete on evidence_blob begin
    select raise(abort, 'stored evidence is never removed');
end;

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
create trigger audit_checkpoint_refuse_update before update on audit_checkpoint begin
    select raise(abort, 'a checkpoint is never changed');
end;
create trigger audit_checkpoint_refuse_delete before delete on audit_checkpoint begin
    select raise(abort, 'a checkpoint is never removed');
end;

-- Events about login accounts, counted apart, so a reader who may not see them gets a
-- trail total without them at the cost of one row.
insert into tally (name, n) select 'audit_event.accounts', count(*) from audit_event
    where entity_type in ('user_account', 'api_token', 'login', 'session');
create trigger audit_event_accounts_tally after insert on audit_event
    when new.entity_type in ('user_account', 'api_token', 'login', 'session') begin
    insert into tally (name, n) values ('audit_event.accounts', 1) on conflict (name) do update set n = n + 1;
end;
