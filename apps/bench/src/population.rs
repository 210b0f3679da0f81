//! Realistic bench profiles: what an ANN benchmark says depends on the vectors, so they are
//! built from real model embeddings of real profile texts (the distinct profiles of the labelled
//! sets in `eval/sets`), and their statistics are printed beside the figures.
//!
//! Each synthetic profile takes one of those profiles (some far more often than others, as real
//! occupations are uneven): its headline, summary, roles and skills, so the keyword leg ranks
//! real words, and its embedding moved in three ways:
//! - towards two of its 32 nearest others, each by a weight drawn between 0 and `spread`
//!   (people in the same job differ towards neighbouring jobs);
//! - by `noise`: the norm of a random direction added (two of 16,384 directions between two
//!   real profiles), as no two real people write the same text;
//! - 3% copy the profile before them outright (people who share a summary embed identically).
//!
//! Each also gets its base's passages (headline, skills, roles, summary, descriptions: 3.6 per
//! labelled profile, 3.2 per bench profile, as the commonest have fewer), embedded by the model and moved as its document was, as the service writes them
//! for the semantic leg's nearest-passage probe.
//!
//! Measured on real MiniLM embeddings of 13,858 profile texts: random-pair cosine about 0.25
//! (sd 0.10), nearest neighbour about 0.89, tenth about 0.77; `print_statistics` says how close
//! a population comes.

use std::path::Path;

use pgvector::Vector;
use sqlx::{Executor, PgConnection, PgPool};
use uuid::Uuid;
use vitae_embed::Embedder;
use vitae_embed::local::LocalEmbedder;

/// Share of profiles that copy the one before them (percent).
const DUPLICATE_PERCENT: i64 = 3;
/// Random directions to draw each profile's noise from (two each: 134 million pairs).
const NOISE_VECTORS: i64 = 16_384;

/// One labelled profile, as the synthetic ones copy it.
struct Base {
    headline: String,
    summary: String,
    country: Option<String>,
    location: String,
    skills: Vec<String>,
    titles: Vec<String>,
    details: Vec<String>,
}

impl Base {
    /// The passages the service would write for this profile (its aspects, each embedded on its
    /// own): headline, skills, each role, summary, each role's description. The bench keeps no
    /// organisations, so a role is its title alone.
    fn passages(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.headline.is_empty() {
            out.push(format!("{}.", self.headline.trim_end_matches('.')));
        }
        if !self.skills.is_empty() {
            out.push(format!("Skills: {}.", self.skills.join(", ")));
        }
        out.extend(self.titles.iter().map(|t| format!("{t}.")));
        if !self.summary.is_empty() {
            out.push(self.summary.clone());
        }
        out.extend(self.details.iter().cloned());
        out
    }
}

/// The labelled sets' profiles with distinct texts (the sets share occupations).
fn base_profiles(root: &Path) -> anyhow::Result<Vec<Base>> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for set in ["occupations", "names", "mixed", "careers", "jobs"] {
        let text = std::fs::read_to_string(root.join("eval/sets").join(set).join("profiles.ndjson"))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let p: serde_json::Value = serde_json::from_str(line)?;
            let field = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
            let list = |k: &str, f: &str| -> Vec<String> {
                p[k].as_array().into_iter().flatten().map(|v| field(v, f)).filter(|s| !s.is_empty()).collect()
            };
            let (headline, summary) = (field(&p, "headline"), field(&p, "summary"));
            if seen.insert((headline.clone(), summary.clone())) {
                out.push(Base {
                    headline,
                    summary,
                    country: p["country"].as_str().map(str::to_owned),
                    location: field(&p, "location"),
                    skills: list("skills", "name"),
                    titles: list("experiences", "title"),
                    details: list("experiences", "description"),
                });
            }
        }
    }
    anyhow::ensure!(!out.is_empty(), "no profiles under eval/sets");
    Ok(out)
}

/// How a population is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The most each profile moves towards each of two neighbouring ones.
    pub spread: f64,
    /// The norm of each profile's random direction.
    pub noise: f64,
}

