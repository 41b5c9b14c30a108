"""Bake the template with pytest-cookies: defaults, every combination, hostile answers."""

from __future__ import annotations

import itertools
import json
import os
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

from tests.combinations import (
    DEFAULTS,
    GCP_DEFAULTS,
    HOSTILE_GCP_VARIANT,
    HOSTILE_VARIANT,
    SUPPORTED,
    TARGET_PROMPTS,
    UNSUPPORTED,
    Combo,
    Variant,
)
from tests.conftest import (
    TOOL_FOLDERS,
    Bake,
    HookLoader,
    cookiecutter_choices,
    generated_files,
    generated_text_files,
    render_answers,
)

# --- prompt combinations --------------------------------------------------------------

EMOJI = "\N{ROCKET}"
HOSTILE_VARIANTS = [HOSTILE_VARIANT, HOSTILE_GCP_VARIANT]


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


@pytest.mark.parametrize("cloud", sorted(TARGET_PROMPTS))
def test_next_steps_name_only_targets_of_the_generated_makefile(bake: Any, cloud: str) -> None:
    result = bake(cloud=cloud)
    makefile = (result.project_dir / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", result.stdout))
    assert named
    assert named <= targets


@pytest.mark.parametrize("cloud", sorted(TARGET_PROMPTS))
def test_next_steps_name_a_readme_section_that_exists(bake: Any, cloud: str) -> None:
    result = bake(cloud=cloud)
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


def test_no_combination_is_refused_today() -> None:
    # Were one added, it would need a test that the hook refuses it with one line.
    assert UNSUPPORTED == []


def file_contents(project_dir: Path) -> dict[str, bytes]:
    """Map every generated file's relative path to its bytes."""
    return {
        str(path.relative_to(project_dir)): path.read_bytes()
        for path in generated_files(project_dir)
    }


def without_recorded_answers(files: dict[str, bytes]) -> dict[str, bytes]:
    """Leave out .cookiecutter.json, which records every answer, ignored ones included."""
    return {path: data for path, data in files.items() if path != ".cookiecutter.json"}


@pytest.mark.parametrize("cloud", sorted(TARGET_PROMPTS))
def test_answers_to_the_other_targets_prompts_change_no_file(bake: Any, cloud: str) -> None:
    other = {
        prompt: value
        for prompt, value in {
            "architecture": "x86_64",
            "aws_region": "eu-central-1",
            "gcp_region": "europe-west3",
        }.items()
        if prompt not in TARGET_PROMPTS[cloud]
    }
    plain = file_contents(bake(cloud=cloud).project_dir)
    answered = file_contents(bake(cloud=cloud, **other).project_dir)
    assert without_recorded_answers(answered) == without_recorded_answers(plain)


def test_gcp_defaults_bake(bake: Any, template_dir: Path) -> None:
    result = bake(cloud=GCP_DEFAULTS.cloud)
    project_dir = assert_sound_project(result, template_dir, GCP_DEFAULTS.python_version)
    pyproject = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    assert "functions-framework==3.10.2" in pyproject["project"]["dependencies"]


# --- what each target gets ------------------------------------------------------------


def relative_files(project_dir: Path) -> set[str]:
    """Every generated file and folder, relative to the project root."""
    return {
        str(path.relative_to(project_dir))
        for path in project_dir.rglob("*")
        if TOOL_FOLDERS.isdisjoint(path.relative_to(project_dir).parts)
    }


def target_only_paths(load_hook: HookLoader, cloud: str, package_name: str) -> set[str]:
    """The post-generation hook's paths for ``cloud`` only, ``{package}`` filled in."""
    hook = load_hook("post_gen_project")
    return {path.format(package=package_name) for path in hook.TARGET_ONLY_PATHS[cloud]}


@pytest.mark.parametrize(
    ("cloud", "other"),
    [("aws-lambda", "gcp-cloud-functions"), ("gcp-cloud-functions", "aws-lambda")],
)
def test_bake_has_none_of_the_other_targets_paths(
    bake: Any, load_hook: HookLoader, cloud: str, other: str
) -> None:
    project_dir = bake(cloud=cloud).project_dir
    assert relative_files(project_dir) & target_only_paths(load_hook, other, "qstash_jobs") == set()


# Where code for AWS would show in a GCP project: its clients, the CDK, SQS and DynamoDB.
AWS_WORDS = re.compile(
    r"\b(?:boto3|botocore|mangum|aws_lambda_powertools|aws_cdk|moto|sqs|dynamodb)\b", re.I
)


def test_gcp_bake_has_no_aws_dependency(bake: Any) -> None:
    project_dir = bake(cloud="gcp-cloud-functions").project_dir
    pyproject = (project_dir / "pyproject.toml").read_text(encoding="utf-8")
    devkit = (project_dir / "devkit" / "pyproject.toml").read_text(encoding="utf-8")
    lock = tomllib.loads((project_dir / "uv.lock").read_text(encoding="utf-8"))
    locked = {package["name"] for package in lock["package"]}
    assert AWS_WORDS.findall(pyproject + devkit) == []
    assert locked & {"boto3", "botocore", "mangum", "aws-lambda-powertools", "moto"} == set()
    assert {"functions-framework", "google-cloud-firestore"} <= locked


def test_aws_bake_lock_is_the_aws_one(bake: Any) -> None:
    project_dir = bake().project_dir
    lock = tomllib.loads((project_dir / "uv.lock").read_text(encoding="utf-8"))
    locked = {package["name"] for package in lock["package"]}
    assert {"mangum", "boto3", "aws-cdk-lib"} <= locked
    assert "functions-framework" not in locked


# AWS's services and tools, named in code a GCP user reads as if they were this project's.
# Case matters only for Lambda: `lambda` is also a Python keyword.
AWS_TERMS = re.compile(r"\b(?:(?i:cdk|cloudformation|dynamodb|sqs)|Lambda)\b")
# The folders of a GCP project that hold its code: runtime, deploy script and dev kit.
CODE_FOLDERS = frozenset({"src", "scripts", "devkit"})


def aws_term_mentions(project_dir: Path) -> list[str]:
    """List ``path:line: text`` for every AWS term in the code folders of ``project_dir``."""
    found = []
    for path, text in generated_text_files(project_dir):
        relative = path.relative_to(project_dir)
        if relative.parts[0] not in CODE_FOLDERS:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if AWS_TERMS.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_gcp_bake_code_names_no_aws_service(bake: Any) -> None:
    project_dir = bake(cloud="gcp-cloud-functions").project_dir
    assert aws_term_mentions(project_dir) == []


def test_aws_term_scan_finds_a_planted_mention(bake: Any) -> None:
    # The scan above must be able to fail: plant each term, and Python's keyword beside them.
    project_dir = bake(cloud="gcp-cloud-functions").project_dir
    (project_dir / "scripts" / "planted.py").write_text(
        '"""Runs at `cdk synth`, in CloudFormation."""\n'
        "KEY = lambda item: item  # noqa: E731\n"
        "# DynamoDB, SQS and Lambda\n",
        encoding="utf-8",
    )
    (project_dir / "README.md").write_text("SQS\n", encoding="utf-8")  # not a code folder
    assert aws_term_mentions(project_dir) == [
        'scripts/planted.py:1: """Runs at `cdk synth`, in CloudFormation."""',
        "scripts/planted.py:3: # DynamoDB, SQS and Lambda",
    ]


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


@pytest.mark.parametrize("variant", HOSTILE_VARIANTS, ids=lambda variant: variant.id)
def test_hostile_variant_is_a_supported_combination(variant: Variant) -> None:
    assert variant.combo in SUPPORTED


@pytest.mark.parametrize("variant", HOSTILE_VARIANTS, ids=lambda variant: variant.id)
def test_hostile_variant_names_are_as_long_as_the_hook_allows(
    load_hook: HookLoader, variant: Variant
) -> None:
    # Template lines laid out for the 11-character default overflowed ruff's 100 columns with
    # a 40-character name; the variant's bake runs `make lint`, so its names must be the longest.
    hook = load_hook()
    assert len(variant.project_slug) == hook.MAX_SLUG_LENGTH
    assert len(variant.package_name) == hook.MAX_SLUG_LENGTH


def test_hostile_variant_names_differ_between_the_targets() -> None:
    names = ("project_name", "project_slug", "package_name")
    assert {
        name
        for name in names
        if getattr(HOSTILE_VARIANT, name) == getattr(HOSTILE_GCP_VARIANT, name)
    } == set()


@pytest.mark.parametrize("variant", HOSTILE_VARIANTS, ids=lambda variant: variant.id)
def test_hostile_variant_differs_from_the_defaults_in_every_answer_of_its_target(
    default_answers: dict[str, Any], variant: Variant
) -> None:
    applying = variant.applying_answers()
    if variant.cloud == default_answers["cloud"]:
        del applying["cloud"]
    assert {
        field: value for field, value in applying.items() if default_answers[field] == value
    } == {}


@pytest.mark.parametrize("variant", HOSTILE_VARIANTS, ids=lambda variant: variant.id)
def test_no_default_name_is_hard_coded_in_a_project_baked_with_other_names(
    bake: Any, template_dir: Path, default_answers: dict[str, Any], variant: Variant
) -> None:
    result = bake(**variant._asdict())
    project_dir = assert_sound_project(result, template_dir, variant.python_version)
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
    pytest.param(
        {"cloud": "gcp-cloud-functions", "gcp_region": "eu-central-1"},
        "ERROR: gcp_region=eu-central-1: is an AWS region code, not a Google Cloud region; did "
        "you mean europe-west3 (the same city)?",
        id="gcp-region-eu-central-1",
    ),
    pytest.param(
        {"cloud": "gcp-cloud-functions", "gcp_region": "Europe-West3"},
        "ERROR: gcp_region=Europe-West3: is not a Google Cloud region name as written; did you "
        "mean europe-west3?",
        id="gcp-region-Europe-West3",
    ),
    pytest.param(
        {"cloud": "gcp-cloud-functions", "package_name": "main"},
        "ERROR: package_name=main: would shadow main, which the Cloud Functions Python runtime "
        "imports; choose another name, e.g. main_jobs",
        id="gcp-package-main",
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
        answers=("package_name=3d-jobs", "cloud=gcp-cloud-functions", "gcp_region=us-central-1"),
    )
    assert completed.returncode != 0
    assert hook_errors(completed) == [
        "ERROR: package_name=3d-jobs: must be a Python identifier of lowercase ASCII letters, "
        "digits and underscores, starting with a letter, e.g. jobs_3d",
        "ERROR: gcp_region=us-central-1: is not a Google Cloud region name; did you mean "
        "us-central1?",
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


# --- the generated Makefile of each target --------------------------------------------


def makefile_targets(project_dir: Path) -> set[str]:
    """The targets the generated Makefile defines."""
    makefile = (project_dir / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][a-z-]*):", makefile, re.MULTILINE))


def test_gcp_makefile_has_the_gcp_verbs_and_no_cdk(bake: Any) -> None:
    project_dir = bake(cloud="gcp-cloud-functions").project_dir
    makefile = (project_dir / "Makefile").read_text(encoding="utf-8")
    assert makefile_targets(project_dir) == {
        "help", "install", "demo", "dev", "test", "test-all", "lint", "format", "doctor", "deploy",
        "destroy",
    }  # fmt: skip
    assert re.findall(r"\bcdk\b|npm|npx|node_modules|moto", makefile) == []


def test_gcp_make_deploy_runs_the_deploy_script_with_project_and_region(bake: Any) -> None:
    project_dir = bake(cloud="gcp-cloud-functions", gcp_region="europe-west3").project_dir
    make = shutil.which("make")
    assert make is not None
    # A uv that runs: the Makefile replaces one that does not (a pyenv shim) by its own copy.
    uv = os.environ.get("UV") or shutil.which("uv")
    assert uv is not None
    completed = subprocess.run(
        [make, "-n", "deploy", "PROJECT=jobs-prod", f"UV={uv}"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert (
        f'UV="{uv}" {uv} run --locked python scripts/deploy_gcp.py --region=europe-west3 '
        "--project=jobs-prod" in " ".join(completed.stdout.replace("\\\n", " ").split())
    )


def test_aws_makefile_has_no_gcp_deploy(bake: Any) -> None:
    makefile = (bake().project_dir / "Makefile").read_text(encoding="utf-8")
    assert "deploy_gcp" not in makefile
    assert "gcloud" not in makefile
