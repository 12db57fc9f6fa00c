-- A rule may ask for evidence before its tasks are marked done; each task keeps what its rule
-- said when it was made, and the comment of whoever finished it.
alter table interaction_rule add column evidence_required bigint not null default 0;
alter table task add column evidence_required bigint not null default 0;
alter table task add column comment text;
