import pytest

from saessak.utils import data_utils


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds (real IMDB parsing)")


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """No SAESSAK_DATA, an empty cache, and no downloads."""
    monkeypatch.delenv("SAESSAK_DATA", raising=False)
    monkeypatch.setenv("SAESSAK_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SAESSAK_OFFLINE", "1")
    monkeypatch.setattr(data_utils, "_RETRY_WAIT_S", 0.0)
    return tmp_path
