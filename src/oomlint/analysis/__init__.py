"""What checks and reports share, as pure functions of the Host: the memory budget."""
