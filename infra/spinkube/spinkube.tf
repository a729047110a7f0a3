resource "helm_release" "cert_manager" {
  name             = "cert-manager"
  repository       = "https://charts.jetstack.io"
  chart            = "cert-manager"
  version          = var.cert_manager_version
  namespace        = "cert-manager"
  create_namespace = true
  set {
    name  = "crds.enabled"
    value = "true"
  }
}

# Installs containerd-shim-spin on every node (autoProvision) and registers it with containerd.
resource "helm_release" "shim_installer" {
  name             = "kwasm-operator"
  repository       = "http://kwasm.sh/kwasm-operator/"
  chart            = "kwasm-operator"
  namespace        = "kwasm"
  create_namespace = true
  set {
    name  = "kwasmOperator.installerImage"
    value = "ghcr.io/spinframework/containerd-shim-spin/node-installer:${var.shim_version}"
  }
  set {
    name  = "kwasmOperator.autoProvision"
    value = "true"
  }
}

data "http" "spin_operator_crds" {
  url = "https://github.com/spinkube/spin-operator/releases/download/v${var.spin_operator_version}/spin-operator.crds.yaml"
}

resource "kubernetes_manifest" "spin_operator_crds" {
  for_each = {
    for doc in provider::kubernetes::manifest_decode_multi(data.http.spin_operator_crds.response_body) :
    doc.metadata.name => doc
  }
  manifest = each.value
}

resource "kubernetes_manifest" "runtime_class" {
  manifest = {
    apiVersion = "node.k8s.io/v1"
    kind       = "RuntimeClass"
    metadata   = { name = "wasmtime-spin-v2" }
    handler    = "spin"
  }
}

resource "helm_release" "spin_operator" {
  name             = "spin-operator"
  repository       = "oci://ghcr.io/spinkube/charts"
  chart            = "spin-operator"
  version          = var.spin_operator_version
  namespace        = "spin-operator"
  create_namespace = true
  wait             = true
  depends_on = [
    helm_release.cert_manager,
    helm_release.shim_installer,
    kubernetes_manifest.spin_operator_crds,
    kubernetes_manifest.runtime_class,
  ]
}
