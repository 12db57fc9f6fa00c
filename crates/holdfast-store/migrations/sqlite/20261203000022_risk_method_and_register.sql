-- Clause 6.1.2 and 6.1.3: the risk method as immutable published versions, the risk
-- register, its append-only assessments and the decisions taken on it.

-- One row per published version; the method itself is JSON (scales, levels, grid), read
-- and written whole and never changed.
create table risk_method (
    id text primary key,
    organisation_id text not null references organisation (id),
    version bigint not null constraint risk_method_version_key unique,
    method_json text not null,
    published_by text references person (id),
    published_at text not null
);

-- A risk. The latest assessment's level, rank and review date are kept on the row (written
-- in the assessment's transaction) so the register filters and sorts by them on an index.
create table risk (
    id text primary key,
    organisation_id text not null references organisation (id),
    number bigint not null constraint risk_number_key unique,
    title text not null,
    threat text not null,
    vulnerability text not null,
    owner_id text references person (id),
    process_id text references process (id),
    treatment text not null check (treatment in ('modify', 'retain', 'avoid', 'share')),
    latest_assessment_id text,
    current_level text,
    current_rank bigint,
    review_due text,
    version bigint not null default 1,
    created_at text not null,
    updated_at text not null
);
create index risk_by_rank on risk (current_rank, number);
create index risk_by_owner on risk (owner_id, number);
create index risk_by_review on risk (review_due, number);

-- The Annex A controls that treat a risk; indexed by control for the SoA's inclusion reasons.
create table risk_control (
    risk_id text not null references risk (id),
    control text not null,
    primary key (risk_id, control)
);
create index risk_control_by_control on risk_control (control, risk_id);

create table risk_assessment (
    id text primary key,
    risk_id text not null references risk (id),
    method_id text not null references risk_method (id),
    method_version bigint not null,
    inherent_likelihood bigint not null,
    inherent_impact bigint not null,
    current_likelihood bigint not null,
    current_impact bigint not null,
    target_likelihood bigint,
    target_impact bigint,
    inherent_level text not null,
    current_level text not null,
    target_level text,
    rationale text not null,
    assessor_id text references person (id),
    assessed_on text not null,
    review_due text not null,
    recorded_at text not null
);
create index risk_assessment_by_risk on risk_assessment (risk_id, recorded_at);

create table risk_decision (
    id text primary key,
    risk_id text not null references risk (id),
    kind text not null check (kind in ('treatment_approval', 'residual_acceptance')),
    decided_by text not null references person (id),
    authority text not null,
    decided_at text not null,
    rationale text not null,
    expires_on text not null,
    subject_json text not null,
    subject_sha256 text not null
);
create index risk_decision_by_risk on risk_decision (risk_id, decided_at);

-- Published methods, assessments and decisions are dated records: never changed or removed.
create trigger risk_method_refuse_update before update on risk_method begin
    select raise(abort, 'a published risk method is never changed; publish a new version');
end;
create trigger risk_method_refuse_delete before delete on risk_method begin
    select raise(abort, 'a published risk method is never removed');
end;
create trigger risk_assessment_refuse_update before update on risk_assessment begin
    select raise(abort, 'a risk assessment is never changed; record a new one');
end;
create trigger risk_assessment_refuse_delete before delete on risk_assessment begin
    select raise(abort, 'a risk assessment is never removed');
end;
create trigger risk_decision_refuse_update before update on risk_decision begin
    select raise(abort, 'a risk decision is never changed; take a new one');
end;
create trigger risk_decision_refuse_delete before delete on risk_decision begin
    select raise(abort, 'a risk decision is never removed');
end;
