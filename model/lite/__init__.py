"""The bundle's Keras models as TFLite files, for a runtime that needs no TensorFlow.

`interpreter` runs one TFLite file (LiteRT, else TensorFlow's interpreter; BlazePose
runs through it too), `files` reads and checks what a bundle holds (no TensorFlow),
`convert` writes the files from the Keras models (TensorFlow), and `bundle` loads a
bundle for LiteRT, converting once into a cache when the bundle has no current files.
"""
