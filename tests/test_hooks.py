"""Unit tests of the hooks: render them as cookiecutter does, import them, call them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.combinations import TARGET_PROMPTS
from tests.conftest import HookLoader

EMOJI = "\N{ROCKET}"


@pytest.fixture
def pre_gen(load_hook: HookLoader) -> ModuleType:
    """The pre-generation hook rendered with the default answers."""
    return load_hook()


@pytest.fixture
def answers(default_answers: dict[str, Any]) -> dict[str, Any]:
    """The default public answers, as the hook receives them."""
    return {key: value for key, value in default_answers.items() if not key.startswith("_")}


def problems_for(hook: ModuleType, answers: dict[str, Any], **changes: object) -> list[str]:
    """Validate ``answers`` with some values changed."""
    return hook.validate({**answers, **changes})


# --- how answers reach the hook ------------------------------------------------------


def test_defaults_are_accepted(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert pre_gen.validate(answers) == []


def test_hook_receives_every_public_prompt(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert set(json.loads(pre_gen.ANSWERS_JSON)) == set(answers)


def test_hook_checks_every_public_prompt(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    target_prompts = {prompt for checks in pre_gen.TARGET_CHECKS.values() for prompt in checks}
    assert set(pre_gen.CHECKS) | target_prompts == set(answers)


def test_hook_has_the_prompts_of_every_target(pre_gen: ModuleType) -> None:
    assert tuple(pre_gen.TARGET_CHECKS) == pre_gen.AVAILABLE_CLOUDS


def test_target_prompts_are_the_ones_the_template_tests_name(pre_gen: ModuleType) -> None:
    assert {cloud: tuple(checks) for cloud, checks in pre_gen.TARGET_CHECKS.items()} == (
        TARGET_PROMPTS
    )


@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "O'Brien",
        "back\\slash",
        "two\nlines",
        f"caf\N{LATIN SMALL LETTER E WITH ACUTE} {EMOJI}",
        "</script><!-- & -->",
        '"""; import os; os.system("touch /tmp/pwned") #',
        "'''; import os; os.system('touch /tmp/pwned') #",
    ],
    ids=["quote", "apostrophe", "backslash", "newline", "emoji", "html", "injection", "triple"],
)
def test_answer_reaches_hook_unchanged(load_hook: HookLoader, value: str) -> None:
    hook = load_hook(project_name=value, description=value, author_name=value)
    received = json.loads(hook.ANSWERS_JSON)
    assert (received["project_name"], received["description"], received["author_name"]) == (
        value,
        value,
        value,
    )


