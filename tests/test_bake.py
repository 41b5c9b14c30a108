"""Bake the template with pytest-cookies: defaults, every combination, hostile answers."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException

from tests.combinations import DEFAULTS, HOSTILE_VARIANT, SUPPORTED, UNSUPPORTED, Combo
from tests.conftest import (
    Bake,
    HookLoader,
    cookiecutter_choices,
    generated_files,
    generated_text_files,
    render_answers,
)

# --- prompt combinations --------------------------------------------------------------

EMOJI = "\N{ROCKET}"
GCP_REFUSAL = (
    "ERROR: cloud=gcp-cloud-functions: arrives in a later release of this template; "
    "choose aws-lambda for now"
)


def test_supported_and_unsupported_cover_every_combination_of_choices(template_dir: Path) -> None:
    choices = cookiecutter_choices(template_dir)
    every = {
        Combo(*values)
        for values in itertools.product(
            choices["cloud"], choices["python_version"], choices["architecture"]
        )
    }
    assert set(SUPPORTED).isdisjoint(UNSUPPORTED)
    assert set(SUPPORTED) | set(UNSUPPORTED) == every


def test_defaults_are_a_supported_combination(default_answers: dict[str, Any]) -> None:
    assert Combo(**{key: default_answers[key] for key in Combo._fields}) == DEFAULTS
    assert DEFAULTS in SUPPORTED


# --- checks on a baked project -------------------------------------------------------


def placeholder_pattern(template_dir: Path) -> re.Pattern[str]:
    """Match leftover Jinja: ``{{`` (not GitHub's ``${{``), ``{%``, ``cookiecutter.<key>``."""
    keys = json.loads((template_dir / "cookiecutter.json").read_text(encoding="utf-8"))
    names = "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
    return re.compile(rf"(?<!\$)\{{\{{|\{{%|\bcookiecutter\.(?:{names})\b")


def leftover_placeholders(project_dir: Path, pattern: re.Pattern[str]) -> list[str]:
    """List ``path:line: text`` for every unrendered placeholder in names or contents."""
    found = []
    for path in generated_files(project_dir):
        relative = path.relative_to(project_dir)
        if pattern.search(str(relative)):
            found.append(f"{relative}: file name")
    for path, text in generated_text_files(project_dir):
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line):
                found.append(f"{path.relative_to(project_dir)}:{number}: {line.strip()}")
    return found


def parse_structured_files(project_dir: Path) -> list[str]:
    """Parse every TOML, JSON and YAML file; return one message per file that fails."""
    parsers = {
        ".toml": tomllib.loads,
        ".json": json.loads,
        ".yaml": lambda text: list(yaml.safe_load_all(text)),
        ".yml": lambda text: list(yaml.safe_load_all(text)),
    }
    problems = []
    for path, text in generated_text_files(project_dir):
        parse = parsers.get(path.suffix)
        if parse is None:
            continue
        try:
            parse(text)
        except Exception as error:  # each parser raises its own error type
            problems.append(f"{path.relative_to(project_dir)}: {error}")
    return problems


def python_syntax_errors(project_dir: Path, python_version: str) -> str:
    """Return ruff's report of Python syntax errors in the project, empty when none.

    ruff parses newer syntax than the Python running these tests, and ``--isolated``
    ignores the generated project's own lint configuration.
    """
    ruff = shutil.which("ruff")
    assert ruff is not None, "ruff is a dev dependency of the template"
    target = "py" + python_version.replace(".", "")
    completed = subprocess.run(
        [ruff, "check", "--isolated", "--no-cache", "--select", "E902", "--target-version", target],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    return "" if completed.returncode == 0 else completed.stdout + completed.stderr


def assert_sound_project(bake: Bake, template_dir: Path, python_version: str) -> Path:
    """Assert the bake succeeded and produced a fully rendered, parseable project."""
    project_dir = bake.project_dir
    assert bake.result.exit_code == 0
    assert leftover_placeholders(project_dir, placeholder_pattern(template_dir)) == []
    assert parse_structured_files(project_dir) == []
    assert python_syntax_errors(project_dir, python_version) == ""
    return project_dir


def assert_refused(bake: Bake, field: str) -> None:
    """Assert the pre-generation hook refused ``field`` and nothing was left behind."""
    assert isinstance(bake.result.exception, FailedHookException), bake.stderr
    assert any(line.startswith(f"ERROR: {field}=") for line in bake.error_lines), bake.stderr
    assert bake.leftovers() == []


# --- defaults and combinations -------------------------------------------------------


def test_defaults_bake(bake: Any, template_dir: Path, default_answers: dict[str, Any]) -> None:
    result = bake()
    project_dir = assert_sound_project(result, template_dir, default_answers["python_version"])
    assert project_dir.name == "qstash-jobs"
    pyproject = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == "qstash-jobs"


def test_defaults_bake_prints_next_steps(bake: Any) -> None:
    result = bake()
    assert f"cd {result.project_dir}" in result.stdout
    assert "make demo" in result.stdout
    assert "make test" in result.stdout


def test_next_steps_name_only_targets_of_the_generated_makefile(bake: Any) -> None:
    result = bake()
    makefile = (result.project_dir / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", result.stdout))
    assert named
    assert named <= targets


def test_next_steps_name_a_readme_section_that_exists(bake: Any) -> None:
    result = bake()
    readme = (result.project_dir / "README.md").read_text(encoding="utf-8")
    headings = set(re.findall(r"^#+ (.+?)\s*$", readme, re.MULTILINE))
    (section,) = re.findall(r'section "([^"]+)"', " ".join(result.stdout.split()))
    assert section in headings


def test_bake_records_the_answers(bake: Any, default_answers: dict[str, Any]) -> None:
    result = bake()
    recorded = json.loads((result.project_dir / ".cookiecutter.json").read_text(encoding="utf-8"))
    public = {key: value for key, value in default_answers.items() if not key.startswith("_")}
    assert {key: value for key, value in recorded.items() if not key.startswith("_")} == public


def test_bake_into_an_existing_folder_with_overwrite_is_repeatable(
    template_dir: Path, tmp_path: Path
) -> None:
    from cookiecutter.main import cookiecutter

    for _ in range(2):
        project = cookiecutter(
            str(template_dir), no_input=True, overwrite_if_exists=True, output_dir=str(tmp_path)
        )
    assert Path(project) == tmp_path / "qstash-jobs"


@pytest.mark.parametrize("combo", SUPPORTED, ids=[combo.id for combo in SUPPORTED])
def test_supported_combination_bakes(bake: Any, template_dir: Path, combo: Combo) -> None:
    result = bake(**combo._asdict())
    assert_sound_project(result, template_dir, combo.python_version)


@pytest.mark.parametrize("combo", UNSUPPORTED, ids=[combo.id for combo in UNSUPPORTED])
def test_unsupported_combination_is_refused_by_the_hook(bake: Any, combo: Combo) -> None:
    result = bake(**combo._asdict())
    assert isinstance(result.result.exception, FailedHookException)
    assert result.error_lines == [GCP_REFUSAL]
    assert result.leftovers() == []


# --- names ---------------------------------------------------------------------------

# Lines that may name the defaults in a project baked with other names, and why.
DEFAULT_NAME_ALLOWED = {
    # Where the template was baked from: a clone may well be called qstash-jobs-template.
    ".cookiecutter.json": re.compile(r'^\s*"_template": '),
}


def default_name_pattern(default_answers: dict[str, Any]) -> re.Pattern[str]:
    """Match the default names: slug and package name in any case, project name as written.

    Any case, because an environment variable prefix such as ``QSTASH_JOBS_`` is one too.
    """
    spellings = [
        rf"(?i:{re.escape(default_answers['project_slug'])})",
        rf"(?i:{re.escape(default_answers['package_name'])})",
        re.escape(default_answers["project_name"]),
    ]
    return re.compile("|".join(spellings))


def default_name_mentions(project_dir: Path, pattern: re.Pattern[str]) -> list[str]:
    """List ``path:line: text`` for every default name in file names or contents."""
    found = []
    for path in generated_files(project_dir):
        relative = path.relative_to(project_dir)
        if pattern.search(str(relative)):
            found.append(f"{relative}: file name")
    for path, text in generated_text_files(project_dir):
        relative = path.relative_to(project_dir)
        allowed = DEFAULT_NAME_ALLOWED.get(str(relative))
        for number, line in enumerate(text.splitlines(), start=1):
            if pattern.search(line) and not (allowed and allowed.match(line)):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_hostile_variant_is_a_supported_combination() -> None:
    assert HOSTILE_VARIANT.combo in SUPPORTED


def test_hostile_variant_names_are_as_long_as_the_hook_allows(load_hook: HookLoader) -> None:
    # Template lines laid out for the 11-character default overflowed ruff's 100 columns with
    # a 40-character name; the variant's bake runs `make lint`, so its names must be the longest.
    hook = load_hook()
    assert len(HOSTILE_VARIANT.project_slug) == hook.MAX_SLUG_LENGTH
    assert len(HOSTILE_VARIANT.package_name) == hook.MAX_SLUG_LENGTH


def test_hostile_variant_differs_from_the_defaults_in_every_answer(
    default_answers: dict[str, Any],
) -> None:
    assert {
        field: value
        for field, value in HOSTILE_VARIANT._asdict().items()
        if default_answers[field] == value
    } == {}


def test_no_default_name_is_hard_coded_in_a_project_baked_with_other_names(
    bake: Any, template_dir: Path, default_answers: dict[str, Any]
) -> None:
    result = bake(**HOSTILE_VARIANT._asdict())
    project_dir = assert_sound_project(result, template_dir, HOSTILE_VARIANT.python_version)
    assert default_name_mentions(project_dir, default_name_pattern(default_answers)) == []


def test_default_name_scan_finds_a_hard_coded_name(
    bake: Any, default_answers: dict[str, Any]
) -> None:
    # The scan above must be able to fail: plant the kinds of mention it exists to catch.
    project_dir = bake(**HOSTILE_VARIANT._asdict()).project_dir
    (project_dir / "tests" / "test_planted.py").write_text(
        'SCRIPT = "qstash-jobs"\nPREFIX = "QSTASH_JOBS_"\nTITLE = "QStash Jobs"\n',
        encoding="utf-8",
    )
    (project_dir / "qstash_jobs.txt").write_text("", encoding="utf-8")
    assert default_name_mentions(project_dir, default_name_pattern(default_answers)) == [
        "qstash_jobs.txt: file name",
        'tests/test_planted.py:1: SCRIPT = "qstash-jobs"',
        'tests/test_planted.py:2: PREFIX = "QSTASH_JOBS_"',
        'tests/test_planted.py:3: TITLE = "QStash Jobs"',
    ]


def test_default_name_scan_allows_only_the_recorded_template_location(
    bake: Any, default_answers: dict[str, Any]
) -> None:
    project_dir = bake(**HOSTILE_VARIANT._asdict()).project_dir
    recorded = project_dir / ".cookiecutter.json"
    answers = json.loads(recorded.read_text(encoding="utf-8"))
    answers |= {"_template": "/src/qstash-jobs-template", "description": "qstash-jobs"}
    recorded.write_text(json.dumps(answers, indent=2), encoding="utf-8")
    mentions = default_name_mentions(project_dir, default_name_pattern(default_answers))
    assert [mention.split(": ", 1)[1] for mention in mentions] == ['"description": "qstash-jobs",']


# --- derived answers -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["!!!", EMOJI * 3, "   "], ids=["punctuation", "emoji", "blank"])
def test_project_name_with_nothing_to_slugify_is_refused_by_the_hook(bake: Any, name: str) -> None:
    result = bake(project_name=name)
    assert_refused(result, "project_name")
    assert [line.split("=")[0] for line in result.error_lines] == ["ERROR: project_name"]


@pytest.mark.parametrize("name", ["!!!", EMOJI * 3, "   "], ids=["punctuation", "emoji", "blank"])
def test_project_slug_falls_back_when_the_name_has_nothing_to_slugify(
    template_dir: Path, name: str
) -> None:
    # An empty slug would make cookiecutter fail on the output folder before the hook runs.
    assert render_answers(template_dir, project_name=name)["project_slug"] == "qstash-jobs"


def test_refused_slug_is_reported_once_when_package_name_derives_from_it(bake: Any) -> None:
    result = bake(project_slug="MyJobs")
    assert_refused(result, "project_slug")
    assert [line.split("=")[0] for line in result.error_lines] == ["ERROR: project_slug"]


# Answers with the right shape that the hook refuses, and the line it prints for each.
REFUSED_ANSWERS = [
    pytest.param(
        {"project_slug": "src"},
        "ERROR: project_slug=src: gives package_name=src, which clashes with the project's own "
        "src folder; choose another project_slug, e.g. src-jobs, or set package_name, "
        "e.g. src_jobs",
        id="slug-src",
    ),
    pytest.param(
        {"project_name": "Src"},
        "ERROR: project_slug=src: gives package_name=src, which clashes with the project's own "
        "src folder; choose another project_slug, e.g. src-jobs, or set package_name, "
        "e.g. src_jobs",
        id="name-src",
    ),
    pytest.param(
        {"package_name": "setuptools"},
        "ERROR: package_name=setuptools: would shadow setuptools, which packaging tools import "
        "in the project's environment; choose another name, e.g. setuptools_jobs",
        id="package-setuptools",
    ),
    pytest.param(
        {"package_name": "lambda_function"},
        "ERROR: package_name=lambda_function: would shadow lambda_function, which the Lambda "
        "Python runtime imports; choose another name, e.g. lambda_function_jobs",
        id="package-lambda_function",
    ),
    pytest.param(
        {"aws_region": "zz-east-1"},
        "ERROR: aws_region=zz-east-1: is not a known AWS region code; use one such as "
        "us-east-1, eu-central-1 or ap-southeast-2",
        id="region-zz-east-1",
    ),
    pytest.param(
        {"aws_region": "us-east-99"},
        "ERROR: aws_region=us-east-99: is not a known AWS region code; use one such as "
        "us-east-1, eu-central-1 or ap-southeast-2",
        id="region-us-east-99",
    ),
]


@pytest.mark.parametrize(("answers", "error"), REFUSED_ANSWERS)
def test_refused_answer_prints_one_line_and_leaves_no_folder(
    bake: Any, answers: dict[str, str], error: str
) -> None:
    result = bake(**answers)
    assert isinstance(result.result.exception, FailedHookException), result.stderr
    assert result.error_lines == [error]
    assert result.leftovers() == []


# --- hostile answers -----------------------------------------------------------------

# Where the injection strings would leave a trace if an answer ever ran as code.
MARKER = Path(tempfile.gettempdir()) / "pwned"
INJECTION = f'"; import os; os.system("touch {MARKER}") #'
TRIPLE_INJECTION = f"'''\"\"\" + __import__('os').system('touch {MARKER}') + '''\"\"\""
# One value per kind of trouble, for prompts that take free text.
HOSTILE_TEXT = {
    "double-quote": 'The "best" jobs',
    "apostrophe": "O'Brien's jobs",
    "backslash": "C:\\new\\table \\u0041 ends with \\",
    "newline": "first line\nsecond line",
    "unicode": "Z\N{LATIN SMALL LETTER U WITH DIAERESIS}rich \u2013 \u65e5\u672c\u8a9e \u2713",
    "emoji": f"Rocket {EMOJI} family \N{MAN}\N{ZERO WIDTH JOINER}\N{WOMAN}",
    "injection": INJECTION,
    "triple-quote-injection": TRIPLE_INJECTION,
    "toml-breakout": 'x", evil = "y',
}


def shaped(base: str, tail: str = "") -> dict[str, str]:
    """The same kinds of trouble, built around a valid value for a constrained prompt."""
    return {
        "double-quote": f'{base}"x{tail}',
        "apostrophe": f"{base}'s{tail}",
        "backslash": f"{base}\\x{tail}",
        "newline": f"{base}\nx{tail}",
        "unicode": f"{base}\N{LATIN SMALL LETTER U WITH DIAERESIS}{tail}",
        "emoji": f"{base}{EMOJI}{tail}",
        "injection": INJECTION + tail,
    }


HOSTILE = {
    "project_name": HOSTILE_TEXT,
    "description": HOSTILE_TEXT,
    "author_name": HOSTILE_TEXT,
    "author_email": {**shaped("team", "@example.com"), "apostrophe": "o'brien@example.com"},
    "project_slug": shaped("qstash-jobs"),
    "package_name": shaped("qstash_jobs"),
    "aws_region": shaped("us-east-1"),
}
# The answers that must be accepted and round-trip; every other hostile answer is refused.
ACCEPTED = {
    *{
        (field, kind)
        for field in ("project_name", "description", "author_name")
        for kind in HOSTILE_TEXT
        if kind != "newline"
    },
    ("author_email", "apostrophe"),
}
# Where the generated pyproject.toml keeps each free-text answer.
PYPROJECT_KEYS: dict[str, tuple[str | int, ...]] = {
    "description": ("project", "description"),
    "author_name": ("project", "authors", 0, "name"),
    "author_email": ("project", "authors", 0, "email"),
}
HOSTILE_CASES = [
    pytest.param(field, value, (field, kind) in ACCEPTED, id=f"{field}-{kind}")
    for field, values in HOSTILE.items()
    for kind, value in values.items()
]


@pytest.fixture
def no_injection() -> Iterator[None]:
    """Fail when an injection string ran as code during the test."""
    assert not MARKER.exists(), f"remove {MARKER} left by an earlier run"
    yield
    assert not MARKER.exists(), "an answer was executed as code"


def dig(document: Any, keys: tuple[str | int, ...]) -> Any:
    """Follow ``keys`` into nested tables and arrays."""
    for key in keys:
        document = document[key]
    return document


def expected_leftovers(bake: Bake, field: str, slug: str) -> list[Path]:
    """What a refused bake may leave: nothing, or the empty parents of a slug with ``/``.

    Cookiecutter makes the project folder (``mkdir -p``) before the pre-generation hook
    runs and deletes only the last path component when the hook fails, so a refused
    slug such as ``a/b`` leaves the empty folder ``a`` behind; the hook cannot prevent it.
    """
    if field != "project_slug":
        return []
    parts = Path(slug).parts[:-1]
    return [bake.output_dir.joinpath(*parts[: index + 1]) for index in range(len(parts))]


@pytest.mark.usefixtures("no_injection")
@pytest.mark.parametrize(("field", "value", "accepted"), HOSTILE_CASES)
def test_hostile_answer_round_trips_or_is_refused_cleanly(
    bake: Any, template_dir: Path, field: str, value: str, accepted: bool
) -> None:
    result = bake(**{field: value})
    if not accepted:
        assert isinstance(result.result.exception, FailedHookException), result.stderr
        assert any(line.startswith(f"ERROR: {field}=") for line in result.error_lines)
        assert result.leftovers() == expected_leftovers(result, field, value)
        return
    project_dir = assert_sound_project(result, template_dir, "3.13")
    pyproject = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    if field in PYPROJECT_KEYS:
        assert dig(pyproject, PYPROJECT_KEYS[field]) == value
    recorded = json.loads((project_dir / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert recorded[field] == value


def test_refused_slug_with_a_slash_leaves_only_empty_parent_folders(bake: Any) -> None:
    result = bake(project_slug="outer/inner")
    assert isinstance(result.result.exception, FailedHookException)
    assert result.error_lines[0].startswith("ERROR: project_slug=outer/inner: ")
    assert result.leftovers() == [result.output_dir / "outer"]
    assert list((result.output_dir / "outer").iterdir()) == []


# --- the cookiecutter command line ---------------------------------------------------


def run_cookiecutter(
    template_dir: Path, home: Path, *options: str, answers: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``cookiecutter <options> <template> <key=value ...>`` as a user would.

    Cookiecutter's config, clones and replay files live below ``home``.
    """
    config = home / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {home / 'cookiecutters'}\nreplay_dir: {home / 'replay'}\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [
            sys.executable, "-m", "cookiecutter", "--config-file", str(config), *options,
            str(template_dir), *answers,
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def hook_errors(completed: subprocess.CompletedProcess[str]) -> list[str]:
    """The hook's ``ERROR: <field>=...`` lines, not cookiecutter's own ``ERROR: Stopping ...``."""
    return [line for line in completed.stderr.splitlines() if re.match(r"ERROR: \w+=", line)]


def replay_answers(home: Path) -> dict[str, Any]:
    """The replay file cookiecutter saved below ``home`` before it generated anything."""
    (replay,) = (home / "replay").glob("*.json")
    return dict(json.loads(replay.read_text(encoding="utf-8")))


def test_hook_refusal_reaches_the_user_as_plain_lines(template_dir: Path, tmp_path: Path) -> None:
    output_dir = tmp_path / "out"
    completed = run_cookiecutter(
        template_dir,
        tmp_path,
        "--no-input",
        "-o",
        str(output_dir),
        answers=("package_name=3d-jobs", "cloud=gcp-cloud-functions"),
    )
    assert completed.returncode != 0
    assert hook_errors(completed) == [
        "ERROR: package_name=3d-jobs: must be a Python identifier of lowercase ASCII letters, "
        "digits and underscores, starting with a letter, e.g. jobs_3d",
        GCP_REFUSAL,
    ]
    assert list(output_dir.iterdir()) == []


def test_hook_refusal_is_followed_by_cookiecutters_stopping_line_and_traceback(
    template_dir: Path, tmp_path: Path
) -> None:
    # README and docs/prompts.md describe this output; a cookiecutter upgrade may change it.
    completed = run_cookiecutter(
        template_dir, tmp_path, "--no-input", "-o", str(tmp_path), answers=("aws_region=mars",)
    )
    assert completed.stderr.splitlines()[0].startswith("ERROR: aws_region=mars: ")
    assert completed.stdout.splitlines()[:2] == [
        "ERROR: Stopping generation because pre_gen_project hook script didn't exit successfully",
        "Traceback (most recent call last):",
    ]
    assert completed.stdout.splitlines()[-1] == "Hook script failed (exit status: 1)"


def test_command_line_choice_outside_the_list_is_refused_by_cookiecutter_before_the_hook(
    template_dir: Path, tmp_path: Path
) -> None:
    completed = run_cookiecutter(
        template_dir, tmp_path, "--no-input", "-o", str(tmp_path), answers=("python_version=3.11",)
    )
    assert completed.returncode != 0
    assert completed.stderr.splitlines()[-1] == (
        "ValueError: 3.11 provided for choice variable python_version, but the choices are "
        "['3.13', '3.12']."
    )
    assert hook_errors(completed) == []


def test_command_line_answer_is_rendered_by_jinja(template_dir: Path) -> None:
    assert render_answers(template_dir, description="{{ 7 * 7 }}")["description"] == "49"


def test_answers_of_a_refused_run_can_be_fixed_in_the_replay_file(
    template_dir: Path, tmp_path: Path
) -> None:
    output_dir = tmp_path / "out"
    refused = run_cookiecutter(
        template_dir, tmp_path, "--no-input", "-o", str(output_dir), answers=("project_slug=My",)
    )
    assert hook_errors(refused), refused.stderr
    replay = replay_answers(tmp_path)
    replay["cookiecutter"] |= {"project_slug": "my", "package_name": "my"}
    fixed = tmp_path / "fixed.json"
    fixed.write_text(json.dumps(replay), encoding="utf-8")
    completed = run_cookiecutter(
        template_dir, tmp_path, "--replay-file", str(fixed), "-o", str(output_dir)
    )
    assert completed.returncode == 0, completed.stderr
    assert [path.name for path in output_dir.iterdir()] == ["my"]


def test_replay_file_choice_outside_the_list_is_refused_by_the_hook(
    template_dir: Path, tmp_path: Path
) -> None:
    run_cookiecutter(
        template_dir, tmp_path, "--no-input", "-o", str(tmp_path), answers=("aws_region=mars",)
    )
    replay = replay_answers(tmp_path)
    replay["cookiecutter"] |= {"aws_region": "us-east-1", "python_version": "3.11"}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(replay), encoding="utf-8")
    completed = run_cookiecutter(
        template_dir, tmp_path, "--replay-file", str(edited), "-o", str(tmp_path / "out")
    )
    assert hook_errors(completed) == ["ERROR: python_version=3.11: must be one of 3.13, 3.12"]
