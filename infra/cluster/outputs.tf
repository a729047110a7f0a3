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

output "deploy_service_account" {
  description = "GitHub variable GCP_DEPLOY_SERVICE_ACCOUNT"
  value       = google_service_account.deployer.email
}

output "db_host" {
  value = "${google_sql_database_instance.todo.private_ip_address}:5432"
}

# The bounds on a database that stops answering live in the URL (Spin and outbound-pg add none):
# the same options as k8s/secrets/todo-db.yaml.example and scripts/stack.sh.
locals {
  db_url_bounds = "connect_timeout=5&keepalives=1&keepalives_idle=30&keepalives_interval=10&keepalives_retries=3&options=-c%20statement_timeout%3D10000%20-c%20lock_timeout%3D5000"
}

output "db_urls" {
  description = "db_url of each environment, for k8s/overlays/<env>/todo-db.yaml"
  sensitive   = true
  value = {
    for env, db in google_sql_database.env :
    env => "postgres://${google_sql_user.env[env].name}:${random_password.db[env].result}@${google_sql_database_instance.todo.private_ip_address}:5432/${db.name}?sslmode=disable&${local.db_url_bounds}"
  }
}

output "ingress_addresses" {
  description = "The static IP of each environment: point the domain's A record here (DEPLOY.md)"
  value       = { for env, address in google_compute_global_address.ingress : env => address.address }
}
