-- The page's documents $1 with their cards; for the documents $3 the keyword query $2 (tsquery
-- text: the words that matched, stand-ins for mistyped words included) matched,
-- fragments of their visible text with the matches marked (U+E000 ... U+E001, fragments
-- separated by U+E002; the service turns them into escaped HTML); with a query vector $4, the
-- passage of each document nearest to it (unit vectors: the largest inner product).
select
  d.id as document_id,
  d.profile_id,
  d.mask_slug,
  d.card,
  case when $2::text is not null and d.id = any($3) then
    ts_headline(
      'vitae.english_unaccent',
      concat_ws(E'\n', d.text_a, d.text_b, d.text_c, d.text_d),
      $2::tsquery,
      'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) || ', MaxFragments=2, MaxWords=18, MinWords=6, '
        || 'FragmentDelimiter=' || chr(57346)
    )
  end as keyword_fragments,
  (select p.passage from vitae.document_passages p
   where $4::vector is not null and p.tenant_id = d.tenant_id and p.document_id = d.id
   order by p.embedding <#> $4::vector, p.ordinal
   limit 1) as nearest_passage
from vitae.search_documents d
where d.id = any($1)
