//! Applies the versioned SQL migrations of `migrations/` exactly once.
//!
//! A run holds a session-level advisory lock, so two copies started at once (two pods, a test
//! and `make up`) serialise: the second waits, then finds nothing to do. Pending migrations run
//! in one transaction, all or none, except one whose first line is [`NO_TRANSACTION`]: it runs
//! statement by statement in autocommit (for `CREATE INDEX CONCURRENTLY`, which no transaction may
//! hold; its own `BEGIN; ... COMMIT;` blocks are transactions), between the transactions of those
//! before and after it, and must be safe to run again after stopping halfway, since it is recorded
//! only once it is done. Each applied migration is recorded in `schema_migrations` with a SHA-256
//! of its text; an applied migration whose file changed afterwards is an error, as is one the
//! database knows but this build does not.

mod ledger;
mod statements;

use anyhow::Context as _;
use statements::statements;
use std::fmt;
use tokio_postgres::NoTls;

/// The first line of a migration that must run outside a transaction.
pub const NO_TRANSACTION: &str = "-- migrate: no-transaction";

/// One migration: `version` is the file name without `.sql`, e.g. `0001_create_todos`.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// Whether it runs inside a transaction (every migration not marked [`NO_TRANSACTION`]).
    pub fn in_transaction(&self) -> bool {
        self.sql.lines().next().is_none_or(|line| line.trim_end() != NO_TRANSACTION)
    }
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Versions applied by this run, in order.
    pub applied: Vec<String>,
    /// How many were applied before (by earlier runs).
    pub already_applied: usize,
}

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// The migrations of this build's `migrations/` directory, in order.
pub fn embedded() -> &'static [Migration] {
    EMBEDDED
}

/// Applies this build's pending migrations to the database at `database_url`.
pub async fn run(database_url: &str) -> anyhow::Result<Report> {
    run_migrations(database_url, embedded()).await
}

/// Applies the pending ones of `migrations` (sorted by version) to the database.
pub async fn run_migrations(database_url: &str, migrations: &[Migration]) -> anyhow::Result<Report> {
    let (mut client, connection) =
        tokio_postgres::connect(database_url, NoTls).await.context("connecting to the database")?;
    let driver = tokio::spawn(connection);
    let report = ledger::apply_pending(&mut client, migrations).await;
    drop(client);
    // The connection task ends once the client is gone; its own error matters only if we failed.
    let _ = driver.await;
    report
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.applied.is_empty() {
            write!(f, "up to date ({} applied before)", self.already_applied)
        } else {
            write!(f, "applied {} ({} applied before)", self.applied.join(", "), self.already_applied)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_the_repository_migrations_in_order() {
        let versions: Vec<_> = embedded().iter().map(|migration| migration.version).collect();
        assert_eq!(versions.first(), Some(&"0001_create_todos"));
        assert!(versions.is_sorted(), "{versions:?}");
        assert!(embedded()[0].sql.contains("CREATE TABLE todos"));
    }
}
