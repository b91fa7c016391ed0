"""docs/platforms.md's worked example is what the code computes (a partner reproduces it with openssl)."""

import re
from pathlib import Path

from yekuo.intake import signing

DOC = Path(__file__).resolve().parents[3] / "docs" / "platforms.md"


def test_the_documented_example_signature_is_the_codes():
    text = DOC.read_text()
    body = re.search(r"<!-- example-body -->\n```json\n(.*?)\n```", text, re.S).group(1).encode()
    secret = re.search(r"secret='([^']+)'", text).group(1)
    digest, signature = re.findall(r"^# ([0-9a-f]{64})$", text, re.M)
    assert signing.body_digest(body) == digest
    stamp = re.search(r"timestamp\n`(\d+)`", text).group(1)
    nonce = re.search(r"nonce `([^`]+)`", text).group(1)
    path = "/api/v1/platforms/approval_platform/applications"
    assert f"\\n{path}\\n{stamp}\\n{nonce}\\n" in text  # the printf line signs the same string
    assert signing.sign(secret, "POST", path, stamp, nonce, body) == signature
