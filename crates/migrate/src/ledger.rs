//! The `schema_migrations` table and the locked session that brings a database up to date.

use crate::{Migration, Report, statements};
use anyhow::{Context as _, bail};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use std::time::Duration;
use tokio_postgres::{Client, GenericClient};

/// Advisory lock key shared by every copy of the tool ("todo_mig" in ASCII).
const LOCK_KEY: i64 = 0x746f_646f_5f6d_6967;
/// How often a copy that found the lock taken tries again.
const LOCK_RETRY: Duration = Duration::from_millis(200);

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    TEXT PRIMARY KEY,
    checksum   TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)";

const RECORD: &str = "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)";

pub(crate) async fn apply_pending(client: &mut Client, migrations: &[Migration]) -> anyhow::Result<Report> {
    // db_url's statement and lock timeouts bound the app's requests; a migration may run long, so
    // this session (the tool's own connection) lifts them; a migration sets its own where it must.
    client
        .batch_execute("SET statement_timeout = 0; SET lock_timeout = 0")
        .await
        .context("lifting the URL's timeouts for the migration")?;
    // Taken first, before the ledger exists: two concurrent CREATE TABLE IF NOT EXISTS can clash.
    lock(client).await.context("taking the migration lock")?;
    client.batch_execute(CREATE_LEDGER).await.context("creating schema_migrations")?;

    let applied: HashMap<String, String> = client
        .query("SELECT version, checksum FROM schema_migrations", &[])
        .await?
        .into_iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    check_applied(&applied, migrations)?;

    let pending: Vec<&Migration> =
        migrations.iter().filter(|migration| !applied.contains_key(migration.version)).collect();
    // Consecutive transactional migrations share one transaction: all of them or none.
    for group in pending.chunk_by(|a, b| a.in_transaction() && b.in_transaction()) {
        if group[0].in_transaction() {
            let transaction = client.transaction().await?;
            for migration in group {
                transaction.batch_execute(migration.sql).await.with_context(|| applying(migration))?;
                record(&transaction, migration).await?;
            }
            transaction.commit().await.context("committing the migrations")?;
        } else {
            let migration = group[0];
            // One statement per query: a multi-statement query string is a transaction of its own,
            // in which CREATE INDEX CONCURRENTLY cannot run.
            for statement in statements(migration.sql) {
                client.batch_execute(statement).await.with_context(|| applying(migration))?;
            }
            record(client, migration).await?;
        }
    }
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY]).await.context("releasing the migration lock")?;
    let applied = pending.iter().map(|migration| migration.version.to_owned()).collect();
    Ok(Report { applied, already_applied: migrations.len() - pending.len() })
}

/// The session-level advisory lock, taken with `pg_try_advisory_lock` in a loop: a copy blocked
/// inside `pg_advisory_lock` would hold a snapshot open, which a `CREATE INDEX CONCURRENTLY` of
/// the copy holding the lock waits for. Ends with the session if the tool dies.
async fn lock(client: &Client) -> anyhow::Result<()> {
    while !client.query_one("SELECT pg_try_advisory_lock($1)", &[&LOCK_KEY]).await?.get::<_, bool>(0) {
        tokio::time::sleep(LOCK_RETRY).await;
    }
    Ok(())
}

async fn record(client: &impl GenericClient, migration: &Migration) -> anyhow::Result<()> {
    client
        .execute(RECORD, &[&migration.version, &checksum(migration.sql)])
        .await
        .with_context(|| format!("recording migration {}", migration.version))?;
    Ok(())
}

fn applying(migration: &Migration) -> String {
    format!("applying migration {}", migration.version)
}

/// Every version the database has applied must be one of ours, with the same text.
fn check_applied(applied: &HashMap<String, String>, migrations: &[Migration]) -> anyhow::Result<()> {
    for (version, recorded) in applied {
        let Some(migration) = migrations.iter().find(|migration| migration.version == version) else {
            bail!("the database has migration {version}, which this build does not know (applied by a newer build?)");
        };
        if checksum(migration.sql) != *recorded {
            bail!("migration {version} was changed after it was applied: add a new migration instead");
        }
    }
    Ok(())
}

fn checksum(sql: &str) -> String {
    Sha256::digest(sql.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: Migration = Migration { version: "0001_a", sql: "CREATE TABLE a (id INT)" };

    #[test]
    fn checksum_is_sha256_hex() {
        assert_eq!(checksum(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn accepts_known_unchanged_migrations() {
        let applied = HashMap::from([(FIRST.version.to_owned(), checksum(FIRST.sql))]);
        check_applied(&applied, &[FIRST]).unwrap();
    }

    #[test]
    fn rejects_changed_and_unknown_migrations() {
        let changed = HashMap::from([(FIRST.version.to_owned(), checksum("CREATE TABLE b (id INT)"))]);
        assert!(check_applied(&changed, &[FIRST]).unwrap_err().to_string().contains("changed"));
        let unknown = HashMap::from([("0002_b".to_owned(), checksum("x"))]);
        assert!(check_applied(&unknown, &[FIRST]).unwrap_err().to_string().contains("does not know"));
    }
}
