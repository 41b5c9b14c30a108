"""The development kit: everything that only helps on a laptop, never {% if cookiecutter.cloud == "aws-lambda" %}shipped to Lambda{% else %}deployed{% endif %}.
{%- if cookiecutter.cloud == "aws-lambda" %}

A QStash double (REST API, signed deliveries, retries, callbacks, DLQ, schedules), the
local stack (moto, the app under uvicorn, an SQS trigger stand-in), demo, chaos, soak and
bench. It is its own distribution, installed with the dev dependency group only, so the
runtime package `{{ cookiecutter.package_name }}` cannot import it by accident and the
Lambda bundle never holds it.
{%- else %}

A QStash double (REST API, signed deliveries, retries, callbacks, DLQ, schedules), the
local system (the Firestore emulator, the app under a functions-framework process) and the
demo. It is its own distribution, installed with the dev dependency group only, so the
runtime package `{{ cookiecutter.package_name }}` cannot import it by accident and the
function's source (`make deploy` stages it) never holds it.
{%- endif %}
"""
