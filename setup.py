"""Only what pyproject.toml cannot say: assets/ is installed as the package `actionlens_assets`.

A `package-dir` mapping needs the package listed by name, and pyproject's `packages` is either a
`find` or a list, not both; here the found packages and the mapped one are joined.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app", "app.*", "model", "model.*"]),
              "actionlens_assets", "actionlens_assets.models", "actionlens_assets.models.default"],
    package_dir={"actionlens_assets": "assets"},
)
