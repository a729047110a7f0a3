#!/usr/bin/env bash
# Deploys one environment to the current kubectl context: render the overlay (namespace, images,
# ksops-decrypted secret), migrate, apply, wait for the rollout, smoke-test the ingress.
# Used by .github/workflows/deploy.yml and `make deploy`. Needs kustomize, ksops, kubectl, curl,
# and the age identity in SOPS_AGE_KEY or SOPS_AGE_KEY_FILE.
#   infra/deploy.sh ENV NAMESPACE APP_IMAGE NATIVE_IMAGE
set -euo pipefail

env_name=$1 namespace=$2 app_image=$3 native_image=$4
overlay="$(cd "$(dirname "$0")/.." && pwd)/k8s/overlays/$env_name"
[ -d "$overlay" ] || { echo "no overlay $overlay for environment $env_name" >&2; exit 1; }
rendered=$(mktemp --suffix=.yaml)
trap 'rm -f "$rendered"' EXIT

echo "--- render $overlay into namespace $namespace"
work=$(mktemp -d)
cp -r "$overlay/../.." "$work/k8s"
(
  cd "$work/k8s/overlays/$env_name"
  kustomize edit set namespace "$namespace"
  kustomize edit set image "todo-app=$app_image" "todo-native=$native_image"
  kustomize build --enable-alpha-plugins --enable-exec . > "$rendered"
)
rm -rf "$work"

echo "--- migrate (secret and Job first: label todo.deploy/phase=pre)"
kubectl create namespace "$namespace" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n "$namespace" delete job todo-migrate --ignore-not-found
kubectl apply -f "$rendered" -l todo.deploy/phase=pre
if ! kubectl -n "$namespace" wait --for=condition=complete job/todo-migrate --timeout=300s; then
  kubectl -n "$namespace" logs job/todo-migrate --tail=100 || true
  exit 1
fi

echo "--- apply and wait for the rollout"
kubectl apply -f "$rendered"
for app in todo-read todo-write todo-image; do
  kubectl -n "$namespace" wait --for=create "deployment/$app" --timeout=120s
  kubectl -n "$namespace" rollout status "deployment/$app" --timeout=300s
done
kubectl -n "$namespace" rollout status statefulset/image-sidecar --timeout=300s

echo "--- smoke test through the ingress (a new load balancer takes minutes)"
ip=""
for _ in $(seq 60); do
  ip=$(kubectl -n "$namespace" get ingress todo -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  if [ -n "$ip" ] && curl -fsS --max-time 5 "http://$ip/readyz" >/dev/null; then break; fi
  sleep 15
done
[ -n "$ip" ] || { echo "the ingress got no address" >&2; exit 1; }
curl -fsS --max-time 10 "http://$ip/readyz" >/dev/null
curl -fsS --max-time 10 "http://$ip/api/todos" >/dev/null
curl -fsS --max-time 10 "http://$ip/" >/dev/null
echo "$namespace is up at http://$ip/"
