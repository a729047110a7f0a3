"""The database roles of infra/cluster/sql/roles.sql.tftpl, rendered as Terraform renders it
and run on a PostgreSQL 15 shaped like Cloud SQL (checks/postgres.py) for both environments,
then every migration of migrations/ applied by the migrator: each environment's users hold no
CREATEROLE/CREATEDB and are outside cloudsqlsuperuser, reach their own database only, the app
role changes rows and never the schema (also of tables a later migration adds), and the
migrator owns the schema. A control shows the takeover that Cloud SQL's defaults allow."""

import re

import pytest

from checks import postgres, terraform
from conftest import REPO

CLUSTER = terraform.load(REPO / "infra" / "cluster")
TEMPLATE = REPO / "infra" / "cluster" / "sql" / "roles.sql.tftpl"
ENVIRONMENTS = CLUSTER.variables["environments"]["default"]
ADMIN = "todo_admin"


def names(env: str) -> dict[str, str]:
    return {"admin": ADMIN, "database": f"todo_{env}", "migrator": f"todo_{env}_migrator", "app": f"todo_{env}_app"}


def render(variables: dict[str, str]) -> str:
    """templatefile() for this template: plain ${name} interpolations, nothing else."""
    text = TEMPLATE.read_text()
    assert "%{" not in text, "the template uses only ${...} interpolations"
    used = set(re.findall(r"\$\{(\w+)\}", text))
    assert used == set(variables), f"template variables {sorted(used)} != {sorted(variables)}"
    return re.sub(r"\$\{(\w+)\}", lambda m: variables[m[1]], text)


def migrations() -> list[str]:
    return [path.read_text() for path in sorted((REPO / "migrations").glob("*.sql"))]


@pytest.fixture(scope="module")
def instance():
    if not postgres.available():
        pytest.fail("PostgreSQL 15 server binaries are needed (/usr/lib/postgresql/15/bin: make deps)")
    server = postgres.CloudSqlLike().start()
    try:
        server.api_user(ADMIN, "admin-password")
        for env in ENVIRONMENTS:
            n = names(env)
            server.api_database(n["database"])
            server.api_user(n["migrator"], f"{env}-migrator-password")
            server.api_user(n["app"], f"{env}-app-password")
            for _ in range(2):  # idempotent: the second run changes nothing and fails nothing
                server.as_user(ADMIN, n["database"], render(n))
            for migration in migrations():
                server.as_user(n["migrator"], n["database"], migration)
        yield server
    finally:
        server.stop()


def refused(server, user, database, sql) -> str:
    with pytest.raises(postgres.SqlError) as error:
        server.as_user(user, database, sql)
    return str(error.value)


