-- Consecutive failed logins per account and per client address, shared by all instances,
-- so the back-off holds however requests are balanced.
create table login_throttle (
    throttle_key text primary key,
    failures bigint not null,
    locked_until text,
    created_at text not null,
    updated_at text not null
);
