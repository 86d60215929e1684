"""The test tooling itself: a missing MLPerf Tiny model skips the test locally and fails it in CI."""
import pytest

from tests.support import helpers


@pytest.fixture
def no_models(tmp_path, monkeypatch):
    """An empty MLPerf Tiny model directory."""
    monkeypatch.setattr(helpers, "MLPERF_DIR", tmp_path / "mlperf_tiny")
    return tmp_path / "mlperf_tiny"


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_missing_model_fails_in_ci(no_models, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="ad01_int8.tflite missing") as outcome:
        helpers.mlperf_model("ad01_int8")
    assert str(no_models / "ad01_int8.tflite") in str(outcome.value)
    assert "CI is set" in str(outcome.value)


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_missing_model_skips_locally(no_models, monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="ad01_int8.tflite missing") as outcome:
        helpers.mlperf_model("ad01_int8")
    assert str(no_models / "ad01_int8.tflite") in str(outcome.value)


@pytest.mark.parametrize("ci", [None, "true"])
def test_present_model_is_returned(no_models, monkeypatch, ci):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    no_models.mkdir()
    (no_models / "ad01_int8.tflite").write_bytes(b"TFL3")
    assert helpers.mlperf_model("ad01_int8") == no_models / "ad01_int8.tflite"