/// Writes `n` profiles for each `(tenant, n)`, each with its default mask, search document,
/// embedding and passages, as the superuser in set-based statements.
pub async fn load(su: &mut PgConnection, embedder: &LocalEmbedder, tenants: &[(Uuid, i64)], shape: Shape) -> anyhow::Result<()> {
    // Emptied at once (a delete would fire the keyword statistics' triggers row by row); the
    // statistics go too and are rebuilt by the inserts' triggers.
    su.execute("truncate vitae.profiles, vitae.keyword_terms, vitae.keyword_collections cascade").await?;
    prepare(su, embedder, tenants).await?;
    insert(su, shape).await?;
    insert_passages(su).await?;
    finish(su).await
}

/// Gives the profiles of a population loaded before the bench wrote passages theirs (the same
/// as [`load`] writes: every draw is a hash of the profile's number).
pub async fn add_passages(su: &mut PgConnection, embedder: &LocalEmbedder, tenants: &[(Uuid, i64)]) -> anyhow::Result<()> {
    prepare(su, embedder, tenants).await?;
    insert_passages(su).await?;
    finish(su).await
}

/// Embeds the base profiles (and their passages) and draws every synthetic profile, into
/// temporary tables: `bases`, `base_passages`, `base_near`, `noise`, `synth`.
async fn prepare(su: &mut PgConnection, embedder: &LocalEmbedder, tenants: &[(Uuid, i64)]) -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bases = base_profiles(&root)?;
    let texts: Vec<String> =
        bases.iter().map(|b| format!("{}. {}", b.headline, b.summary.chars().take(1000).collect::<String>())).collect();
    let vectors = embed_all(embedder, texts).await?;
    su.execute(
        "create temp table if not exists bases (i int, headline text, summary text, country text, location text, \
           skills text[], titles text[], details text[], embedding vector(384)); truncate bases",
    )
    .await?;
    let passages: Vec<(usize, usize, String)> = bases
        .iter()
        .enumerate()
        .flat_map(|(i, b)| b.passages().into_iter().enumerate().map(move |(ordinal, p)| (i, ordinal, p)))
        .collect();
    let passage_vectors = embed_all(embedder, passages.iter().map(|(_, _, p)| p.clone()).collect()).await?;
    su.execute(
        "create temp table if not exists base_passages (i int, ordinal smallint, passage text, embedding vector(384)); \
         truncate base_passages",
    )
    .await?;
    for ((i, ordinal, passage), vector) in passages.iter().zip(passage_vectors) {
        sqlx::query("insert into base_passages values ($1, $2, $3, $4)")
            .bind(*i as i32)
            .bind(*ordinal as i16)
            .bind(passage)
            .bind(Vector::from(vector))
            .execute(&mut *su)
            .await?;
    }
    su.execute("create index on base_passages (i)").await?;
    for (i, (b, vector)) in bases.iter().zip(vectors).enumerate() {
        sqlx::query("insert into bases values ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(i as i32)
            .bind(&b.headline)
            .bind(&b.summary)
            .bind(&b.country)
            .bind(&b.location)
            .bind(&b.skills)
            .bind(&b.titles)
            .bind(&b.details)
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
    // Directions real profiles differ in: the normalised difference of two random bases (noise
    // in every one of the 384 dimensions alike would make neighbours equidistant, which
    // embeddings of text are not).
    sqlx::query(
        "create temp table noise as \
         select n.i, l2_normalize(a.embedding - b.embedding) as embedding \
         from generate_series(0, $1 - 1) n(i) \
         join bases a on a.i = (hashint8(n.i * 2) & 2147483647) % $2 \
         join bases b on b.i = ((hashint8(n.i * 2) & 2147483647) % $2 + 1 + (hashint8(n.i * 2 + 1) & 2147483647) % ($2 - 1)) % $2",
    )
    .bind(NOISE_VECTORS)
    .bind(bases.len() as i64)
    .execute(&mut *su)
    .await?;
    su.execute("create index on noise (i)").await?;
    su.execute(
        "create temp table if not exists bench_tenants (tenant_id uuid, first bigint, last bigint); truncate bench_tenants",
    )
    .await?;
    let mut first = 1;
    for (tenant, n) in tenants {
        sqlx::query("insert into bench_tenants values ($1, $2, $3)")
            .bind(tenant)
            .bind(first)
            .bind(first + n - 1)
            .execute(&mut *su)
            .await?;
        first += n;
    }
    // b: the profile's own base, uneven (u^1.5 favours the first); c, d: two of its nearest
    // bases to move towards, by wc and wd (times the spread); n1, n2: its random directions. A
    // duplicate takes the previous profile's seed.
    sqlx::query(
        "create temp table synth as \
         select g, t.tenant_id, md5('p' || g)::uuid as id, md5('m' || g)::uuid as mask_id, md5('d' || g)::uuid as doc_id, \
           floor($1 * power(((hashint8(seed) & 2147483647) % 1000003) / 1000003.0, 1.5))::int as b, \
           ((hashint8(seed * 3) & 2147483647) % 32)::int as c, \
           ((hashint8(seed * 5) & 2147483647) % 32)::int as d, \
           ((hashint8(seed * 7) & 2147483647) % 1000) / 1000.0 as wc, \
           ((hashint8(seed * 11) & 2147483647) % 1000) / 1000.0 as wd, \
           ((hashint8(seed * 17) & 2147483647) % $4)::int as n1, \
           ((hashint8(seed * 19) & 2147483647) % $4)::int as n2 \
         from (select g, case when g > 1 and (hashint8(g * 13) & 2147483647) % 100 < $3 then g - 1 else g end as seed \
               from generate_series(1, $2) g) s \
         join bench_tenants t on s.g between t.first and t.last",
    )
    .bind(bases.len() as i64)
    .bind(first - 1)
    .bind(DUPLICATE_PERCENT)
    .bind(NOISE_VECTORS)
    .execute(&mut *su)
    .await?;
    su.execute("analyze synth").await?;
    Ok(())
}

/// The embeddings of `texts`, in batches.
async fn embed_all(embedder: &LocalEmbedder, texts: Vec<String>) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut vectors = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(256) {
        vectors.extend(embedder.embed(chunk.to_vec()).await?);
    }
    Ok(vectors)
}

