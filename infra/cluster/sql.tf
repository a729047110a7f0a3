# PostgreSQL 15 on a private IP. Only the Cloud SQL Auth Proxy of each environment connects
# (k8s/base/cloud-sql-proxy.yaml): TLS with the client certificate the proxy gets for its own
# service account; a direct connection, encrypted or not, is refused.
resource "google_sql_database_instance" "todo" {
  name             = "todo-pg"
  database_version = "POSTGRES_15"
  region           = var.region
  # `make gcp-infra-down` applies false before it destroys: the provider refuses to delete the
  # instance while the state says true, and a destroy alone does not change the state.
  deletion_protection = var.sql_deletion_protection
  depends_on          = [google_service_networking_connection.private_services]

  settings {
    tier                  = var.db_tier
    availability_type     = "ZONAL"
    connector_enforcement = "REQUIRED"
    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.todo.id
      ssl_mode        = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    }
    backup_configuration {
      enabled = true
    }
    # The connection budget (DEPLOY.md, checked by deploy-tests/test_availability.py): Spin keeps
    # up to 64 pooled connections per database address in every pod; the proxy opens one
    # connection to Cloud SQL for each of its clients.
    database_flags {
      name  = "max_connections"
      value = var.db_max_connections
    }
  }
}

# Databases and users are ABANDONed when Terraform lets go of them: PostgreSQL refuses to drop a
# role that holds grants or owns objects, and a database its roles still use (the provider's
# DELETE fails half way). Removing an environment leaves them on the instance (DEPLOY.md);
# `make gcp-infra-down` deletes the instance with everything in it.
resource "google_sql_database" "env" {
  for_each        = toset(var.environments)
  name            = "todo_${each.value}"
  instance        = google_sql_database_instance.todo.name
  deletion_policy = "ABANDON"
}

# Cloud SQL creates these in cloudsqlsuperuser with CREATEROLE and CREATEDB; the roles script
# below takes that away from the environment users. The admin is used by that script only
# (gcloud sql import --user): its password is in the Terraform state and nowhere else.
resource "random_password" "admin" {
  length  = 32
  special = false
}

resource "google_sql_user" "admin" {
  name            = "todo_admin"
  instance        = google_sql_database_instance.todo.name
  password        = random_password.admin.result
  deletion_policy = "ABANDON"
}

# Per environment: the migration Job's user (owns the schema) and the Spin components' user
# (rows only), each with its own password.
resource "random_password" "migrator" {
  for_each = toset(var.environments)
  length   = 32
  special  = false
}

resource "google_sql_user" "migrator" {
  for_each        = toset(var.environments)
  name            = "todo_${each.value}_migrator"
  instance        = google_sql_database_instance.todo.name
  password        = random_password.migrator[each.value].result
  deletion_policy = "ABANDON"
}

resource "random_password" "app" {
  for_each = toset(var.environments)
  length   = 32
  special  = false
}

resource "google_sql_user" "app" {
  for_each        = toset(var.environments)
  name            = "todo_${each.value}_app"
  instance        = google_sql_database_instance.todo.name
  password        = random_password.app[each.value].result
  deletion_policy = "ABANDON"
}

# The roles script of each environment (sql/roles.sql.tftpl: no secret in it), where
# `gcloud sql import sql` reads it: the instance's own service account may read this bucket.
resource "google_storage_bucket" "db_roles" {
  name                        = "${var.project_id}-todo-db-roles"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  depends_on                  = [google_project_service.apis]
}

resource "google_storage_bucket_object" "db_roles" {
  for_each = toset(var.environments)
  bucket   = google_storage_bucket.db_roles.name
  name     = "roles-${each.value}.sql"
  content = templatefile("${path.module}/sql/roles.sql.tftpl", {
    admin    = google_sql_user.admin.name
    database = google_sql_database.env[each.value].name
    migrator = google_sql_user.migrator[each.value].name
    app      = google_sql_user.app[each.value].name
  })
}

resource "google_storage_bucket_iam_member" "db_roles_import" {
  bucket = google_storage_bucket.db_roles.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_sql_database_instance.todo.service_account_email_address}"
}

# The Cloud SQL Auth Proxy of each environment runs as the Kubernetes service account
# cloud-sql-proxy of todo-<env> (infra/spinkube/namespaces.tf), which Workload Identity maps to
# this Google service account: allowed to open connections to the instance, nothing else.
resource "google_service_account" "sql_proxy" {
  for_each     = toset(var.environments)
  account_id   = "todo-sql-proxy-${each.value}"
  display_name = "Cloud SQL Auth Proxy of todo-${each.value}"
  depends_on   = [google_project_service.foundation]
}

resource "google_project_iam_member" "sql_proxy_client" {
  for_each = google_service_account.sql_proxy
  project  = var.project_id
  role     = "roles/cloudsql.client"
  member   = "serviceAccount:${each.value.email}"
}

resource "google_service_account_iam_member" "sql_proxy_workload_identity" {
  for_each           = google_service_account.sql_proxy
  service_account_id = each.value.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[todo-${each.key}/cloud-sql-proxy]"
  depends_on         = [google_container_cluster.todo]
}
