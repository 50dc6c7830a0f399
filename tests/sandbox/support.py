"""Constants shared by the sandbox tests."""

TOKEN = "123456:TEST-token_abc"
USER_ID = 1001
