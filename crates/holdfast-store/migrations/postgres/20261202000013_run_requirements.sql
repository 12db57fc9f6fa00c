-- A run keeps the evidence its process required when it was closed, so a later change to
-- the process's requirements never turns past runs into findings. Runs already closed take
-- the process's current requirements, the best record there is of what they had to show.
create table activity_requirement (
    activity_id text not null references activity (id),
    position bigint not null,
    name text not null,
    primary key (activity_id, name)
);
insert into activity_requirement (activity_id, position, name)
    select a.id, e.position, e.name from activity a join process_evidence e on e.process_id = a.process_id
    where a.state = 'done';
