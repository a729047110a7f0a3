#!/usr/bin/env bash
# The lifecycle of the GCP infrastructure, as ordered steps that complete both ways (DEPLOY.md):
#   infra/gcp.sh up            stage 1 (infra/cluster), the database roles, stage 2 (infra/spinkube)
#   infra/gcp.sh db-roles      each environment's roles script, run by Cloud SQL as todo_admin
#   infra/gcp.sh env-down ENV  one environment: its app and Ingress, then stage 2, then stage 1
#   infra/gcp.sh down          everything: every app and Ingress, stage 2, then stage 1
# Called by the Makefile (gcp-infra-up, gcp-db-roles, gcp-env-down, gcp-infra-down), which passes
# GCP_PROJECT, GCP_REGION, GCP_ZONE, ENVIRONMENTS, TF_STATE_BUCKET and GITHUB_REPOSITORY (the
# numeric ids of the repository and its owner are read from the GitHub API unless
# GITHUB_REPOSITORY_ID and GITHUB_REPOSITORY_OWNER_ID are set). `down` and `env-down` need kubectl
# credentials for the cluster (make gcp-sync-kubectl-creds).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
: "${GCP_PROJECT:?GCP_PROJECT is not set}"
region=${GCP_REGION:-europe-north1}
zone=${GCP_ZONE:-europe-north1-a}
read -r -a environments <<< "${ENVIRONMENTS:-main develop}"

json_list() { # "a" "b" -> ["a","b"]
  local out="" item
  for item in "$@"; do out+="${out:+,}\"$item\""; done
  printf '[%s]' "$out"
}

github_ids() {
  if [ -z "${GITHUB_REPOSITORY_ID:-}" ] || [ -z "${GITHUB_REPOSITORY_OWNER_ID:-}" ]; then
    : "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY (owner/name) is not set}"
    local repo
    repo=$(curl -fsS "https://api.github.com/repos/$GITHUB_REPOSITORY")
    GITHUB_REPOSITORY_ID=$(jq -er .id <<< "$repo")
    GITHUB_REPOSITORY_OWNER_ID=$(jq -er .owner.id <<< "$repo")
  fi
}

cluster() { terraform -chdir="$here/cluster" "$@"; }
spinkube() { terraform -chdir="$here/spinkube" "$@"; }

cluster_vars() { # the environments to keep (github_ids first, in this shell)
  printf '%s\n' -input=false -var "project_id=$GCP_PROJECT" -var "region=$region" -var "zone=$zone" \
    -var "environments=$(json_list "$@")" -var "github_repository_id=$GITHUB_REPOSITORY_ID" \
    -var "github_repository_owner_id=$GITHUB_REPOSITORY_OWNER_ID" \
    -var "github_default_branch=${GITHUB_DEFAULT_BRANCH:-main}"
}

spinkube_vars() {
  printf '%s\n' -input=false -var "project_id=$GCP_PROJECT" -var "zone=$zone" -var "environments=$(json_list "$@")"
}

init() {
  : "${TF_STATE_BUCKET:?TF_STATE_BUCKET is not set}"
  cluster init -input=false "-backend-config=bucket=$TF_STATE_BUCKET"
  spinkube init -input=false "-backend-config=bucket=$TF_STATE_BUCKET"
}

db_roles() {
  local instance scripts env
  instance=$(cluster output -raw sql_instance)
  scripts=$(cluster output -json db_roles_scripts)
  for env in "${environments[@]}"; do
    echo "--- database roles of $env"
    gcloud sql import sql "$instance" "$(jq -er --arg env "$env" '.[$env]' <<< "$scripts")" \
      --database "todo_$env" --user todo_admin --project "$GCP_PROJECT" --quiet
  done
}

up() {
  local vars
  github_ids
  init
  mapfile -t vars < <(cluster_vars "${environments[@]}")
  cluster apply "${vars[@]}"
  db_roles
  mapfile -t vars < <(spinkube_vars "${environments[@]}")
  spinkube apply "${vars[@]}"
}

env_down() {
  local gone=$1 keep=() env vars
  for env in "${environments[@]}"; do
    [ "$env" = "$gone" ] || keep+=("$env")
  done
  [ "${#keep[@]}" -lt "${#environments[@]}" ] ||
    { echo "$gone is not one of the environments (${environments[*]})" >&2; exit 1; }
  github_ids
  init
  echo "--- 1. the app and the Ingress of todo-$gone (load balancer and NEGs go while the cluster runs)"
  "$here/teardown.sh" "$gone"
  echo "--- 2. stage 2 without $gone: its namespace, service accounts and Role"
  mapfile -t vars < <(spinkube_vars "${keep[@]}")
  spinkube apply "${vars[@]}"
  echo "--- 3. stage 1 without $gone: its static IP, deployer, proxy account and roles script"
  mapfile -t vars < <(cluster_vars "${keep[@]}")
  cluster apply "${vars[@]}"
  echo "--- $gone is gone. Its database and users stay on the instance (ABANDON, DEPLOY.md)."
  echo "    Remove it from ENVIRONMENTS (Makefile), the environments defaults of both stages,"
  echo "    k8s/overlays/$gone, .sops.yaml and the GitHub environment."
}

down() {
  local env vars peering
  github_ids
  init
  echo "--- 1. every app and Ingress (load balancers and NEGs go while the cluster runs)"
  for env in "${environments[@]}"; do
    "$here/teardown.sh" "$env"
  done
  echo "--- 2. stage 2 (namespaces before the operator, which releases the executors' finalizers)"
  mapfile -t vars < <(spinkube_vars "${environments[@]}")
  spinkube destroy "${vars[@]}"
  echo "--- 3. stage 1: deletion protection lifted by an apply, then Cloud SQL, its peering, the rest"
  mapfile -t vars < <(cluster_vars "${environments[@]}")
  cluster apply "${vars[@]}" -var sql_deletion_protection=false -target=google_sql_database_instance.todo
  peering=$(cluster output -raw private_services_peering)
  # The connection is ABANDONed (Cloud SQL holds it for a while after its deletion); its VPC
  # peering is removed here, as the console does, so that the network can go.
  cluster destroy "${vars[@]}" -var sql_deletion_protection=false \
    -target=google_service_networking_connection.private_services
  gcloud compute networks peerings delete "$peering" --network todo --project "$GCP_PROJECT" --quiet ||
    echo "(no peering $peering left)"
  cluster destroy "${vars[@]}" -var sql_deletion_protection=false
}

case "${1:-}" in
  up) up ;;
  db-roles) db_roles ;;
  env-down) env_down "${2:?usage: infra/gcp.sh env-down ENV}" ;;
  down) down ;;
  *) echo "usage: infra/gcp.sh up | db-roles | env-down ENV | down" >&2; exit 2 ;;
esac
