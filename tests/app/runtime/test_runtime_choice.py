"""app/runtime/runtime_choice.py: LiteRT without a CUDA GPU, Keras with one, and by hand."""

from __future__ import annotations

import pytest

from app.runtime.runtime_choice import choose_runtime, cuda_gpu_present


@pytest.mark.parametrize("runtime, device, gpu, expected", [
    ("auto", "auto", False, "litert"),
    ("auto", "auto", True, "keras"),
    ("auto", "cpu", True, "litert"),
    ("auto", "gpu", False, "keras"),  # Keras says there is no GPU and falls back to the CPU
    ("keras", "auto", False, "keras"),
    ("litert", "auto", True, "litert"),
])
def test_choice(runtime, device, gpu, expected):
    assert choose_runtime(runtime, device, gpu_present=gpu) == (expected, None)


def test_litert_with_a_gpu_request_says_what_would_use_it():
    runtime, notice = choose_runtime("litert", "gpu", gpu_present=True)
    assert runtime == "litert" and "--runtime keras" in notice


def test_an_unknown_runtime_is_named():
    with pytest.raises(ValueError, match="Received: runtime='onnx'"):
        choose_runtime("onnx")


def test_the_driver_folder_says_whether_a_gpu_is_there(tmp_path):
    assert not cuda_gpu_present(tmp_path / "absent")
    assert not cuda_gpu_present(tmp_path)
    (tmp_path / "0000:01:00.0").mkdir()
    assert cuda_gpu_present(tmp_path)
