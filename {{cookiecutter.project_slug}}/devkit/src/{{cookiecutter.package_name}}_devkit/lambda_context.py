"""A stand-in for the Lambda context object, for running handlers outside Lambda."""

import time
from dataclasses import dataclass, field

from mangum.types import LambdaCognitoIdentity, LambdaMobileClientContext


@dataclass
class LocalLambdaContext:
    """The context attributes handlers and Powertools read.

    Attributes:
        function_name: The function's name.
        function_version: The function's version.
        memory_limit_in_mb: Configured memory, in MB.
        invoked_function_arn: The function's ARN.
        aws_request_id: The invocation id.
        log_group_name: The CloudWatch log group.
        log_stream_name: The CloudWatch log stream.
        identity: Cognito identity (mobile apps only): always None here.
        client_context: Mobile client context: always None here.
        timeout_seconds: The function's timeout, in seconds, counted from creation.
    """

    function_name: str = "local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:local"
    aws_request_id: str = "local-request"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    identity: LambdaCognitoIdentity | None = None
    client_context: LambdaMobileClientContext | None = None
    timeout_seconds: float = 60.0
    _started: float = field(default_factory=time.monotonic, repr=False)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (simulated) timeout."""
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))
