"""Value grammars, one module per owning program."""
