#!/usr/bin/env bash
# Deletes everything of the app in namespace todo-ENV, also what carries no label of ours (the
# image volume's claim, the operator's spin-ca Secret): every object of the kinds the deployer's
# Role may manage (infra/spinkube/namespaces.tf, deploy_rules), in an order that completes. The
# SpinApps go first (the executor is released only when no SpinApp uses it), then the Ingress
# (its controller removes the load balancer and the NEGs while the Services still exist), then
# the rest. A namespace holding nothing of it is a clean no-op. The namespace itself belongs to
# Terraform. Used by .github/workflows/teardown.yml and infra/gcp.sh (env-down, down).
#   infra/teardown.sh ENV
set -euo pipefail

env_name=${1:?usage: infra/teardown.sh ENV}
[[ $env_name =~ ^[a-z0-9-]+$ ]] || { echo "not an environment name: $env_name" >&2; exit 1; }
namespace=todo-$env_name

# The deployer's kinds (deploy_rules), by resource.group; first, second, then all the others
# (Kubernetes puts back the default ServiceAccount and the kube-root-ca.crt ConfigMap at once).
first=spinapps.core.spinkube.dev
second=ingresses.networking.k8s.io
rest=(
  deployments.apps statefulsets.apps replicasets.apps
  jobs.batch cronjobs.batch
  horizontalpodautoscalers.autoscaling
  poddisruptionbudgets.policy
  networkpolicies.networking.k8s.io
  spinappexecutors.core.spinkube.dev
  backendconfigs.cloud.google.com
  managedcertificates.networking.gke.io frontendconfigs.networking.gke.io
  services secrets persistentvolumeclaims configmaps serviceaccounts
)

echo "--- tearing down the app in $namespace"
k() { kubectl -n "$namespace" "$@"; }
k delete "$first" --all --wait --timeout=10m
k delete "$second" --all --wait --timeout=15m
k delete "$(IFS=,; echo "${rest[*]}")" --all --wait --timeout=10m
echo "--- $namespace holds nothing of the app"
