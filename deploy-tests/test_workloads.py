"""Limits, probes, pinned images, non-root pods, autoscaling, disruption budgets and secret
references in what is deployed; and each rule catches a manifest that breaks it."""

import copy

import pytest

from checks import workloads
from checks.resources import of_kind
from conftest import OVERLAYS

RULES = [
    workloads.missing_limits,
    workloads.missing_probes,
    workloads.unpinned_images,
    workloads.images_without_digest,
    workloads.root_pods,
    workloads.autoscaling_gaps,
    workloads.blocking_disruption_budgets,
    workloads.dangling_secret_refs,
]


@pytest.mark.parametrize("env", OVERLAYS)
@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.__name__)
def test_deployed_manifests_follow_the_rule(overlays, env, rule):
    assert rule(overlays[env]) == []


@pytest.fixture
def docs(overlays):
    return copy.deepcopy(overlays[OVERLAYS[0]])


def first(docs, kind, name=None):
    return next(doc for doc in of_kind(docs, kind) if name in (None, doc["metadata"]["name"]))


def test_a_spinapp_without_limits_is_rejected(docs):
    del first(docs, "SpinApp", "todo-read")["spec"]["resources"]["limits"]
    assert workloads.missing_limits(docs) == ["SpinApp/todo-read: no limits.cpu", "SpinApp/todo-read: no limits.memory"]


def test_a_container_without_memory_request_is_rejected(docs):
    container = first(docs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    del container["resources"]["requests"]["memory"]
    assert workloads.missing_limits(docs) == ["CronJob/todo-daily-article/add-article: no requests.memory"]


def test_missing_probes_and_deadlines_are_rejected(docs):
    del first(docs, "SpinApp", "todo-read")["spec"]["checks"]["readiness"]
    del first(docs, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    del first(docs, "Job")["spec"]["activeDeadlineSeconds"]
    assert sorted(workloads.missing_probes(docs)) == sorted([
        "Job/todo-migrate: a batch job needs activeDeadlineSeconds",
        "SpinApp/todo-read: no readiness check",
        "StatefulSet/image-sidecar/image-sidecar: no livenessProbe",
    ])


def test_latest_and_untagged_images_are_rejected(docs):
    first(docs, "SpinApp", "todo-read")["spec"]["image"] = "registry.example/todo-app:latest"
    first(docs, "StatefulSet")["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example:5000/native"
    assert sorted(workloads.unpinned_images(docs)) == [
        "SpinApp/todo-read: image 'registry.example/todo-app:latest' uses the latest tag",
        "StatefulSet/image-sidecar: image 'registry.example:5000/native' has no tag or digest",
    ]


def test_a_third_party_image_by_tag_is_rejected(docs):
    first(docs, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] = \
        "curlimages/curl:8.11.1"
    assert workloads.images_without_digest(docs) == [
        "CronJob/todo-daily-article: image 'curlimages/curl:8.11.1' is not pinned by digest"]


def test_digests_count_as_pinned(docs):
    first(docs, "SpinApp", "todo-read")["spec"]["image"] = "registry.example/todo-app@sha256:" + "0" * 64
    assert workloads.unpinned_images(docs) == []


def test_a_pod_that_may_run_as_root_is_rejected(docs):
    pod = first(docs, "StatefulSet")["spec"]["template"]["spec"]
    del pod["securityContext"]["runAsNonRoot"]
    assert workloads.root_pods(docs) == ["StatefulSet/image-sidecar/image-sidecar: may run as root (runAsNonRoot)"]


def test_a_spinapp_without_its_hpa_is_rejected(docs):
    docs.remove(first(docs, "HorizontalPodAutoscaler", "todo-read"))
    first(docs, "SpinApp", "todo-read")["spec"]["replicas"] = 2
    problems = workloads.autoscaling_gaps(docs)
    assert problems == [
        "SpinApp/todo-read: sets replicas although its HPA owns them",
        "SpinApp/todo-read: no HorizontalPodAutoscaler targets its Deployment",
    ]


def test_a_budget_that_blocks_every_eviction_is_rejected(docs):
    pdb = first(docs, "PodDisruptionBudget", "image-sidecar")["spec"]
    del pdb["maxUnavailable"]
    pdb["minAvailable"] = 1
    assert workloads.blocking_disruption_budgets(docs) == [
        "PodDisruptionBudget/image-sidecar: allows no eviction of StatefulSet/image-sidecar (1 replica(s))"
    ]


def test_a_reference_to_a_missing_secret_key_is_rejected(docs):
    first(docs, "SpinApp", "todo-read")["spec"]["variables"][0]["valueFrom"]["secretKeyRef"]["key"] = "database_url"
    assert workloads.dangling_secret_refs(docs) == [
        "SpinApp/todo-read: secretKeyRef todo-db/database_url is not rendered"
    ]
