-- A manager can accept an observation of the readiness engine, with a reason and an expiry
-- date; until then it is listed apart from the open findings.
create table readiness_acceptance (
    id text primary key,
    finding_id text not null,
    reason text not null,
    expires_on text not null,
    accepted_by text not null,
    created_at text not null,
    updated_at text not null
);
create index readiness_acceptance_finding_idx on readiness_acceptance (finding_id, expires_on);
