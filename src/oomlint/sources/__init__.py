"""The only code that touches the operating system: the confining Tree, host discovery,
template detection."""
