# The app namespaces (todo-<env>) with Pod Security labels, their service accounts, and the only
# Kubernetes rights of each environment's GitHub deployer: the objects of the app, inside its own
# namespace. Its GCP role (container.clusterViewer, infra/cluster/github.tf) lets it fetch
# credentials and nothing more.
data "google_service_account" "deployer" {
  for_each   = toset(var.environments)
  account_id = "todo-deploy-${each.value}"
}

resource "kubernetes_namespace_v1" "app" {
  for_each = toset(var.environments)
  # Destroyed before the operator, which must still be there to release the executors'
  # finalizers (make gcp-infra-down deletes the SpinApps first).
  depends_on = [helm_release.spin_operator]
  metadata {
    name = "todo-${each.value}"
    labels = {
      "pod-security.kubernetes.io/enforce" = "baseline"
      "pod-security.kubernetes.io/warn"    = "restricted"
      "pod-security.kubernetes.io/audit"   = "restricted"
    }
  }
}

resource "kubernetes_role_v1" "deployer" {
  for_each = kubernetes_namespace_v1.app
  metadata {
    name      = "todo-deployer"
    namespace = each.value.metadata[0].name
  }
  dynamic "rule" {
    for_each = local.deploy_rules
    content {
      api_groups = [rule.key]
      resources  = rule.value
      verbs      = ["get", "list", "watch", "create", "update", "patch", "delete"]
    }
  }
  rule {
    api_groups = [""]
    resources  = ["pods", "pods/log"]
    verbs      = ["get", "list", "watch"]
  }
}

resource "kubernetes_role_binding_v1" "deployer" {
  for_each = kubernetes_role_v1.deployer
  metadata {
    name      = "todo-deployer"
    namespace = each.value.metadata[0].namespace
  }
  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = each.value.metadata[0].name
  }
  subject {
    kind      = "User"
    name      = data.google_service_account.deployer[each.key].email
    api_group = "rbac.authorization.k8s.io"
  }
}

# The Spin apps' pods (spec.serviceAccountName of every SpinApp): no API token in them.
resource "kubernetes_service_account_v1" "spin_apps" {
  for_each = kubernetes_namespace_v1.app
  metadata {
    name      = "todo-spin"
    namespace = each.value.metadata[0].name
  }
  automount_service_account_token = false
}

# The Cloud SQL Auth Proxy's pods: Workload Identity maps them to the Google service account
# todo-sql-proxy-<env> (infra/cluster/sql.tf), which may connect to Cloud SQL. No API token
# either: the GKE metadata server hands out the Google credentials.
resource "kubernetes_service_account_v1" "cloud_sql_proxy" {
  for_each = kubernetes_namespace_v1.app
  metadata {
    name      = "cloud-sql-proxy"
    namespace = each.value.metadata[0].name
    annotations = {
      "iam.gke.io/gcp-service-account" = "todo-sql-proxy-${each.key}@${var.project_id}.iam.gserviceaccount.com"
    }
  }
  automount_service_account_token = false
}

locals {
  # Every kind that k8s/ renders, by API group (what infra/deploy.sh applies and awaits).
  deploy_rules = {
    ""                  = ["secrets", "services", "persistentvolumeclaims", "configmaps", "serviceaccounts"]
    "apps"              = ["deployments", "statefulsets", "replicasets"]
    "batch"             = ["jobs", "cronjobs"]
    "autoscaling"       = ["horizontalpodautoscalers"]
    "policy"            = ["poddisruptionbudgets"]
    "networking.k8s.io" = ["ingresses", "networkpolicies"]
    "core.spinkube.dev" = ["spinapps", "spinappexecutors"]
    "cloud.google.com"  = ["backendconfigs"]
    "networking.gke.io" = ["managedcertificates", "frontendconfigs"]
  }
}