def test_unrendered_hooks_name_nothing_undefined_but_jinja_names(template_dir: Path) -> None:
    # pyproject.toml silences F821 for hooks/*.py; this keeps that from hiding a typo.
    ruff = shutil.which("ruff")
    assert ruff is not None
    completed = subprocess.run(
        [ruff, "check", "--isolated", "--no-cache", "--select", "F821", "hooks"],
        cwd=template_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert set(re.findall(r"Undefined name `(\w+)`", completed.stdout)) == {
        "cookiecutter",
        "tojson",
    }


def test_rendered_hook_source_is_ascii(load_hook: HookLoader) -> None:
    hook = load_hook(description=f"caf\N{LATIN SMALL LETTER E WITH ACUTE} {EMOJI}")
    assert hook.__file__ is not None
    Path(hook.__file__).read_text(encoding="utf-8").encode("ascii")


def test_main_prints_one_line_per_problem_and_exits_1(
    load_hook: HookLoader, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = load_hook(package_name="json", aws_region="mars-1")
    assert hook.main() == 1
    assert capsys.readouterr().err.splitlines() == [
        "ERROR: package_name=json: would shadow the standard-library module json; "
        "choose another name, e.g. json_jobs",
        "ERROR: aws_region=mars-1: is not a known AWS region code; use one such as "
        "us-east-1, eu-central-1 or ap-southeast-2",
    ]


def test_main_exits_0_and_prints_nothing_for_defaults(
    pre_gen: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pre_gen.main() == 0
    assert capsys.readouterr() == ("", "")


# --- error lines ---------------------------------------------------------------------


def test_error_line_names_field_value_and_fix(pre_gen: ModuleType) -> None:
    line = pre_gen.error_line("package_name", "3d-jobs", "must be an identifier")
    assert line == "ERROR: package_name=3d-jobs: must be an identifier"


def test_error_line_keeps_a_newline_in_the_value_on_one_line(pre_gen: ModuleType) -> None:
    assert pre_gen.show("a\nb\tc\0") == "a\\nb\\tc\\x00"


def test_error_line_escapes_backslash_so_escapes_stay_unambiguous(pre_gen: ModuleType) -> None:
    assert pre_gen.show("a\\nb") == "a\\\\nb"


def test_error_line_shows_printable_unicode_as_typed(pre_gen: ModuleType) -> None:
    assert pre_gen.show(f"Z\N{LATIN SMALL LETTER U WITH DIAERESIS}rich {EMOJI}") == (
        f"Z\N{LATIN SMALL LETTER U WITH DIAERESIS}rich {EMOJI}"
    )


def test_error_line_shortens_long_values(pre_gen: ModuleType) -> None:
    assert pre_gen.show("x" * 500) == "x" * 60 + "...(500 characters)"


def test_every_problem_is_reported_not_just_the_first(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    problems = problems_for(pre_gen, answers, project_slug="Bad Slug", author_email="nope")
    assert [line.split("=")[0] for line in problems] == [
        "ERROR: project_slug",
        "ERROR: author_email",
    ]


@pytest.mark.parametrize("slug", ["MyJobs", "my_jobs", "3d-jobs", "My-Jobs"])
def test_package_name_derived_from_a_refused_slug_is_not_reported_again(
    pre_gen: ModuleType, answers: dict[str, Any], slug: str
) -> None:
    problems = problems_for(
        pre_gen, answers, project_slug=slug, package_name=slug.replace("-", "_")
    )
    assert [line.split("=")[0] for line in problems] == ["ERROR: project_slug"]


def test_package_name_typed_alongside_a_refused_slug_is_still_checked(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    problems = problems_for(pre_gen, answers, project_slug="MyJobs", package_name="json")
    assert [line.split("=")[0] for line in problems] == [
        "ERROR: project_slug",
        "ERROR: package_name",
    ]


def test_package_name_derived_from_an_accepted_slug_is_reported_against_the_slug(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    # The user typed project_slug=src; package_name=src is only its default derivation.
    assert problems_for(pre_gen, answers, project_slug="src", package_name="src") == [
        "ERROR: project_slug=src: gives package_name=src, which clashes with the project's own "
        "src folder; choose another project_slug, e.g. src-jobs, or set package_name, "
        "e.g. src_jobs"
    ]


@pytest.mark.parametrize(
    ("slug", "conflict"),
    [
        ("packaging", "would shadow the dependency packaging"),
        ("class", "is a Python keyword"),
        ("json", "would shadow the standard-library module json"),
        (
            "lambda-function",
            "would shadow lambda_function, which the Lambda Python runtime imports",
        ),
        ("pip", "would shadow pip, which packaging tools import in the project's environment"),
    ],
)
def test_slug_whose_derived_package_name_is_refused_names_the_slug(
    pre_gen: ModuleType, answers: dict[str, Any], slug: str, conflict: str
) -> None:
    package = slug.replace("-", "_")
    (problem,) = problems_for(pre_gen, answers, project_slug=slug, package_name=package)
    assert problem.startswith(f"ERROR: project_slug={slug}: gives package_name={package}, which ")
    assert f"which {conflict}; " in problem


def test_slug_src_is_accepted_with_a_package_name_of_its_own(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    assert problems_for(pre_gen, answers, project_slug="src", package_name="billing") == []


def test_slug_suggested_for_a_derived_conflict_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    (problem,) = problems_for(pre_gen, answers, project_slug="src", package_name="src")
    suggested = re.search(r"choose another project_slug, e\.g\. ([a-z0-9-]+),", problem)
    assert suggested is not None
    slug = suggested.group(1)
    assert (
        problems_for(pre_gen, answers, project_slug=slug, package_name=slug.replace("-", "_")) == []
    )


def test_non_text_answer_is_refused(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert problems_for(pre_gen, answers, python_version=3.13) == [
        "ERROR: python_version=3.13: must be given as text"
    ]


def test_missing_answer_is_refused(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    del answers["aws_region"]
    assert pre_gen.validate(answers) == ["ERROR: aws_region=None: must be given as text"]


# --- project_name, description, author_name -----------------------------------------


@pytest.mark.parametrize("field", ["project_name", "description", "author_name"])
@pytest.mark.parametrize(
    "value",
    ["two\nlines", "tab\there", "nul\0", "del\x7f", "nel\x85", "line\u2028sep", "cr\r"],
    ids=["newline", "tab", "nul", "del", "c1-nel", "line-separator", "carriage-return"],
)
def test_free_text_with_control_character_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], field: str, value: str
) -> None:
    (problem,) = problems_for(pre_gen, answers, **{field: value})
    assert problem.startswith(f"ERROR: {field}=")
    assert "without control characters" in problem


@pytest.mark.parametrize("field", ["project_name", "description", "author_name"])
def test_free_text_with_lone_surrogate_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], field: str
) -> None:
    (problem,) = problems_for(pre_gen, answers, **{field: "bad \udc80 byte"})
    assert problem == (
        f"ERROR: {field}=bad \\udc80 byte: must be one line of text without control "
        "characters (found U+DC80); remove line breaks, tabs and the like"
    )


@pytest.mark.parametrize("field", ["project_name", "description", "author_name"])
@pytest.mark.parametrize(
    "value",
    [
        'say "hi"',
        "O'Brien's",
        "C:\\temp",
        f"Z\N{LATIN SMALL LETTER U WITH DIAERESIS}rich {EMOJI} \u4e2d\u6587",
        '"; import os; os.system("touch /tmp/pwned") #',
        "family \N{MAN}\N{ZERO WIDTH JOINER}\N{WOMAN}",
    ],
    ids=["quote", "apostrophe", "backslash", "unicode", "injection", "zwj-emoji"],
)
def test_free_text_with_quotes_and_unicode_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], field: str, value: str
) -> None:
    assert problems_for(pre_gen, answers, **{field: value}) == []


@pytest.mark.parametrize("field", ["project_name", "author_name"])
def test_blank_required_free_text_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], field: str
) -> None:
    assert problems_for(pre_gen, answers, **{field: "   "}) == [
        f"ERROR: {field}=   : must not be empty"
    ]


@pytest.mark.parametrize("value", ["!!!", EMOJI * 3, "- / -", "\N{EM DASH}"])
def test_project_name_without_a_letter_or_digit_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], value: str
) -> None:
    assert problems_for(pre_gen, answers, project_name=value) == [
        f"ERROR: project_name={value}: must contain at least one letter or digit"
    ]