/// The profiles, masks, documents and embeddings of `synth`, the indexes dropped meanwhile.
///
/// Rows go in in profile order, as a service's arrive (people of one occupation sign up at
/// different times): a join's order groups them by base, and an HNSW graph built over rows
/// grouped by occupation links each group mostly within itself (at 100k, recall@10 at
/// ef_search 200 was 0.897 grouped against 0.963 in arrival order).
async fn insert(su: &mut PgConnection, shape: Shape) -> anyhow::Result<()> {
    let statements = [
        "insert into vitae.profiles (tenant_id, id, slug, external_id, display_name, headline, summary, location, country, tags, availability) \
         select s.tenant_id, s.id, 'p-' || s.g, 'synth-' || s.g, 'Person ' || s.g, b.headline, b.summary, b.location, b.country, \
           array_remove(array[case when s.g % 10 = 0 then 'sel10' end, case when s.g % 100 = 0 then 'sel1' end], null), \
           (array['open', 'not_looking', 'open_to_contract'])[1 + s.g % 3] \
         from synth s join bases b on b.i = s.b order by s.g",
        "insert into vitae.masks (tenant_id, id, profile_id, slug, name, is_default, config) \
         select s.tenant_id, s.mask_id, s.id, 'public', 'Public', true, '{}' from synth s order by s.g",
        // The document as the service writes one: name, headline and roles (A), skills and tags
        // (B), what the roles were and where (C), summary (D).
        "insert into vitae.search_documents (tenant_id, id, profile_id, mask_id, mask_slug, is_default, text_a, text_b, text_c, text_d, \
           skills, tags, country, availability, years_experience, years_counted_on, profile_updated_at, card, content_hash) \
         select s.tenant_id, s.doc_id, s.id, s.mask_id, 'public', true, \
           concat_ws(E'\\n', p.display_name, p.headline, array_to_string(b.titles, E'\\n')), \
           array_to_string(b.skills || p.tags, E'\\n'), concat_ws(E'\\n', array_to_string(b.details, E'\\n'), b.location), \
           p.summary, (select coalesce(array_agg(distinct lower(k)), '{}') from unnest(b.skills) k), p.tags, p.country, \
           p.availability, (s.g % 30)::real, current_date, now(), \
           jsonb_build_object('slug', p.slug, 'display_name', p.display_name, 'headline', p.headline, \
             'location', p.location, 'country', p.country, 'availability', p.availability), sha256(s.g::text::bytea) \
         from synth s join bases b on b.i = s.b join vitae.profiles p on p.tenant_id = s.tenant_id and p.id = s.id \
         order by s.g",
    ];
    // Indexes are built once after the rows are in (far faster than row by row); constraints'
    // own indexes stay.
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "select indexname::text, indexdef from pg_indexes where schemaname = 'vitae' \
           and tablename in ('profiles', 'masks', 'search_documents', 'document_embeddings') \
           and indexname not in (select conname from pg_constraint)",
    )
    .fetch_all(&mut *su)
    .await?;
    for (name, _) in &indexes {
        su.execute(sqlx::AssertSqlSafe(format!("drop index vitae.{name}"))).await?;
    }
    for statement in statements {
        let started = std::time::Instant::now();
        su.execute(statement).await?;
        println!("  {:.1}s {}", started.elapsed().as_secs_f64(), &statement[..statement.find('(').unwrap_or(30).min(60)]);
    }
    let started = std::time::Instant::now();
    // pgvector multiplies element-wise: each weight as a vector of 384 equal elements.
    sqlx::query(
        "insert into vitae.document_embeddings (tenant_id, document_id, is_default, model_id, embedding) \
         select s.tenant_id, s.doc_id, true, 'all-MiniLM-L6-v2', l2_normalize(b.embedding \
           + c.embedding * array_fill((s.wc * $2)::real, array[384])::vector \
           + d.embedding * array_fill((s.wd * $2)::real, array[384])::vector \
           + (n1.embedding + n2.embedding) * array_fill(($1 / sqrt(2))::real, array[384])::vector) \
         from synth s join bases b on b.i = s.b \
           join base_near nc on nc.i = s.b and nc.rank = s.c join bases c on c.i = nc.j \
           join base_near nd on nd.i = s.b and nd.rank = s.d join bases d on d.i = nd.j \
           join noise n1 on n1.i = s.n1 join noise n2 on n2.i = s.n2 \
         order by s.g",
    )
    .bind(shape.noise)
    .bind(shape.spread)
    .execute(&mut *su)
    .await?;
    println!("  {:.1}s embeddings", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    su.execute("set maintenance_work_mem = '2GB'").await?;
    for (_, definition) in &indexes {
        su.execute(sqlx::AssertSqlSafe(definition.clone())).await?;
    }
    println!("  {:.1}s {} indexes", started.elapsed().as_secs_f64(), indexes.len());
    Ok(())
}

