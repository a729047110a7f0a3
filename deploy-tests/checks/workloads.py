"""Rules every rendered workload must follow. Each check takes the rendered documents and
returns violations as readable strings (empty: fine), so a test can also feed it a broken
manifest and expect a complaint."""

import re

from checks.resources import containers, name_of, of_kind, pod_spec

LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet")
BATCH = ("Job", "CronJob")


def missing_limits(docs: list[dict]) -> list[str]:
    problems = []
    for doc in docs:
        if doc["kind"] == "SpinApp":
            problems += _resource_gaps(name_of(doc), doc["spec"].get("resources", {}))
        for container in containers(doc):
            problems += _resource_gaps(f"{name_of(doc)}/{container['name']}", container.get("resources", {}))
    return problems


def missing_probes(docs: list[dict]) -> list[str]:
    """Long-running pods need liveness and readiness; a batch pod needs a deadline instead."""
    problems = []
    for doc in docs:
        if doc["kind"] == "SpinApp":
            checks = doc["spec"].get("checks", {})
            problems += [
                f"{name_of(doc)}: no {kind} check" for kind in ("liveness", "readiness")
                if not checks.get(kind, {}).get("httpGet", {}).get("path")
            ]
        elif doc["kind"] in LONG_RUNNING:
            for container in containers(doc):
                problems += [
                    f"{name_of(doc)}/{container['name']}: no {probe}"
                    for probe in ("livenessProbe", "readinessProbe") if probe not in container
                ]
        elif doc["kind"] in BATCH and "activeDeadlineSeconds" not in _job_spec(doc):
            problems.append(f"{name_of(doc)}: a batch job needs activeDeadlineSeconds")
    return problems


def unpinned_images(docs: list[dict]) -> list[str]:
    images = [(name_of(doc), doc["spec"]["image"]) for doc in of_kind(docs, "SpinApp")]
    images += [(name_of(doc), c["image"]) for doc in docs for c in containers(doc)]
    return [f"{owner}: image {image!r} has no tag or digest" for owner, image in images if not _tag(image)] + [
        f"{owner}: image {image!r} uses the latest tag" for owner, image in images if _tag(image) == "latest"
    ]


# The app's own images, set by infra/deploy.sh to the digests the build job pushed.
DEPLOYED_IMAGES = ("europe-north1-docker.pkg.dev/",)


def images_without_digest(docs: list[dict]) -> list[str]:
    """Every image that infra/deploy.sh does not set is pinned by its digest."""
    images = [(name_of(doc), doc["spec"]["image"]) for doc in of_kind(docs, "SpinApp")]
    images += [(name_of(doc), c["image"]) for doc in docs for c in containers(doc)]
    return [f"{owner}: image {image!r} is not pinned by digest" for owner, image in images
            if not image.startswith(DEPLOYED_IMAGES) and not re.search(r"@sha256:[0-9a-f]{64}$", image)]


def root_pods(docs: list[dict]) -> list[str]:
    problems = []
    for doc in docs:
        spec = pod_spec(doc)
        if spec is None:
            continue
        pod_non_root = spec.get("securityContext", {}).get("runAsNonRoot") is True
        for container in containers(doc):
            context = container.get("securityContext", {})
            if not (pod_non_root or context.get("runAsNonRoot") is True):
                problems.append(f"{name_of(doc)}/{container['name']}: may run as root (runAsNonRoot)")
            if context.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{name_of(doc)}/{container['name']}: allowPrivilegeEscalation is not false")
    return problems


def autoscaling_gaps(docs: list[dict]) -> list[str]:
    """Autoscaled SpinApps leave replicas to an HPA on their Deployment, scaled on CPU."""
    hpas = {hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in of_kind(docs, "HorizontalPodAutoscaler")
            if hpa["spec"]["scaleTargetRef"]["kind"] == "Deployment"}
    problems = []
    for app in of_kind(docs, "SpinApp"):
        name = name_of(app)
        if app["spec"].get("enableAutoscaling") is not True:
            problems.append(f"{name}: enableAutoscaling is not true")
            continue
        if "replicas" in app["spec"]:
            problems.append(f"{name}: sets replicas although its HPA owns them")
        hpa = hpas.get(app["metadata"]["name"])
        if hpa is None:
            problems.append(f"{name}: no HorizontalPodAutoscaler targets its Deployment")
            continue
        metrics = [m["resource"]["name"] for m in hpa["spec"].get("metrics", []) if m["type"] == "Resource"]
        if "cpu" not in metrics:
            problems.append(f"{name}: its HPA has no CPU target")
        if not hpa["spec"].get("minReplicas", 1) <= hpa["spec"]["maxReplicas"]:
            problems.append(f"{name}: its HPA's minReplicas exceeds maxReplicas")
    return problems


def blocking_disruption_budgets(docs: list[dict]) -> list[str]:
    """A budget that allows no voluntary eviction at all stalls node upgrades and drains."""
    problems = []
    for pdb in of_kind(docs, "PodDisruptionBudget"):
        selector = pdb["spec"]["selector"]["matchLabels"]
        for workload in docs:
            spec = workload.get("spec", {})
            labels = spec.get("template", {}).get("metadata", {}).get("labels", {})
            if workload["kind"] not in LONG_RUNNING or not selector.items() <= labels.items():
                continue
            replicas = spec.get("replicas", 1)
            min_available = pdb["spec"].get("minAvailable")
            if pdb["spec"].get("maxUnavailable") == 0 or (
                isinstance(min_available, int) and min_available >= replicas
            ) or min_available == "100%":
                problems.append(f"{name_of(pdb)}: allows no eviction of {name_of(workload)} ({replicas} replica(s))")
    return problems


def dangling_secret_refs(docs: list[dict]) -> list[str]:
    """Every secretKeyRef names a Secret and key that the same rendering creates."""
    keys = {
        s["metadata"]["name"]: set(s.get("data", {})) | set(s.get("stringData", {})) for s in of_kind(docs, "Secret")
    }
    problems = []
    for doc in docs:
        for ref in _secret_key_refs(doc):
            if ref.get("key") not in keys.get(ref.get("name"), set()):
                problems.append(f"{name_of(doc)}: secretKeyRef {ref.get('name')}/{ref.get('key')} is not rendered")
    return problems


def _resource_gaps(owner: str, resources: dict) -> list[str]:
    return [
        f"{owner}: no {section}.{resource}"
        for section in ("requests", "limits") for resource in ("cpu", "memory")
        if resource not in resources.get(section, {})
    ]


def _tag(image: str) -> str | None:
    if "@sha256:" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _job_spec(doc: dict) -> dict:
    return doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]


def _secret_key_refs(node):
    if isinstance(node, dict):
        if "secretKeyRef" in node:
            yield node["secretKeyRef"]
        for value in node.values():
            yield from _secret_key_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _secret_key_refs(item)
