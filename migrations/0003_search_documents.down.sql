drop table if exists vitae.document_embeddings;
drop table if exists vitae.search_documents;
