"""NetworkPolicies as Kubernetes applies them: which policies select a pod, and whether its
traffic in each direction is restricted (some selecting policy lists that direction)."""

from checks.resources import name_of, of_kind, pod_spec

# spin-operator puts this label on every SpinApp's pods.
SPIN_APP_LABEL = "core.spinkube.dev/app-name"


def pod_labels(docs: list[dict]) -> dict[str, dict]:
    """The labels of each workload's pods, SpinApps' as the operator sets them."""
    labels = {}
    for doc in docs:
        if doc["kind"] == "SpinApp":
            labels[name_of(doc)] = {**doc["spec"].get("podLabels", {}), SPIN_APP_LABEL: doc["metadata"]["name"]}
        elif pod_spec(doc) is not None:
            template = doc["spec"]["jobTemplate"]["spec"] if doc["kind"] == "CronJob" else doc["spec"]
            labels[name_of(doc)] = template["template"].get("metadata", {}).get("labels", {})
    return labels


def selects(selector: dict, labels: dict) -> bool:
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        present, value = expression["key"] in labels, labels.get(expression["key"])
        operator = expression["operator"]
        if (operator == "Exists" and not present) or (operator == "DoesNotExist" and present) or \
                (operator == "In" and value not in expression["values"]) or \
                (operator == "NotIn" and value in expression["values"]):
            return False
    return True


def unrestricted_pods(docs: list[dict]) -> list[str]:
    """Pods whose ingress or egress no NetworkPolicy restricts."""
    policies = of_kind(docs, "NetworkPolicy")
    problems = []
    for owner, labels in pod_labels(docs).items():
        for direction in ("Ingress", "Egress"):
            if not any(direction in p["spec"].get("policyTypes", []) and selects(p["spec"]["podSelector"], labels)
                       for p in policies):
                problems.append(f"{owner}: {direction.lower()} is not restricted by any NetworkPolicy")
    return problems


def allowed_peers(docs: list[dict], owner: str, direction: str) -> list[dict]:
    """Every peer (`from`/`to` entry, with the rule's ports) a pod's policies allow."""
    labels = pod_labels(docs)[owner]
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    allowed = []
    for policy in of_kind(docs, "NetworkPolicy"):
        if direction in policy["spec"].get("policyTypes", []) and selects(policy["spec"]["podSelector"], labels):
            for rule in policy["spec"].get(key, []):
                allowed += [{**peer, "ports": rule.get("ports", [])} for peer in rule.get(peers_key, [{}])]
    return allowed
