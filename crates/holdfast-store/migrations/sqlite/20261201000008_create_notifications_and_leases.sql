-- Reminders and escalations, each recorded once per record and kind: the unique key is the
-- claim, so with several server instances every notification is sent exactly once.
create table notification (
    id text primary key,
    dedupe_key text not null constraint notification_dedupe_key_key unique,
    kind text not null,
    recipient text not null,
    subject text not null,
    body text not null,
    record_type text not null,
    record_id text not null,
    status text not null check (status in ('pending', 'sent', 'recorded', 'failed')),
    attempts bigint not null default 0,
    sent_at text,
    created_at text not null,
    updated_at text not null
);
create index notification_recipient_idx on notification (recipient, created_at);

-- Leases let one instance at a time run a scheduled job.
create table job_lease (
    name text primary key,
    holder text not null,
    lease_until text not null,
    created_at text not null,
    updated_at text not null
);

-- Calendar feeds at unguessable, revocable URLs; only a hash of the token is kept.
create table calendar_feed (
    id text primary key,
    token_hash text not null constraint calendar_feed_token_hash_key unique,
    kind text not null check (kind in ('person', 'process')),
    subject_id text not null,
    created_by text not null,
    revoked_at text,
    created_at text not null,
    updated_at text not null
);
