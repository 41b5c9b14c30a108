"""The post-generation hook copies infra/ into AWS projects, however the template is reached.

These tests need the template around them: the hook leaves this module out of the copy.
"""

import filecmp
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from infra.tests.conftest import ROOT, cookiecutter_module, in_template_repository

pytestmark = pytest.mark.skipif(
    not in_template_repository(), reason="tests the template's hook; a project has none"
)

THIS_FILE = Path(__file__).name


def render_hook(tmp_path: Path, **answers: str) -> ModuleType:
    """Render hooks/post_gen_project.py with the default answers, as cookiecutter does."""
    context = cookiecutter_module("generate").generate_context(
        context_file=str(ROOT / "cookiecutter.json")
    )
    context["cookiecutter"] = {
        **cookiecutter_module("prompt").prompt_for_config(context, no_input=True),
        **answers,
    }
    source = (ROOT / "hooks" / "post_gen_project.py").read_text(encoding="utf-8")
    environment = cookiecutter_module("utils").create_env_with_context(context)
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "post_gen_project.py"
    path.write_text(environment.from_string(source).render(**context), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"post_gen_{tmp_path.name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hook(tmp_path: Path) -> ModuleType:
    return render_hook(tmp_path, _repo_dir=str(ROOT))


def shipped_files(folder: Path) -> list[str]:
    """The files of an infra/ folder that a project gets, relative to it."""
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file()
        and not any(part.endswith("cache") or part == "__pycache__" for part in path.parts)
        and path.suffix != ".pyc"
        and path.name != THIS_FILE
    )


def assert_same_infra(project_dir: Path) -> None:
    copied = project_dir / "infra"
    assert shipped_files(copied) == shipped_files(ROOT / "infra")
    for relative in shipped_files(copied):
        assert filecmp.cmp(copied / relative, ROOT / "infra" / relative, shallow=False), relative


# --- the hook's functions --------------------------------------------------------------


