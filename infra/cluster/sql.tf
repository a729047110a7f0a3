resource "google_sql_database_instance" "todo" {
  name                = "todo-pg"
  database_version    = "POSTGRES_15"
  region              = var.region
  deletion_protection = true
  depends_on          = [google_service_networking_connection.private_services]

  settings {
    tier              = var.db_tier
    availability_type = "ZONAL"
    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.todo.id
      # In-VPC traffic; Spin's Postgres client would not trust Cloud SQL's private CA.
      ssl_mode = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"
    }
    backup_configuration {
      enabled = true
    }
    # The connection budget (DEPLOY.md, checked by deploy-tests/test_budget.py): Spin keeps up
    # to 64 pooled connections per database address in every pod.
    database_flags {
      name  = "max_connections"
      value = var.db_max_connections
    }
  }
}

resource "google_sql_database" "env" {
  for_each = toset(var.environments)
  name     = "todo_${each.value}"
  instance = google_sql_database_instance.todo.name
}

# One user and password per environment, owner of that environment's database only.
resource "random_password" "db" {
  for_each = toset(var.environments)
  length   = 32
  special  = false
}

resource "google_sql_user" "env" {
  for_each = toset(var.environments)
  name     = "todo_${each.value}"
  instance = google_sql_database_instance.todo.name
  password = random_password.db[each.value].result
}
