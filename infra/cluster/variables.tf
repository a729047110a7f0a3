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

variable "github_repository" {
  description = "owner/name of the GitHub repository allowed to deploy."
  type        = string
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

variable "registry_untagged_days" {
  description = "Untagged artifacts (replaced :main/:develop tags, build cache) are deleted after this."
  type        = number
  default     = 14
}
