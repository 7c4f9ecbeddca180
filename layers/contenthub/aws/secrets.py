"""Secrets Manager, through Powertools Parameters (cached for a few minutes per process)."""

from __future__ import annotations


def secret(name: str, max_age: int = 300) -> str:
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_secret(name, max_age=max_age))
