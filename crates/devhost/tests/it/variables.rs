//! Application variables: manifest defaults, overrides, required ones, and what components see.

use crate::common;

use common::{probe_manifest, start_app};
use http::StatusCode;

fn manifest() -> String {
    let component = r#"[component.probe.variables]
greeting = "{{ greeting }}, {{ name }}!"
secret = "{{ token }}"
"#;
    format!(
        "{}\n[variables]\ngreeting = {{ default = \"hello\" }}\nname = {{ default = \"world\" }}\ntoken = {{ required = true, secret = true }}\n",
        probe_manifest(component)
    )
}

#[tokio::test]
async fn defaults_apply_and_overrides_win() {
    let app = start_app(&manifest(), &[("token", "t0k3n")]).await.unwrap();
    let reply = app.get("/?action=variable&name=greeting").await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "hello, world!"));
    assert_eq!(app.get("/?action=variable&name=secret").await.body, "t0k3n");
    app.host.shutdown().await;

    let app = start_app(&manifest(), &[("token", "x"), ("name", "Spin")]).await.unwrap();
    assert_eq!(app.get("/?action=variable&name=greeting").await.body, "hello, Spin!");
    app.host.shutdown().await;
}

#[tokio::test]
async fn a_missing_required_variable_stops_the_start() {
    let error = start_app(&manifest(), &[]).await.err().expect("start-up must fail");
    let message = format!("{error:#}");
    assert!(message.contains("token") && message.contains("SPIN_VARIABLE_TOKEN"), "{message}");
}

#[tokio::test]
async fn components_only_see_their_own_variables() {
    let app = start_app(&manifest(), &[("token", "x")]).await.unwrap();
    // `name` is an application variable, but not one of the component's.
    let reply = app.get("/?action=variable&name=name").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.starts_with("Error::Undefined"), "{}", reply.body);
    let reply = app.get("/?action=variable&name=Not-A-Name").await;
    assert!(reply.body.starts_with("Error::InvalidName"), "{}", reply.body);
    app.host.shutdown().await;
}
