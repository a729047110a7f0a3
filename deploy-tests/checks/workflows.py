"""Supply chain of the GitHub workflows: every action pinned to a full commit SHA with its
version in a comment, and every downloaded tool checked against a pinned SHA-256."""

import re

from checks import yamlio

PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(?:-\s*)?uses:\s*(\S+)(.*)$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def unpinned_actions(text: str) -> list[str]:
    """`uses:` lines naming a tag or branch, or without `# <version>` after the SHA."""
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        match = USES_LINE.match(line)
        if not match or match[1].startswith("./"):
            continue
        action, rest = match[1], match[2].strip()
        if not PINNED.match(action):
            problems.append(f"line {number}: {action} is not pinned to a commit SHA")
        elif not re.match(r"#\s*\S", rest):
            problems.append(f"line {number}: {action} has no version comment")
    return problems


def unchecked_downloads(text: str) -> list[str]:
    """Run steps that download with curl/wget: each download goes through a `fetch URL SHA256`
    helper that runs `sha256sum --check`, and each SHA256 it is given is pinned in `env`."""
    workflow = yamlio.load_all(text)[0]
    env = {**workflow.get("env", {})}
    problems = []
    for job_name, job in workflow.get("jobs", {}).items():
        env_job = {**env, **job.get("env", {})}
        for step in job.get("steps", []):
            script = step.get("run", "")
            if not re.search(r"\b(curl|wget)\b", script):
                continue
            name = step.get("name", "?")
            if "sha256sum --check" not in script:
                problems.append(f"{job_name}/{name}: downloads without sha256sum --check")
                continue
            for call in re.findall(r"^\s*fetch\s+(.*)$", script, re.MULTILINE):
                sums = re.findall(r"\$\{?(\w+_SHA256)\}?", call)
                if not sums:
                    problems.append(f"{job_name}/{name}: a fetch without a SHA-256: {call.strip()}")
                problems += [f"{job_name}/{name}: {s} is not a pinned SHA-256" for s in sums
                             if not SHA256.match(str({**env_job, **step.get("env", {})}.get(s, "")))]
    return problems
