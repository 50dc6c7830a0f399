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


def _dependency_names() -> list[str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [re.split(r"[\[<>=!~;\s]", spec, maxsplit=1)[0] for spec in specs]


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_dependency_exactly() -> None:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#")
    assert any("Regenerate" in line for line in lines if line.startswith("#"))
    pins = [line for line in lines if line and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[A-Za-z0-9_.+!-]+", p) for p in pins), pins
    pinned = {_normal(p.split("==")[0]) for p in pins}
    assert len(pinned) == len(pins)  # one version per package
    missing = [n for n in _dependency_names() if _normal(n) not in pinned]
    assert not missing
    # The extras' own packages too: webhooks (tornado), socks (socksio), the CJK font.
    assert {"tornado", "socksio", "pylopdf-fonts-zh-cn", "apscheduler", "aiolimiter"} <= pinned


def test_readme_setup_installs_with_the_constraints_and_ci_runs_exactly_that() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- setup-command -->\n```sh\n(.*?)\n```\n<!-- /setup-command -->", readme)
    assert block
    command = block.group(1)
    assert command.startswith("python3 -m venv .venv && ")
    assert "pip install -c constraints.txt -e '.[dev]'" in command
    assert command.endswith(" && .venv/bin/python -m bot demo")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "setup-command" in ci  # taken from the README, not copied
    assert "pip install" not in ci
    assert "fonts-noto-cjk" not in ci  # the font comes with the Python dependencies


def test_dockerfile_installs_pinned_dependencies_before_the_code_and_checks_health() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = text.splitlines()

    def first(pattern: str) -> int:
        return next(i for i, line in enumerate(lines) if re.search(pattern, line))

    deps = first(r"pip install -c constraints\.txt -r ")
    assert first(r"^COPY pyproject\.toml constraints\.txt") < deps < first(r"^COPY bot ")
    assert first(r"^COPY bot ") < first(r"pip install --no-deps \.")
    assert "apt-get" not in text  # no system fonts or packages
    assert re.search(
        r"^HEALTHCHECK .*\\\n\s+CMD \[\"python\", \"-m\", \"bot\", \"health\"\]", text, re.M
    )
    mpl = re.search(r"MPLCONFIGDIR=(\S+)", text)
    assert mpl
    assert mpl.group(1).startswith("/home/bot/")  # the bot user's own home, writable
    assert "--home-dir /home/bot" in text
    assert "chmod 700 /data" in text
