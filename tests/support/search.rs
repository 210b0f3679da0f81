//! Helpers of the search tests: a search that must succeed, a bulk import that must load every
//! line, and the profiles' external ids.

use std::collections::HashMap;

use serde_json::Value;
use uuid::Uuid;

use crate::{Tenant, TestApp, expect_json};

/// `POST /v1/search`, expecting 200.
pub async fn search(app: &TestApp, key: &str, body: Value) -> Value {
    expect_json(app.post("/v1/search", key, &body).send().await.unwrap(), 200).await
}

/// Loads NDJSON profiles through the import endpoint; every line must load.
pub async fn import(app: &TestApp, tenant: &Tenant, ndjson: &str) {
    let response =
        app.post_body("/v1/profiles:import", &tenant.write, "application/x-ndjson", ndjson.to_owned()).send().await.unwrap();
    let report = expect_json(response, 200).await;
    assert_eq!(report["failed"], 0, "{report}");
}

/// profile id → external id, read as the superuser.
pub async fn external_ids(app: &TestApp) -> HashMap<String, String> {
    let mut conn = app.db.connect_as_superuser().await;
    let rows: Vec<(Uuid, String)> = sqlx::query_as("select id, external_id from vitae.profiles where external_id is not null")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    rows.into_iter().map(|(id, ext)| (id.to_string(), ext)).collect()
}
