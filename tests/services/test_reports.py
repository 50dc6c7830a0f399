"""The receipt secret: from config or env, else generated once beside the database."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, parse_config
from bot.services.reports import resolve_receipt_secret


def _config(tmp_path: Path, **reports: object) -> Config:
    return parse_config(
        {"storage": {"path": str(tmp_path / "data" / "bot.db")}, "reports": reports},
        require_token=False,
    )


def test_a_secret_is_generated_once_with_private_permissions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPORT_SECRET", raising=False)
    config = _config(tmp_path)
    first = resolve_receipt_secret(config)
    path = tmp_path / "data" / "report_secret"
    assert path.exists()
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(first) == 64
    assert resolve_receipt_secret(config) == first


def test_config_and_env_win_over_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORT_SECRET", raising=False)
    assert resolve_receipt_secret(_config(tmp_path, receipt_secret="x")) == b"x"
    monkeypatch.setenv("REPORT_SECRET", "from-env")
    assert resolve_receipt_secret(_config(tmp_path, receipt_secret="x")) == b"from-env"
    assert not (tmp_path / "data" / "report_secret").exists()


def test_an_unreadable_secret_file_is_one_clear_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REPORT_SECRET", raising=False)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "report_secret").write_text("\n")
    with pytest.raises(ConfigError, match="report_secret: empty receipt secret file"):
        resolve_receipt_secret(_config(tmp_path))
