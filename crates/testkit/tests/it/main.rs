use testkit::{Postgres, shared_postgres};

#[test]
fn a_fresh_database_accepts_sql() {
    let database = shared_postgres().create_database();
    let answer = shared_postgres().psql(&database.name, "SELECT 40 + 2");
    assert_eq!(answer.trim(), "42");
}

#[test]
fn data_survives_stop_and_start_again() {
    let postgres = Postgres::start();
    postgres.psql("postgres", "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)");
    postgres.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", postgres.port())).is_err());
    postgres.start_again();
    assert_eq!(postgres.psql("postgres", "SELECT n FROM kept").trim(), "7");
}
