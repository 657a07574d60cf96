"""Commands speak the interface's language: Chinese by default, English where the deployment
sets LANGUAGE_CODE=en (canlian/cli.py activates it; the strings go through gettext)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str, language: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LANGUAGE_CODE"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings_test", "LANG": "C", "LC_ALL": "C"}
    if language:
        env["LANGUAGE_CODE"] = language
    return subprocess.run(
        [sys.executable, "-m", "canlian.cli", *args],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, check=False,
    )  # fmt: skip


def test_a_refusal_is_chinese_by_default(tmp_path):
    missing = tmp_path / "无此文件.csv"
    proc = run("import-persons", str(missing))
    assert proc.returncode == 1
    assert f"文件不存在：{missing}" in proc.stderr
    assert "No such file" not in proc.stderr


def test_a_refusal_is_english_when_the_deployment_says_so(tmp_path):
    missing = tmp_path / "none.csv"
    proc = run("import-persons", str(missing), language="en")
    assert proc.returncode == 1
    assert f"No such file: {missing}" in proc.stderr


def test_help_follows_the_language():
    chinese = "".join(run("import-persons", "--help").stdout.split())
    english = " ".join(run("import-persons", "--help", language="en").stdout.split())
    assert "任何一行有误则全部不写入" in chinese
    assert "只检查，不写入" in chinese
    assert "nothing is written if any row is bad" in english
    assert "check only, write nothing" in english


def test_an_unknown_language_code_is_refused():
    proc = run("check-id", "11010519491231002X", language="fr")
    assert proc.returncode != 0
    assert "LANGUAGE_CODE='fr'" in proc.stderr


def test_the_settings_option_is_honoured():
    """The language is activated after Django reads --settings, not from the default
    settings loaded beforehand."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "LANGUAGE_CODE")
    }
    env |= {"SECRET_KEY": "canlian-tests-only-" + "y" * 40, "LANG": "C", "LC_ALL": "C"}
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE)"
    proc = subprocess.run(
        [sys.executable, "-m", "canlian.cli", "shell", "--settings=config.settings_test",
         "-c", code],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "config.settings_test"


def test_a_refusal_is_the_message_alone_in_chinese(tmp_path):
    """An import refused as a whole: the Chinese message, without Django's "CommandError: "
    prefix or argparse's English."""
    path = tmp_path / "persons.csv"
    path.write_text("姓名,公民身份号码,民族,户籍所在乡镇,残疾类别,残疾等级\n", encoding="utf-8")
    proc = run("import-persons", str(path))
    assert proc.returncode != 0
    assert "缺少必填列：发证日期。" in proc.stderr
    for english in ("usage:", "error:", "CommandError", "Required"):
        assert english not in proc.stderr


def test_a_missing_argument_is_refused_in_chinese():
    proc = run("import-persons")
    assert proc.returncode == 2
    assert "用法：" in proc.stderr
    assert "缺少必需的参数：file" in proc.stderr
    for english in ("usage:", "error:", "required"):
        assert english not in proc.stderr


def test_an_invalid_choice_and_value_are_refused_in_chinese():
    choice = run("payroll", "pay-everyone")
    assert choice.returncode == 2
    assert "无效的选择：'pay-everyone'" in choice.stderr
    assert "invalid choice" not in choice.stderr
    value = run("demo", "--persons", "many")
    assert value.returncode == 2
    assert "无效的int值：'many'" in value.stderr


def test_djangos_common_options_are_explained_in_chinese():
    text = "".join(run("check-id", "--help").stdout.split())
    assert "位置参数" in text and "选项" in text and "显示本帮助并退出" in text
    assert "配置模块的Python路径" in text and "输出详细程度" in text
    assert "positionalarguments" not in text and "Theverbositylevel" not in text
    assert "Verbositylevel" not in text and "showthishelp" not in text


def test_the_help_is_english_when_the_deployment_says_so():
    text = " ".join(run("check-id", "--help", language="en").stdout.split())
    assert "usage:" in text and "show this help message and exit" in text


def test_a_file_that_cannot_be_read_is_named_in_chinese(tmp_path):
    folder = tmp_path / "places.csv"
    folder.mkdir()  # a folder where a file is expected: reading it fails
    proc = run("load-places", str(folder))
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"无法读取文件{folder}。"


def test_a_command_error_is_written_without_its_class_name(tmp_path):
    proc = run("export-persons", str(tmp_path / "persons.txt"))
    assert proc.returncode == 1
    assert proc.stderr.strip() == "文件名须以 .xlsx 或 .csv 结尾。"
