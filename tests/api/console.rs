//! The search console's files (the page itself is driven in Chromium by scripts/console-test).

use vitae_tests::{TestApp, expect_problem};

#[tokio::test]
async fn the_console_is_served_offline_under_a_strict_content_security_policy() {
    let app = TestApp::spawn().await;
    let page = app.http.get(app.url("/console")).send().await.expect("request");
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let csp = page.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    for directive in ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"] {
        assert!(csp.contains(directive), "{directive} missing from {csp}");
    }
    assert!(!csp.contains("unsafe"), "{csp}");
    let html = page.text().await.expect("body");
    // Every script and style the page loads comes from the service itself.
    assert!(!html.contains("http://") && !html.contains("https://"), "the page refers to another host");
    for asset in ["/console/console.js", "/console/console.css"] {
        assert!(html.contains(asset), "{asset} not loaded by the page");
        let response = app.http.get(app.url(asset)).send().await.expect("request");
        assert_eq!(response.status(), 200, "{asset}");
        assert!(response.headers().contains_key("content-security-policy"));
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    }
    expect_problem(app.http.get(app.url("/console/other.js")).send().await.expect("request"), 404, "not_found").await;
}

#[tokio::test]
async fn the_console_adds_no_api_route_and_its_script_calls_only_the_public_api() {
    let document = vitae::http::document();
    assert!(document.paths.paths.keys().all(|path| !path.starts_with("/console")));
    let app = TestApp::spawn().await;
    let script = app.http.get(app.url("/console/console.js")).send().await.expect("request").text().await.expect("body");
    // The only request the console makes: the documented search, with the caller's own key.
    let calls: Vec<&str> = script.match_indices("api(\"").map(|(at, _)| &script[at..at + 16]).collect();
    assert!(!calls.is_empty());
    assert!(calls.iter().all(|call| *call == "api(\"/v1/search\""), "{calls:?}");
    assert!(script.contains("Bearer ${state.key}"));
    assert!(!script.contains("innerHTML"), "server text must never be parsed as markup");
}
