//! The deployment files hold together: no cluster runs here, so every manifest is parsed and the
//! parts that must agree (names, ports, secret keys, probe paths, settings) are checked.

use serde_json::Value;
use vitae_tests::pg_tools::repo_root;

/// Every document of every manifest in deploy/k8s, as JSON values.
fn manifests() -> Vec<Value> {
    let mut docs = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(repo_root().join("deploy/k8s")).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "yaml")) {
        let text = std::fs::read_to_string(file).unwrap();
        for doc in serde_norway::Deserializer::from_str(&text) {
            let value: Value = serde::Deserialize::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if !value.is_null() {
                docs.push(value);
            }
        }
    }
    docs
}

fn find<'a>(docs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    docs.iter().find(|d| d["kind"] == kind && d["metadata"]["name"] == name).unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// Every (secret, key) a pod spec reads, and every config map it loads.
fn references(pod: &Value) -> (Vec<(String, String)>, Vec<String>) {
    let mut secrets = Vec::new();
    let mut maps = Vec::new();
    let containers = pod["containers"].as_array().into_iter().chain(pod["initContainers"].as_array()).flatten();
    for container in containers {
        for env in container["env"].as_array().into_iter().flatten() {
            if let Some(r) = env["valueFrom"]["secretKeyRef"].as_object() {
                secrets.push((r["name"].as_str().unwrap().to_owned(), r["key"].as_str().unwrap().to_owned()));
            }
        }
        for from in container["envFrom"].as_array().into_iter().flatten() {
            if let Some(name) = from["configMapRef"]["name"].as_str() {
                maps.push(name.to_owned());
            }
        }
    }
    (secrets, maps)
}

fn check_references(docs: &[Value], pod: &Value, what: &str) {
    let (secrets, maps) = references(pod);
    for (secret, key) in secrets {
        let s = find(docs, "Secret", &secret);
        assert!(s["stringData"].get(&key).is_some() || s["data"].get(&key).is_some(), "{what}: secret {secret} has no key {key}");
    }
    for map in maps {
        find(docs, "ConfigMap", &map);
    }
}

#[test]
fn the_manifests_agree_on_names_ports_secrets_and_probes() {
    let docs = manifests();
    let namespace = find(&docs, "Namespace", "vitae")["metadata"]["name"].as_str().unwrap().to_owned();
    for doc in docs.iter().filter(|d| d["kind"] != "Namespace") {
        assert_eq!(doc["metadata"]["namespace"], namespace.as_str(), "{} {}", doc["kind"], doc["metadata"]["name"]);
    }

    // PostgreSQL: a StatefulSet on a claim, its Service on 5432, the platform's resources.
    let pg = find(&docs, "StatefulSet", "postgres");
    let pg_pod = &pg["spec"]["template"]["spec"];
    let pg_container = &pg_pod["containers"][0];
    assert!(pg_container["image"].as_str().unwrap().contains("pgvector"), "an image with pgvector");
    assert_eq!(pg_container["ports"][0]["containerPort"], 5432);
    assert_eq!(pg_container["resources"]["requests"]["memory"], "128Mi");
    assert_eq!(pg_container["resources"]["requests"]["cpu"], "100m");
    assert_eq!(pg_container["resources"]["limits"]["memory"], "512Mi");
    assert_eq!(pg_container["resources"]["limits"]["cpu"], "500m");
    let claim = &pg["spec"]["volumeClaimTemplates"][0];
    assert!(pg_container["volumeMounts"].as_array().unwrap().iter().any(|m| m["name"] == claim["metadata"]["name"]));
    assert_eq!(pg["spec"]["selector"]["matchLabels"], pg["spec"]["template"]["metadata"]["labels"]);
    let pg_service = find(&docs, "Service", "postgres");
    assert_eq!(pg_service["spec"]["type"], "ClusterIP");
    assert_eq!(pg_service["spec"]["ports"][0]["port"], 5432);
    assert_eq!(pg_service["spec"]["selector"], pg["spec"]["template"]["metadata"]["labels"]);
    assert_eq!(pg["spec"]["serviceName"], "postgres");
    check_references(&docs, pg_pod, "postgres");

    // The API: probes on the service's own paths, its port where VITAE_LISTEN says, migrations
    // before it starts, settings the service accepts.
    let api = find(&docs, "Deployment", "vitae");
    let pod = &api["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert!(container["resources"]["requests"].is_object() && container["resources"]["limits"].is_object());
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["initContainers"][0]["args"], serde_json::json!(["migrate", "up"]));
    check_references(&docs, pod, "vitae");
    let config = find(&docs, "ConfigMap", "vitae-config");
    let listen = config["data"]["VITAE_LISTEN"].as_str().unwrap();
    let port: u64 = listen.rsplit(':').next().unwrap().parse().unwrap();
    let named = container["ports"].as_array().unwrap().iter().find(|p| p["name"] == "http").unwrap();
    assert_eq!(named["containerPort"], port);
    let known = serde_json::to_value(vitae::config::Config::default()).unwrap();
    let from_env = container["env"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap());
    for key in config["data"].as_object().unwrap().keys().map(String::as_str).chain(from_env) {
        let field = key.strip_prefix("VITAE_").unwrap().to_ascii_lowercase();
        assert!(known.get(&field).is_some(), "the pod sets {key}, which the service does not know");
    }
    let service = find(&docs, "Service", "vitae");
    assert_eq!(service["spec"]["selector"], api["spec"]["template"]["metadata"]["labels"]);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "http");
    // The URLs in the Secret reach the PostgreSQL Service.
    let secret = find(&docs, "Secret", "postgres-secret");
    for key in ["VITAE_DATABASE_URL", "VITAE_OWNER_DATABASE_URL"] {
        let url = url::Url::parse(secret["stringData"][key].as_str().unwrap()).unwrap();
        assert_eq!((url.host_str(), url.port()), (Some("postgres"), Some(5432)), "{key}");
    }

    // The container build: multi-stage, non-root, with the model where the ConfigMap points.
    let dockerfile = std::fs::read_to_string(repo_root().join("deploy/Dockerfile")).unwrap();
    assert!(dockerfile.lines().filter(|l| l.starts_with("FROM ")).count() >= 2, "multi-stage");
    let user = dockerfile.lines().filter_map(|l| l.strip_prefix("USER ")).next_back().unwrap();
    assert_ne!(user.trim(), "root");
    assert_ne!(user.trim(), "0");
    let model_dir = config["data"]["VITAE_MODEL_DIR"].as_str().unwrap();
    assert!(dockerfile.contains(&format!("/model {model_dir}")), "the model is copied to {model_dir}");
}
