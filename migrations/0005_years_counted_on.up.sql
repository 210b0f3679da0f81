-- Years of experience grow while a role is current. Documents record the day their years were
-- counted and whether a visible role is current, so the min_years filter counts as of the day of
-- the search. Documents written before this migration have no day: their years stay as counted
-- until `vitae reembed` (or any write to the profile) rebuilds them.
alter table vitae.search_documents
  add column if not exists experience_ongoing boolean not null default false,
  add column if not exists years_counted_on date;