def test_copy_brings_infra_and_its_tests(hook: ModuleType, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    hook.copy_infra(ROOT, project)
    assert_same_infra(project)
    assert (project / "infra" / "tests" / "conftest.py").is_file()


def test_copy_leaves_this_template_test_and_caches_behind(hook: ModuleType, tmp_path: Path) -> None:
    hook.copy_infra(ROOT, tmp_path)
    names = {path.name for path in (tmp_path / "infra").rglob("*")}
    assert THIS_FILE not in names
    assert not {name for name in names if name.endswith((".pyc", "_cache", "__pycache__"))}


def test_copy_twice_changes_nothing(hook: ModuleType, tmp_path: Path) -> None:
    hook.copy_infra(ROOT, tmp_path)
    first = {path: path.read_bytes() for path in (tmp_path / "infra").rglob("*") if path.is_file()}
    hook.copy_infra(ROOT, tmp_path)
    second = {path: path.read_bytes() for path in (tmp_path / "infra").rglob("*") if path.is_file()}
    assert second == first


def test_copy_keeps_files_the_project_added(hook: ModuleType, tmp_path: Path) -> None:
    own = tmp_path / "infra" / "components" / "extra.py"
    own.parent.mkdir(parents=True)
    own.write_text("# the team's own construct\n", encoding="utf-8")
    hook.copy_infra(ROOT, tmp_path)
    assert own.read_text(encoding="utf-8") == "# the team's own construct\n"


def test_absolute_repo_dir_is_the_checkout(hook: ModuleType) -> None:
    assert hook.template_checkout(str(ROOT), None, None) == ROOT


def test_relative_repo_dir_is_cookiecutter_s_working_folder(
    hook: ModuleType, tmp_path: Path
) -> None:
    # `cookiecutter .`: cookiecutter runs hooks from inside the checkout.
    assert hook.template_checkout(".", ROOT, str(tmp_path)) == ROOT


def test_relative_repo_dir_is_resolved_against_pwd_where_no_working_folder_shows(
    hook: ModuleType,
) -> None:
    assert hook.template_checkout(ROOT.name, None, str(ROOT.parent)) == ROOT


def test_checkout_without_infra_is_refused(hook: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "cookiecutter.json").write_text("{}", encoding="utf-8")
    with pytest.raises(hook.TemplateError, match="cannot find the template's infra/ folder"):
        hook.template_checkout(str(tmp_path), None, None)


def test_relative_repo_dir_found_nowhere_asks_for_an_absolute_path(
    hook: ModuleType, tmp_path: Path
) -> None:
    with pytest.raises(hook.TemplateError, match="the template's absolute path"):
        hook.template_checkout(".", tmp_path, str(tmp_path))


def test_hook_without_repo_dir_names_the_cookiecutter_it_needs(tmp_path: Path) -> None:
    hook = render_hook(tmp_path)
    with pytest.raises(hook.TemplateError, match=r"cookiecutter 2\.2 or newer"):
        hook.template_checkout(json.loads(hook.ANSWERS_JSON)["repo_dir"], None, None)


def test_gcp_project_gets_no_cdk_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The pre-generation hook refuses this target today, so run the post-generation one alone.
    hook = render_hook(tmp_path / "hook", _repo_dir=str(ROOT), cloud="gcp-cloud-functions")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("cdk.json", "package.json", "package-lock.json", ".cfnlintrc", "README.md"):
        (project / name).write_text("{}", encoding="utf-8")
    monkeypatch.chdir(project)
    assert hook.main() == 0
    capsys.readouterr()
    assert sorted(path.name for path in project.iterdir()) == ["README.md"]


# --- real bakes ---------------------------------------------------------------------------


@pytest.fixture
def isolated_config(tmp_path: Path) -> Path:
    """A cookiecutter config whose clone and replay folders live in tmp_path."""
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(
        f'cookiecutters_dir: "{tmp_path / "clones"}"\nreplay_dir: "{tmp_path / "replay"}"\n',
        encoding="utf-8",
    )
    return config


def bake(template: str, output_dir: Path, config: Path, **options: Any) -> Path:
    baked = cookiecutter_module("main").cookiecutter(
        template, output_dir=str(output_dir), config_file=str(config), **options
    )
    return Path(baked)


def test_bake_from_a_local_folder_holds_infra(tmp_path: Path, isolated_config: Path) -> None:
    project = bake(str(ROOT), tmp_path / "out", isolated_config, no_input=True)
    assert_same_infra(project)
    assert (project / "cdk.json").is_file()


def test_bake_from_a_relative_path_on_the_command_line_holds_infra(
    tmp_path: Path, isolated_config: Path
) -> None:
    # What the README and `make demo` run: the template given as ".".
    output = tmp_path / "out"
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output), "."]
    subprocess.run(
        [*command, "--config-file", str(isolated_config)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (project,) = output.iterdir()
    assert_same_infra(project)


def test_bake_from_a_git_url_holds_infra(tmp_path: Path, isolated_config: Path) -> None:
    # A repository of the working tree, cloned through a file:// URL: no network.
    checkout = tmp_path / "template.git"
    shutil.copytree(
        ROOT,
        checkout,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "cdk.out", "node_modules", "*cache*"
        ),
    )
    git = ["git", "-C", str(checkout), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "template"]):
        subprocess.run([*git, *command], check=True, capture_output=True)
    project = bake(f"file://{checkout}", tmp_path / "out", isolated_config, no_input=True)
    assert_same_infra(project)
    assert (tmp_path / "clones" / "template").is_dir()


def test_replayed_bake_holds_infra(tmp_path: Path, isolated_config: Path) -> None:
    bake(str(ROOT), tmp_path / "first", isolated_config, no_input=True)
    project = bake(str(ROOT), tmp_path / "again", isolated_config, replay=True)
    assert_same_infra(project)
