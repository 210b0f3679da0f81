//! Search through HTTP: the legs find what each is good at and hybrid loses neither; filters fill
//! pages through the IVFFlat index; facets and cursors are exact; masks and tenants hold; odd
//! queries get answers, bad ones clear errors.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};
use uuid::Uuid;
use vitae_repository::TenantTx;
use vitae_repository::ann::{IndexKind, VectorStorage};
use vitae_search::eval::{EvalSet, Scores, score};
use vitae_tests::search::{external_ids, import, search};
use vitae_tests::{Tenant, TestApp, TestDb, expect_json, expect_problem, problem_fields};

const DEMO: &str = include_str!("../../demo/profiles.ndjson");
const DEMO_LABELS: &str = include_str!("../../demo/eval.json");

/// Loads the 200 demo profiles through the import endpoint.
async fn load_demo(app: &TestApp, tenant: &Tenant) {
    import(app, tenant, DEMO).await;
}

fn ids(page: &Value) -> Vec<String> {
    page["hits"].as_array().unwrap().iter().map(|h| h["profile_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn each_leg_finds_what_it_is_for_and_hybrid_never_does_worse_than_the_better_leg() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("demo").await;
    load_demo(&app, &tenant).await;
    let external = external_ids(&app).await;
    let labels: EvalSet = serde_json::from_str(DEMO_LABELS).unwrap();

    // (kind, mode) → mean scores
    let mut means: HashMap<(String, &str), Scores> = HashMap::new();
    for labelled in &labels.queries {
        let relevant: HashSet<String> = labelled.relevant.iter().cloned().collect();
        for mode in ["hybrid", "semantic", "keyword"] {
            let page = search(&app, &tenant.read, json!({"q": labelled.query, "mode": mode, "limit": 10, "facets": false})).await;
            let ranked: Vec<String> = ids(&page).iter().map(|id| external[id].clone()).collect();
            let s = score(&ranked, &relevant);
            for kind in [labelled.kind.clone(), "all".to_owned()] {
                means.entry((kind, mode)).or_default().add(s);
            }
        }
    }
    let get = |kind: &str, mode: &str| {
        let s = means[&(kind.to_owned(), mode)].mean();
        (s.hit, s.mrr, s.ndcg)
    };

    // Synonyms and paraphrases ("heart doctor" for cardiologists): the model finds them, the
    // words do not.
    // Graded keyword matching finds some by a shared word ("heart"), well behind.
    let (sem_hit, sem_mrr, _) = get("semantic", "semantic");
    let (kw_hit, kw_mrr, _) = get("semantic", "keyword");
    assert!(sem_hit >= 0.9, "semantic hit@10 on paraphrases: {sem_hit}");
    assert!(kw_hit < sem_hit && kw_mrr + 0.2 < sem_mrr, "keyword on paraphrases: hit@10 {kw_hit}, MRR@10 {kw_mrr}");
    // Rare names and codes: the words find them first; the model blurs them.
    let (_, kw_mrr, _) = get("keyword", "keyword");
    let (_, sem_mrr, _) = get("keyword", "semantic");
    assert!(kw_mrr >= 0.95, "keyword MRR@10 on exact terms: {kw_mrr}");
    assert!(sem_mrr <= 0.7, "semantic MRR@10 on exact terms: {sem_mrr}");
    // Hybrid finds both, and on every kind of query is at least as good as the better leg.
    for kind in ["semantic", "keyword", "mixed", "all"] {
        let (h_hit, h_mrr, h_ndcg) = get(kind, "hybrid");
        let (s_hit, s_mrr, s_ndcg) = get(kind, "semantic");
        let (k_hit, k_mrr, k_ndcg) = get(kind, "keyword");
        let eps = 1e-9;
        assert!(h_hit + eps >= s_hit.max(k_hit), "{kind}: hit@10 hybrid {h_hit} vs {s_hit}/{k_hit}");
        assert!(h_mrr + eps >= s_mrr.max(k_mrr), "{kind}: MRR@10 hybrid {h_mrr} vs {s_mrr}/{k_mrr}");
        assert!(h_ndcg + eps >= s_ndcg.max(k_ndcg), "{kind}: nDCG@10 hybrid {h_ndcg} vs {s_ndcg}/{k_ndcg}");
    }
}

#[tokio::test]
async fn filtered_searches_fill_their_page_through_the_ivfflat_index() {
    filtered_searches_fill_their_page_through(IndexKind::IvfFlat, VectorStorage::Vector).await;
}

#[tokio::test]
async fn filtered_searches_fill_their_page_through_the_hnsw_index() {
    filtered_searches_fill_their_page_through(IndexKind::Hnsw, VectorStorage::Vector).await;
}

#[tokio::test]
async fn filtered_searches_fill_their_page_through_an_hnsw_index_over_half_precision() {
    filtered_searches_fill_their_page_through(IndexKind::Hnsw, VectorStorage::Halfvec).await;
}

#[tokio::test]
async fn filtered_searches_fill_their_page_through_an_ivfflat_index_over_half_precision() {
    filtered_searches_fill_their_page_through(IndexKind::IvfFlat, VectorStorage::Halfvec).await;
}

/// How many scans the index has served, as PostgreSQL's statistics count them (each server
/// backend reports its own within a second or so).
async fn index_scans(conn: &mut sqlx::PgConnection, index: &str) -> i64 {
    sqlx::query_scalar("select coalesce(sum(idx_scan), 0)::int8 from pg_stat_all_indexes where indexrelname = $1")
        .bind(index)
        .fetch_one(conn)
        .await
        .unwrap()
}

async fn filtered_searches_fill_their_page_through(kind: IndexKind, storage: VectorStorage) {
    // Force the index path for every filter (exact ranking only below 5 matching rows, whatever
    // ranking exactly would cost) and the fewest probes, so only iterative scanning can fill a
    // filtered page.
    // No relevance cutoff and no passage rescoring: the pages are compared with an exact scan of
    // the documents' own vectors.
    let app = TestApp::spawn_with(|c| {
        c.search_exact_max_rows = 5;
        c.search_visit_cost = 0.0;
        c.search_probes = Some(1);
        c.search_min_similarity = 0.0;
        c.search_passage_weight = 0.0;
        c.ann_index = kind;
        c.ann_storage = storage;
    })
    .await;
    let tenant = app.tenant("demo").await;
    load_demo(&app, &tenant).await;
    // IVFFlat lists, or HNSW m.
    let options =
        vitae_repository::ann::BuildOptions { kind, storage, lists: Some(20), ef_construction: 48, ..Default::default() };
    let built = vitae_repository::ann::build(&app.db.owner_pool(), &options).await.unwrap().unwrap();
    assert_eq!((built.kind.as_str(), built.storage.as_str(), built.lists), (kind.as_str(), storage.as_str(), 20));
    let mut conn = app.db.connect_as_superuser().await;
    let definition: String = sqlx::query_scalar("select indexdef from pg_indexes where indexname = $1")
        .bind(&built.index_name)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let operators = match storage {
        VectorStorage::Vector => "(embedding vector_cosine_ops)",
        VectorStorage::Halfvec => "(((embedding)::halfvec(384)) halfvec_cosine_ops)",
    };
    assert!(definition.contains(operators), "{definition}");
    let reloptions: Vec<String> = sqlx::query_scalar("select unnest(reloptions) from pg_class where relname = $1")
        .bind(&built.index_name)
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let expected: &[&str] = match kind {
        IndexKind::Hnsw => &["m=20", "ef_construction=48"],
        IndexKind::IvfFlat => &["lists=20"],
    };
    assert_eq!(reloptions, expected, "the build's parameters");
    // Calibrating again keeps the index and finds the same setting on the same rows.
    // HNSW builds calibrate the passages' walk on its own; IVFFlat indexes no passages.
    assert_eq!(built.passage_probes.is_some(), kind == IndexKind::Hnsw, "{built:?}");
    assert_eq!(built.passage_recall.is_some(), kind == IndexKind::Hnsw, "{built:?}");
    sqlx::query(
        "update vitae.ann_index_state set probes = 999, measured_recall = null, passage_probes = 999, passage_recall = null",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let again = vitae_repository::ann::recalibrate(&app.db.owner_pool(), &options).await.unwrap().unwrap();
    assert_eq!(
        (again.index_name.as_str(), again.probes, again.measured_recall, again.build_ms),
        (built.index_name.as_str(), built.probes, built.measured_recall, built.build_ms)
    );
    assert_eq!((again.passage_probes, again.passage_recall), (built.passage_probes, built.passage_recall));

    // The admin view refreshes the service's idea of the index.
    expect_problem(app.get("/v1/admin/search-index", &tenant.read).send().await.unwrap(), 403, "forbidden").await;
    let index = expect_json(app.get("/v1/admin/search-index", &tenant.admin).send().await.unwrap(), 200).await;
    assert_eq!(
        (index["state"].as_str(), index["kind"].as_str(), index["storage"].as_str(), index["lists"].as_i64()),
        (Some("ready"), Some(kind.as_str()), Some(storage.as_str()), Some(20))
    );
    let scans_before = index_scans(&mut conn, &built.index_name).await;
    assert_eq!(index["probes"], 1);

    // Query vector for an exact answer computed here.
    let model = vitae_embed::local::MiniLm::load(&vitae_tests::pg_tools::model_dir()).unwrap();
    let query = "engineer who builds reliable backend systems";
    let vector = pgvector::Vector::from(model.embed(&[query]).unwrap().remove(0));

    for (country, matching) in [("DE", 18usize), ("FR", 12), ("PL", 10), ("JP", 4)] {
        let page = search(
            &app,
            &tenant.read,
            json!({"q": query, "mode": "semantic", "limit": 10, "explain": true, "filters": {"country": [country]}}),
        )
        .await;
        let expected_path = if matching > 5 { "ann" } else { "exact" };
        assert_eq!(page["plan"]["semantic"], expected_path, "{country}");
        assert_eq!(page["hits"].as_array().unwrap().len(), matching.min(10), "{country}: a full page");
        assert!(page["hits"].as_array().unwrap().iter().all(|h| h["country"] == country));
        let exact: Vec<Uuid> = sqlx::query_scalar(
            "select d.profile_id from vitae.document_embeddings e join vitae.search_documents d on d.id = e.document_id \
             where e.is_default and d.country = $2 order by (e.embedding <=> $1) + 0, d.id limit 10",
        )
        .bind(&vector)
        .bind(country)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let exact: Vec<String> = exact.iter().map(Uuid::to_string).collect();
        assert_eq!(ids(&page), exact, "{country}: the same ten, in the same order, as an exact scan");
    }

    // Unfiltered, through the index with one probe of twenty: still a full page.
    let page = search(&app, &tenant.read, json!({"q": query, "mode": "semantic", "limit": 50, "explain": true})).await;
    assert_eq!(page["plan"]["semantic"], "ann");
    assert_eq!(page["hits"].as_array().unwrap().len(), 50);
    // And the index itself served those searches: the planner, left to itself, sorts a few
    // hundred rows instead (so would a statement ordering by another expression than the
    // index's), with the same answers.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while index_scans(&mut conn, &built.index_name).await <= scans_before {
        assert!(std::time::Instant::now() < deadline, "the searches did not go through {}", built.index_name);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // A tenant at or under the threshold, in the same shared index, unfiltered: ranked exactly
    // (the index would scan list after list for its few rows), every profile on the page.
    let tiny = app.tenant("tiny").await;
    for headline in ["Backend engineer", "Pastry chef", "Tax accountant"] {
        app.create_profile(&tiny, json!({"display_name": headline, "headline": headline})).await;
    }
    let page = search(&app, &tiny.read, json!({"q": query, "mode": "semantic", "limit": 10, "explain": true})).await;
    assert_eq!(page["plan"]["semantic"], "exact", "{page:#}");
    assert_eq!(page["hits"].as_array().unwrap().len(), 3);
    assert_eq!(page["hits"][0]["display_name"], "Backend engineer");
    let page = search(&app, &tenant.read, json!({"q": query, "mode": "semantic", "limit": 10, "explain": true})).await;
    assert_eq!(page["plan"]["semantic"], "ann", "the bigger tenant still uses the index");

    // Rebuild on demand: admin only; accepted, then ready with a new index.
    for key in [&tenant.read, &tenant.write] {
        let response = app.post("/v1/admin/search-index:rebuild", key, &json!({})).send().await.unwrap();
        expect_problem(response, 403, "forbidden").await;
    }
    let response = app.http.get(app.url("/v1/admin/search-index")).send().await.unwrap();
    expect_problem(response, 401, "unauthorized").await;
    let started =
        expect_json(app.post("/v1/admin/search-index:rebuild", &tenant.admin, &json!({})).send().await.unwrap(), 202).await;
    assert_eq!(started["state"], "building");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let index = expect_json(app.get("/v1/admin/search-index", &tenant.admin).send().await.unwrap(), 200).await;
        if index["state"] == "ready" && index["built_at"] != built.built_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true) {
            assert_eq!((index["kind"].as_str(), index["storage"].as_str()), (Some(kind.as_str()), Some(storage.as_str())));
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the rebuild did not finish: {index}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let indexes: i64 = sqlx::query_scalar("select count(*) from pg_indexes where indexname like 'document_embeddings_ann_%'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(indexes, 1, "the old index is dropped");
    let page = search(&app, &tenant.read, json!({"q": query, "filters": {"country": ["DE"]}})).await;
    assert_eq!(page["hits"].as_array().unwrap().len(), 10);

    // Without an index there is nothing to calibrate.
    vitae_repository::ann::drop_index(&app.db.owner_pool()).await.unwrap();
    let none = vitae_repository::ann::recalibrate(&app.db.owner_pool(), &options).await;
    assert!(matches!(none, Err(vitae_repository::RepoError::NotFound)), "{none:?}");
}

#[tokio::test]
async fn an_edited_profile_moves_between_filters_at_once_on_both_vector_paths() {
    // The semantic leg filters the embeddings' own copies of their documents' filter columns:
    // an edit must move a profile between filters in its own transaction, whether the filter is
    // ranked exactly (at most 5 rows here) or through the index.
    let app = TestApp::spawn_with(|c| {
        c.search_exact_max_rows = 5;
        c.search_visit_cost = 0.0;
        c.search_min_similarity = 0.0;
        c.ann_index = IndexKind::Hnsw;
    })
    .await;
    let tenant = app.tenant("demo").await;
    load_demo(&app, &tenant).await;
    let options = vitae_repository::ann::BuildOptions { kind: IndexKind::Hnsw, ..Default::default() };
    vitae_repository::ann::build(&app.db.owner_pool(), &options).await.unwrap().unwrap();
    expect_json(app.get("/v1/admin/search-index", &tenant.admin).send().await.unwrap(), 200).await;
    let semantic = |filters: Value| {
        json!({"q": "engineer who builds reliable backend systems", "mode": "semantic", "limit": 50,
               "explain": true, "filters": filters})
    };

    let germany = search(&app, &tenant.read, semantic(json!({"country": ["DE"]}))).await;
    assert_eq!((germany["plan"]["semantic"].as_str(), ids(&germany).len()), (Some("ann"), 18));
    let moved = ids(&germany)[0].clone();
    let response = app.patch(&format!("/v1/profiles/{moved}"), &tenant.write, &json!({"country": "JP", "tags": ["relocated"]}));
    expect_json(response.send().await.unwrap(), 200).await;

    let japan = search(&app, &tenant.read, semantic(json!({"country": ["JP"]}))).await;
    assert_eq!(japan["plan"]["semantic"], "exact");
    assert_eq!(ids(&japan).len(), 5, "four Japanese profiles and the one that moved");
    assert!(ids(&japan).contains(&moved));
    assert!(japan["hits"].as_array().unwrap().iter().all(|h| h["country"] == "JP"));
    let germany = search(&app, &tenant.read, semantic(json!({"country": ["DE"]}))).await;
    assert_eq!(germany["plan"]["semantic"], "ann");
    assert_eq!(ids(&germany).len(), 17);
    assert!(!ids(&germany).contains(&moved), "gone from the index path's filter too");
    let tagged = search(&app, &tenant.read, semantic(json!({"tags": ["relocated"]}))).await;
    assert_eq!(ids(&tagged), [moved]);

    // Every embedding's copies equal its document's columns.
    let mut conn = app.db.connect_as_superuser().await;
    let differing: i64 = sqlx::query_scalar(
        "select count(*) from vitae.document_embeddings e join vitae.search_documents d on d.id = e.document_id \
         where (e.profile_id, e.mask_slug, e.is_default, e.skills, e.tags, e.country, e.availability, \
                e.years_experience, e.experience_ongoing, e.years_counted_on, e.profile_updated_at) \
           is distinct from (d.profile_id, d.mask_slug, d.is_default, d.skills, d.tags, d.country, d.availability, \
                d.years_experience, d.experience_ongoing, d.years_counted_on, d.profile_updated_at)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(differing, 0);
}

#[tokio::test]
async fn facets_count_the_candidate_set_and_the_cursor_pages_through_it_exactly() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("demo").await;
    load_demo(&app, &tenant).await;
    let mut conn = app.db.connect_as_superuser().await;

    // Keyword mode: the candidate set is every matching document, so SQL can count it alone.
    let q = "engineer";
    let filters = json!({"availability": ["open", "not_looking"]});
    let page = search(&app, &tenant.read, json!({"q": q, "mode": "keyword", "filters": filters, "limit": 5})).await;
    let counts: Vec<(String, i64)> = sqlx::query_as(
        "select country, count(*) from vitae.search_documents \
         where tenant_id = $1 and is_default and availability = any('{open,not_looking}') \
           and tsv @@ websearch_to_tsquery('vitae.english_unaccent', $2) and country is not null group by country",
    )
    .bind(tenant.id)
    .bind(q)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let sql: HashMap<String, i64> = counts.into_iter().collect();
    let total: i64 = sqlx::query_scalar(
        "select count(*) from vitae.search_documents where tenant_id = $1 and is_default \
         and availability = any('{open,not_looking}') and tsv @@ websearch_to_tsquery('vitae.english_unaccent', $2)",
    )
    .bind(tenant.id)
    .bind(q)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(total > 20, "the query matches a good share of the demo: {total}");
    assert_eq!(page["total"], total);
    let facets: HashMap<String, i64> = page["facets"]["country"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_str().unwrap().to_owned(), f["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(facets, sql);
    let availability: i64 = page["facets"]["availability"].as_array().unwrap().iter().map(|f| f["count"].as_i64().unwrap()).sum();
    assert_eq!(availability, total);

    // Hybrid: paging by cursor gives exactly the rows of one large page, then the rest.
    let body = json!({"q": "data engineer with spark", "limit": 100, "facets": false});
    let large = search(&app, &tenant.read, body.clone()).await;
    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = body.clone();
        request["limit"] = json!(7);
        if let Some(c) = &cursor {
            request["cursor"] = json!(c);
        }
        let page = search(&app, &tenant.read, request).await;
        assert_eq!(page["total"], large["total"]);
        paged.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let total = large["total"].as_u64().unwrap() as usize;
    assert!(total > 20, "several pages of 7: {total}");
    assert_eq!(paged.len(), total, "no gaps, nothing twice");
    assert_eq!(paged.iter().collect::<HashSet<_>>().len(), total);
    assert_eq!(paged[..total.min(100)], ids(&large)[..], "the pages equal the large page");
    let scores: Vec<f64> = large["hits"].as_array().unwrap().iter().map(|h| h["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "ordered by score");

    // min_score cuts the list; the cursor belongs to its query.
    let cut = search(&app, &tenant.read, json!({"q": "data engineer with spark", "limit": 100, "min_score": scores[9]})).await;
    assert!(cut["hits"].as_array().unwrap().iter().all(|h| h["score"].as_f64().unwrap() >= scores[9]));
    assert!(cut["total"].as_u64().unwrap() >= 10 && cut["total"].as_u64().unwrap() < total as u64);
    let first = search(&app, &tenant.read, json!({"q": "data engineer with spark", "limit": 5})).await;
    let other = json!({"q": "pastry chef", "cursor": first["next_cursor"]});
    let problem =
        expect_problem(app.post("/v1/search", &tenant.read, &other).send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), vec!["cursor"]);
    let forged = json!({"q": "x", "cursor": "not-a-cursor"});
    let problem =
        expect_problem(app.post("/v1/search", &tenant.read, &forged).send().await.unwrap(), 422, "validation_failed").await;
    assert_eq!(problem_fields(&problem), vec!["cursor"]);
}

#[tokio::test]
async fn a_word_only_in_a_hidden_field_never_matches_and_other_tenants_never_appear() {
    let app = TestApp::spawn().await;
    let acme = app.tenant("acme").await;
    let rival = app.tenant("rival").await;
    let profile = app
        .create_profile(
            &acme,
            json!({
                "display_name": "Ida Quill", "headline": "Backend engineer",
                "summary": "Maintains the zorblaxian ledger.", "location": "Quorvathburg", "country": "IS",
                "tags": ["glubdubdrib"],
                "experiences": [
                    {"title": "Engineer", "organization": "Luggnaggian Works", "description": "Built the balnibarbi engine.",
                     "start_date": "2015-01-01", "end_date": "2019-01-01", "tags": ["kept"]},
                    {"title": "Yahoovian strategist", "organization": "Houyhnco", "start_date": "2019-02-01", "tags": ["dropped"]}
                ],
                "skills": [{"name": "Laputan", "category": "secret"}, {"name": "Rust", "category": "languages"}],
                "masks": [
                    {"name": "Open", "config": {}},
                    {"name": "Closed", "config": {
                        "hide": ["location", "country", "organizations", "summary", "tags", "experience_descriptions"],
                        "experience_tags": ["kept"], "skill_categories": ["languages"]}}
                ]
            }),
        )
        .await;
    let id = profile["id"].as_str().unwrap();
    app.create_profile(&acme, json!({"display_name": "Oli Baker", "headline": "Pastry chef"})).await;
    let theirs = app
        .create_profile(
            &rival,
            json!({"display_name": "Ida Quell", "headline": "Backend engineer",
            "summary": "Maintains the zorblaxian ledger.", "skills": [{"name": "Rust"}]}),
        )
        .await;
    let theirs_id = theirs["id"].as_str().unwrap();

    for word in ["zorblaxian", "quorvathburg", "glubdubdrib", "luggnaggian", "balnibarbi", "yahoovian", "houyhnco", "laputan"] {
        // Positive control: the open persona shows the word and keyword search finds it there.
        let open = search(&app, &acme.read, json!({"q": word, "mode": "keyword", "mask": "open"})).await;
        assert_eq!(ids(&open), vec![id.to_owned()], "{word} through the open mask");
        for mode in ["keyword", "hybrid", "semantic"] {
            let closed = search(&app, &acme.read, json!({"q": word, "mode": mode, "mask": "closed", "explain": true})).await;
            for hit in closed["hits"].as_array().unwrap() {
                assert!(hit["explain"].get("keyword").is_none(), "{word} matched the closed persona's words ({mode})");
                assert!(!hit.to_string().to_lowercase().contains(word), "{word} shown through the closed mask ({mode})");
            }
        }
    }
    // The other tenant's near-twin never appears, whatever the mode or persona.
    for mode in ["keyword", "hybrid", "semantic"] {
        for mask in [json!(null), json!("all")] {
            let mut body = json!({"q": "zorblaxian ledger backend engineer", "mode": mode, "limit": 100});
            if !mask.is_null() {
                body["mask"] = mask.clone();
            }
            let page = search(&app, &acme.read, body).await;
            assert!(!ids(&page).contains(&theirs_id.to_owned()), "{mode} {mask}");
            let page = search(&app, &rival.read, json!({"q": "zorblaxian", "mode": mode})).await;
            assert_eq!(ids(&page), vec![theirs_id.to_owned()], "{mode}: the rival sees only its own");
        }
    }
    // Similar profiles of another tenant's id: 404, like an unknown id.
    let response = app.get(&format!("/v1/profiles/{theirs_id}/similar"), &acme.read).send().await.unwrap();
    expect_problem(response, 404, "not_found").await;
}

#[tokio::test]
async fn odd_queries_get_answers_and_bad_ones_name_the_field() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let rhea = app
        .create_profile(
            &tenant,
            json!({"display_name": "Rhea Stone", "headline": "Senior Rust engineer",
            "summary": "Builds payment systems in Rust and PostgreSQL.", "skills": [{"name": "Rust"}]}),
        )
        .await;
    app.create_profile(
        &tenant,
        json!({"display_name": "Paco Lumen", "headline": "Pastry chef", "skills": [{"name": "Croissants"}]}),
    )
    .await;

    // 512 characters: answered.
    let long = "rust ".repeat(103)[..512].to_owned();
    let page = search(&app, &tenant.read, json!({"q": long})).await;
    assert_eq!(ids(&page)[0], rhea["id"].as_str().unwrap());
    // Only stop words or punctuation: the keyword leg has nothing to match, and says so.
    for q in ["the and of", "!!! ???", "-", "\"\""] {
        let keyword = search(&app, &tenant.read, json!({"q": q, "mode": "keyword"})).await;
        assert_eq!(keyword["total"], 0, "{q}");
        assert!(keyword["warnings"][0].as_str().unwrap().contains("no searchable words"), "{q}");
        let hybrid = search(&app, &tenant.read, json!({"q": q, "explain": true})).await;
        assert!(hybrid["warnings"].is_array(), "{q}");
        assert_eq!(hybrid["plan"]["semantic"], "exact", "{q}: the semantic leg still runs");
        assert!(
            hybrid["hits"].as_array().unwrap().iter().all(|h| h["explain"]["semantic"]["similarity"].as_f64().unwrap() >= 0.3),
            "{q}: only what is close enough in meaning"
        );
    }
    // Web-search syntax: phrases, or, exclusion.
    let page = search(&app, &tenant.read, json!({"q": "rust or croissants -pastry", "mode": "keyword"})).await;
    assert_eq!(ids(&page), vec![rhea["id"].as_str().unwrap().to_owned()]);

    for (body, field) in [
        (json!({"q": "a".repeat(513)}), "q"),
        (json!({"q": ""}), "q"),
        (json!({"q": "x", "limit": 0}), "limit"),
        (json!({"q": "x", "limit": 101}), "limit"),
        (json!({"q": "x", "mode": "fuzzy"}), "mode"),
        (json!({"q": "x", "fusion": {"method": "blend", "semantic_ratio": 2}}), "fusion.semantic_ratio"),
        (json!({"q": "x", "filters": {"country": ["Germany"]}}), "filters.country[0]"),
        (json!({"q": "x", "filters": {"colour": "red"}}), "filters.colour"),
    ] {
        let response = app.post("/v1/search", &tenant.read, &body).send().await.unwrap();
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{body}");
    }
    let response = app.http.post(app.url("/v1/search")).json(&json!({"q": "x"})).send().await.unwrap();
    expect_problem(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn hits_explain_and_highlight_why_they_matched_and_similar_profiles_leave_the_profile_out() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let anna = app
        .create_profile(
            &tenant,
            json!({"display_name": "Anna Berg", "headline": "Cardiologist",
            "summary": "Heart specialist; certified ACLS-7734 instructor.", "country": "SE",
            "experiences": [{"title": "Consultant cardiologist", "organization": "Karolinska", "start_date": "2012-01-01"}]}),
        )
        .await;
    let bo = app
        .create_profile(
            &tenant,
            json!({"display_name": "Bo Lind", "headline": "Cardiac surgeon", "country": "NO",
            "summary": "Operates on hearts."}),
        )
        .await;
    app.create_profile(&tenant, json!({"display_name": "Cy Moss", "headline": "Pastry chef", "country": "SE"})).await;
    let anna_id = anna["id"].as_str().unwrap();

    let page = search(&app, &tenant.read, json!({"q": "ACLS-7734 heart", "explain": true})).await;
    let top = &page["hits"][0];
    assert_eq!(top["profile_id"], anna_id);
    let keyword = top["highlights"].as_array().unwrap().iter().find(|h| h["source"] == "keyword").unwrap();
    assert!(keyword["fragments"][0].as_str().unwrap().contains("<mark>"), "{keyword}");
    assert!(top["highlights"].as_array().unwrap().iter().any(|h| h["source"] == "semantic"));
    assert_eq!(top["explain"]["keyword"]["rank"], 1);
    assert!(top["explain"]["semantic"]["rank"].as_u64().unwrap() >= 1);
    assert_eq!(top["explain"]["fused_score"], top["score"]);
    assert_eq!(page["plan"]["semantic"], "exact", "no index on a tiny table");
    for stage in ["embed_ms", "semantic_ms", "keyword_ms", "fuse_ms", "facets_ms", "hits_ms"] {
        assert!(page["timings"][stage].as_f64().unwrap() >= 0.0, "{stage}");
    }
    assert!(page["took_ms"].as_f64().unwrap() > 0.0);

    let similar =
        expect_json(app.get(&format!("/v1/profiles/{anna_id}/similar?explain=true"), &tenant.read).send().await.unwrap(), 200)
            .await;
    let found = ids(&similar);
    assert!(!found.contains(&anna_id.to_owned()), "the profile itself is left out");
    assert_eq!(found[0], bo["id"].as_str().unwrap(), "the other heart doctor first");
    let filtered =
        expect_json(app.get(&format!("/v1/profiles/{anna_id}/similar?country=SE"), &tenant.read).send().await.unwrap(), 200)
            .await;
    assert_eq!(filtered["hits"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["hits"][0]["country"], "SE");
    let unknown = app.get(&format!("/v1/profiles/{}/similar", Uuid::now_v7()), &tenant.read).send().await.unwrap();
    expect_problem(unknown, 404, "not_found").await;
    for (query, field) in
        [("country=DE,Germany", "country[1]"), ("limit=0", "limit"), ("cursor=forged", "cursor"), ("min_years=-1", "min_years")]
    {
        let response = app.get(&format!("/v1/profiles/{anna_id}/similar?{query}"), &tenant.read).send().await.unwrap();
        let problem = expect_problem(response, 422, "validation_failed").await;
        assert_eq!(problem_fields(&problem), vec![field], "{query}");
    }
    let response = app.http.get(app.url(&format!("/v1/profiles/{anna_id}/similar"))).send().await.unwrap();
    expect_problem(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn min_years_counts_a_current_role_up_to_the_day_of_the_search() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    // Today's years: the current role's from its start, the finished one's fixed at 3.
    let today = chrono::Utc::now().date_naive();
    let started = today - chrono::Days::new(730);
    let current = app
        .create_profile(
            &tenant,
            json!({"display_name": "Ines Vale", "headline": "Underwater welder",
            "experiences": [{"title": "Welder", "organization": "Subsea", "start_date": started.to_string()}]}),
        )
        .await;
    let finished = app
        .create_profile(
            &tenant,
            json!({"display_name": "Ola Dahl", "headline": "Underwater welder",
            "experiences": [{"title": "Welder", "organization": "Fjord", "start_date": "2010-01-01", "end_date": "2013-01-01"}]}),
        )
        .await;
    let (current, finished) = (current["id"].as_str().unwrap().to_owned(), finished["id"].as_str().unwrap().to_owned());
    let matching = async |min_years: f64| -> Vec<HashSet<String>> {
        let mut found = Vec::new();
        for mode in ["keyword", "semantic", "hybrid"] {
            let body = json!({"q": "underwater welder", "mode": mode, "filters": {"min_years": min_years}});
            let page = search(&app, &tenant.read, body).await;
            found.push(page["hits"].as_array().unwrap().iter().map(|h| h["profile_id"].as_str().unwrap().to_owned()).collect());
        }
        found
    };
    let both: HashSet<String> = [current.clone(), finished.clone()].into();
    assert!(matching(1.5).await.iter().all(|ids| *ids == both));
    assert!(matching(2.5).await.iter().all(|ids| *ids == HashSet::from([finished.clone()])));

    // Two years pass without a write to either profile: the current role has grown to four
    // years, the finished one has not.
    let mut conn = app.db.connect_as_superuser().await;
    sqlx::query("update vitae.search_documents set years_counted_on = years_counted_on - 730").execute(&mut conn).await.unwrap();
    assert!(matching(3.5).await.iter().all(|ids| *ids == HashSet::from([current.clone()])));
    assert!(matching(4.5).await.iter().all(HashSet::is_empty));
}

#[tokio::test]
async fn a_broad_keyword_query_is_ranked_within_the_closest_in_meaning_and_rare_terms_still_rank_every_match() {
    // Tiny limits stand in for a large table: more than 3 matches is broad, each leg keeps 4.
    let app = TestApp::spawn_with(|c| {
        c.search_broad_max_matches = 3;
        c.search_window = 4;
    })
    .await;
    let tenant = app.tenant("acme").await;
    for (name, headline) in [
        ("Ada", "Backend engineer building payment APIs"),
        ("Bo", "Site reliability engineer on call"),
        ("Cy", "Data engineer building Spark pipelines"),
        ("Di", "Civil engineer designing bridges"),
        ("Ed", "Sound engineer in a recording studio"),
        ("Fa", "Locomotive engineer on freight trains"),
        ("Gu", "Pastry chef, former QX-31 engineer"),
    ] {
        app.create_profile(&tenant, json!({"display_name": name, "headline": headline})).await;
    }
    for mode in ["keyword", "hybrid"] {
        let page = search(&app, &tenant.read, json!({"q": "engineer", "mode": mode, "explain": true, "limit": 10})).await;
        assert_eq!(page["plan"]["keyword"], "within_semantic", "{mode}: {page}");
        let hits = page["hits"].as_array().unwrap();
        let keyword_hits: Vec<&Value> = hits.iter().filter(|h| !h["explain"]["keyword"].is_null()).collect();
        assert!(!keyword_hits.is_empty() && keyword_hits.len() <= 4, "{mode}: ranked within the 4 candidates: {page}");
        assert!(keyword_hits.iter().all(|h| !h["explain"]["semantic"].is_null()), "{mode}: only semantic candidates: {page}");
        if mode == "keyword" {
            assert_eq!(hits.len(), keyword_hits.len());
            assert!(page["warnings"][0].as_str().unwrap().contains("more than 3 documents"), "{page}");
        }
    }
    // A rare term is never broad: its one match ranks, however far it is in meaning.
    let page = search(&app, &tenant.read, json!({"q": "QX-31", "mode": "keyword", "explain": true})).await;
    assert_eq!(page["plan"]["keyword"], "all");
    assert_eq!(page["hits"].as_array().unwrap().len(), 1);
    assert!(page.get("warnings").is_none(), "{page}");
}

/// The `vitae_search_legs_total` count of `run` on `app`'s /metrics.
async fn legs_run(app: &TestApp, run: &str) -> u64 {
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let line = format!("vitae_search_legs_total{{run=\"{run}\"}} ");
    metrics.lines().find_map(|l| l.strip_prefix(line.as_str())).map_or(0, |n| n.trim().parse().unwrap())
}

#[tokio::test]
async fn the_legs_run_side_by_side_on_a_second_connection_and_find_what_they_find_one_after_the_other() {
    // More than 3 matches is broad: "engineer" only scores the semantic candidates (after the
    // semantic leg), rarer words rank every match (beside it, after the words are looked up).
    let app = TestApp::spawn_with(|c| {
        c.search_broad_max_matches = 3;
        // Idle connections to spare, so every overlapping search here runs side by side.
        c.pool_min_connections = 4;
    })
    .await;
    let one_after_another = TestApp::spawn_on(TestDb::existing(vitae_tests::db::superuser_url(), &app.db.name), |c| {
        c.search_broad_max_matches = 3;
        c.search_legs_side_by_side = false;
    })
    .await;
    let tenant = app.tenant("acme").await;
    for (name, headline, skill) in [
        ("Ada", "Backend engineer building payment APIs", "Rust"),
        ("Bo", "Site reliability engineer on call", "Kubernetes"),
        ("Cy", "Data engineer building Spark pipelines", "Spark"),
        ("Di", "Civil engineer designing bridges", "AutoCAD"),
        ("Ed", "Sound engineer in a recording studio", "Pro Tools"),
        ("Fa", "Bridge inspector for the railways", "AutoCAD"),
        ("Gu", "Pastry chef, former QX-31 engineer", "Baking"),
    ] {
        let body = json!({"display_name": name, "headline": headline, "skills": [{"name": skill}]});
        app.create_profile(&tenant, body).await;
    }
    let overlapping = [
        json!({"q": "engineer designing bridges", "mode": "hybrid"}),
        json!({"q": "spark pipelines engineer", "mode": "hybrid", "facets": true}),
        json!({"q": "autocad -railways", "mode": "hybrid", "filters": {"skills_any": ["AutoCAD"]}}),
        // Only a broad word: looked up beside the semantic leg, ranked after it.
        json!({"q": "engineer", "mode": "hybrid"}),
        // A mistyped word: its stand-ins are found beside the semantic leg.
        json!({"q": "bridgse enginer", "mode": "hybrid"}),
    ];
    // Keyword mode asks the semantic leg only for broad words: after the plan.
    let others = [json!({"q": "bridges", "mode": "semantic"}), json!({"q": "bridges engineer", "mode": "keyword"})];
    for body in overlapping.iter().chain(&others) {
        let mut body = body.clone();
        body["explain"] = json!(true);
        let side_by_side = search(&app, &tenant.read, body.clone()).await;
        let sequential = search(&one_after_another, &tenant.read, body.clone()).await;
        assert!(!side_by_side["hits"].as_array().unwrap().is_empty(), "{body}: {side_by_side}");
        if body["q"] == "bridgse enginer" {
            assert!(side_by_side["corrections"].as_array().is_some_and(|c| !c.is_empty()), "{side_by_side}");
        }
        for part in ["hits", "total", "facets", "plan", "corrections", "warnings"] {
            assert_eq!(side_by_side.get(part), sequential.get(part), "{body}: {part}");
        }
    }
    // Only searches whose semantic leg runs whatever the words say overlap: the first server ran
    // each of them side by side, the second one after the other (both servers of this test
    // process count into one metrics registry).
    assert_eq!(legs_run(&app, "side_by_side").await, overlapping.len() as u64);
    assert_eq!(legs_run(&app, "one_after_another").await, overlapping.len() as u64);
}

#[tokio::test]
async fn a_second_connection_of_a_search_reads_the_snapshot_of_the_first() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    app.create_profile(&tenant, json!({"display_name": "Ada"})).await;
    let pool = vitae_repository::DatabaseSettings::new(app.db.app_url()).pool().unwrap();
    let profiles = async |tx: &mut TenantTx| -> i64 {
        sqlx::query_scalar("select count(*) from vitae.profiles").fetch_one(&mut **tx).await.unwrap()
    };
    let mut first = TenantTx::begin_read_only(&pool, tenant.id).await.unwrap();
    assert_eq!(profiles(&mut first).await, 1);
    // A write committed after the first transaction's snapshot.
    app.create_profile(&tenant, json!({"display_name": "Bo"})).await;
    let mut sibling = first.sibling(&pool, &[], std::time::Duration::from_secs(5)).await.unwrap().expect("a connection");
    assert_eq!(profiles(&mut sibling).await, 1, "the sibling reads the first transaction's snapshot");
    assert_eq!(sibling.tenant_id(), tenant.id);
    let mut fresh = TenantTx::begin_read_only(&pool, tenant.id).await.unwrap();
    assert_eq!(profiles(&mut fresh).await, 2);
    // Confined to the tenant like the first: another tenant's profile is not seen.
    let other = app.tenant("other").await;
    app.create_profile(&other, json!({"display_name": "Cy"})).await;
    let mut sibling = fresh.sibling(&pool, &[], std::time::Duration::from_secs(5)).await.unwrap().expect("a connection");
    assert_eq!(profiles(&mut sibling).await, 2);
}

#[tokio::test]
async fn an_hnsw_graph_is_sparse_by_default_and_built_again_denser_when_it_cannot_reach_the_target_recall() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("demo").await;
    load_demo(&app, &tenant).await;
    let owner = app.db.owner_pool();
    let index_definitions = || async {
        let mut conn = app.db.connect_as_superuser().await;
        sqlx::query_scalar::<_, String>(
            "select indexdef from pg_indexes where schemaname = 'vitae' and indexname like 'document_embeddings_ann_%'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
    };

    let hnsw = vitae_repository::ann::BuildOptions { kind: IndexKind::Hnsw, ..Default::default() };
    let built = vitae_repository::ann::build(&owner, &hnsw).await.unwrap().unwrap();
    assert_eq!(built.lists, vitae_repository::ann::DEFAULT_HNSW_M);
    assert!(built.measured_recall.unwrap() >= 0.95, "{built:?}");
    // The passages' walk is calibrated on its own, against an exact scan of the passages.
    let (passage_probes, passage_recall) = (built.passage_probes.unwrap(), built.passage_recall.unwrap());
    assert!(passage_recall >= 0.95, "{built:?}");
    let status = expect_json(app.get("/v1/admin/search-index", &tenant.admin).send().await.unwrap(), 200).await;
    // Walked at it, but never below the documents' ef_search nor twice the passages walked.
    let walked = passage_probes.max(built.probes).clamp(2 * vitae_repository::search::PASSAGES_WALKED as i32, 1000);
    assert_eq!((status["passage_probes"].as_i64(), status["passages"].as_bool()), (Some(i64::from(walked)), Some(true)));
    let definitions = index_definitions().await;
    assert_eq!(definitions.len(), 1, "{definitions:?}");
    assert!(definitions[0].contains("m='8'"), "{definitions:?}");

    // A target no sparse graph reaches here stands for data on which it tops out too low.
    let demanding = vitae_repository::ann::BuildOptions { target_recall: 1.01, ..hnsw };
    let built = vitae_repository::ann::build(&owner, &demanding).await.unwrap().unwrap();
    assert_eq!(built.lists, vitae_repository::ann::DENSE_HNSW_M, "{built:?}");
    let definitions = index_definitions().await;
    assert_eq!(definitions.len(), 1, "the sparse graph is dropped: {definitions:?}");
    assert!(definitions[0].contains("m='16'"), "{definitions:?}");
    let status = expect_json(app.get("/v1/admin/search-index", &tenant.admin).send().await.unwrap(), 200).await;
    assert_eq!(status["lists"], 16, "{status:#}");
}

#[tokio::test]
async fn on_the_index_path_a_semantic_search_finds_documents_through_their_nearest_passage_when_passages_are_indexed() {
    // The index path for any selection, and a window of one document: a profile close to the
    // query through one passage (a role, the skills) but not by its whole document is outside it.
    // Walks as thorough as the small graphs allow: this checks what is walked, not its recall
    // (the passages' walk fixed on its own, as an operator may).
    const WINDOW: i64 = 1;
    let app = TestApp::spawn_with(|c| {
        c.search_exact_max_rows = 5;
        c.search_visit_cost = 0.0;
        c.search_probes = Some(1000);
        c.search_passage_probes = Some(700);
        c.search_window = WINDOW;
        c.search_min_similarity = 0.0;
    })
    .await;
    let tenant = app.tenant("demo").await;
    load_demo(&app, &tenant).await;
    let owner = app.db.owner_pool();
    let mut conn = app.db.connect_as_superuser().await;
    let model = vitae_embed::local::MiniLm::load(&vitae_tests::pg_tools::model_dir()).unwrap();

    // Queries whose nearest aspect of all is a passage of a profile outside the window of
    // documents nearest by their own vectors.
    let mut cases = Vec::new();
    for query in ["iOS Swift", "pastry chef", "Kubernetes Terraform", "tax law", "nurse in intensive care", "PostgreSQL"] {
        let vector = pgvector::Vector::from(model.embed(&[query]).unwrap().remove(0));
        let window: Vec<(Uuid, f64)> = sqlx::query_as(
            "select d.profile_id, (e.embedding <=> $1)::float8 from vitae.document_embeddings e \
             join vitae.search_documents d on d.id = e.document_id \
             where e.is_default order by (e.embedding <=> $1) + 0, d.id limit $2",
        )
        .bind(&vector)
        .bind(WINDOW)
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let (by_passage, distance): (Uuid, f64) = sqlx::query_as(
            "select d.profile_id, (p.embedding <=> $1)::float8 from vitae.document_passages p \
             join vitae.search_documents d on d.id = p.document_id \
             where d.is_default order by (p.embedding <=> $1) + 0, d.id limit 1",
        )
        .bind(&vector)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        if window.iter().all(|(profile, nearest)| *profile != by_passage && *nearest > distance + 1e-6) {
            cases.push((query, by_passage.to_string()));
        }
    }
    assert!(cases.len() >= 2, "the demo profiles give queries to check: {cases:?}");
    let pages = |passages_indexed: bool| {
        let (app, tenant, cases) = (&app, &tenant, &cases);
        async move {
            let status = expect_json(app.get("/v1/admin/search-index", &tenant.admin).send().await.unwrap(), 200).await;
            assert_eq!(status["passages"], passages_indexed, "{status:#}");
            let passage_probes = if passages_indexed { json!(700) } else { Value::Null };
            assert_eq!((&status["probes"], &status["passage_probes"]), (&json!(1000), &passage_probes), "{status:#}");
            let mut found = Vec::new();
            for (query, profile) in cases {
                let page = search(app, &tenant.read, json!({"q": query, "mode": "semantic", "limit": 10, "explain": true})).await;
                assert_eq!(page["plan"]["semantic"], "ann", "{query}");
                found.push(ids(&page).contains(profile));
            }
            found
        }
    };

    // Indexed with the documents (the default): each is found, and first, being nearest.
    let hnsw = vitae_repository::ann::BuildOptions { kind: IndexKind::Hnsw, ..Default::default() };
    let built = vitae_repository::ann::build(&owner, &hnsw).await.unwrap().unwrap();
    let passage_index = built.passage_index_name.clone().expect("a passage index");
    assert_eq!(pages(true).await, vec![true; cases.len()]);
    for (query, profile) in &cases {
        let page = search(&app, &tenant.read, json!({"q": query, "mode": "semantic", "limit": 1})).await;
        assert_eq!(ids(&page), std::slice::from_ref(profile), "{query}: the nearest aspect of all is first");
    }

    // Built without: only the window's documents are re-scored by their passages.
    let without = vitae_repository::ann::BuildOptions { passages: false, ..hnsw };
    let rebuilt = vitae_repository::ann::build(&owner, &without).await.unwrap().unwrap();
    assert_eq!(rebuilt.passage_index_name, None);
    assert_eq!(pages(false).await, vec![false; cases.len()]);
    let left: i64 = sqlx::query_scalar("select count(*) from pg_indexes where indexname = $1")
        .bind(&passage_index)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, 0, "the previous build's passage index is dropped with its document index");
}
