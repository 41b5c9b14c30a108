from ..aws.conftest import aws, load_entrypoint  # noqa: F401  (shared AWS fixtures)
