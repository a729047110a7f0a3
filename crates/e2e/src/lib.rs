//! What the end-to-end tests share: the repository's spin.toml served by the project's host,
//! and fresh migrated databases on a real PostgreSQL.

use std::collections::HashMap;

/// A `db_url` for apps whose tested routes never reach the database: the manifest requires
/// the variable, and nothing listens on port 1.
pub const UNUSED_DB_URL: &str = "postgres://unused@127.0.0.1:1/none";

/// Serves the root spin.toml on a free port of 127.0.0.1, with these Spin variables set (as
/// `SPIN_VARIABLE_<NAME>` would set them for `spin up`).
pub async fn serve_app(variables: &[(&str, &str)]) -> devhost::RunningHost {
    let variables: HashMap<String, String> =
        variables.iter().map(|(name, value)| (name.to_string(), value.to_string())).collect();
    devhost::start(devhost::HostOptions {
        manifest: testkit::workspace_root().join("spin.toml"),
        listen: "127.0.0.1:0".parse().expect("a socket address"),
        variables,
    })
    .await
    .expect("start the app on devhost")
}

/// A new database on `postgres` with the schema of `migrations/`: its URL.
pub async fn migrated_database(postgres: &testkit::Postgres) -> String {
    let url = postgres.create_database();
    migrate::run(&url).await.expect("migrate the test database");
    url
}
