"""A generated project takes template updates with cruft (issue 10, "Template updates").

cruft records the template's location, commit and answers in the project's ``.cruft.json``
and applies a later template commit as a three-way merge: it renders the template at the
recorded commit and at the new one with the same answers (post-generation hook included)
and applies the difference with ``git apply -3``. These tests play it through on a copy of
this template in a throwaway git repository: create a project with ``cruft create``, commit
it, change the template (a new file, a changed README line, a changed file under infra/,
which the hook copies in) and run ``cruft update``. Everything is local: git may only use
local paths (``GIT_ALLOW_PROTOCOL=file``), and the user's git and cookiecutter settings are
kept out (``HOME`` is a temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

# The cruft that the template's dev group installs, beside this interpreter.
CRUFT = str(Path(sys.executable).with_name("cruft"))
# What a copy of the template leaves out: tool caches and builds, none of them template files.
NOT_TEMPLATE = (".git", ".venv", "build", "__pycache__", "*_cache", "node_modules", "cdk.out")
PROJECT_FOLDER = "{{cookiecutter.project_slug}}"

# The template change each test applies, and what it must render to in a default project.
NEW_FILE = "UPGRADING.md"
NEW_FILE_SOURCE = "# Upgrading {{ cookiecutter.project_name }}\n"
NEW_FILE_RENDERED = "# Upgrading QStash Jobs\n"
README_LINE_SOURCE = "Template note for {{ cookiecutter.package_name }}."
README_LINE_RENDERED = "Template note for qstash_jobs."
INFRA_FILE = "infra/app.py"
INFRA_LINE = "# A line the template added to the CDK app."
# The project's own edit, made before the update, which the merge must keep.
PROJECT_LINE = "Our team's own note."


def git_free_environment(home: Path) -> dict[str, str]:
    """The environment for git and cruft: no user settings, no network protocols.

    Args:
        home: An empty folder to stand in for ``$HOME`` (git's and cookiecutter's config).

    Returns:
        A copy of this process's environment without ``GIT_*`` variables (a caller's
        ``GIT_INDEX_FILE`` would redirect every git call), git limited to local paths and
        a fixed author.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.pop("COOKIECUTTER_CONFIG", None)
    return env | {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_ALLOW_PROTOCOL": "file",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": "Template Test",
        "GIT_AUTHOR_EMAIL": "template-test@example.com",
        "GIT_COMMITTER_NAME": "Template Test",
        "GIT_COMMITTER_EMAIL": "template-test@example.com",
    }


Runner = Callable[..., subprocess.CompletedProcess[str]]


def runner(home: Path) -> Runner:
    """Return a function that runs a command with :func:`git_free_environment`.

    The function fails the test, showing the output, when the command exits with a status
    other than ``expect`` (0 unless given; None accepts any).
    """
    env = git_free_environment(home)

    def _run(*command: str, cwd: Path, expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if expect is not None and completed.returncode != expect:
            pytest.fail(
                f"`{' '.join(command)}` exited {completed.returncode} in {cwd}, not {expect}\n"
                f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}",
                pytrace=False,
            )
        return completed

    return _run