def test_terraform_renders_the_template_with_the_names_the_users_and_databases_have():
    sql = CLUSTER.of_type("google_storage_bucket_object")["db_roles"]
    assert sql["for_each"] == "${toset(var.environments)}"
    content = sql["content"]
    assert "templatefile(\"${path.module}/sql/roles.sql.tftpl\"" in content
    for key, value in {"admin": "google_sql_user.admin.name", "database": "google_sql_database.env[each.value].name",
                       "migrator": "google_sql_user.migrator[each.value].name",
                       "app": "google_sql_user.app[each.value].name"}.items():
        assert re.search(rf"\b{key}\s*=\s*{re.escape(value)}", content), f"{key} = {value}"
    users = CLUSTER.of_type("google_sql_user")
    assert (users["migrator"]["name"], users["app"]["name"]) == (
        "todo_${each.value}_migrator", "todo_${each.value}_app")
    assert users["admin"]["name"] == ADMIN
    assert CLUSTER.of_type("google_sql_database")["env"]["name"] == "todo_${each.value}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_users_have_no_create_role_or_database_and_are_outside_cloudsqlsuperuser(instance, env):
    n = names(env)
    rows = instance.superuser(
        "SELECT rolname, rolcreaterole, rolcreatedb, rolsuper, pg_has_role(rolname, 'cloudsqlsuperuser', 'MEMBER') "
        f"FROM pg_roles WHERE rolname IN ('{n['migrator']}', '{n['app']}') ORDER BY rolname")
    assert rows.splitlines() == [f"{n['app']}|f|f|f|f", f"{n['migrator']}|f|f|f|f"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_database_is_reachable_by_its_own_users_only(instance, env):
    n = names(env)
    acl = instance.superuser(f"SELECT datacl FROM pg_database WHERE datname = '{n['database']}'")
    assert not re.search(r"(^|[{,])=[A-Za-z]*c", acl), f"PUBLIC may connect: {acl}"
    for user in (n["migrator"], n["app"]):
        assert instance.as_user(user, n["database"], "SELECT current_database()") == n["database"]
    for other in ENVIRONMENTS:
        if other == env:
            continue
        for user in (names(other)["migrator"], names(other)["app"]):
            assert "permission denied for database" in refused(instance, user, n["database"], "SELECT 1")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_environment_user_can_take_another_role(instance, env):
    n = names(env)
    for user in (n["migrator"], n["app"]):
        for other in ENVIRONMENTS:
            for role in ("migrator", "app", "admin"):
                target = names(other)[role]
                if target == user:
                    continue
                error = refused(instance, user, n["database"], f"GRANT {target} TO {user}")
                assert re.search(r"permission denied|must have admin option", error), error
    assert "permission denied" in refused(instance, n["app"], n["database"], f"SET ROLE {n['migrator']}")
    assert "permission denied" in refused(instance, n["app"], n["database"], "CREATE ROLE intruder")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_app_role_changes_rows_and_never_the_schema(instance, env):
    n = names(env)
    app = n["app"]
    created = instance.as_user(app, n["database"], "INSERT INTO todos (task) VALUES ('roles test') RETURNING id")
    updated = instance.as_user(app, n["database"], f"UPDATE todos SET done = true WHERE id = {created} RETURNING done")
    assert updated == "t"
    assert instance.as_user(app, n["database"], f"SELECT task FROM todos WHERE id = {created}") == "roles test"
    assert instance.as_user(app, n["database"], f"DELETE FROM todos WHERE id = {created} RETURNING id") == created
    for ddl in ("DROP TABLE todos", "ALTER TABLE todos ADD COLUMN x INT", "TRUNCATE todos",
                "CREATE TABLE mine (id INT)", "CREATE TEMP TABLE mine (id INT)", "CREATE SCHEMA mine"):
        assert re.search(r"permission denied|must be owner", refused(instance, app, n["database"], ddl)), ddl


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_what_a_later_migration_creates_is_open_to_the_app_role_without_naming_it(instance, env):
    n = names(env)
    instance.as_user(n["migrator"], n["database"], """
        CREATE TABLE later_notes (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note TEXT NOT NULL);
        CREATE FUNCTION later_upper() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.note := upper(NEW.note); RETURN NEW; END $$;
        CREATE TRIGGER later_upper BEFORE INSERT ON later_notes FOR EACH ROW EXECUTE FUNCTION later_upper();
    """)
    try:
        assert instance.as_user(n["app"], n["database"],
                                "INSERT INTO later_notes (note) VALUES ('x') RETURNING note") == "X"
        assert "must be owner" in refused(instance, n["app"], n["database"], "DROP TABLE later_notes")
        owner = instance.superuser("SELECT tableowner FROM pg_tables WHERE tablename = 'later_notes'", n["database"])
        assert owner == n["migrator"]
    finally:
        instance.as_user(n["migrator"], n["database"], "DROP TABLE later_notes; DROP FUNCTION later_upper();\n")


def test_without_the_bootstrap_cloud_sql_users_take_over_each_other(instance):
    # The control: users as the Cloud SQL API leaves them (what Terraform alone created before).
    instance.api_database("todo_control")
    instance.api_user("control_a", "a-password")
    instance.api_user("control_b", "b-password")
    assert instance.as_user("control_b", "todo_control", "SELECT current_user") == "control_b"
    instance.as_user("control_b", "todo_control", "GRANT control_a TO control_b")
    assert instance.as_user("control_b", "todo_control", "SET ROLE control_a; SELECT current_user;\n") == "control_a"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_app_roles_writes_keep_the_lists_counters(instance, env):
    # The counters' triggers run as the writer: the app role's create, edit and delete update them.
    n = names(env)
    counted = "SELECT (SELECT count(*) FROM todos) || ' ' || (SELECT count(*) FROM todos WHERE done) || ' ' || " \
              "sum(todos) || ' ' || sum(done) FROM todo_counts"
    todo = instance.as_user(n["app"], n["database"], "INSERT INTO todos (task) VALUES ('role check') RETURNING id")
    instance.as_user(n["app"], n["database"], f"UPDATE todos SET done = true WHERE id = {todo}")
    all_, done, kept_all, kept_done = instance.as_user(n["app"], n["database"], counted).split()
    assert (kept_all, kept_done) == (all_, done) and int(done) >= 1
    instance.as_user(n["app"], n["database"], f"DELETE FROM todos WHERE id = {todo}")
    all_, done, kept_all, kept_done = instance.as_user(n["app"], n["database"], counted).split()
    assert (kept_all, kept_done) == (all_, done)
    assert "permission denied" in refused(instance, n["app"], n["database"], "TRUNCATE todos")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_app_role_reads_the_list_through_its_function(instance, env):
    # The list's page is a function (migrations/0005) that runs as its caller: the app role may call
    # it, as PostgreSQL lets anyone call a function, and it reads the rows and counters it may read.
    n = names(env)
    todo = instance.as_user(n["app"], n["database"], "INSERT INTO todos (task) VALUES ('page check') RETURNING id")
    page = instance.as_user(
        n["app"], n["database"],
        "SELECT id || ' ' || total FROM todo_list_page(9223372036854775807, 1, ''::bytea, NULL)",
    )
    total = instance.as_user(n["app"], n["database"], "SELECT count(*) FROM todos")
    assert page == f"{todo} {total}"
    instance.as_user(n["app"], n["database"], f"DELETE FROM todos WHERE id = {todo}")
