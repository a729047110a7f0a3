# Holds the Spin OCI artifact (todo-app) and the native image (todo-native).
resource "google_artifact_registry_repository" "todo" {
  repository_id = "todo"
  location      = var.region
  format        = "DOCKER"
  depends_on    = [google_project_service.apis]

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }
}
