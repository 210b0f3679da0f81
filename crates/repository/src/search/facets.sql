-- Facet counts over the candidate documents $1: each value of each facet, how many documents.
with candidates as (
  select d.skills, d.tags, d.country, d.availability
  from vitae.search_documents d
  where d.id = any($1)
)
select 'skills' as facet, value, count(*) as count from candidates, unnest(skills) as value group by value
union all
select 'tags', value, count(*) from candidates, unnest(tags) as value group by value
union all
select 'country', country, count(*) from candidates where country is not null group by country
union all
select 'availability', availability, count(*) from candidates group by availability
