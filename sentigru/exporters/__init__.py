"""Export: phone files (.tflite with metadata), web pages and TensorFlow SavedModels."""
