//! The `schema_migrations` table and the locked transaction that brings a database up to date.

use crate::{Migration, Report};
use anyhow::{Context as _, bail};
use sha2::{Digest as _, Sha256};
use std::collections::HashMap;
use tokio_postgres::Client;

/// Advisory lock key shared by every copy of the tool ("todo_mig" in ASCII).
const LOCK_KEY: i64 = 0x746f_646f_5f6d_6967;

const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version    TEXT PRIMARY KEY,
    checksum   TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)";

pub(crate) async fn apply_pending(client: &mut Client, migrations: &[Migration]) -> anyhow::Result<Report> {
    let transaction = client.transaction().await?;
    // db_url's statement and lock timeouts bound the app's requests; a migration may wait for
    // another copy's lock and may run long, so its own transaction lifts them.
    transaction
        .batch_execute("SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0")
        .await
        .context("lifting the URL's timeouts for the migration")?;
    // Taken first, before the ledger exists: two concurrent CREATE TABLE IF NOT EXISTS can clash.
    transaction.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY]).await.context("taking the migration lock")?;
    transaction.batch_execute(CREATE_LEDGER).await.context("creating schema_migrations")?;

    let applied: HashMap<String, String> = transaction
        .query("SELECT version, checksum FROM schema_migrations", &[])
        .await?
        .into_iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    check_applied(&applied, migrations)?;

    let mut report = Report { applied: Vec::new(), already_applied: applied.len() };
    for migration in migrations.iter().filter(|migration| !applied.contains_key(migration.version)) {
        transaction
            .batch_execute(migration.sql)
            .await
            .with_context(|| format!("applying migration {}", migration.version))?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version, checksum) VALUES ($1, $2)",
                &[&migration.version, &checksum(migration.sql)],
            )
            .await?;
        report.applied.push(migration.version.to_owned());
    }
    transaction.commit().await.context("committing the migrations")?;
    Ok(report)
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
