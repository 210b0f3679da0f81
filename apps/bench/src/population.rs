//! Realistic bench vectors: what an ANN benchmark says depends on the vectors, so they are
//! built from real model embeddings of real profile texts (the 3,144 distinct ones among the
//! labelled sets' profiles in `eval/sets`) and their statistics are printed beside the figures.
//!
//! Each synthetic profile takes one of those profiles' text and embedding (some far more often
//! than others, as real occupations are uneven) and moves it towards two of its 32 nearest
//! others, each by a weight drawn between 0 and `spread`: people who do the same job still
//! differ, towards neighbouring jobs. 3% copy the profile before them
//! outright (people who share a summary embed identically). Measured on real MiniLM embeddings
//! of profile texts: random-pair cosine about 0.25 (sd 0.10), nearest neighbour about 0.89,
//! tenth about 0.77; `print_statistics` says how close a population comes.

use std::path::Path;

use pgvector::Vector;
use sqlx::{Executor, PgConnection, PgPool};
use uuid::Uuid;
use vitae_embed::Embedder;
use vitae_embed::local::LocalEmbedder;

/// Share of profiles that copy the one before them (percent).
const DUPLICATE_PERCENT: i64 = 3;

/// The labelled sets' profiles with distinct texts (the sets share occupations): (headline,
/// summary, country).
fn base_profiles(root: &Path) -> anyhow::Result<Vec<(String, String, Option<String>)>> {
    let mut out: Vec<(String, String, Option<String>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for set in ["occupations", "names", "mixed", "careers"] {
        let text = std::fs::read_to_string(root.join("eval/sets").join(set).join("profiles.ndjson"))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let p: serde_json::Value = serde_json::from_str(line)?;
            let field = |k: &str| p[k].as_str().unwrap_or_default().to_owned();
            if seen.insert((field("headline"), field("summary"))) {
                out.push((field("headline"), field("summary"), p["country"].as_str().map(str::to_owned)));
            }
        }
    }
    anyhow::ensure!(!out.is_empty(), "no profiles under eval/sets");
    Ok(out)
}

/// Writes `n` profiles, each with its default mask, search document and embedding, as the
/// superuser in set-based statements.
pub async fn load(su: &mut PgConnection, embedder: &LocalEmbedder, tenant: Uuid, n: i64, spread: f64) -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bases = base_profiles(&root)?;
    let texts: Vec<String> = bases
        .iter()
        .map(|(headline, summary, _)| format!("{headline}. {}", summary.chars().take(1000).collect::<String>()))
        .collect();
    let mut vectors = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(256) {
        vectors.extend(embedder.embed(chunk.to_vec()).await?);
    }
    su.execute("delete from vitae.profiles").await?;
    su.execute(
        "create temp table if not exists bases (i int, headline text, summary text, country text, embedding vector(384)); \
         truncate bases",
    )
    .await?;
    for (i, ((headline, summary, country), vector)) in bases.iter().zip(vectors).enumerate() {
        sqlx::query("insert into bases values ($1, $2, $3, $4, $5)")
            .bind(i as i32)
            .bind(headline)
            .bind(summary)
            .bind(country)
            .bind(Vector::from(vector))
            .execute(&mut *su)
            .await?;
    }
    // Each base's nearest bases: a person differs from another in the same job towards
    // neighbouring jobs, not towards any job at all (which pulls every vector to the mean).
    su.execute(
        "create temp table base_near as \
         select b.i, n.j, n.rank from bases b cross join lateral ( \
           select o.i as j, (row_number() over (order by o.embedding <=> b.embedding)) - 1 as rank \
           from bases o where o.i <> b.i order by o.embedding <=> b.embedding limit 32) n",
    )
    .await?;
    su.execute("create index on base_near (i, rank)").await?;
    // b: the profile's own base, uneven (u^1.5 favours the first); c, d: two of its nearest
    // bases to move towards, by wc and wd. A duplicate takes the previous profile's seed.
    sqlx::query(
        "create temp table synth as \
         select g, md5('p' || g)::uuid as id, md5('m' || g)::uuid as mask_id, md5('d' || g)::uuid as doc_id, \
           floor($1 * power(((hashint8(seed) & 2147483647) % 1000003) / 1000003.0, 1.5))::int as b, \
           ((hashint8(seed * 3) & 2147483647) % 32)::int as c, \
           ((hashint8(seed * 5) & 2147483647) % 32)::int as d, \
           $4::real * ((hashint8(seed * 7) & 2147483647) % 1000) / 1000.0 as wc, \
           $4::real * ((hashint8(seed * 11) & 2147483647) % 1000) / 1000.0 as wd \
         from (select g, case when g > 1 and (hashint8(g * 13) & 2147483647) % 100 < $3 then g - 1 else g end as seed \
               from generate_series(1, $2) g) s",
    )
    .bind(bases.len() as i64)
    .bind(n)
    .bind(DUPLICATE_PERCENT)
    .bind(spread as f32)
    .execute(&mut *su)
    .await?;
    su.execute("analyze synth").await?;
    let statements = [
        "insert into vitae.profiles (tenant_id, id, slug, external_id, display_name, headline, summary, location, country, tags, availability) \
         select $1, s.id, 'p-' || s.g, 'synth-' || s.g, 'Person ' || s.g, b.headline, b.summary, '', b.country, \
           array_remove(array[case when s.g % 10 = 0 then 'sel10' end, case when s.g % 100 = 0 then 'sel1' end], null), \
           (array['open', 'not_looking', 'open_to_contract'])[1 + s.g % 3] \
         from synth s join bases b on b.i = s.b",
        "insert into vitae.masks (tenant_id, id, profile_id, slug, name, is_default, config) \
         select $1, s.mask_id, s.id, 'public', 'Public', true, '{}' from synth s",
        "insert into vitae.search_documents (tenant_id, id, profile_id, mask_id, mask_slug, is_default, text_a, text_b, text_c, text_d, \
           skills, tags, country, availability, years_experience, years_counted_on, profile_updated_at, card, content_hash) \
         select $1, s.doc_id, s.id, s.mask_id, 'public', true, p.display_name || ' ' || p.headline, '', '', p.summary, \
           '{}', p.tags, p.country, p.availability, (s.g % 30)::real, current_date, now(), \
           jsonb_build_object('slug', p.slug, 'display_name', p.display_name, 'headline', p.headline, \
             'country', p.country, 'availability', p.availability), sha256(s.g::text::bytea) \
         from synth s join vitae.profiles p on p.tenant_id = $1 and p.id = s.id",
    ];
    for statement in statements {
        sqlx::query(statement).bind(tenant).execute(&mut *su).await?;
    }
    // pgvector multiplies element-wise: each weight as a vector of 384 equal elements.
    sqlx::query(
        "insert into vitae.document_embeddings (tenant_id, document_id, is_default, model_id, embedding) \
         select $1, s.doc_id, true, 'all-MiniLM-L6-v2', l2_normalize(b.embedding \
           + c.embedding * array_fill(s.wc::real, array[384])::vector + d.embedding * array_fill(s.wd::real, array[384])::vector) \
         from synth s join bases b on b.i = s.b \
           join base_near nc on nc.i = s.b and nc.rank = s.c join bases c on c.i = nc.j \
           join base_near nd on nd.i = s.b and nd.rank = s.d join bases d on d.i = nd.j",
    )
    .bind(tenant)
    .execute(&mut *su)
    .await?;
    su.execute("drop table synth; drop table base_near").await?;
    for table in ["profiles", "masks", "search_documents", "document_embeddings"] {
        su.execute(sqlx::AssertSqlSafe(format!("vacuum analyze vitae.{table}"))).await?;
    }
    Ok(())
}

