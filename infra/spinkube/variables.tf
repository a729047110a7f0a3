variable "project_id" {
  type = string
}

variable "zone" {
  type    = string
  default = "europe-north1-a"
}

variable "cluster_name" {
  type    = string
  default = "todo"
}

variable "spin_operator_version" {
  description = "spin-operator release; its CRDs are the ones the deploy tests validate against."
  type        = string
  default     = "0.6.1"
}

variable "shim_version" {
  description = "containerd-shim-spin; v0.24.0 embeds Spin 3.6.3."
  type        = string
  default     = "v0.24.0"
}

variable "cert_manager_version" {
  type    = string
  default = "v1.16.2"
}
