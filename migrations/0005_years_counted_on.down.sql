alter table vitae.search_documents
  drop column if exists years_counted_on,
  drop column if exists experience_ongoing;
