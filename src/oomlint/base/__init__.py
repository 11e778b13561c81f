"""The ground floor: provenance, findings, rule ids and the grammar of each owning
program."""
