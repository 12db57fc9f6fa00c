-- Run and task lists are read in due order and paged by keyset (due, id); these indexes let
-- every page read only the rows it shows.
create index activity_due_id_idx on activity (due_date, id);
create index task_due_id_idx on task (due_at, id);
