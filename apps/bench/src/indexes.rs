//! The vector index table: IVFFlat and HNSW, over full-precision `vector` and over `halfvec`
//! (an expression index on `embedding::halfvec(384)`: half the bytes per row scanned, the table
//! unchanged), each built on the bench's rows and measured as the raw SQL of the semantic leg:
//! build time, size, and per search setting recall@10 (by distance, on real query texts and on
//! points between stored profiles) and latency at one client.
//!
//! Each variant is built inside a transaction that first drops the service's own index and is
//! rolled back afterwards, so no other index can serve the query and the service's comes back.
//! Run last: the transaction locks the table meanwhile.

use std::time::Instant;

use pgvector::Vector;
use sqlx::{Acquire, Executor, PgConnection};
use uuid::Uuid;
use vitae_repository::ann::midpoint;

use crate::stats::{Recall, ms, summarise};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compare {
    /// Every variant.
    All,
    /// IVFFlat only (HNSW builds take long at a million rows on two cores).
    Ivfflat,
}

struct Variant {
    kind: &'static str,
    storage: &'static str,
    /// `using ...` of CREATE INDEX.
    using: String,
    /// The semantic leg's ORDER BY for it.
    order: &'static str,
    setting: &'static str,
    values: &'static [i32],
}

fn variants(rows: i64, compare: Compare) -> Vec<Variant> {
    let lists = vitae_repository::ann::lists_for(rows);
    const FULL: &str = "embedding <=> $1";
    const HALF: &str = "embedding::halfvec(384) <=> $1::halfvec(384)";
    const PROBES: &[i32] = &[1, 3, 5, 10, 20, 40];
    const EF: &[i32] = &[40, 100, 200, 400, 800];
    let mut out = vec![
        Variant {
            kind: "ivfflat",
            storage: "vector",
            using: format!("ivfflat (embedding vector_cosine_ops) with (lists = {lists})"),
            order: FULL,
            setting: "ivfflat.probes",
            values: PROBES,
        },
        Variant {
            kind: "ivfflat",
            storage: "halfvec",
            using: format!("ivfflat ((embedding::halfvec(384)) halfvec_cosine_ops) with (lists = {lists})"),
            order: HALF,
            setting: "ivfflat.probes",
            values: PROBES,
        },
    ];
    if compare == Compare::All {
        out.push(Variant {
            kind: "hnsw",
            storage: "vector",
            using: "hnsw (embedding vector_cosine_ops) with (m = 16, ef_construction = 64)".into(),
            order: FULL,
            setting: "hnsw.ef_search",
            values: EF,
        });
        out.push(Variant {
            kind: "hnsw",
            storage: "halfvec",
            using: "hnsw ((embedding::halfvec(384)) halfvec_cosine_ops) with (m = 16, ef_construction = 64)".into(),
            order: HALF,
            setting: "hnsw.ef_search",
            values: EF,
        });
    }
    out
}

/// Prints the table. `queries`: real query texts' vectors; the tenant's rows are searched.
pub async fn compare(
    su: &mut PgConnection,
    tenant: Uuid,
    queries: &[Vector],
    compare: Compare,
    maintenance_work_mem: &str,
) -> anyhow::Result<()> {
    let rows: i64 = sqlx::query_scalar("select count(*) from vitae.document_embeddings").fetch_one(&mut *su).await?;
    // Points between two stored profiles (queries never sit on a stored document).
    let stored: Vec<Vector> = sqlx::query_scalar(
        "select embedding from vitae.document_embeddings where tenant_id = $1 and is_default order by md5('q' || document_id::text) limit 60",
    )
    .bind(tenant)
    .fetch_all(&mut *su)
    .await?;
    let between: Vec<Vector> = stored.chunks_exact(2).map(|p| midpoint(&p[0], &p[1])).collect();
    let sets = [("texts", queries.to_vec()), ("between", between)];
    let mut exact: Vec<Vec<Vec<f64>>> = Vec::new();
    for (_, vectors) in &sets {
        let mut per = Vec::new();
        for v in vectors {
            per.push(nearest(&mut *su, tenant, v, "(embedding <=> $1) + 0").await?);
        }
        exact.push(per);
    }
    let service_index: Option<String> =
        sqlx::query_scalar("select index_name from vitae.ann_index_state").fetch_optional(&mut *su).await?;
    println!(
        "\nvector indexes on these {rows} rows (raw SQL of the semantic leg, limit 10, 1 client; recall by distance on {} real query texts / {} points between profiles)",
        sets[0].1.len(),
        sets[1].1.len()
    );
    println!("  index    storage  build s     size  setting            recall texts  recall between  p50 ms  p95 ms");
    for variant in variants(rows, compare) {
        let mut tx = su.begin().await?;
        tx.execute(sqlx::AssertSqlSafe(format!("set local maintenance_work_mem = '{maintenance_work_mem}'"))).await?;
        if let Some(name) = &service_index {
            tx.execute(sqlx::AssertSqlSafe(format!("drop index if exists vitae.{name}"))).await?;
        }
        let started = Instant::now();
        tx.execute(sqlx::AssertSqlSafe(format!(
            "create index bench_compare on vitae.document_embeddings using {}",
            variant.using
        )))
        .await?;
        let build = started.elapsed().as_secs_f64();
        let size: String =
            sqlx::query_scalar("select pg_size_pretty(pg_relation_size('vitae.bench_compare'))").fetch_one(&mut *tx).await?;
        for value in variant.values {
            tx.execute(sqlx::AssertSqlSafe(format!("set local {} = {value}", variant.setting))).await?;
            let mut recalls = Vec::new();
            let mut latencies = Vec::new();
            for ((_, vectors), truth) in sets.iter().zip(&exact) {
                let mut recall = Recall::default();
                for (v, truth) in vectors.iter().zip(truth) {
                    let started = Instant::now();
                    let got = nearest(&mut tx, tenant, v, variant.order).await?;
                    latencies.push(started.elapsed());
                    recall.add(truth, &got);
                }
                recalls.push(recall.value());
            }
            let s = summarise(latencies);
            println!(
                "  {:<8} {:<8} {build:>7.1} {size:>8}  {:<18} {:>12.3} {:>15.3} {:>7.2} {:>7.2}",
                variant.kind,
                variant.storage,
                format!("{} {value}", variant.setting),
                recalls[0],
                recalls[1],
                ms(s.p50),
                ms(s.p95)
            );
        }
        tx.rollback().await?;
    }
    Ok(())
}

/// The distances of the 10 nearest of the tenant's default documents, ordered by `order`
/// (an expression of `embedding` and `$1`).
async fn nearest(conn: &mut PgConnection, tenant: Uuid, v: &Vector, order: &str) -> anyhow::Result<Vec<f64>> {
    let statement = format!(
        "select (embedding <=> $1)::float8 from vitae.document_embeddings where tenant_id = $2 and is_default \
         order by {order} limit 10"
    );
    let mut distances: Vec<f64> = sqlx::query_scalar(sqlx::AssertSqlSafe(statement)).bind(v).bind(tenant).fetch_all(conn).await?;
    distances.sort_by(f64::total_cmp);
    Ok(distances)
}
