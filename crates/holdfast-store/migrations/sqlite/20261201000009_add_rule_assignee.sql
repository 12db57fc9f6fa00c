-- Who does the task a rule creates: the receiving process's owner (every rule so far), or
-- that owner's manager, for escalations such as a run left open a week past its due date.
alter table interaction_rule add column assign_to text not null default 'process_owner'
    check (assign_to in ('process_owner', 'owners_manager'));
