"""Schema validation: core resources with kubernetes-validate (bundled upstream schemas),
SpinApps with the openAPIV3Schema of the SpinKube CRD."""

from pathlib import Path

import jsonschema
import kubernetes_validate

from checks import yamlio

KUBERNETES_VERSION = "1.33"  # GKE's regular channel


def crd_schema(directory: Path, kind: str) -> dict:
    """The openAPIV3Schema of the CRD for `kind`, from any YAML file in `directory`."""
    for path in sorted(directory.glob("*.yaml")):
        for doc in yamlio.load_all(path.read_text()):
            if doc.get("kind") == "CustomResourceDefinition" and doc["spec"]["names"]["kind"] == kind:
                return doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    raise FileNotFoundError(f"no CustomResourceDefinition of {kind} in {directory}")


def core_resource_problems(doc: dict) -> list[str]:
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{doc['kind']}/{doc['metadata']['name']}: {error.message} at {'/'.join(map(str, error.path))}"]
    return []


def custom_resource_problems(doc: dict, schema: dict) -> list[str]:
    """CRD schemas leave `additionalProperties` implicit: unknown fields are pruned by the API
    server, so reject them here, as `kubectl apply --validate=strict` would."""
    validator = jsonschema.Draft7Validator(_closed(schema))
    return [
        f"{doc['kind']}/{doc['metadata']['name']}: {error.message} at {'/'.join(map(str, error.absolute_path))}"
        for error in validator.iter_errors(doc)
    ]


def _closed(schema):
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        open_ended = "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields")
        if "properties" in schema and not open_ended:
            closed["additionalProperties"] = False
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema
