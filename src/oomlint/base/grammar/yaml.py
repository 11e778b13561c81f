"""YAML scalars as the programs whose YAML files oomlint reads decode them."""

from __future__ import annotations


def yaml_bool(value: str) -> bool | None:
    """A boolean as the kubelet's decoder (sigs.k8s.io/yaml over go-yaml, YAML 1.1 words)
    and Elasticsearch's settings (true/false) read it; None when it is not one."""
    v = value.strip().lower()
    if v in ("true", "yes", "on", "y"):
        return True
    if v in ("false", "no", "off", "n"):
        return False
    return None
