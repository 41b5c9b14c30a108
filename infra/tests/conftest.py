"""Fixtures of the infra tests: the project's cdk.json context and synthesized templates.

The tests run in two places with the same code: in a generated project (infra/ beside
cdk.json, src/ and uv.lock) and in the template repository, where infra/ sits beside the
unrendered project folder. There the generated cdk.json is rendered with the template's
default answers, so both places test the feature flags and answers a project really has.
"""

import importlib
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.app import build_app
from infra.settings import ProjectSettings
from infra.stack import QStashJobsStack

ROOT = Path(__file__).resolve().parents[2]
# The template's unrendered project folder (its name is Jinja; a bake has none of these).
TEMPLATE_PROJECT = next(
    (path for path in ROOT.iterdir() if path.is_dir() and "cookiecutter." in path.name),
    ROOT / "no-template-project",
)
# The CDK skips asset bundling for the stacks this context lists: none.
SKIP_BUNDLING: dict[str, list[str]] = {"aws:cdk:bundling-stacks": []}
# A declarations document as <package>.qstash.schedules.declarations_document writes it (one
# schedule, one URL group). The template repository cannot import its unrendered application,
# so its synths use this one; a generated project's synths read the application's own.
SAMPLE_DECLARATIONS = json.dumps(
    {
        "version": 1,
        "callbackPath": "/qstash/callback",
        "failureCallbackPath": "/qstash/failure",
        "schedules": [
            {
                "job": "nightly-report",
                "name": "nightly",
                "cron": "CRON_TZ=Europe/Berlin 0 3 * * *",
                "path": "/qstash/jobs/nightly-report",
                "body": "",
                "retries": 3,
                "delaySeconds": 0,
            }
        ],
        "urlGroups": [
            {
                "name": "user-signed-up",
                "endpoints": [
                    {"job": "send-welcome-email", "path": "/qstash/jobs/send-welcome-email"}
                ],
            }
        ],
    },
    sort_keys=True,
    separators=(",", ":"),
)


@dataclass(frozen=True)
class Synthesized:
    """One synthesized stack.

    Attributes:
        stack: The stack object.
        template: Its CloudFormation template, for assertions.
        outdir: The cloud assembly folder (template, validation-report.json).
    """

    stack: QStashJobsStack
    template: Template
    outdir: Path

    @property
    def settings(self) -> ProjectSettings:
        """The settings the stack was built with."""
        return ProjectSettings.from_context(self.stack.node)

    def resources(self, resource_type: str, properties: Any = None) -> dict[str, Any]:
        """The resources of one type (optionally matching `properties`), by logical id."""
        return dict(
            self.template.find_resources(
                resource_type, {"Properties": properties} if properties else None
            )
        )

    def only(self, resource_type: str, properties: Any = None) -> tuple[str, dict[str, Any]]:
        """The logical id and definition of the one resource of that type and properties."""
        found = self.resources(resource_type, properties)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        ((logical_id, resource),) = found.items()
        return logical_id, resource

    def grants(self, role: Any) -> dict[tuple[str, ...], Any]:
        """What a role's policies allow: sorted actions -> resource, one entry a statement."""
        role_ref = {"Ref": self.logical_id(role)}
        granted: dict[tuple[str, ...], Any] = {}
        for policy in self.resources("AWS::IAM::Policy").values():
            if role_ref not in policy["Properties"]["Roles"]:
                continue
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                assert statement["Effect"] == "Allow"
                actions = statement["Action"]
                key = tuple(sorted([actions] if isinstance(actions, str) else actions))
                assert key not in granted, f"two statements grant {key}"
                granted[key] = statement["Resource"]
        return granted

    def logical_id(self, construct: Any) -> str:
        """The logical id of an L2 construct's CloudFormation resource."""
        resource = construct.node.default_child
        logical: str = self.stack.resolve(resource.logical_id)
        return logical


Synth = Callable[..., Synthesized]


def in_template_repository() -> bool:
    """Whether these tests run in the template repository rather than a generated project."""
    return not (ROOT / "cdk.json").is_file() and TEMPLATE_PROJECT.is_dir()


def default_declarations() -> str | None:
    """What a synth declares: SAMPLE_DECLARATIONS here, the application's own in a project."""
    return SAMPLE_DECLARATIONS if in_template_repository() else None


def render_template_file(relative: str) -> str:
    """Render one file of the template's project folder with the default answers."""
    context = cookiecutter_module("generate").generate_context(
        context_file=str(ROOT / "cookiecutter.json")
    )
    context["cookiecutter"] = cookiecutter_module("prompt").prompt_for_config(
        context, no_input=True
    )
    source = (TEMPLATE_PROJECT / relative).read_text(encoding="utf-8")
    environment = cookiecutter_module("utils").create_env_with_context(context)
    rendered: str = environment.from_string(source).render(**context)
    return rendered


def cookiecutter_module(name: str) -> Any:
    """Import `cookiecutter.<name>`: installed in the template repository only, untyped."""
    return importlib.import_module(f"cookiecutter.{name}")


def app_source(relative: str) -> str:
    """The text of one module of the application package, e.g. `config.py`.

    In the template repository the file is read unrendered: use it for modules without
    Jinja.
    """
    if in_template_repository():
        (package_dir,) = (TEMPLATE_PROJECT / "src").glob("*cookiecutter.*")
    else:
        package = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))
        package_dir = ROOT / "src" / package["context"]["project"]["package_name"]
    return (package_dir / relative).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def cdk_json() -> dict[str, Any]:
    """The project's cdk.json, parsed."""
    text = (
        render_template_file("cdk.json")
        if in_template_repository()
        else (ROOT / "cdk.json").read_text(encoding="utf-8")
    )
    parsed: dict[str, Any] = json.loads(text)
    return parsed


@pytest.fixture(scope="session")
def cdk_context(cdk_json: dict[str, Any]) -> dict[str, Any]:
    """cdk.json's context: the project's answers, switches and feature flags."""
    context: dict[str, Any] = cdk_json["context"]
    return context


@pytest.fixture(scope="session")
def synth(cdk_context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Return a function that synthesizes the stack with bundling skipped.

    Keyword arguments override context entries (`snap_start=False`); `project=` merges
    into the project's answers; `declarations=` replaces the schedule declarations (default:
    the application's, or SAMPLE_DECLARATIONS in the template repository). Each synth takes
    seconds: call it once per module.
    """

    def _synth(**overrides: Any) -> Synthesized:
        project = {**cdk_context["project"], **overrides.pop("project", {})}
        declarations = overrides.pop("declarations", default_declarations())
        context = {**cdk_context, **SKIP_BUNDLING, **overrides, "project": project}
        outdir = tmp_path_factory.mktemp("cdk.out")
        app = build_app(context, project_dir=ROOT, outdir=outdir, declarations=declarations)
        stack = app.node.find_child(ProjectSettings.from_context(app.node).stack_name)
        assert isinstance(stack, QStashJobsStack)
        return Synthesized(stack, Template.from_stack(stack), outdir)

    return _synth


@pytest.fixture(scope="session")
def synthesized(synth: Synth) -> Synthesized:
    """The stack as cdk.json describes it, synthesized once for the whole session."""
    return synth()


@pytest.fixture(scope="session")
def project_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A real generated project to bundle: this one, or a default bake of the template."""
    if not in_template_repository():
        yield ROOT
        return
    output = tmp_path_factory.mktemp("bake")
    baked = Path(
        cookiecutter_module("main").cookiecutter(str(ROOT), no_input=True, output_dir=str(output))
    )
    yield baked
    shutil.rmtree(output, ignore_errors=True)
