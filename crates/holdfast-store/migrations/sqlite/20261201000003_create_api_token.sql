-- Bearer tokens for machines. Stored as a SHA-256 of the token (the token itself carries
-- 256 random bits, so a fast hash is enough); revoked tokens are kept for the audit trail.
create table api_token (
    id text primary key,
    user_id text not null references user_account (id),
    name text not null,
    role text not null check (role in ('admin', 'manager', 'owner', 'auditor', 'member')),
    token_hash text not null constraint api_token_token_hash_key unique,
    created_at text not null,
    updated_at text not null,
    expires_at text,
    revoked_at text
);
create index api_token_user_idx on api_token (user_id);
