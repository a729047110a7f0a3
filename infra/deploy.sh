#!/usr/bin/env bash
# Deploys one environment to namespace todo-ENV of the current kubectl context: render the
# overlay (images, ksops-decrypted secret, HTTPS when DOMAIN is set: required for main), apply the
# pre phase (Secret, executor, NetworkPolicies, the Cloud SQL Auth Proxy, migration Job) and wait
# for the proxy and the migration, apply the rest, wait for the rollouts, smoke-test every app
# through the load balancer and delete what the smoke test wrote.
# Used by .github/workflows/deploy.yml, `make deploy` and `make rollback`. Builds nothing: it
# deploys the images it is given (by digest from the workflow). Needs kustomize, ksops, kubectl,
# curl, jq, sha256sum and the age identity in SOPS_AGE_KEY or SOPS_AGE_KEY_FILE.
# The namespace, its service accounts and the deployer's rights in it come from Terraform
# (infra/spinkube).
#   [DOMAIN=todo.example.com] infra/deploy.sh ENV APP_IMAGE NATIVE_IMAGE
set -euo pipefail

env_name=$1 app_image=$2 native_image=$3
namespace=todo-$env_name
domain=${DOMAIN:-}
k8s="$(cd "$(dirname "$0")/.." && pwd)/k8s"
[[ $env_name =~ ^[a-z0-9-]+$ && -d "$k8s/overlays/$env_name" ]] ||
  { echo "no overlay k8s/overlays/$env_name" >&2; exit 1; }
# Production is served over HTTPS only: without a domain there is no certificate.
[[ $env_name != main || -n $domain ]] ||
  { echo "main needs DOMAIN (HTTPS is mandatory for main; DEPLOY.md step 3)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pods read the secret only when they start: its hash in their annotations restarts them
# when it changes (a rotated password or key).
secret_sha=$(sha256sum "$k8s/overlays/$env_name/todo-db.enc.yaml" | cut -d' ' -f1)

echo "--- render k8s/overlays/$env_name into namespace $namespace${domain:+ for https://$domain}"
cp -r "$k8s" "$work/k8s"
(
  cd "$work/k8s/overlays/$env_name"
  kustomize edit set image "todo-app=$app_image" "todo-native=$native_image"
  kustomize edit add patch --kind SpinApp --patch \
    "[{\"op\": \"replace\", \"path\": \"/spec/podAnnotations/todo.deploy~1secret-sha256\", \"value\": \"$secret_sha\"}]"
  kustomize edit add patch --kind Deployment --name cloud-sql-proxy --patch \
    "[{\"op\": \"replace\", \"path\": \"/spec/template/metadata/annotations/todo.deploy~1secret-sha256\", \"value\": \"$secret_sha\"}]"
  if [ -n "$domain" ]; then
    kustomize edit add component ../../components/https
    kustomize edit add patch --kind ManagedCertificate --name todo \
      --patch "[{\"op\": \"replace\", \"path\": \"/spec/domains/0\", \"value\": \"$domain\"}]"
  fi
  kustomize build --enable-alpha-plugins --enable-exec . > "$work/rendered.yaml"
)
k() { kubectl -n "$namespace" "$@"; }

# Every kubectl call below is done within 53 minutes (the sum of these timeouts and of the
# address wait): the GitHub job's cluster token lives an hour. The certificate wait after them
# needs no cluster access.
echo "--- pre phase: Secret, executor, NetworkPolicies, database proxy, then the migration"
k delete job todo-migrate --ignore-not-found
k apply -f "$work/rendered.yaml" -l todo.deploy/phase=pre
k rollout status deployment/cloud-sql-proxy --timeout=300s
if ! k wait --for=condition=complete job/todo-migrate --timeout=300s; then
  k logs job/todo-migrate --tail=100 || true
  exit 1
fi

echo "--- apply and wait for the rollout"
k apply -f "$work/rendered.yaml"
for app in todo-read todo-write todo-image; do
  k wait --for=create "deployment/$app" --timeout=120s
  k rollout status "deployment/$app" --timeout=240s
done
k rollout status statefulset/image-sidecar --timeout=300s

echo "--- smoke test of every app through the load balancer (a new one takes minutes)"
ip=""
for _ in $(seq 60); do
  ip=$(k get ingress todo -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  [ -n "$ip" ] && curl -fsS --max-time 5 "http://$ip/healthz" >/dev/null 2>&1 && break
  sleep 15
done
[ -n "$ip" ] || { echo "the ingress got no address" >&2; exit 1; }
base="http://$ip"
if [ -n "$domain" ]; then
  # Google provisions the certificate once the domain resolves to $ip, which it says may take
  # up to 60 minutes: waited for up to 75, by asking the domain itself (no cluster token needed).
  for _ in $(seq 100); do
    curl -fsS --max-time 5 "https://$domain/healthz" >/dev/null 2>&1 && break
    sleep 45
  done
  base="https://$domain"
fi
# The smoke test's todo is its own (the session cookie of its create) and is deleted at the end.
jar="$work/cookies"
call() { curl -fsS --max-time 10 -c "$jar" -b "$jar" "$@"; }
call "$base/" >/dev/null                                   # todo-read: the page
call "$base/api/todos" >/dev/null                          # todo-read: the list
id=$(call -X POST -H 'Content-Type: application/json' \
  --data "{\"task\":\"Smoke test of $namespace\"}" "$base/api/todo" | jq -er .id)  # todo-write
call -X PATCH -H 'Content-Type: application/json' --data '{"done":true}' \
  "$base/api/todos/$id" >/dev/null                         # todo-write
call "$base/api/daily_photo" >/dev/null                    # todo-image
call -X DELETE "$base/api/todos/$id" >/dev/null            # todo-write: leaves the list as it was
echo "$namespace is up at $base/"