@pytest.mark.parametrize(
    "value", ["7", "Z\N{LATIN SMALL LETTER U WITH DIAERESIS}rich", "\u65e5\u672c", f"{EMOJI} Jobs"]
)
def test_project_name_with_any_letter_or_digit_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], value: str
) -> None:
    assert problems_for(pre_gen, answers, project_name=value) == []


def test_empty_description_is_accepted(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert problems_for(pre_gen, answers, description="") == []


@pytest.mark.parametrize(
    ("field", "limit"), [("project_name", 80), ("description", 200), ("author_name", 100)]
)
def test_free_text_over_the_length_limit_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], field: str, limit: int
) -> None:
    assert problems_for(pre_gen, answers, **{field: "x" * limit}) == []
    (problem,) = problems_for(pre_gen, answers, **{field: "x" * (limit + 1)})
    assert problem.endswith(f"must be at most {limit} characters (got {limit + 1}); shorten it")


# --- project_slug --------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["qstash-jobs", "jobs", "a1-b2-c3", "x" * 40])
def test_valid_project_slug_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], slug: str
) -> None:
    assert problems_for(pre_gen, answers, project_slug=slug) == []


@pytest.mark.parametrize(
    ("slug", "suggestion"),
    [
        ("My Jobs", "my-jobs"),
        ("my_jobs", "my-jobs"),
        ("3d-jobs", "jobs-3d"),
        ("-jobs", "jobs"),
        ("jobs-", "jobs"),
        ("my--jobs", "my-jobs"),
        ("../escape", "escape"),
        ("a/b", "a-b"),
        ("", "qstash-jobs"),
        ("42", "jobs-42"),
    ],
)
def test_project_slug_not_matching_the_pattern_is_refused_with_a_suggestion(
    pre_gen: ModuleType, answers: dict[str, Any], slug: str, suggestion: str
) -> None:
    (problem,) = problems_for(pre_gen, answers, project_slug=slug)
    assert problem.startswith(f"ERROR: project_slug={slug}: must be lowercase letters")
    assert problem.endswith(f", e.g. {suggestion}")


