variable "project_id" {
  description = "The GCP project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of Cloud SQL, the registry and the subnet."
  type        = string
  default     = "europe-north1"
}

variable "zone" {
  description = "Zone of the (zonal) GKE cluster."
  type        = string
  default     = "europe-north1-a"
}

variable "github_repository_id" {
  description = "Numeric id of the GitHub repository allowed to build and deploy (make gcp-infra-up reads it from the GitHub API)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+$", var.github_repository_id))
    error_message = "The repository's numeric id, not its name."
  }
}

variable "github_repository_owner_id" {
  description = "Numeric id of the repository's owner (user or organization)."
  type        = string
  validation {
    condition     = can(regex("^[0-9]+$", var.github_repository_owner_id))
    error_message = "The owner's numeric id, not its name."
  }
}

variable "github_default_branch" {
  description = "The branch a `delete` event runs on: the teardown of another environment's branch comes from it."
  type        = string
  default     = "main"
}

variable "environments" {
  description = "Deployed branches; each gets database todo_<env>, user todo_<env>, a static IP."
  type        = list(string)
  default     = ["main", "develop"]
}

variable "node_machine_type" {
  type    = string
  default = "e2-standard-2"
}

variable "node_count_max" {
  type    = number
  default = 4
}

variable "db_tier" {
  description = "db-f1-micro choked under load in the original; one dedicated vCPU did not."
  type        = string
  default     = "db-custom-1-3840"
}

variable "db_max_connections" {
  description = "Cloud SQL max_connections: at least the connection budget of DEPLOY.md."
  type        = number
  default     = 1200
}

variable "sql_deletion_protection" {
  description = "false only on the way down: `make gcp-infra-down` applies it before it destroys."
  type        = bool
  default     = true
}

variable "control_plane_ipv4_cidr" {
  description = "The /28 of the private control plane endpoint (private cluster)."
  type        = string
  default     = "172.16.0.0/28"
}

variable "registry_tagged_days" {
  description = "Any artifact older than this is deleted, except the newest 20 of each package (rollback)."
  type        = number
  default     = 180
}

variable "registry_untagged_days" {
  description = "Untagged artifacts (build cache, superseded layers) are deleted after this."
  type        = number
  default     = 14
}

variable "write_limit_per_minute" {
  description = "Writes (POST/PATCH/PUT/DELETE) one client IP may send per minute (DEPLOY.md: sized from BENCHMARKS.md)."
  type        = number
  default     = 120
}

variable "write_ban_seconds" {
  description = "How long a client that sent five times the write limit in five minutes is refused."
  type        = number
  default     = 600
}

variable "read_limit_per_minute" {
  description = "Reads (everything else) one client IP may send per minute (DEPLOY.md: sized from BENCHMARKS.md)."
  type        = number
  default     = 1200
}

variable "rate_limit_exempt_ranges" {
  description = "CIDR ranges exempt from the rate limits, e.g. the runner of a load test; none by default."
  type        = list(string)
  default     = []
}
