//! The list's statements against 1,000,000 todos in a real PostgreSQL (testkit, migrated): every
//! filter and every page, deep ones too, reads a few index and heap pages and never the table,
//! with the one plan for any values that a connection keeps. The statements run inside
//! `todo_list_page` (migrations/0005), so their plans are read with auto_explain.
//! `cargo test --release -p todo-core --test it -- --nocapture` prints the plans.

use testkit::{Database, shared_postgres};
use todo_core::store::{CHANGES, LIST};

const TODOS: i64 = 1_000_000;
/// A page of 50 reads at most one heap page per todo plus a few index pages; a scan of the
/// table reads thousands.
const MAX_BUFFERS: u64 = 200;

#[tokio::test]
async fn every_filter_and_page_reads_an_index_at_a_million_todos() {
    let database = shared_postgres().create_database();
    migrate::run(&database.url).await.unwrap();
    let psql = |sql: &str| shared_postgres().psql(&database.name, sql);
    // One todo in a thousand done: `?done=true` is the rare filter.
    psql(&format!(
        "INSERT INTO todos (task, done) SELECT 'todo ' || n, n % 1000 = 0 FROM generate_series(1, {TODOS}) n"
    ));
    psql("VACUUM ANALYZE todos");
    check_pages(
        &database,
        "done rare",
        &[("all", "NULL", None), ("done", "true", Some("todos_done_id")), ("open", "false", None)],
    );

    // Now nearly all done: `?done=false` is the rare one.
    psql("UPDATE todos SET done = NOT done");
    psql("VACUUM ANALYZE todos");
    check_pages(
        &database,
        "open rare",
        &[("all", "NULL", None), ("done", "true", None), ("open", "false", Some("todos_open_id"))],
    );

    let plan = explain(&database, CHANGES);
    println!("-- the change counter\n{plan}");
    assert!(buffers(&plan) <= 4, "{plan}");
}

/// Each filter (`only_done`: the list's `$4`), from the top and from deep pages, with the index
/// it must use when given.
fn check_pages(database: &Database, case: &str, filters: &[(&str, &str, Option<&str>)]) {
    for &(filter, only_done, index) in filters {
        for before in [i64::MAX, TODOS / 2, 10_000] {
            // A reader with a session: `mine` is computed for every todo of the page.
            let execute = format!("page({before}, 50, sha256('a session'::bytea), {only_done})");
            let prepare = format!("PREPARE page (int8, int8, bytea, bool) AS {LIST};");
            let rows = shared_postgres().psql(&database.name, &format!("{prepare} EXECUTE {execute}"));
            assert!(rows.lines().count() > 1, "a page of todos and the counts ({case}, before={before})");
            let plan = page_plan(database, &format!("{prepare} EXECUTE {execute}"));
            println!("-- {case}: the list of {filter} todos, before={before}\n{plan}");
            // The plan for any values: `$1` stands for `before`, never its value.
            assert!(plan.contains("Index Cond: (id < $1)"), "{case}, before={before}: {plan}");
            assert!(!plan.contains("Seq Scan on todos"), "{case}, before={before}: {plan}");
            assert!(buffers(&plan) <= MAX_BUFFERS, "{case}, before={before}: {plan}");
            if let Some(index) = index {
                assert!(plan.contains(index), "{case}, before={before}: not on {index}: {plan}");
            }
        }
    }
}

/// The plan of the statement that reads the page inside `todo_list_page`, as auto_explain logs it
/// when `sql` calls the function.
fn page_plan(database: &Database, sql: &str) -> String {
    let logged = shared_postgres().psql_messages(
        &database.name,
        &format!(
            "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; \
             SET auto_explain.log_analyze = on; SET auto_explain.log_buffers = on; SET auto_explain.log_timing = off; \
             SET client_min_messages = log; {sql}"
        ),
    );
    let plans: Vec<&str> = logged.split("LOG:  duration:").filter(|plan| plan.contains("FROM todos AS t")).collect();
    assert_eq!(plans.len(), 1, "one logged plan of the page: {logged}");
    plans[0].to_owned()
}

/// The plan as run; a prepared statement's execution (`EXPLAIN_EXECUTE`) plans with the
/// parameters' values, as a statement the API sends does.
fn explain(database: &Database, sql: &str) -> String {
    let explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF)";
    let sql = if sql.contains("EXPLAIN_EXECUTE") {
        sql.replace("EXPLAIN_EXECUTE", &format!("{explain} EXECUTE"))
    } else {
        format!("{explain} {sql}")
    };
    shared_postgres().psql(&database.name, &sql)
}

/// The shared buffers the whole statement touched (the top node's `Buffers:` line).
fn buffers(plan: &str) -> u64 {
    let line = plan.lines().find(|line| line.trim_start().starts_with("Buffers: shared")).unwrap_or("");
    line.split_whitespace()
        .filter_map(|field| field.split_once('=').and_then(|(name, n)| ["hit", "read"].contains(&name).then_some(n)))
        .map(|n| n.parse::<u64>().unwrap())
        .sum()
}
