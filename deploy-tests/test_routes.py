"""SpinApps split spin.toml's components: each component in exactly one app, except the
health component, which every app carries so that its pod probes (/healthz, /readyz) reach
a component of the same app. Through the Ingress, every route reaches its component."""

import copy
import re

import pytest

from checks import routes
from checks.resources import of_kind
from conftest import OVERLAYS, SPIN_TOML


@pytest.mark.parametrize("env", OVERLAYS)
def test_spinapps_name_only_components_of_spin_toml(overlays, env):
    assert routes.unknown_components(overlays[env], SPIN_TOML) == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_component_is_deployed_once_and_health_everywhere(overlays, env):
    assert routes.probe_components(overlays[env], SPIN_TOML) == {"health"}
    assert routes.coverage_problems(overlays[env], SPIN_TOML) == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_each_app_answers_its_own_probes(overlays, env):
    assert routes.probe_problems(overlays[env], SPIN_TOML) == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_route_reaches_its_component_through_the_ingress(overlays, env):
    assert routes.ingress_problems(overlays[env], SPIN_TOML) == []


def test_spin_routing_semantics():
    table = routes.spin_routes(SPIN_TOML)
    answer = lambda path: (routes.spin_route(table, path) or routes.Route("", "404")).component
    assert answer("/api/todos") == "todos-list"
    assert answer("/api/todos/7") == "todo-update"
    assert answer("/api/todos/7/x") == "health"
    assert answer("/api/nope") == "health"
    assert answer("/api") == "health"
    assert answer("/") == "web"
    assert answer("/assets/app.js") == "web"
    assert answer("/readyz") == "health"
    assert answer("/nope") == "404"


@pytest.fixture
def docs(overlays):
    return copy.deepcopy(overlays[OVERLAYS[0]])


def app(docs, name):
    return next(doc for doc in of_kind(docs, "SpinApp") if doc["metadata"]["name"] == name)


def test_a_component_left_out_or_deployed_twice_is_rejected(docs):
    app(docs, "todo-read")["spec"]["components"].remove("web")
    app(docs, "todo-write")["spec"]["components"].append("todos-list")
    assert routes.coverage_problems(docs, SPIN_TOML) == [
        "component 'todos-list' is deployed by ['SpinApp/todo-read', 'SpinApp/todo-write'], not exactly one",
        "component 'web' is deployed by no SpinApp, not exactly one",
    ]


def test_an_app_without_health_is_rejected(docs):
    app(docs, "todo-image")["spec"]["components"].remove("health")
    assert routes.coverage_problems(docs, SPIN_TOML) == [
        "probe component 'health' is in ['SpinApp/todo-read', 'SpinApp/todo-write'], not in every SpinApp"
    ]
    assert len(routes.probe_problems(docs, SPIN_TOML)) == 2


def test_an_unknown_component_is_rejected(docs):
    app(docs, "todo-read")["spec"]["components"].append("todos-lsit")
    assert routes.unknown_components(docs, SPIN_TOML) == [
        "SpinApp/todo-read: component 'todos-lsit' is not in spin.toml"
    ]


def test_an_ingress_path_sent_to_the_wrong_app_is_rejected(docs):
    ingress = of_kind(docs, "Ingress")[0]
    for entry in ingress["spec"]["rules"][0]["http"]["paths"]:
        if entry["path"] == "/api/todos/*":
            entry["backend"]["service"]["name"] = "todo-read"
    assert routes.ingress_problems(docs, SPIN_TOML) == [
        "/api/todos/42 (/api/todos/:id) goes to todo-read, answered by health, not todo-update"
    ]


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_daily_article_job_posts_to_todo_create(overlays, env):
    cronjob = of_kind(overlays[env], "CronJob")[0]
    script = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"][0]
    url = re.search(r"http://([a-z0-9-]+)(/\S*)", script)
    assert url, "the job must POST to an in-cluster service"
    service, path = url.groups()
    target = app(overlays[env], service)
    answered = routes.spin_route(
        [r for r in routes.spin_routes(SPIN_TOML) if r.component in target["spec"]["components"]], path
    )
    assert answered and answered.component == "todo-create"
    assert '{\\"task\\":\\"Read $article\\"}' in script