def commit_all(run: Runner, repo: Path, message: str) -> str:
    """Stage everything in ``repo``, commit it and return the commit id."""
    run("git", "add", "--all", cwd=repo)
    run("git", "commit", "--quiet", "--message", message, cwd=repo)
    return run("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()


def template_repository(run: Runner, template_dir: Path, destination: Path) -> str:
    """Copy the template as it is on disk into a new git repository and commit it.

    Returns:
        The commit id.
    """
    shutil.copytree(template_dir, destination, ignore=shutil.ignore_patterns(*NOT_TEMPLATE))
    run("git", "init", "--quiet", "--initial-branch=main", cwd=destination)
    return commit_all(run, destination, "template")


def change_template(run: Runner, template: Path) -> str:
    """Commit the template change: a new file, a README line and a line under infra/.

    Returns:
        The commit id.
    """
    project = template / PROJECT_FOLDER
    (project / NEW_FILE).write_text(NEW_FILE_SOURCE, encoding="utf-8")
    with (project / "README.md").open("a", encoding="utf-8") as readme:
        readme.write(f"\n{README_LINE_SOURCE}\n")
    with (template / INFRA_FILE).open("a", encoding="utf-8") as infra:
        infra.write(f"{INFRA_LINE}\n")
    return commit_all(run, template, "template change")


def add_project_line(project: Path) -> None:
    """The project's own README edit: a line right below the title."""
    readme = project / "README.md"
    title, rest = readme.read_text(encoding="utf-8").split("\n", 1)
    readme.write_text(f"{title}\n\n{PROJECT_LINE}\n{rest}", encoding="utf-8")


def changed_paths(run: Runner, project: Path) -> set[str]:
    """Every path git sees changed, added or untracked in ``project`` against HEAD."""
    status = run("git", "status", "--porcelain", "--untracked-files=all", cwd=project).stdout
    return {line[3:] for line in status.splitlines()}


@dataclass(frozen=True)
class Update:
    """A project created with cruft, committed, and updated after one template change.

    Attributes:
        cloud: The project's target.
        project: The project folder.
        before: File contents right after ``cruft create`` (relative path to bytes).
        changed: The paths the update changed (git status against the committed project).
        check_before: ``cruft check`` between the template change and the update.
        check_after: ``cruft check`` after the update.
        update: ``cruft update``'s run.
    """

    cloud: str
    project: Path
    before: dict[str, bytes]
    changed: set[str]
    check_before: subprocess.CompletedProcess[str]
    check_after: subprocess.CompletedProcess[str]
    update: subprocess.CompletedProcess[str]

    def text(self, relative: str) -> str:
        """The project file's text after the update."""
        return (self.project / relative).read_text(encoding="utf-8")


def file_contents(project: Path) -> dict[str, bytes]:
    """Map the relative path of every file below ``project`` (.git aside) to its bytes."""
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }


# Each target's scenario runs once (about 10 s) on one xdist worker; the GCP one only in the
# full suite, which keeps this module under 20 s in `-m "not slow"` runs.
AWS = pytest.param("aws-lambda", marks=pytest.mark.xdist_group("template-update-aws"))
GCP = pytest.param(
    "gcp-cloud-functions",
    marks=[pytest.mark.slow, pytest.mark.xdist_group("template-update-gcp")],
)


