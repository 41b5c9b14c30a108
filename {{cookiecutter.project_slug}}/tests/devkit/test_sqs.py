from {{ cookiecutter.package_name }}_devkit.sqs import sqs_event

from ..events import load_event

MESSAGE = {
    "MessageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
    "ReceiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
    "Body": "Test message.",
    "MD5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
    "Attributes": {"ApproximateReceiveCount": "1"},
    "MessageAttributes": {"retried": {"DataType": "Number", "StringValue": "100"}},
}


def test_built_event_has_the_shape_of_a_real_sqs_event() -> None:
    real = load_event("sqs_batch.json")["Records"][0]
    built = sqs_event([MESSAGE], queue_arn=real["eventSourceARN"])["Records"][0]
    assert set(built) == set(real)
    for name in ("messageId", "receiptHandle", "body", "md5OfBody", "eventSource", "awsRegion"):
        assert built[name] == real[name], name
    assert built["messageAttributes"]["retried"] == {"stringValue": "100", "dataType": "Number"}
