//! Every operation through the Rust client generated from the OpenAPI document (progenitor):
//! the contract a Rust caller compiles against works against the real server.

use serde_json::json;
use vitae_client::types;
use vitae_tests::TestApp;

/// A typed value from JSON (the generated types check their own documented constraints).
fn typed<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("a value the document allows")
}

fn status<T: std::fmt::Debug>(result: Result<T, vitae_client::Error<vitae_client::ByteStream>>) -> u16 {
    match result {
        Err(vitae_client::Error::UnexpectedResponse(response)) => response.status().as_u16(),
        Err(vitae_client::Error::ErrorResponse(response)) => response.status().as_u16(),
        other => panic!("expected an error response, got {other:?}"),
    }
}

#[tokio::test]
async fn every_operation_works_through_the_generated_client() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme").await;
    let owner = app.client(&tenant.write);
    let reader = app.client(&tenant.read);

    assert_eq!(owner.get_health().await.unwrap().status.as_str(), "ok");
    assert_eq!(owner.get_readiness().await.unwrap().status.as_str(), "ready");

    let created = owner
        .create_profile(&typed(json!({
            "display_name": "Typed Rustacean",
            "headline": "Writes clients from documents",
            "country": "NL",
            "contact": {"email": "typed@example.org", "phone": "+31 20 555 0100"},
            "tags": ["rust"],
            "masks": [{"name": "Recruiters", "slug": "recruiters", "config": {"hide": ["phone"]}}]
        })))
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let profile = created.into_inner();
    let id = profile.id;
    assert_eq!(profile.slug.as_str(), "typed-rustacean");

    let experience = owner
        .create_experience(&id, &typed(json!({"title": "Client author", "organization": "Vitae", "start_date": "2024-01-01"})))
        .await
        .unwrap()
        .into_inner();
    let experience =
        owner.update_experience(&id, &experience.id, None, &typed(json!({"end_date": "2025-06-30"}))).await.unwrap().into_inner();
    assert_eq!(experience.end_date.map(|d| d.to_string()).as_deref(), Some("2025-06-30"));
    assert_eq!(owner.list_experiences(&id, None, None).await.unwrap().len(), 1);

    let skill = owner.create_skill(&id, &typed(json!({"name": "Rust", "level": 5}))).await.unwrap().into_inner();
    let skill = owner.update_skill(&id, &skill.id, None, &typed(json!({"years": 7}))).await.unwrap().into_inner();
    assert_eq!(skill.years, Some(7.0));
    assert_eq!(status(owner.create_skill(&id, &typed(json!({"name": "rust"}))).await), 409);

    let masks = owner.list_masks(&id).await.unwrap().into_inner();
    assert_eq!(masks.len(), 2);
    let press = owner.create_mask(&id, &typed(json!({"name": "Press", "config": {"hide": ["email", "phone"]}}))).await.unwrap();
    let press = press.into_inner();
    let press = owner.update_mask(&id, &press.id, None, &typed(json!({"name": "Journalists"}))).await.unwrap().into_inner();
    assert_eq!(owner.get_mask(&id, &press.id).await.unwrap().name.as_str(), "Journalists");
    owner.delete_mask(&id, &press.id, None).await.unwrap();

    // Reads through masks: the read key sees the default, anyone may name a mask.
    let public = reader.get_profile(&id, None, None).await.unwrap().into_inner();
    assert_eq!(public.mask.as_ref().map(|m| m.slug.as_str()), Some("public"));
    assert!(public.contact.email.is_none() && public.contact.phone.is_none());
    let recruiters = reader.get_profile(&id, None, Some(&typed(json!("recruiters")))).await.unwrap().into_inner();
    assert!(recruiters.contact.email.is_some() && recruiters.contact.phone.is_none());
    let by_slug = reader.get_profile_by_slug(&typed(json!("typed-rustacean")), None, None).await.unwrap().into_inner();
    assert_eq!(by_slug.id, id);
    assert_eq!(reader.list_skills(&id, None, None).await.unwrap()[0].name.as_str(), "Rust");

    // A stale ETag is refused; the current one goes through.
    let stale = owner.update_profile(&id, Some(&typed(json!(etag))), &typed(json!({"headline": "stale"}))).await;
    assert_eq!(status(stale), 412);
    let current = owner.get_profile(&id, None, None).await.unwrap();
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let updated = owner.update_profile(&id, Some(&typed(json!(etag))), &typed(json!({"headline": "fresh"}))).await.unwrap();
    assert_eq!(updated.into_inner().headline.as_str(), "fresh");

    let page = reader
        .list_profiles(
            None,
            Some(types::CountryCode::Nl),
            None,
            None,
            Some(std::num::NonZeroU32::new(10).unwrap()),
            None,
            None,
            None,
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(page.items.len(), 1);

    owner.delete_experience(&id, &experience.id, None).await.unwrap();
    owner.delete_skill(&id, &skill.id, None).await.unwrap();
    owner.delete_profile(&id, None).await.unwrap();
    assert_eq!(status(reader.get_profile(&id, None, None).await), 404);
    let restored = owner.restore_profile(&id, None).await.unwrap().into_inner();
    assert_eq!(restored.is_active, Some(true));
    assert_eq!(status(reader.create_profile(&typed(json!({"display_name": "Nope"}))).await), 403);
}
