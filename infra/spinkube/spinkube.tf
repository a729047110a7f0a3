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

data "http" "spin_operator_crds" {
  url = "https://github.com/spinframework/spin-operator/releases/download/v${var.spin_operator_version}/spin-operator.crds.yaml"
}

resource "kubernetes_manifest" "spin_operator_crds" {
  for_each = {
    for doc in provider::kubernetes::manifest_decode_multi(data.http.spin_operator_crds.response_body) :
    doc.metadata.name => doc
  }
  manifest = each.value
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
