"""Front ends: model files → IR."""