def test_project_slug_over_40_characters_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    slug = "billing-and-invoicing-background-jobs-for-eu"
    assert problems_for(pre_gen, answers, project_slug=slug) == [
        f"ERROR: project_slug={slug}: must be at most 40 characters (AWS resource names "
        "derive from it), e.g. billing-and-invoicing-background-jobs"
    ]


def test_single_word_slug_over_40_characters_is_cut_in_the_suggestion(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    (problem,) = problems_for(pre_gen, answers, project_slug="x" * 41)
    assert problem.endswith(f", e.g. {'x' * 40}")


# --- package_name --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["qstash_jobs", "jobs", "billing2", "my_jobs_3d"])
def test_valid_package_name_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    assert problems_for(pre_gen, answers, package_name=name) == []


def test_package_name_that_is_not_an_identifier_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    assert problems_for(pre_gen, answers, package_name="3d-jobs") == [
        "ERROR: package_name=3d-jobs: must be a Python identifier of lowercase ASCII letters, "
        "digits and underscores, starting with a letter, e.g. jobs_3d"
    ]


@pytest.mark.parametrize(
    "name", ["Jobs", "jobs-x", "_jobs", "caf\N{LATIN SMALL LETTER E WITH ACUTE}", ""]
)
def test_package_name_with_uppercase_hyphen_underscore_start_or_non_ascii_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    (problem,) = problems_for(pre_gen, answers, package_name=name)
    assert "must be a Python identifier of lowercase ASCII letters" in problem


@pytest.mark.parametrize("name", ["class", "import", "lambda", "async"])
def test_package_name_that_is_a_keyword_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    assert problems_for(pre_gen, answers, package_name=name) == [
        f"ERROR: package_name={name}: is a Python keyword; choose another name, e.g. {name}_jobs"
    ]


@pytest.mark.parametrize("name", ["json", "logging", "asyncio", "email", "test", "zoneinfo"])
def test_package_name_shadowing_stdlib_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    assert problems_for(pre_gen, answers, package_name=name) == [
        f"ERROR: package_name={name}: would shadow the standard-library module {name}; "
        f"choose another name, e.g. {name}_jobs"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "fastapi", "starlette", "pydantic", "pydantic_settings", "mangum", "jwt", "boto3",
        "botocore", "aws_lambda_powertools", "uvicorn", "httpx", "moto", "pytest", "qstash",
        "functions_framework", "jmespath", "typing_extensions",
        # Installed by the lock although not named in pyproject.toml (reported by a user).
        "packaging", "docker", "attrs", "attr", "pygments", "iniconfig", "wrapt", "regex",
        "cffi", "py",
        # Dependencies being added: the QStash SDK, a cron library, retries, an HTTP client.
        "cronsim", "croniter", "tenacity", "httpcore", "h11", "anyio", "sniffio", "certifi",
        "idna",
    ],
)  # fmt: skip
def test_package_name_shadowing_a_dependency_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    assert problems_for(pre_gen, answers, package_name=name) == [
        f"ERROR: package_name={name}: would shadow the dependency {name}; "
        f"choose another name, e.g. {name}_jobs"
    ]


@pytest.mark.parametrize("name", ["pip", "setuptools", "pkg_resources", "wheel", "uv_build"])
def test_package_name_shadowing_a_packaging_tool_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    assert problems_for(pre_gen, answers, package_name=name) == [
        f"ERROR: package_name={name}: would shadow {name}, which packaging tools import in the "
        f"project's environment; choose another name, e.g. {name}_jobs"
    ]


def test_package_name_distutils_is_refused_where_the_standard_library_has_none(
    pre_gen: ModuleType, answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.12 removed distutils; setuptools still provides it in the project's environment.
    monkeypatch.setattr(pre_gen, "STDLIB_NAMES", pre_gen.STDLIB_NAMES - {"distutils"})
    assert problems_for(pre_gen, answers, package_name="distutils") == [
        "ERROR: package_name=distutils: would shadow distutils, which packaging tools import in "
        "the project's environment; choose another name, e.g. distutils_jobs"
    ]


@pytest.mark.parametrize(
    "name",
    [
        "awslambdaric", "bootstrap", "lambda_function", "runtime_client", "simplejson",
        "snapshot_restore_py",
    ],
)  # fmt: skip
def test_package_name_shadowing_what_the_lambda_runtime_imports_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    assert problems_for(pre_gen, answers, package_name=name) == [
        f"ERROR: package_name={name}: would shadow {name}, which the Lambda Python runtime "
        f"imports; choose another name, e.g. {name}_jobs"
    ]


@pytest.mark.parametrize("name", ["tests", "src", "infra"])
def test_package_name_clashing_with_a_project_folder_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], name: str
) -> None:
    (problem,) = problems_for(pre_gen, answers, package_name=name)
    assert problem.startswith(f"ERROR: package_name={name}: clashes with the project's own")


