"""One file per operator: lowerings bit-exact with TFLM, and their refusals."""
