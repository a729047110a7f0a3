# Holds the Spin OCI artifact (todo-app) and the native image (todo-native). The build job pushes
# :<sha> once (tags are immutable: nothing can move one to other bytes) and the deploy job deploys
# by digest. The cleanup deletes untagged versions after var.registry_untagged_days and any
# version after var.registry_tagged_days, and keeps the 20 newest versions of each package
# regardless (KEEP wins over DELETE: make rollback).
resource "google_artifact_registry_repository" "todo" {
  repository_id          = "todo"
  location               = var.region
  format                 = "DOCKER"
  cleanup_policy_dry_run = false
  depends_on             = [google_project_service.apis]

  docker_config {
    immutable_tags = true
  }

  cleanup_policies {
    id     = "delete-untagged"
    action = "DELETE"
    condition {
      tag_state  = "UNTAGGED"
      older_than = "${var.registry_untagged_days * 86400}s"
    }
  }
  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      tag_state  = "ANY"
      older_than = "${var.registry_tagged_days * 86400}s"
    }
  }
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }
}
