-- When each API token was last used (to the nearest ten minutes), so an administrator sees
-- forgotten tokens before they leak. Bookkeeping, like a session's idle expiry: not an audit
-- event.
alter table api_token add column last_used_at text;
