-- Search order keys are SQLite's: PostgreSQL reads a page of matches from its indexes.
select 1;
