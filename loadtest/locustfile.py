"""The original load test's scenario: every user loops over the page, the daily image, the todo
list and a create with a random 10-letter task, with no think time (as the original had none).

Run it with `make loadtest` (headless, against a throwaway local stack), or by hand:
    locust -f loadtest/locustfile.py --host http://127.0.0.1:3000
"""
import random
import string

from locust import FastHttpUser, constant, task

LIST_LIMIT = 50


def random_task():
    return "".join(random.choices(string.ascii_lowercase, k=10))


class TodoUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self):
        self.client.get("/")

    @task
    def daily_photo(self):
        self.client.get("/api/daily_photo")

    @task
    def list_todos(self):
        with self.client.get("/api/todos", catch_response=True) as response:
            if response.status_code == 200 and len(response.json()["todos"]) > LIST_LIMIT:
                response.failure(f"more than {LIST_LIMIT} todos listed")

    @task
    def create_todo(self):
        with self.client.post("/api/todo", json={"task": random_task()}, catch_response=True) as response:
            if response.status_code != 201:
                response.failure(f"expected 201, got {response.status_code}")