/// Prints the population's vector statistics: random-pair cosine (mean, sd), the nearest and
/// tenth-nearest neighbour's cosine, and the share of exact duplicates, on a sample.
pub async fn print_statistics(pool: &PgPool, tenant: Uuid, sample: i64) -> anyhow::Result<()> {
    let (mean, sd): (Option<f64>, Option<f64>) = sqlx::query_as(
        "with s as (select embedding, row_number() over (order by md5(document_id::text)) as r \
                    from vitae.document_embeddings where tenant_id = $1 and is_default \
                    order by md5(document_id::text) limit 4000) \
         select avg(1 - (a.embedding <=> b.embedding)), stddev(1 - (a.embedding <=> b.embedding)) \
         from s a join s b on b.r = a.r + 2000",
    )
    .bind(tenant)
    .fetch_one(pool)
    .await?;
    let probes: Vec<(Uuid, Vector)> = sqlx::query_as(
        "select document_id, embedding from vitae.document_embeddings where tenant_id = $1 and is_default \
         order by md5('n' || document_id::text) limit $2",
    )
    .bind(tenant)
    .bind(sample)
    .fetch_all(pool)
    .await?;
    let (mut first, mut tenth, mut duplicates) = (Vec::new(), Vec::new(), 0);
    for (id, vector) in &probes {
        let near: Vec<f64> = sqlx::query_scalar(
            "select 1 - (embedding <=> $1)::float8 from vitae.document_embeddings \
             where tenant_id = $2 and is_default and document_id <> $3 order by (embedding <=> $1) + 0 limit 10",
        )
        .bind(vector)
        .bind(tenant)
        .bind(id)
        .fetch_all(pool)
        .await?;
        if let (Some(&nearest), Some(&last)) = (near.first(), near.last()) {
            first.push(nearest);
            tenth.push(last);
            duplicates += usize::from(nearest > 0.999_99);
        }
    }
    let avg = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "vector statistics: random-pair cosine mean {:.2} sd {:.2}; nearest neighbour {:.2}, tenth {:.2}; \
         exact duplicates {:.0}% (of {} sampled profiles; real MiniLM profiles: 0.25, 0.10, 0.89, 0.77, about 3%)",
        mean.unwrap_or(f64::NAN),
        sd.unwrap_or(f64::NAN),
        avg(&first),
        avg(&tenth),
        100.0 * duplicates as f64 / first.len().max(1) as f64,
        first.len()
    );
    Ok(())
}