# --- author_email --------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["team@example.com", "first.last+jobs@mail.example.co.uk", "o'brien@example.ie"]
)
def test_plausible_author_email_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], email: str
) -> None:
    assert problems_for(pre_gen, answers, author_email=email) == []


@pytest.mark.parametrize(
    "email",
    [
        "",
        "team",
        "team@",
        "@example.com",
        "team@localhost",
        "two@@example.com",
        "with space@example.com",
        'quote"d@example.com',
        "team@example.com\nBcc: x@example.com",
        "z\N{LATIN SMALL LETTER O WITH DIAERESIS}e@example.com",
        "team@-example.com",
        "a..b@example.com",
    ],
)
def test_author_email_that_does_not_look_like_an_address_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], email: str
) -> None:
    (problem,) = problems_for(pre_gen, answers, author_email=email)
    assert problem.endswith("must be an e-mail address such as team@example.com (ASCII, no spaces)")
    assert "\n" not in problem


# --- choices -------------------------------------------------------------------------


def test_gcp_cloud_functions_is_accepted(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert problems_for(pre_gen, answers, cloud="gcp-cloud-functions") == []


def test_unknown_cloud_is_refused(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert problems_for(pre_gen, answers, cloud="azure") == [
        "ERROR: cloud=azure: must be one of aws-lambda, gcp-cloud-functions"
    ]


def test_unknown_cloud_checks_no_target_prompt(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    assert problems_for(pre_gen, answers, cloud="azure", aws_region="mars", gcp_region="mars") == [
        "ERROR: cloud=azure: must be one of aws-lambda, gcp-cloud-functions"
    ]


def test_aws_prompts_are_not_checked_for_gcp(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert (
        problems_for(
            pre_gen, answers, cloud="gcp-cloud-functions", architecture="amd64", aws_region="mars"
        )
        == []
    )


def test_gcp_region_is_not_checked_for_aws(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert problems_for(pre_gen, answers, cloud="aws-lambda", gcp_region="mars") == []


@pytest.mark.parametrize("version", ["3.13", "3.12"])
def test_supported_python_version_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], version: str
) -> None:
    assert problems_for(pre_gen, answers, python_version=version) == []


@pytest.mark.parametrize("version", ["3.11", "3.14", "3", "python3.13"])
def test_unsupported_python_version_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], version: str
) -> None:
    assert problems_for(pre_gen, answers, python_version=version) == [
        f"ERROR: python_version={version}: must be one of 3.13, 3.12"
    ]


@pytest.mark.parametrize("architecture", ["arm64", "x86_64"])
def test_supported_architecture_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], architecture: str
) -> None:
    assert problems_for(pre_gen, answers, architecture=architecture) == []


@pytest.mark.parametrize("architecture", ["aarch64", "amd64", "x86-64", ""])
def test_unknown_architecture_is_refused(
    pre_gen: ModuleType, answers: dict[str, Any], architecture: str
) -> None:
    assert problems_for(pre_gen, answers, architecture=architecture) == [
        f"ERROR: architecture={architecture}: must be one of arm64, x86_64"
    ]


# --- gcp_region ----------------------------------------------------------------------

GCP = {"cloud": "gcp-cloud-functions"}


@pytest.mark.parametrize(
    "region", ["us-central1", "europe-west3", "asia-northeast1", "africa-south1", "me-central2"]
)
def test_gcp_region_of_cloud_functions_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], region: str
) -> None:
    assert problems_for(pre_gen, answers, **GCP, gcp_region=region) == []


