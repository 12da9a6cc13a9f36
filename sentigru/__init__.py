"""sentigru: bidirectional-GRU sentiment models that run the same in Python and on a phone.

Importing the package is cheap: nothing here imports TensorFlow, so that commands that
do not need it (``sentigru predict`` on a ``.tflite``) start fast.
"""

__version__ = "0.1.0"