/// Each profile's passages: its base's, each moved as the profile's document was moved from
/// its base (towards neighbouring jobs, and by its random directions), so a person's aspects
/// stay as close to their document as the base's are to the base's.
async fn insert_passages(su: &mut PgConnection) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    su.execute(
        "insert into vitae.document_passages (tenant_id, document_id, ordinal, passage, embedding) \
         select s.tenant_id, s.doc_id, p.ordinal, p.passage, l2_normalize(p.embedding + (e.embedding - b.embedding)) \
         from synth s join base_passages p on p.i = s.b join bases b on b.i = s.b \
           join vitae.document_embeddings e on e.tenant_id = s.tenant_id and e.document_id = s.doc_id \
         order by s.g, p.ordinal",
    )
    .await?;
    println!("  {:.1}s passages", started.elapsed().as_secs_f64());
    Ok(())
}

async fn finish(su: &mut PgConnection) -> anyhow::Result<()> {
    su.execute("drop table synth; drop table base_near; drop table noise; drop table base_passages").await?;
    for table in ["profiles", "masks", "search_documents", "document_embeddings", "document_passages", "keyword_terms"] {
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
                    order by md5(document_id::text) limit 4000), \
              half as (select count(*) / 2 as h from s) \
         select avg(1 - (a.embedding <=> b.embedding)), stddev(1 - (a.embedding <=> b.embedding)) \
         from s a cross join half join s b on b.r = a.r + half.h",
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
