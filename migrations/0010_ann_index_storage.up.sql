-- The vector type the ANN index is built over: the stored vectors, or the same cast to half
-- precision (an index half the size; the table keeps full precision). Indexes built before
-- this migration are over the stored vectors.
alter table vitae.ann_index_state
  add column if not exists storage text not null default 'vector'
  constraint ann_index_state_storage_check check (storage in ('vector', 'halfvec'));
