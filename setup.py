"""Only the package list: every tinygen.* package, so a new operator folder needs no edit here (see pyproject.toml)."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["tinygen", "tinygen.*"]) + ["tinygen.templates", "tinygen.targets"])
