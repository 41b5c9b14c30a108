"""The CDK app: `python -m infra.app`, started by the CDK CLI as cdk.json says."""

import sys
from pathlib import Path

from aws_cdk import App, Environment

from .declarations import DeclarationError, declarations_document
from .security import apply_security_checks
from .settings import ContextError, ProjectSettings
from .stack import QStashJobsStack

# infra/ sits in the generated project's root, beside src/ and uv.lock.
PROJECT_DIR = Path(__file__).resolve().parent.parent


def build_app(
    context: dict[str, object] | None = None,
    project_dir: Path = PROJECT_DIR,
    outdir: Path | None = None,
    declarations: str | None = None,
) -> App:
    """Build the app and its stack, with the security checks applied.

    Args:
        context: Context beyond cdk.json's (tests pass the answers here).
        project_dir: The generated project's root.
        outdir: Where to write the cloud assembly; default: `$CDK_OUTDIR` (set by the CDK
            CLI) or a temporary folder.
        declarations: The schedule declarations document; default: the application's own,
            read by importing it (declarations.py).

    Returns:
        The app, ready for `synth()`.

    Raises:
        ContextError: cdk.json's context is missing or malformed.
        DeclarationError: A declared schedule or URL group is invalid.
    """
    app = App(context=context, outdir=str(outdir) if outdir else None)
    settings = ProjectSettings.from_context(app.node)
    stack = QStashJobsStack(
        app,
        settings.stack_name,
        settings=settings,
        project_dir=project_dir,
        declarations=(
            declarations
            if declarations is not None
            else declarations_document(settings.package_name)
        ),
        env=Environment(region=settings.aws_region),
    )
    apply_security_checks(stack)
    return app


def main() -> int:
    """Synthesize the app into cdk.out (the CLI passes the folder in CDK_OUTDIR).

    Returns:
        The exit status: 0, or 1 after one line on stderr for a bad cdk.json or an invalid
        schedule declaration.
    """
    try:
        app = build_app()
    except (ContextError, DeclarationError) as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
