-- The passages' graph gets its own ef_search, calibrated against an exact scan of the passages
-- (it holds about three times the documents' rows, and a walk of it found less at the
-- documents' ef_search). Null: calibrated before this migration, and searches walk the passages
-- with the documents' ef_search, as before.
alter table vitae.ann_index_state
  add column if not exists passage_probes integer,
  add column if not exists passage_recall real;
