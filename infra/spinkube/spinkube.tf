# SpinKube as spinkube.dev/docs/install/installing-with-helm documents it (versions and sources:
# DEPLOY.md): cert-manager, runtime-class-manager and its Shim (the containerd-shim-spin binary
# on every node labelled spin=true, and the wasmtime-spin-v2 RuntimeClass), the spin-operator
# CRDs, then the operator. The SpinAppExecutor is namespaced and ships with the app
# (k8s/base/executor.yaml).
resource "helm_release" "cert_manager" {
  name             = "cert-manager"
  repository       = "https://charts.jetstack.io"
  chart            = "cert-manager"
  version          = var.cert_manager_version
  namespace        = "cert-manager"
  create_namespace = true
  wait             = true
  set {
    name  = "crds.enabled"
    value = "true"
  }
}

resource "helm_release" "runtime_class_manager" {
  name             = "runtime-class-manager"
  repository       = "oci://ghcr.io/spinframework/charts"
  chart            = "runtime-class-manager"
  version          = var.runtime_class_manager_version
  namespace        = "runtime-class-manager"
  create_namespace = true
  wait             = true
}

# The Shim is a custom resource of the chart above: a local chart defers it to apply time
# (kubernetes_manifest would need its CRD to exist while planning).
resource "helm_release" "spin_shim" {
  name       = "spin-shim"
  chart      = "${path.module}/shim-chart"
  namespace  = "runtime-class-manager"
  wait       = true
  depends_on = [helm_release.runtime_class_manager]
  set {
    name  = "shimVersion"
    value = var.shim_version
  }
}

# The CRDs of the spin-operator release (its spin-operator.crds.yaml joins these two files),
# from the tag's commit and checked against their SHA-256 before anything is applied.
locals {
  spin_operator_crds = {
    "core.spinkube.dev_spinappexecutors.yaml" = "c290585b469a6076eeab764af63be1aac11d584c903b5f72a45a1df807634107"
    "core.spinkube.dev_spinapps.yaml"         = "08051de70925efe25bafca636c9b9410a4fe61e17015bd199be1efa04a5b5762"
  }
}

data "http" "spin_operator_crds" {
  for_each = local.spin_operator_crds
  url      = "https://raw.githubusercontent.com/spinframework/spin-operator/${var.spin_operator_commit}/config/crd/bases/${each.key}"
  lifecycle {
    postcondition {
      condition     = sha256(self.response_body) == each.value
      error_message = "${each.key} does not have the pinned SHA-256."
    }
  }
}

resource "kubernetes_manifest" "spin_operator_crds" {
  for_each = data.http.spin_operator_crds
  manifest = provider::kubernetes::manifest_decode(each.value.response_body)
}

resource "helm_release" "spin_operator" {
  name             = "spin-operator"
  repository       = "oci://ghcr.io/spinframework/charts"
  chart            = "spin-operator"
  version          = var.spin_operator_version
  namespace        = "spin-operator"
  create_namespace = true
  wait             = true
  depends_on = [
    helm_release.cert_manager,
    helm_release.spin_shim,
    kubernetes_manifest.spin_operator_crds,
  ]
}