def test_pinned_gcp_regions_are_region_names(pre_gen: ModuleType) -> None:
    # <continent or country>-<direction><number>, as Google names them.
    pattern = re.compile(r"^[a-z]+-[a-z]+[1-9][0-9]?$")
    assert sorted(region for region in pre_gen.GCP_REGIONS if not pattern.match(region)) == []


def test_default_gcp_region_is_pinned(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    assert answers["gcp_region"] in pre_gen.GCP_REGIONS


@pytest.mark.parametrize("region", ["europe-west99", "mars", "", "global"])
def test_gcp_region_that_is_not_one_is_refused_with_examples(
    pre_gen: ModuleType, answers: dict[str, Any], region: str
) -> None:
    assert problems_for(pre_gen, answers, **GCP, gcp_region=region) == [
        f"ERROR: gcp_region={region}: is not a region of Cloud Functions 2nd gen; use one such "
        "as us-central1, europe-west1 or asia-northeast1 (https://cloud.google.com/run/docs/locations)"
    ]


@pytest.mark.parametrize("region", ["US-CENTRAL1", "us_central1", " us-central1 "])
def test_gcp_region_typed_another_way_is_refused_naming_the_region(
    pre_gen: ModuleType, answers: dict[str, Any], region: str
) -> None:
    assert problems_for(pre_gen, answers, **GCP, gcp_region=region) == [
        f"ERROR: gcp_region={region}: is not a Google Cloud region name as written; did you "
        "mean us-central1?"
    ]


def test_gcp_region_typed_aws_style_is_refused_naming_the_region(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    assert problems_for(pre_gen, answers, **GCP, gcp_region="europe-west-3") == [
        "ERROR: gcp_region=europe-west-3: is not a Google Cloud region name; did you mean "
        "europe-west3?"
    ]


@pytest.mark.parametrize(
    ("region", "nearby"), [("eu-central-1", "europe-west3"), ("ap-northeast-1", "asia-northeast1")]
)
def test_gcp_region_given_an_aws_code_is_refused_naming_the_google_region(
    pre_gen: ModuleType, answers: dict[str, Any], region: str, nearby: str
) -> None:
    assert problems_for(pre_gen, answers, **GCP, gcp_region=region) == [
        f"ERROR: gcp_region={region}: is an AWS region code, not a Google Cloud region; did "
        f"you mean {nearby} (the same city)?"
    ]


def test_gcp_region_given_an_aws_code_without_a_google_region_there_is_refused_with_examples(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    assert problems_for(pre_gen, answers, **GCP, gcp_region="eu-west-1") == [
        "ERROR: gcp_region=eu-west-1: is an AWS region code, not a Google Cloud region; use one "
        "such as us-central1, europe-west1 or asia-northeast1 "
        "(https://cloud.google.com/run/docs/locations)"
    ]


def test_google_regions_of_aws_regions_are_pinned_on_both_sides(pre_gen: ModuleType) -> None:
    pairs = pre_gen.GCP_REGION_OF_AWS_REGION.items()
    assert [aws for aws, gcp in pairs if aws not in pre_gen.AWS_REGIONS] == []
    assert [gcp for aws, gcp in pairs if gcp not in pre_gen.GCP_REGIONS] == []


def test_aws_region_given_a_google_region_suggests_the_gcp_target(
    pre_gen: ModuleType, answers: dict[str, Any]
) -> None:
    assert problems_for(pre_gen, answers, aws_region="us-central1") == [
        "ERROR: aws_region=us-central1: is a Google Cloud region, not an AWS region code; for "
        "Google Cloud answer cloud=gcp-cloud-functions gcp_region=us-central1, for AWS use a "
        "region such as us-east-1, eu-central-1 or ap-southeast-2"
    ]


def test_package_name_main_is_refused(pre_gen: ModuleType, answers: dict[str, Any]) -> None:
    # functions-framework imports main.py from the function's source root.
    assert problems_for(pre_gen, answers, package_name="main") == [
        "ERROR: package_name=main: would shadow main, which the Cloud Functions Python runtime "
        "imports; choose another name, e.g. main_jobs"
    ]


# --- aws_region ----------------------------------------------------------------------


def botocore_regions() -> dict[str, set[str]]:
    """Partition -> region codes, from the endpoint data the installed botocore ships.

    Both data files count (a new region may reach partitions.json first); partitions.json's
    pseudo-regions such as ``aws-global`` do not match their partition's ``regionRegex``.
    """
    from botocore.loaders import create_loader

    loader = create_loader()
    regions: dict[str, set[str]] = {}
    for partition in loader.load_data("endpoints")["partitions"]:
        regions.setdefault(partition["partition"], set()).update(partition["regions"])
    for partition in loader.load_data("partitions")["partitions"]:
        pattern = re.compile(partition["regionRegex"])
        regions.setdefault(partition["id"], set()).update(
            region for region in partition["regions"] if pattern.match(region)
        )
    return regions


def test_pinned_aws_regions_are_the_ones_botocore_lists(pre_gen: ModuleType) -> None:
    pinned = {name: set(codes) for name, codes in pre_gen.AWS_REGIONS_BY_PARTITION.items()}
    shipped = botocore_regions()
    differences = {
        name: {
            "missing": sorted(shipped.get(name, set()) - pinned.get(name, set())),
            "extra": sorted(pinned.get(name, set()) - shipped.get(name, set())),
        }
        for name in sorted(pinned.keys() | shipped.keys())
        if pinned.get(name) != shipped.get(name)
    }
    assert differences == {}, "update AWS_REGIONS_BY_PARTITION in hooks/pre_gen_project.py"


@pytest.mark.parametrize(
    "region",
    [
        "us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "cn-north-1",
        "cn-northwest-1", "il-central-1", "me-south-1", "ap-northeast-3", "us-isob-east-1",
        "eusc-de-east-1", "ca-west-1", "mx-central-1",
    ],
)  # fmt: skip
def test_aws_region_code_is_accepted(
    pre_gen: ModuleType, answers: dict[str, Any], region: str
) -> None:
    assert problems_for(pre_gen, answers, aws_region=region) == []


@pytest.mark.parametrize(
    "region",
    ["zz-east-1", "us-east-99", "eu-central-9", "eu-middle-1", "us-east", "mars", "aws-global", ""],
)
def test_aws_region_that_does_not_exist_is_refused_with_examples(
    pre_gen: ModuleType, answers: dict[str, Any], region: str
) -> None:
    assert problems_for(pre_gen, answers, aws_region=region) == [
        f"ERROR: aws_region={region}: is not a known AWS region code; use one such as "
        "us-east-1, eu-central-1 or ap-southeast-2"
    ]


@pytest.mark.parametrize(
    "region", ["US-EAST-1", "us_east_1", " us-east-1", "us-east-1 ", "Us East 1"]
)
def test_aws_region_typed_another_way_is_refused_naming_the_code(
    pre_gen: ModuleType, answers: dict[str, Any], region: str
) -> None:
    assert problems_for(pre_gen, answers, aws_region=region) == [
        f"ERROR: aws_region={region}: is not an AWS region code as written; did you mean us-east-1?"
    ]


# --- post-generation hook ------------------------------------------------------------


@pytest.fixture
def post_gen(load_hook: HookLoader, template_dir: Path) -> ModuleType:
    """The post-generation hook rendered with the default answers."""
    return load_hook("post_gen_project", _repo_dir=str(template_dir))


def test_post_gen_prunes_the_gcp_paths_for_aws_lambda(post_gen: ModuleType) -> None:
    pruned = post_gen.paths_to_prune("aws-lambda", "jobs")
    assert "src/jobs/gcp" in pruned
    assert "uv-gcp.lock" in pruned
    assert "infra" not in pruned


def test_post_gen_prunes_the_aws_paths_for_gcp(post_gen: ModuleType) -> None:
    pruned = post_gen.paths_to_prune("gcp-cloud-functions", "jobs")
    assert {"infra", "cdk.json", "src/jobs/aws", "src/jobs/handoff/sqs.py"} <= set(pruned)
    assert "src/jobs/gcp" not in pruned


def test_post_gen_lists_paths_of_known_targets_only(post_gen: ModuleType) -> None:
    assert set(post_gen.TARGET_ONLY_PATHS) == {"aws-lambda", "gcp-cloud-functions"}


def write_locks(project_dir: Path) -> None:
    """Lay out the two lock files as cookiecutter generates them."""
    (project_dir / "uv.lock").write_text("aws\n", encoding="utf-8")
    (project_dir / "uv-gcp.lock").write_text("gcp\n", encoding="utf-8")


def test_gcp_lock_replaces_uv_lock(post_gen: ModuleType, tmp_path: Path) -> None:
    write_locks(tmp_path)
    assert post_gen.use_target_lock(tmp_path, "gcp-cloud-functions") is True
    assert (tmp_path / "uv.lock").read_text(encoding="utf-8") == "gcp\n"
    assert not (tmp_path / "uv-gcp.lock").exists()


def test_aws_keeps_uv_lock(post_gen: ModuleType, tmp_path: Path) -> None:
    write_locks(tmp_path)
    assert post_gen.use_target_lock(tmp_path, "aws-lambda") is False
    assert (tmp_path / "uv.lock").read_text(encoding="utf-8") == "aws\n"


def test_gcp_lock_replacement_run_twice_keeps_the_gcp_lock(
    post_gen: ModuleType, tmp_path: Path
) -> None:
    write_locks(tmp_path)
    post_gen.use_target_lock(tmp_path, "gcp-cloud-functions")
    assert post_gen.use_target_lock(tmp_path, "gcp-cloud-functions") is False
    assert (tmp_path / "uv.lock").read_text(encoding="utf-8") == "gcp\n"


def tree(root: Path) -> dict[str, str]:
    """Every file below ``root`` with its text."""
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("cloud", ["aws-lambda", "gcp-cloud-functions"])
def test_post_gen_main_run_twice_changes_nothing_the_second_time(
    load_hook: HookLoader,
    template_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cloud: str,
) -> None:
    hook = load_hook("post_gen_project", cloud=cloud, _repo_dir=str(template_dir))
    write_locks(tmp_path)
    for relative in ("src/qstash_jobs/aws/wiring.py", "src/qstash_jobs/gcp/wiring.py", "cdk.json"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert hook.main() == 0
    first = tree(tmp_path)
    assert hook.main() == 0
    assert tree(tmp_path) == first


def test_post_gen_prunes_the_other_targets_paths(
    post_gen: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        post_gen,
        "TARGET_ONLY_PATHS",
        {"aws-lambda": ("infra",), "gcp-cloud-functions": ("src/{package}/gcp_main.py",)},
    )
    assert post_gen.paths_to_prune("aws-lambda", "jobs") == ["src/jobs/gcp_main.py"]


def test_prune_deletes_files_and_folders(post_gen: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "infra" / "stacks").mkdir(parents=True)
    (tmp_path / "infra" / "stacks" / "stack.py").write_text("", encoding="utf-8")
    (tmp_path / "main.py").write_text("", encoding="utf-8")
    removed = post_gen.prune(tmp_path, ["infra", "main.py"])
    assert removed == [tmp_path.resolve() / "infra", tmp_path.resolve() / "main.py"]
    assert list(tmp_path.iterdir()) == []


def test_prune_run_twice_changes_nothing_the_second_time(
    post_gen: ModuleType, tmp_path: Path
) -> None:
    (tmp_path / "gone.py").write_text("", encoding="utf-8")
    post_gen.prune(tmp_path, ["gone.py"])
    assert post_gen.prune(tmp_path, ["gone.py"]) == []


@pytest.mark.parametrize("path", ["../outside", "/etc/passwd", "."])
def test_prune_refuses_paths_outside_the_project(
    post_gen: ModuleType, tmp_path: Path, path: str
) -> None:
    with pytest.raises(ValueError, match="is not inside"):
        post_gen.prune(tmp_path / "project", [path])


def test_post_gen_prints_the_next_steps(
    post_gen: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert post_gen.main() == 0
    out = capsys.readouterr().out
    assert f"cd {tmp_path}" in out
    assert "make demo" in out
    assert "make test" in out


@pytest.mark.parametrize("verb", ["demo", "test", "lint", "dev", "bench"])
def test_post_gen_names_each_make_verb(post_gen: ModuleType, tmp_path: Path, verb: str) -> None:
    out = post_gen.next_steps(tmp_path, {"project_name": "Jobs", "cloud": "aws-lambda"})
    assert re.search(rf"^  make {verb} ", out, re.MULTILINE)


def test_post_gen_says_where_deployed_and_local_runs_read_the_signing_keys(
    post_gen: ModuleType, tmp_path: Path
) -> None:
    out = " ".join(
        post_gen.next_steps(tmp_path, {"project_name": "Jobs", "cloud": "aws-lambda"}).split()
    )
    assert "Secrets Manager" in out
    assert "QSTASH_SIGNING_KEYS_SECRET_ARN" in out
    assert "QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY" in out
