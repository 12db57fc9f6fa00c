-- Server-side login sessions, in the database so several instances share them. Only a hash
-- of the cookie value is stored: a copy of the database does not let anyone log in.
create table session (
    token_hash text primary key,
    user_id text not null references user_account (id),
    csrf_token text not null,
    created_at text not null,
    updated_at text not null,
    idle_expires_at text not null,
    absolute_expires_at text not null
);
create index session_user_idx on session (user_id);
