output "cluster_name" {
  value = google_container_cluster.todo.name
}

output "cluster_location" {
  value = google_container_cluster.todo.location
}

output "registry" {
  value = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.todo.repository_id}"
}

output "workload_identity_provider" {
  description = "GitHub variable GCP_WORKLOAD_IDENTITY_PROVIDER"
  value       = google_iam_workload_identity_pool_provider.github.name
}

output "build_service_account" {
  description = "GitHub variable GCP_BUILD_SERVICE_ACCOUNT (environment build)"
  value       = google_service_account.builder.email
}

output "deploy_service_accounts" {
  description = "GitHub variable GCP_DEPLOY_SERVICE_ACCOUNT of each environment"
  value       = { for env, account in google_service_account.deployer : env => account.email }
}

output "sql_instance" {
  value = google_sql_database_instance.todo.name
}

output "instance_connection_name" {
  description = "instance_connection_name of k8s/overlays/<env>/todo-db.yaml (the proxy's instance)"
  value       = google_sql_database_instance.todo.connection_name
}

output "private_services_peering" {
  description = "The VPC peering of private services access (`infra/gcp.sh down` removes it)"
  value       = google_service_networking_connection.private_services.peering
}

output "db_roles_scripts" {
  description = "gs:// URI of each environment's roles script (make gcp-db-roles)"
  value       = { for env, object in google_storage_bucket_object.db_roles : env => "gs://${object.bucket}/${object.name}" }
}

# Every connection goes through the environment's Cloud SQL Auth Proxy (Service cloud-sql-proxy
# in the app's namespace): plain TCP inside the namespace, TLS with a client certificate from
# there to Cloud SQL, so sslmode=disable here. The bounds on a database that stops answering live
# in the URL (Spin adds none): scripts/db-url-bounds, their one definition.
locals {
  db_proxy      = "cloud-sql-proxy:5432"
  db_url_bounds = trimspace(file("${path.module}/../../scripts/db-url-bounds"))
}

output "db_urls" {
  description = "db_url (the app role) and migrate_db_url (the migrator) of each environment, for k8s/overlays/<env>/todo-db.yaml"
  sensitive   = true
  value = {
    for env, db in google_sql_database.env : env => {
      db_url         = "postgres://${google_sql_user.app[env].name}:${random_password.app[env].result}@${local.db_proxy}/${db.name}?sslmode=disable&${local.db_url_bounds}"
      migrate_db_url = "postgres://${google_sql_user.migrator[env].name}:${random_password.migrator[env].result}@${local.db_proxy}/${db.name}?sslmode=disable&${local.db_url_bounds}"
    }
  }
}

output "db_host" {
  value = local.db_proxy
}

output "ingress_addresses" {
  description = "The static IP of each environment: point the domain's A record here (DEPLOY.md)"
  value       = { for env, address in google_compute_global_address.ingress : env => address.address }
}
