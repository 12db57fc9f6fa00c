-- People lists are sorted by name (the default), start date or status and paged by keyset;
-- these indexes let the first and every later page read only the rows it shows.
create index person_name_id_idx on person (name, id);
create index person_start_date_id_idx on person (start_date, id);
create index person_status_name_idx on person (employment_status, name, id);
create index person_department_name_idx on person (department, name, id);
