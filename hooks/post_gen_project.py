"""Finish a generated project: drop the other target's files, print the next steps.

Cookiecutter renders this file with Jinja, then runs it inside the new project folder.
It uses no network and no git, and running it again on the same folder changes nothing.
The answers arrive as a JSON document inside a Python string literal, as in
pre_gen_project.py.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

# fmt: off
ANSWERS_JSON = {{ {
    "project_name": cookiecutter.project_name,
    "project_slug": cookiecutter.project_slug,
    "package_name": cookiecutter.package_name,
    "cloud": cookiecutter.cloud,
} | tojson | tojson }}
# fmt: on

# Files and folders only one target needs, relative to the project root ("{package}" is
# the package name). Generation keeps the chosen target's paths and deletes the others'.
# The template holds only aws-lambda files today; gcp-cloud-functions comes later.
TARGET_ONLY_PATHS: dict[str, tuple[str, ...]] = {
    "aws-lambda": (),
    "gcp-cloud-functions": (),
}


def paths_to_prune(cloud: str, package_name: str) -> list[str]:
    """List the paths that only targets other than ``cloud`` need.

    Args:
        cloud: The chosen target, e.g. ``aws-lambda``.
        package_name: The generated package's import name.

    Returns:
        Paths relative to the project root, ``{package}`` filled in.
    """
    return [
        path.format(package=package_name)
        for target, paths in TARGET_ONLY_PATHS.items()
        if target != cloud
        for path in paths
    ]


def prune(project_dir: Path, relative_paths: list[str]) -> list[Path]:
    """Delete the given paths below ``project_dir``; paths already gone are skipped.

    Args:
        project_dir: The generated project's root folder.
        relative_paths: Paths relative to ``project_dir``.

    Returns:
        The paths that were deleted.

    Raises:
        ValueError: A path resolves outside ``project_dir``.
    """
    root = project_dir.resolve()
    removed = []
    for relative in relative_paths:
        target = (root / relative).resolve()
        if root not in target.parents:
            msg = f"refusing to delete {relative!r}: it is not inside {root}"
            raise ValueError(msg)
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        else:
            continue
        removed.append(target)
    return removed


def next_steps(project_dir: Path, answers: dict[str, str]) -> str:
    """Describe what to run after generation.

    Args:
        project_dir: The generated project's root folder.
        answers: The public cookiecutter answers.

    Returns:
        Several lines of text ending with a newline.
    """
    return (
        f"\nCreated {answers['project_name']} in {project_dir}\n\n"
        "Next steps:\n"
        f"  cd {project_dir}\n"
        "  make demo   # run the receiver locally and deliver signed sample messages\n"
        "  make test   # lint, type-check and run the tests\n\n"
        "Signing keys: copy your QStash current and next signing keys from the Upstash\n"
        "console; README.md ('Signing keys') shows where to set them for local runs\n"
        "and for the deployed stack.\n"
    )


def main() -> int:
    """Prune the other target's files and print the next steps.

    Returns:
        The exit status, always 0.
    """
    sys.stdout.reconfigure(errors="backslashreplace")
    answers = json.loads(ANSWERS_JSON)
    project_dir = Path.cwd()
    prune(project_dir, paths_to_prune(answers["cloud"], answers["package_name"]))
    print(next_steps(project_dir, answers), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
