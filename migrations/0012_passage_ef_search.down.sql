alter table vitae.ann_index_state drop column if exists passage_recall, drop column if exists passage_probes;
