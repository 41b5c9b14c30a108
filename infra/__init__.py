"""The project's AWS CDK app: one stack, one construct per concern.

Run it through the CDK CLI from the project root (`npx cdk synth`, `make synth`): cdk.json
starts `python -m infra.app`, which reads the project's answers from cdk.json's context.
"""

import os

# jsii (the bridge from Python to the CDK's JavaScript) prints a screen-long notice on every
# run while Node 20 is past its end of life. It still works; keep the output readable. Only
# that version's notice is silenced: a newer end-of-life version is still reported.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
