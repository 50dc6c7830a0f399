"""The Dockerfile and README keep their promises (no Docker engine here, so read them)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_is_slim_non_root_with_a_data_volume() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim", text, re.M)
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user
    assert user[-1] != "root"
    assert 'VOLUME ["/data"]' in text
    assert 'CMD ["python", "-m", "bot", "run"]' in text
    assert "BOT_CONFIG=" in text
    for needed in ("COPY bot ./bot", "COPY content ./content"):
        assert needed in text


def test_readme_first_screen_has_exactly_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_screen = text.split("---", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", first_screen, re.S)
    assert len(blocks) == 2
    assert blocks[0].strip().endswith("python -m bot demo")
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "test-command" in ci  # CI runs the README's command, not a copy of it
