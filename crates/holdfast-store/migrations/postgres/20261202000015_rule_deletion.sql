-- Interaction rules can be deleted; the row stays (tasks it made still name it) but is no
-- longer listed, used or counted as a duplicate.
alter table interaction_rule add column deleted_at text;
