"""The check run over many inputs, in one process or several."""