@pytest.fixture(scope="module", params=[AWS, GCP])
def update(
    request: pytest.FixtureRequest, template_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Update:
    cloud: str = request.param
    root = tmp_path_factory.mktemp(f"update-{cloud}")
    (root / "home").mkdir()
    run = runner(root / "home")
    template = root / "template"
    template_repository(run, template_dir, template)
    run(
        CRUFT, "create", "--no-input", "--output-dir", str(root / "out"),
        "--extra-context", json.dumps({"cloud": cloud}), str(template),
        cwd=root,
    )  # fmt: skip
    project = root / "out" / "qstash-jobs"
    before = file_contents(project)
    run("git", "init", "--quiet", "--initial-branch=main", cwd=project)
    commit_all(run, project, "generated")
    add_project_line(project)
    commit_all(run, project, "our note")
    change_template(run, template)
    check_before = run(CRUFT, "check", cwd=project, expect=None)
    updated = run(CRUFT, "update", "--skip-apply-ask", cwd=project)
    changed = changed_paths(run, project)
    check_after = run(CRUFT, "check", cwd=project, expect=None)
    return Update(cloud, project, before, changed, check_before, check_after, updated)


def test_cruft_create_makes_what_cookiecutter_makes(
    template_dir: Path, tmp_path: Path, update: Update
) -> None:
    from cookiecutter.main import cookiecutter

    baked = Path(
        cookiecutter(
            str(template_dir),
            no_input=True,
            output_dir=str(tmp_path),
            extra_context={"cloud": update.cloud},
        )
    )
    ignored = {".cruft.json", ".cookiecutter.json"}  # cruft's record; _template differs
    assert {path: data for path, data in update.before.items() if path not in ignored} == {
        path: data for path, data in file_contents(baked).items() if path not in ignored
    }


def test_created_project_records_the_answers_for_cruft(update: Update) -> None:
    recorded = json.loads(update.before[".cruft.json"])
    answers = json.loads(update.before[".cookiecutter.json"])
    public = {key: value for key, value in answers.items() if not key.startswith("_")}
    assert public.items() <= recorded["context"]["cookiecutter"].items()


def test_check_reports_the_template_change_before_the_update(update: Update) -> None:
    assert update.check_before.returncode == 1, update.check_before.stdout


def test_check_is_clean_after_the_update(update: Update) -> None:
    assert update.check_after.returncode == 0, update.check_after.stdout


def test_update_adds_the_template_s_new_file_rendered(update: Update) -> None:
    assert update.text(NEW_FILE) == NEW_FILE_RENDERED


def test_update_applies_the_template_s_readme_change(update: Update) -> None:
    assert update.text("README.md").endswith(f"\n{README_LINE_RENDERED}\n")


def test_update_keeps_the_project_s_own_readme_edit(update: Update) -> None:
    assert f"\n{PROJECT_LINE}\n" in update.text("README.md")


def test_update_changes_only_what_the_template_changed(update: Update) -> None:
    # No deleted infra/, no second lock file, no .rej leftovers: any of those shows here.
    expected = {NEW_FILE, "README.md", ".cruft.json"}
    if update.cloud == "aws-lambda":
        expected.add(INFRA_FILE)
    assert update.changed == expected, update.update.stderr


@pytest.mark.parametrize("update", [AWS], indirect=True)
def test_update_applies_the_change_to_the_infra_the_hook_copies(update: Update) -> None:
    assert update.text(INFRA_FILE).endswith(f"\n{INFRA_LINE}\n")


@pytest.mark.parametrize("update", [GCP], indirect=True)
def test_gcp_update_brings_back_neither_infra_nor_the_second_lock(update: Update) -> None:
    assert sorted(path.name for path in update.project.glob("*.lock")) == ["uv.lock"]
    assert (update.project / "uv.lock").read_bytes() == update.before["uv.lock"]
    assert not (update.project / "infra").exists()


def test_cruft_link_records_a_cookiecutter_project_s_answers(
    template_dir: Path, tmp_path: Path
) -> None:
    (tmp_path / "home").mkdir()
    run = runner(tmp_path / "home")
    template = tmp_path / "template"
    commit = template_repository(run, template_dir, template)
    run(
        sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(tmp_path / "out"),
        str(template), "project_name=Billing Jobs", "cloud=gcp-cloud-functions",
        cwd=tmp_path,
    )  # fmt: skip
    project = tmp_path / "out" / "billing-jobs"
    answers = (project / ".cookiecutter.json").read_text(encoding="utf-8")
    change_template(run, template)  # the project predates this commit: link to its own
    run(
        CRUFT, "link", "--no-input", "--checkout", commit, "--extra-context", answers,
        str(template),
        cwd=project,
    )  # fmt: skip
    # cruft diff renders the linked commit with the recorded answers: the project, unchanged.
    diff = run(CRUFT, "diff", "--exit-code", cwd=project, expect=None)
    assert diff.returncode == 0, diff.stdout


def test_hook_without_repo_dir_takes_the_clone_cruft_runs_it_in(
    load_hook: Callable[..., ModuleType], template_dir: Path
) -> None:
    hook = load_hook("post_gen_project", _repo_dir="")
    assert hook.template_checkout("", template_dir, None) == template_dir


def test_hook_without_repo_dir_refuses_a_working_folder_that_is_no_template(
    load_hook: Callable[..., ModuleType], tmp_path: Path
) -> None:
    hook = load_hook("post_gen_project", _repo_dir="")
    with pytest.raises(hook.TemplateError, match="cannot find the template's infra/ folder"):
        hook.template_checkout("", tmp_path, str(tmp_path))
