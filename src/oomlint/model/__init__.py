"""The host model: parsed records resolved into effective values with provenance."""
