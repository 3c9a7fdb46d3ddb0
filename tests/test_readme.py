"""README.md's tour runs as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_tour_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)[0]
    namespace: dict = {}
    exec(compile(code, "README tour", "exec"), namespace)
    assert (tmp_path / "model.safetensors").exists()
    assert float(namespace["loss"]) > 0


def test_readme_opens_with_the_two_commands():
    blocks = re.findall(r"```(\w*)\n(.*?)```", README.read_text(), re.S)
    assert [lang for lang, _ in blocks[:2]] == ["bash", "bash"]
    assert "examples/digits_cnn.py" in blocks[0][1]
    assert "pytest" in blocks[1][1]


def test_ci_runs_the_readme_test_command_verbatim():
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    ci = (README.parent / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci.splitlines()
