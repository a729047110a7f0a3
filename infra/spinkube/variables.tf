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

variable "spin_operator_commit" {
  description = "The commit of spin-operator's v0.6.1 tag, whose CRDs are installed."
  type        = string
  default     = "96c9d1d1d69c2c04e005375c44f323fb10e31002"
}

variable "shim_version" {
  description = "containerd-shim-spin; v0.24.0 embeds Spin 3.6.3."
  type        = string
  default     = "v0.24.0"
}

variable "runtime_class_manager_version" {
  description = "runtime-class-manager chart (oci://ghcr.io/spinframework/charts); installs the Shim."
  type        = string
  default     = "0.2.0"
}

variable "cert_manager_version" {
  description = "The version the SpinKube Helm install guide uses."
  type        = string
  default     = "v1.20.0"
}

variable "environments" {
  description = "Deployed branches; each gets namespace todo-<env> (same list as infra/cluster)."
  type        = list(string)
  default     = ["main", "develop"]
}
