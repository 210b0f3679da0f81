//! Generates the client from the OpenAPI document at build time, so it can never be stale.
//!
//! progenitor reads OpenAPI 3.0 while utoipa writes 3.1, so the document is first stated in 3.0
//! terms: `type: [T, "null"]` becomes `type: T, nullable: true`, a `oneOf` of one schema and
//! `null` becomes a nullable `allOf`, and 3.1-only keys are dropped. The bulk import (an NDJSON
//! body, which progenitor cannot express) is left out; tests call it over plain HTTP.

use std::path::Path;

use serde_json::{Value, json};

fn main() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source).expect("reading openapi/openapi.json");
    let mut document: Value = serde_json::from_str(&text).expect("openapi/openapi.json is JSON");
    as_openapi_30(&mut document);
    let spec: openapiv3::OpenAPI = serde_json::from_value(document).expect("an OpenAPI 3.0 document");
    let tokens = progenitor::Generator::default().generate_tokens(&spec).expect("generating the client");
    let file = syn::parse2(tokens).expect("generated code parses");
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("client.rs");
    std::fs::write(out, prettyplease::unparse(&file)).expect("writing the client");
}

fn as_openapi_30(document: &mut Value) {
    document["openapi"] = json!("3.0.3");
    if let Some(license) = document["info"]["license"].as_object_mut() {
        license.remove("identifier");
    }
    if let Some(paths) = document["paths"].as_object_mut() {
        paths.remove("/v1/profiles:import");
    }
    downgrade(document);
}

fn downgrade(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type").cloned() {
                let concrete: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
                if concrete.len() == 1 {
                    map.insert("type".into(), concrete[0].clone());
                    if types.len() > 1 {
                        map.insert("nullable".into(), json!(true));
                    }
                }
            }
            for key in ["oneOf", "anyOf"] {
                if let Some(Value::Array(items)) = map.get(key).cloned() {
                    let concrete: Vec<Value> = items.iter().filter(|i| i.get("type") != Some(&json!("null"))).cloned().collect();
                    if items.len() == 2 && concrete.len() == 1 {
                        map.remove(key);
                        map.insert("allOf".into(), json!(concrete));
                        map.insert("nullable".into(), json!(true));
                    }
                }
            }
            map.remove("examples");
            for (_, child) in map.iter_mut() {
                downgrade(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(downgrade),
        _ => {}
    }
}
