"""ActionLens's application: capture, runtime, outputs, the command line and the window."""

import os

# One OpenBLAS thread for numpy, set before numpy loads (this package is imported first by the
# `actionlens` command). The app's numpy products are small (the live repetition counter's
# recount on the inference thread, pose features): spread over threads they wait on wake-ups,
# up to seconds on a loaded machine. The models run in LiteRT and TensorFlow, not OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
