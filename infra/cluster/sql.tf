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
  }
}

resource "google_sql_database" "env" {
  for_each = toset(var.environments)
  name     = "todo_${each.value}"
  instance = google_sql_database_instance.todo.name
}

resource "random_password" "db" {
  length  = 32
  special = false
}

resource "google_sql_user" "todo" {
  name     = "todo"
  instance = google_sql_database_instance.todo.name
  password = random_password.db.result
}
